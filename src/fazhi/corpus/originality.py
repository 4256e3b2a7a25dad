"""Corpus-mode scores for stored reports: each report compared with the others of its database.

A report reviewed alone gets the single-report originality (formulaic phrases counted in its own text).
Once it is stored, the database's similarity index (:mod:`fazhi.corpus.similar_store`) can say how much of
it is shared with other units' reports (copied) and how much is formula many units use: the
``text.copied`` / ``text.formulaic`` findings and the originality dimension of the score then read that
comparison, and the stored review records it (``corpus``: originality, copied and formulaic shares, the
corpus size, and the reports it shares text with).

Decision — when: **after every store, and again for the reports a new one copies from or is copied by.**
``fazhi ingest`` and ``fazhi refresh`` call :func:`rescore` on the reports they stored (one pass at the
end of the run, with progress); the web calls it after an upload.  A report's score therefore changes
when a near-copy of it is stored — the earlier report is re-scored then, not when it is next read — so
every list, export and ranking shows the same score for it.  Re-scoring re-runs the review of the stored
text with the comparison in its context (a few milliseconds a report; the text is the one already
reviewed), keeps the report's id, and changes nothing else.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from fazhi import db
from fazhi.corpus import service
from fazhi.corpus.models import Report
from fazhi.units.models import Issuer

#: a review of stored text with a context: (text, source dict, context) -> (document, normalised text)
ReviewFn = Callable[[str, dict[str, Any], dict[str, Any]], tuple[dict[str, Any], str]]
Progress = Callable[[int, int], None]


@dataclass
class Rescored:
    """What :func:`rescore` did: the reports re-scored (the ones asked for and those they share text with)."""

    ids: list[int] = field(default_factory=list)
    followed: list[int] = field(default_factory=list)  # re-scored because a new report shares text with them
    failed: list[tuple[int, str]] = field(default_factory=list)


def summary(ctx: dict[str, Any]) -> dict[str, Any]:
    """What the stored review keeps of a comparison (the passages are in the findings' evidence)."""
    return {"originality": ctx.get("originality"), "copied": ctx.get("copied"),
            "formulaic": ctx.get("formulaic"), "corpus_size": ctx.get("corpus_size"),
            "matches": [{"sha256": m.get("id"), "label": m.get("label"), "copied_chars": m.get("copied_chars"),
                         "same_issuer": bool(m.get("same_issuer"))} for m in ctx.get("matches") or []]}


def review_with(texts: dict[str, str] | None, pool: Any = None, timeout: float = 60.0) -> ReviewFn:
    """Re-review stored text under the knowledge ``texts`` (a database's active versions): in one of
    ``pool``'s review processes with its time and memory limits, or here when ``pool`` is None."""
    from fazhi.review.pool import review_stored

    def run(text: str, source: dict[str, Any], context: dict[str, Any]) -> tuple[dict[str, Any], str]:
        if pool is None:
            return review_stored(source, text, texts, context=context)
        result: tuple[dict[str, Any], str] = pool.run("fazhi.review.pool:review_stored", source, text, texts,
                                                       timeout=timeout, context=context)
        return result

    return run


def rescore(engine: Engine, ids: Iterable[int], *, review: ReviewFn | None = None, follow: bool = True,
            index: Any = None, progress: Progress | None = None) -> Rescored:
    """Compare the stored reports ``ids`` with the rest of the database and store their corpus-mode review;
    with ``follow``, re-score too the other units' reports they share copied text with.

    ``index``: the database's similarity index (a :class:`~fazhi.corpus.similar.CorpusIndex`; default:
    brought up to date here); ``review``: how to re-review (default: here, under the database's active
    knowledge — :func:`review_with` a review pool to run it within the upload limits)."""
    from fazhi.corpus.similar import originality
    from fazhi.corpus.similar_store import StoreIndex
    from fazhi.knowledge import versions as knowledge_store

    read = db.session_factory(engine, read=True)
    write = db.session_factory(engine, write=True)
    if review is None:
        with read() as s:
            review = review_with(dict(knowledge_store.active_set(s).texts))
    if index is None:
        index = StoreIndex(engine).sync()
    todo = list(dict.fromkeys(ids))
    asked = set(todo)
    out = Rescored()
    done: set[int] = set()
    while todo:
        batch, todo = todo, []
        for n, rid in enumerate(batch):
            if rid in done:
                continue
            done.add(rid)
            with read() as s:
                row = s.execute(select(Report.id, Report.sha256, Report.text, Report.review, Issuer.key)
                                .outerjoin(Issuer, Report.issuer_id == Issuer.id).where(Report.id == rid)).first()
            if row is None:
                continue
            try:
                ctx = originality(row.text, index, doc_id=row.sha256, issuer=row.key)
                doc, text = review(row.text, dict((row.review or {}).get("source") or {}), {"corpus": ctx})
                doc["corpus"] = summary(ctx)
                with write.begin() as s:
                    service.save_reviews(s, [service.ReviewItem(doc, text, replace=True)])  # its own versions
            except Exception as exc:  # one report's trouble is recorded, the others go on
                out.failed.append((rid, f"{type(exc).__name__}: {exc}"))
                continue
            (out.ids if rid in asked else out.followed).append(rid)
            if follow:
                shas = [m["id"] for m in ctx.get("matches") or [] if not m.get("same_issuer") and m.get("copied_chars")]
                if shas:
                    with read() as s:
                        todo += [i for i in s.scalars(select(Report.id).where(Report.sha256.in_(shas)))
                                 if i not in done]
            if progress is not None:
                progress(len(done), len(done) + len(todo) + len(batch) - n - 1)
        follow = False  # one step: the reports a new one shares text with, not theirs in turn
    return out


def run_reports(engine: Engine, run_id: int) -> list[int]:
    """The reports a run (``fazhi ingest``, ``fazhi refresh``) stored or replaced."""
    with db.session_factory(engine, read=True)() as s:
        return list(s.scalars(select(Report.id).where(Report.ingest_run_id == run_id).order_by(Report.id)))


__all__ = ["Rescored", "ReviewFn", "rescore", "review_with", "run_reports", "summary"]
