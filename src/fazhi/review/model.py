"""The one document object every pipeline stage reads and fills: :class:`Review`.

A ``Review`` holds the normalised text of a report and, stage by stage, the
spans found in it.  Every offset indexes ``Review.text`` (the normalised
text); ``Review.offsets`` maps them back to the text as read from the file.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fazhi.knowledge import Knowledge

SCHEMA = "fazhi.review/1"
PART_NAMES = ("achievements", "shortcomings", "first_responsible", "next_year_plan", "other")
REQUIRED_PARTS = PART_NAMES[:4]


@dataclass(slots=True)
class Span:
    """A piece of the normalised text: ``text == review.text[start:end]``."""

    start: int
    end: int
    text: str

    def to_json(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(slots=True)
class Source:
    path: str | None
    sha256: str
    format: str
    chars: int = 0
    encoding: str | None = None
    size: int = 0

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"path": self.path, "sha256": self.sha256, "format": self.format,
                             "chars": self.chars}
        if self.encoding:
            d["encoding"] = self.encoding
        return d


class OffsetMap:
    """Maps offsets of the normalised text back to offsets of the text as read.

    Stored as sorted anchor pairs ``(norm_pos, orig_pos)``: between two
    anchors the texts advance together (a copied run); an anchor is recorded
    wherever normalisation inserted, removed or replaced characters.
    """

    __slots__ = ("_norm", "_orig")

    def __init__(self, anchors: list[tuple[int, int]] | None = None) -> None:
        anchors = anchors or [(0, 0)]
        self._norm = [a for a, _ in anchors]
        self._orig = [b for _, b in anchors]

    @classmethod
    def of(cls, norm: list[int], orig: list[int]) -> OffsetMap:
        """The map of the anchors ``zip(norm, orig)`` (sorted), given as two lists (kept, not copied)."""
        out = cls()
        if norm:
            out._norm, out._orig = norm, orig
        return out

    def to_original(self, pos: int) -> int:
        i = bisect.bisect_right(self._norm, pos) - 1
        if i < 0:
            return pos
        return self._orig[i] + (pos - self._norm[i])

    def compose(self, inner: OffsetMap) -> OffsetMap:
        """``self`` maps C->B and ``inner`` maps B->A; return C->A."""
        out = OffsetMap()
        out._norm = list(self._norm)
        out._orig = [inner.to_original(b) for b in self._orig]
        return out


@dataclass(slots=True)
class Line:
    """A paragraph (one line of the normalised text), without its newline."""

    start: int
    end: int


@dataclass(slots=True)
class Node:
    """An outline node: a heading (levels 1–3) or an inline item (level 4, 一是/二是)."""

    level: int
    marker: str
    title: str
    start: int
    end: int
    title_start: int = 0
    title_end: int = 0
    kind: str = "heading"  # "heading" | "item"
    children: list[Node] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"level": self.level, "marker": self.marker, "title": self.title,
                "start": self.start, "end": self.end, "kind": self.kind,
                "children": [c.to_json() for c in self.children]}

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass(slots=True)
class Part:
    status: str  # "dedicated" | "embedded" | "missing"
    evidence: Span | None = None
    heading: str | None = None  # the heading that carries it, when there is one
    how: str | None = None  # which signal decided: "heading:1", "heading:2", "text"

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"status": self.status,
                             "evidence": self.evidence.to_json() if self.evidence else None}
        if self.heading:
            d["heading"] = self.heading
        if self.how:
            d["how"] = self.how
        return d


@dataclass(slots=True)
class Issuer:
    name: str | None = None
    level: str | None = None  # province|city|county|township|street|department
    province: str | None = None
    city: str | None = None
    county: str | None = None
    township: str | None = None
    code: str | None = None  # division code of the region, when resolved
    kind: str | None = None  # government|party_government|department|office|…
    department: str | None = None  # e.g. 司法局, when the issuer is a department
    ambiguous: bool = False
    candidates: list[dict[str, Any]] = field(default_factory=list)
    evidence: Span | None = None
    clues: list[Span] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"name": self.name, "level": self.level, "province": self.province,
                             "city": self.city, "county": self.county, "township": self.township}
        if self.code:
            d["code"] = self.code
        if self.department:
            d["department"] = self.department
        if self.ambiguous or self.candidates:
            d["ambiguous"] = self.ambiguous
            d["candidates"] = self.candidates
        d["evidence"] = self.evidence.to_json() if self.evidence else None
        return d


@dataclass(slots=True)
class Quantity:
    value: int | float
    unit: str | None
    approx: bool
    start: int
    end: int
    text: str
    qualifier: str | None = None  # the approx word as written: 余, 近, 以上 …

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"value": self.value, "unit": self.unit, "approx": self.approx,
                             "start": self.start, "end": self.end, "text": self.text}
        if self.qualifier:
            d["qualifier"] = self.qualifier
        return d


@dataclass(slots=True)
class Fact:
    """A quantity that measures a catalogue indicator, with its sentence as evidence."""

    indicator: str
    value: int | float
    unit: str | None
    approx: bool
    start: int  # the evidence (clause or sentence)
    end: int
    text: str
    quantity: Span | None = None  # the figure itself inside the evidence
    name: str | None = None  # the indicator's Chinese name

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"indicator": self.indicator, "value": self.value, "unit": self.unit,
                             "approx": self.approx, "start": self.start, "end": self.end,
                             "text": self.text}
        if self.name:
            d["name"] = self.name
        if self.quantity:
            d["quantity"] = self.quantity.to_json()
        return d


@dataclass(slots=True)
class Finding:
    rule: str
    severity: str  # error | warning | info
    message: str
    evidence: list[Span] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "message": self.message,
                "evidence": [e.to_json() for e in self.evidence]}


@dataclass(slots=True)
class Dimension:
    score: float
    weight: float
    label: str
    explanation: str

    def to_json(self) -> dict[str, Any]:
        return {"score": round(self.score, 1), "weight": self.weight, "label": self.label,
                "explanation": self.explanation}


@dataclass(slots=True)
class Score:
    total: float
    dimensions: dict[str, Dimension] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"total": round(self.total, 1),
                "dimensions": {k: v.to_json() for k, v in self.dimensions.items()}}


@dataclass
class Review:
    """A report under review: normalised text plus everything the stages found."""

    text: str
    source: Source
    offsets: OffsetMap = field(default_factory=OffsetMap)
    lines: list[Line] = field(default_factory=list)
    title: str | None = None
    title_span: Span | None = None
    outline: list[Node] = field(default_factory=list)
    parts: dict[str, Part] = field(default_factory=dict)
    issuer: Issuer | None = None
    year: int | None = None
    year_evidence: Span | None = None
    date: str | None = None
    date_evidence: Span | None = None
    quantities: list[Quantity] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    # findings noticed by earlier stages (e.g. duplicate outline numbers),
    # merged into ``findings`` by the findings stage
    notes: list[Finding] = field(default_factory=list)
    score: Score | None = None
    versions: dict[str, str] = field(default_factory=dict)
    #: the knowledge this review runs under (the reviewer's); ``None``: the files' (:func:`fazhi.knowledge.files`)
    knowledge: Knowledge | None = field(default=None, repr=False, compare=False)
    # results stages share within one run (e.g. the shortcoming items findings
    # and score both use); not part of the output
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    # -- helpers shared by the stages -------------------------------------
    @property
    def kn(self) -> Knowledge:
        """The knowledge the stages read (the reviewer's, else the files')."""
        if self.knowledge is None:
            from fazhi.knowledge import files

            self.knowledge = files()
        return self.knowledge

    def span(self, start: int, end: int) -> Span:
        return Span(start, end, self.text[start:end])

    def line_at(self, pos: int) -> Line | None:
        """The line (paragraph) holding offset ``pos``."""
        starts = self.memo.get("line_starts")
        if starts is None or starts[0] is not self.lines:  # the lines' starts, listed once per list of lines
            starts = self.memo["line_starts"] = (self.lines, [ln.start for ln in self.lines])
        i = bisect.bisect_right(starts[1], pos) - 1
        return self.lines[i] if i >= 0 else None

    def nodes(self) -> list[Node]:
        """All outline nodes, depth first (computed once per outline)."""
        cached = self.memo.get("nodes")
        if cached is None or cached[0] is not self.outline:
            out: list[Node] = []

            def add(nodes: list[Node]) -> None:  # depth first, as Node.walk, without nested generators
                for n in nodes:
                    out.append(n)
                    if n.children:
                        add(n.children)

            add(self.outline)
            cached = (self.outline, out)
            self.memo["nodes"] = cached
        return cached[1]

    def stored(self) -> tuple[dict[str, Any], str]:
        """What the corpus stores of a review: the ``fazhi.review/1`` document with the file's size in its
        ``source`` (the public document leaves the size out), and the normalised text the offsets index."""
        doc = self.to_json()
        doc["source"]["size"] = self.source.size
        return doc, self.text

    def to_json(self, with_text: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "schema": SCHEMA,
            "source": self.source.to_json(),
            "title": self.title,
            "issuer": self.issuer.to_json() if self.issuer else None,
            "year": self.year,
            "date": self.date,
            "outline": [n.to_json() for n in self.outline],
            "parts": {k: v.to_json() for k, v in self.parts.items()},
            "quantities": [q.to_json() for q in self.quantities],
            "facts": [f.to_json() for f in self.facts],
            "findings": [f.to_json() for f in self.findings],
            "score": self.score.to_json() if self.score else None,
            "versions": self.versions,
        }
        if with_text:
            d["text"] = self.text
        return d
