"""The review pipeline: read → normalise → outline → parts → issuer →
quantities → facts → findings → score.

Each stage is a module with one small function over a :class:`~fazhi.review.model.Review`;
this module only runs them in order.  A :class:`Reviewer` holds the knowledge
(:class:`fazhi.knowledge.Knowledge`) the stages read: the review carries it
(``Review.knowledge``), so nothing is switched process-wide.  CLI, storage and
web call :class:`Reviewer` (or :func:`review_path` / :func:`review_text` for
the files' knowledge) and nothing below them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fazhi import knowledge
from fazhi.knowledge import Knowledge, files
from fazhi.review import facts, findings, issuer, normalise, outline, parts, quantities, read, score
from fazhi.review.model import Line, Review, Source
from fazhi.units import divisions


def _lines(text: str) -> list[Line]:
    out: list[Line] = []
    pos = 0
    for chunk in text.split("\n"):
        out.append(Line(pos, pos + len(chunk)))
        pos += len(chunk) + 1
    return out


def versions(kn: Knowledge | None = None) -> dict[str, str]:
    """Versions of fazhi, of every knowledge file of ``kn`` (default: the files') and of the divisions
    table — what each review records."""
    return (kn or knowledge.files()).versions


def _stages(review: Review) -> Review:
    review.lines = _lines(review.text)
    review.title, review.title_span = outline.title(review)
    review.outline = outline.build(review)
    review.parts = parts.detect(review)
    found = issuer.resolve(review)
    review.issuer = found.issuer
    review.year, review.year_evidence = found.year, found.year_evidence
    review.date, review.date_evidence = found.date, found.date_evidence
    review.quantities = quantities.extract(review)
    review.facts = facts.extract(review)
    review.findings = findings.check(review)
    review.score = score.compute(review)
    review.versions = review.kn.versions
    return review


_WARM_TEXT = "焦作市中站区人民政府关于2023年度法治政府建设情况的报告\n一、主要举措和成效\n组织集中学法4次，办理行政复议案件12件。\n"


class Reviewer:
    """Reviews reports under one :class:`~fazhi.knowledge.Knowledge` (default: the files').

    Stateless apart from its knowledge: one reviewer may serve many threads, and
    two reviewers with two knowledge versions may run side by side."""

    def __init__(self, knowledge: Knowledge | None = None) -> None:
        self.knowledge = knowledge if knowledge is not None else files()

    def run(self, review: Review) -> Review:
        """Run every stage after normalisation on ``review`` (in place) under this reviewer's knowledge."""
        review.knowledge = self.knowledge
        return _stages(review)

    def review_source(self, text: str, source: Source, *, context: Mapping[str, Any] | None = None) -> Review:
        """Normalise and review ``text`` as the report ``source`` describes (path, sha256, format…), whoever
        read it: a file, an upload, or the text stored with a report.

        ``context``: what the stages may know beyond the text — ``{"corpus": …}``, the report's comparison
        with the other stored reports (:func:`fazhi.corpus.similar.originality`), which the ``text.copied``
        and ``text.formulaic`` rules and the originality score read."""
        norm, offsets = normalise.normalise(text)
        source.chars = len(norm)
        return self.run(Review(text=norm, source=source, offsets=offsets, memo=dict(context or {})))

    def review_text(self, text: str, *, path: str | None = None, fmt: str = "txt") -> Review:
        """Review a report given as text."""
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        return self.review_source(text, Source(path=path, sha256=sha, format=fmt, size=len(text.encode("utf-8"))))

    def review_path(self, path: str | Path, *, max_bytes: int | None = None) -> Review:
        """Read a report file (any supported format) and review it.

        Raises :class:`fazhi.review.read.ReadError` naming the file and the reason when
        the file cannot be read as a report.
        """
        doc = read.read_path(path if isinstance(path, Path) else Path(path), max_bytes=max_bytes)
        source = Source(path=str(path), sha256=doc.sha256, format=doc.format,
                        encoding=doc.encoding, size=doc.size)
        return self.review_source(doc.text, source)

    def warm_up(self) -> None:
        """Review a tiny report, so the divisions table and what the stages compile from this knowledge are
        ready before the first real review (a server, a worker process)."""
        self.review_text(_WARM_TEXT)
        divisions.prepare()


def run(review: Review, *, knowledge: Knowledge | None = None) -> Review:
    """Run every stage after normalisation on ``review`` (in place) and return it."""
    return Reviewer(knowledge).run(review)


def review_source(text: str, source: Source, *, knowledge: Knowledge | None = None) -> Review:
    """:meth:`Reviewer.review_source` under ``knowledge`` (default: the files')."""
    return Reviewer(knowledge).review_source(text, source)


def review_text(text: str, *, path: str | None = None, fmt: str = "txt", knowledge: Knowledge | None = None
                ) -> Review:
    """:meth:`Reviewer.review_text` under ``knowledge`` (default: the files')."""
    return Reviewer(knowledge).review_text(text, path=path, fmt=fmt)


def review_path(path: str | Path, *, max_bytes: int | None = None, knowledge: Knowledge | None = None) -> Review:
    """:meth:`Reviewer.review_path` under ``knowledge`` (default: the files')."""
    return Reviewer(knowledge).review_path(path, max_bytes=max_bytes)


def warm_up(knowledge: Knowledge | None = None) -> None:
    """:meth:`Reviewer.warm_up` under ``knowledge`` (default: the files')."""
    Reviewer(knowledge).warm_up()


__all__ = ["Reviewer", "review_path", "review_source", "review_text", "run", "versions", "warm_up"]
