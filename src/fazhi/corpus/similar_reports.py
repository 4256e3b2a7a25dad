"""Similar reports for the web: a report's closest reports and the corpus's most similar pairs, over the
database's persisted similarity index (:mod:`fazhi.corpus.similar_store`), within the user's scope."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fazhi.accounts.roles import Scope
from fazhi.config import Settings
from fazhi.corpus.models import Report
from fazhi.corpus.reports import report_stamp
from fazhi.corpus.service import scope_condition
from fazhi.lru import LRU, entries_only
from fazhi.units.models import Issuer

log = logging.getLogger("fazhi.web")




class SimilarUnavailable(RuntimeError):
    """Similarity cannot be computed here (the module is missing, too many reports, …); → 501."""


class SimilarBuilding(RuntimeError):
    """The similarity index is being built for the first time (in the background); → 503, retry later."""


def _sim() -> Any:
    try:
        from fazhi.corpus import similar as sim
    except Exception as exc:  # not there yet, or numpy missing
        raise SimilarUnavailable(f"相似度比对功能不可用：fazhi.corpus.similar 无法导入（{type(exc).__name__}: {exc}）") from None
    for name in ("CorpusIndex", "shared_passages"):
        if not hasattr(sim, name):
            raise SimilarUnavailable(f"相似度比对功能不可用：fazhi.corpus.similar 缺少 {name}")
    return sim


class SimilarIndex:
    """The app's view of the database's similarity index (:class:`fazhi.corpus.similar_store.StoreIndex`:
    persisted beside the database, shared with ``fazhi similar`` and the other server processes).

    A request takes the index as it is when nothing was stored since (one
    aggregate query tells); after a change it is brought up to date — in the
    request when that is a few reports, else in a background thread while
    requests go on with the index as it was.  Only when there is no index at
    all yet and the corpus is large does a request get :class:`SimilarBuilding`
    (503 with the progress).  The most similar pairs are computed once per
    version of the index.  A user's region scope filters the results, never
    the index."""

    def __init__(self, engine: Any, url: str, settings: Settings, *, inline_max: int = 2000) -> None:
        self.engine, self.url, self.settings, self.inline_max = engine, url, settings, inline_max
        self._store: Any = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.progress: tuple[int, int] = (0, 0)
        self.error: str | None = None
        self._pairs: tuple[Any, list[Any]] | None = None
        self._scopes: LRU[frozenset[str]] = LRU(16, 1 << 30, entries_only)  # reports in a scope

    def store(self) -> Any:
        if self._store is None:
            _sim()
            from fazhi.corpus.similar_store import StoreIndex

            self._store = StoreIndex(self.engine, self.url)
        return self._store

    def _background(self) -> None:
        def run() -> None:
            try:
                self.store().sync(progress=lambda done, total: setattr(self, "progress", (done, total)), workers=1)
                self.error = None
            except Exception as exc:  # reported to the next request
                log.exception("building the similarity index failed")
                self.error = f"{type(exc).__name__}: {exc}"
            finally:
                self._thread = None

        self._thread = threading.Thread(target=run, name="fazhi-similar-index", daemon=True)
        self._thread.start()

    def index(self) -> Any:
        """The index to answer from now (see the class documentation)."""
        store = self.store()
        with self._lock:
            loaded = store.loaded
            if self._thread is not None:  # a background sync is running
                if loaded is not None:
                    return loaded
                done, total = self.progress
                raise SimilarBuilding(f"相似度索引正在建立（已完成 {done} / {total} 份报告），请稍后刷新")
            if self.error is not None:
                err, self.error = self.error, None
                raise SimilarUnavailable(f"相似度索引建立失败：{err}")
            stamp = store.stamp()
            n = int(stamp[0])
            if n > self.settings.similar_max_reports:
                raise SimilarUnavailable(f"报告库共 {n} 份报告，超过网页端相似度比对的上限 "
                                         f"{self.settings.similar_max_reports} 份（FAZHI_SIMILAR_MAX_REPORTS）；"
                                         "请使用命令行 fazhi similar")
            if loaded is not None and store.synced_stamp == stamp:
                return loaded
            behind = abs(n - len(loaded)) if loaded is not None else store.missing()
            if behind <= self.inline_max:
                return store.sync(workers=1)
            self.progress = (0, behind)
            self._background()
            if loaded is not None:
                return loaded
            raise SimilarBuilding(f"相似度索引正在建立（共 {behind} 份报告待索引），请稍后刷新")

    def pairs(self, idx: Any) -> list[Any]:
        """The most similar pairs of the whole index (computed once per version of the index: a sync
        changes the index in place, so the version is the database stamp it was synced at)."""
        version = (id(idx), self.store().synced_stamp, len(idx))
        with self._lock:
            if self._pairs is not None and self._pairs[0] == version:
                return self._pairs[1]
        out = idx.pairs()
        with self._lock:
            self._pairs = (version, out)
        return out

    def shas_in(self, session: Session, scope: Scope | None) -> frozenset[str] | None:
        """The reports (sha256) in ``scope``; None: every report."""
        if scope is None:
            return None
        key = (scope.key(), self.store().synced_stamp)
        return self._scopes.get_or_make(
            key, lambda: frozenset(session.scalars(select(Report.sha256).where(scope_condition(scope)))))


def _titles(session: Session, shas: Iterable[str]) -> dict[str, dict[str, Any]]:
    shas = list(dict.fromkeys(shas))
    if not shas:
        return {}
    rows = session.execute(select(Report.sha256, Report.id, Report.title, Report.year,
                                  func.coalesce(Issuer.name, Report.issuer_name))
                           .outerjoin(Issuer, Report.issuer_id == Issuer.id).where(Report.sha256.in_(shas)))
    return {sha: {"report_id": rid, "title": t, "year": y, "issuer": n or "（未识别）"} for sha, rid, t, y, n in rows}


def _interface_error(exc: Exception) -> SimilarUnavailable:
    return SimilarUnavailable(f"相似度比对功能不可用：fazhi.corpus.similar 接口不符（{exc}）")


def similar_reports(session: Session, report_id: int, scope: Scope | None, index: SimilarIndex, *,
                    k: int = 5) -> list[dict[str, Any]] | None:
    """The reports (in scope) closest to ``report_id``, with the passages they share; None: no such report."""
    _sim()
    row = report_stamp(session, report_id, scope)
    if row is None:
        return None
    idx = index.index()
    if row.sha256 not in idx:
        raise SimilarBuilding("这份报告尚未进入相似度索引，请稍后刷新")
    among = index.shas_in(session, scope)
    try:
        out = [m.to_json() for m in idx.similar(row.sha256, k=k, among=among)]
    except (AttributeError, TypeError, KeyError) as exc:
        raise _interface_error(exc) from None
    info = _titles(session, [m["id"] for m in out])
    found = []
    for m in out:
        if m["id"] not in info:  # deleted since the index was synced
            continue
        m["sha256"] = m["id"]
        m.update(info[m["sha256"]])
        m["id"] = m["report_id"]
        found.append(m)
    return found


def similar_pairs(session: Session, scope: Scope | None, index: SimilarIndex, *, limit: int = 10,
                  passages: int = 5) -> list[dict[str, Any]]:
    """The most similar pairs of reports in scope, the first ``passages`` with their shared passages."""
    sim = _sim()
    idx = index.index()
    among = index.shas_in(session, scope)
    try:
        pairs = [p for p in index.pairs(idx) if among is None or (p.a in among and p.b in among)]
        info = _titles(session, {x for p in pairs[:limit] for x in (p.a, p.b)})
        out: list[dict[str, Any]] = []
        for p in pairs:
            if len(out) >= limit:
                break
            if p.a not in info or p.b not in info:  # deleted since the index was synced
                continue
            d = p.to_json()
            if len(out) < passages:
                ta, tb = idx.text(p.a), idx.text(p.b)
                shared = sim.shared_passages(ta, tb, params=idx.params, is_common=idx.is_common) if ta and tb else []
                d["passages"] = [x.to_json() for x in sorted(shared, key=lambda x: -x.chars)[:5]]
            d.setdefault("passages", [])
            d["a_sha256"], d["b_sha256"] = p.a, p.b
            d["a_info"], d["b_info"] = info[p.a], info[p.b]
            d["a"], d["b"] = info[p.a]["report_id"], info[p.b]["report_id"]
            out.append(d)
    except (AttributeError, TypeError, KeyError) as exc:
        raise _interface_error(exc) from None
    return out
