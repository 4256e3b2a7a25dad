"""The similarity index of a database: one file beside it, brought up to date with the stored reports.

:class:`StoreIndex` keeps a :class:`fazhi.corpus.similar.CorpusIndex` of every
stored report (ids are the reports' sha256) in ``<db>.similar.npz`` beside a
SQLite file, or in the user cache folder for another database
(:func:`index_path`).  :meth:`StoreIndex.sync` loads it and adds or removes
only what changed since — so a new report costs its own shingles and
signature, not a pass over the corpus — and writes it back atomically (two
processes may sync at once; the last complete file wins and both are right).
A sync works on a copy and then replaces the index it returns, so threads
answering from the previous one are never disturbed.

``fazhi similar`` and the web app (``/reports/{id}/similar``, the
dashboard's most similar pairs) share it: a corpus indexed by the CLI is
ready for the web, and the other way round.  Texts are read from the
database when passages are shown (a small LRU keeps the last few).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, func, select

from fazhi import db
from fazhi.corpus.models import Report
from fazhi.lru import LRU, entries_only
from fazhi.units.models import Issuer

if TYPE_CHECKING:  # numpy is imported on first use
    from fazhi.corpus import similar

Progress = Callable[[int, int], None]  # (done, total) of the reports being indexed


def index_path(url: str) -> Path:
    """Where the similarity index of the database ``url`` is kept."""
    file = db.sqlite_path(url)
    if file is not None:
        return file.with_name(file.name + ".similar.npz")
    import platformdirs

    tag = hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]
    return Path(platformdirs.user_cache_dir("fazhi", appauthor=False)) / f"similar-{tag}.npz"


def label(name: str, year: int | None) -> str:
    """How a report is named in similarity results: 焦作市中站区人民政府（2023年）."""
    return f"{name}（{year}年）" if year else name


class StoreIndex:
    """The stored reports of one database as a similarity index (see the module documentation)."""

    def __init__(self, engine: Engine, url: str | None = None, *, path: Path | None = None,
                 texts: int = 64) -> None:
        self.engine = engine
        self.url = url or engine.url.render_as_string(hide_password=False)
        self.path = path or index_path(self.url)
        self.Session = db.session_factory(engine)
        self._texts: LRU[str] = LRU(texts, 1 << 30, entries_only)
        self._idx: similar.CorpusIndex | None = None
        self._stamp: tuple[Any, ...] | None = None
        self.lock = threading.RLock()  # one sync at a time in this process
        self.save_error: str | None = None

    # -- reading the store ----------------------------------------------------
    def text(self, sha: str) -> str | None:
        """The normalised text of a stored report (for passages; the last few are kept)."""
        found = self._texts.get(sha)
        if found is not None:
            return found
        with self.Session() as s:
            t = s.scalar(select(Report.text).where(Report.sha256 == sha))
        return t if t is None else self._texts.put(sha, t)

    def rows(self) -> dict[str, tuple[str | None, str]]:
        """sha256 → (issuer key, label) of every stored report."""
        stmt = select(Report.sha256, Issuer.key, Report.issuer_name, Report.title, Report.year).outerjoin(
            Issuer, Report.issuer_id == Issuer.id)
        with self.Session() as s:
            return {sha: (key, label(name or title or sha[:12], year))
                    for sha, key, name, title, year in s.execute(stmt)}

    def stamp(self) -> tuple[Any, ...]:
        """What changes whenever a report is stored, re-reviewed or deleted (one aggregate query)."""
        with self.Session() as s:
            row = s.execute(select(func.count(Report.id), func.max(Report.id), func.max(Report.created_at),
                                   func.max(Report.updated_at))).one()
        return tuple(str(v) for v in row)

    # -- the index ------------------------------------------------------------
    @property
    def loaded(self) -> similar.CorpusIndex | None:
        """The index this process holds: as last synced, or as read from disk (None: neither yet)."""
        return self._idx

    @property
    def synced_stamp(self) -> tuple[Any, ...] | None:
        """The database's :meth:`stamp` when :attr:`loaded` was last synced (None: not synced yet)."""
        return self._stamp

    def missing(self) -> int:
        """How many stored reports the index lacks — a sync's work.  The index on disk is read once
        and kept (:attr:`loaded`), so the sync that follows does not read it again."""
        with self.lock:
            if self._idx is None:
                self._idx = self._load()
            idx = self._idx
        ids = set(idx.ids) if idx is not None else set()
        with self.Session() as s:
            stored = set(s.scalars(select(Report.sha256)))
        return len(stored - ids)

    def _load(self) -> similar.CorpusIndex | None:
        from fazhi.corpus import similar

        if not self.path.exists():
            return None
        try:
            idx = similar.CorpusIndex.load(self.path, text_source=self.text)
        except Exception:  # a stale or damaged index is rebuilt
            return None
        return idx if idx.params == similar.DEFAULT else None

    def sync(self, *, rebuild: bool = False, progress: Progress | None = None,
             workers: int | None = None) -> similar.CorpusIndex:
        """The index, brought up to date with the database (and saved when it changed)."""
        from fazhi.corpus import similar

        with self.lock:
            stamp = self.stamp()
            # a copy: requests may be reading the index this process holds while it is brought up to date
            idx = None if rebuild else (self._idx.copy() if self._idx is not None else self._load())
            if idx is None:
                idx = similar.CorpusIndex(keep_text=False, text_source=self.text)
            idx.text_source = self.text
            rows = self.rows()
            changed = rebuild
            for gone in [d for d in idx.ids if d not in rows]:
                idx.remove(gone)
                changed = True
            missing = [sha for sha in rows if sha not in idx]
            done = 0
            if progress is not None:
                progress(0, len(missing))
            for i in range(0, len(missing), 500):
                part = missing[i:i + 500]
                with self.Session() as s:
                    texts: dict[str, str] = {sha: text for sha, text in s.execute(
                        select(Report.sha256, Report.text).where(Report.sha256.in_(part)))}
                n_workers = workers if workers is not None else (2 if len(part) >= 400 else 1)
                idx.extend(((sha, texts[sha], rows[sha][0], rows[sha][1]) for sha in part if sha in texts),
                           workers=n_workers)
                done += len(part)
                changed = True
                if progress is not None:
                    progress(done, len(missing))
            if changed:
                try:
                    idx.save(self.path)
                    self.save_error = None
                except OSError as exc:  # a read-only folder: work without the file
                    self.save_error = f"cannot keep the similarity index at {self.path}: {exc.strerror or exc}"
            self._idx, self._stamp = idx, stamp  # readers switch to the new index at once
            return idx

    def resolve(self, report: str) -> str | None:
        """A stored report's sha256 from its id or sha256 (prefix)."""
        from fazhi.corpus import service

        with self.Session() as s:
            r = service.get_report(s, report)
            return r.sha256 if r is not None else None


__all__ = ["StoreIndex", "index_path", "label"]
