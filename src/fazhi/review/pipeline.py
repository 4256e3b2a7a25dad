"""The review pipeline: read → normalise → outline → parts → issuer →
quantities → facts → findings → score.

Each stage is a module with one small function over a :class:`~fazhi.review.model.Review`;
this module only runs them in order.  CLI, storage and web call
:func:`review_path` / :func:`review_text` and nothing below them.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from fazhi import __version__, knowledge
from fazhi.review import facts, findings, issuer, normalise, outline, parts, quantities, read, score
from fazhi.review.model import Line, Review, Source


def _lines(text: str) -> list[Line]:
    out: list[Line] = []
    pos = 0
    for chunk in text.split("\n"):
        out.append(Line(pos, pos + len(chunk)))
        pos += len(chunk) + 1
    return out


KNOWLEDGE = ("parts", "rules", "indicators", "units")


@knowledge.cached
def versions() -> dict[str, str]:
    """Versions of fazhi and of every knowledge file in use (stored with each review)."""
    out = {"fazhi": __version__}
    for name in KNOWLEDGE:
        out[name] = knowledge.version(name)
    meta = knowledge.data_path("divisions").with_name("divisions.meta.json")
    if meta.exists():
        src = json.loads(meta.read_text(encoding="utf-8")).get("source", {})
        out["divisions"] = str(src.get("current_version", "0"))
    return out


def run(review: Review) -> Review:
    """Run every stage after normalisation on ``review`` (in place) and return it."""
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
    review.versions = dict(versions())
    return review


def review_source(text: str, source: Source) -> Review:
    """Normalise and review ``text`` as the report ``source`` describes (path, sha256, format…), whoever
    read it: a file, an upload, or the text stored with a report."""
    norm, offsets = normalise.normalise(text)
    source.chars = len(norm)
    return run(Review(text=norm, source=source, offsets=offsets))


_WARM_TEXT = "焦作市中站区人民政府关于2023年度法治政府建设情况的报告\n一、主要举措和成效\n组织集中学法4次，办理行政复议案件12件。\n"


def warm_up() -> None:
    """Review a tiny report, so the divisions table, the knowledge in effect and the compiled patterns
    are loaded before the first real review (a server, a worker process)."""
    review_text(_WARM_TEXT)


def review_text(text: str, *, path: str | None = None, fmt: str = "txt") -> Review:
    """Review a report given as text."""
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return review_source(text, Source(path=path, sha256=sha, format=fmt, size=len(text.encode("utf-8"))))


def review_path(path: str | Path, *, max_bytes: int | None = None) -> Review:
    """Read a report file (any supported format) and review it.

    Raises :class:`fazhi.review.read.ReadError` naming the file and the reason when
    the file cannot be read as a report.
    """
    doc = read.read_path(Path(path), max_bytes=max_bytes)
    source = Source(path=str(path), sha256=doc.sha256, format=doc.format,
                    encoding=doc.encoding, size=doc.size)
    return review_source(doc.text, source)
