"""Self-check before submission: a unit's draft (or any uploaded draft) reviewed by the pipeline and
checked against the unit's record.

The review (:class:`fazhi.review.pipeline.Reviewer` under the database's knowledge) says whether the
required parts are there, whether shortcomings have causes and the plan answers them, whether there are
figures, whether the date is before 1 April.  The self-check adds what only the record knows:

- ``selfcheck.figure_differs``: each figure of the text that measures an indicator (the review's facts)
  against the record's value of that indicator (the latest accepted progress figure or report fact, see
  :attr:`fazhi.supervision.record.UnitRecord.values`); a difference is a finding with both values and
  their sources.  Figures inside quotation marks (“……”) are quotations — last year's targets, a document's
  words — and are not claims about the year;
- ``selfcheck.last_year``: each item of last year's 下一年度安排 that nothing in the text (outside
  quotations) answers;
- ``selfcheck.deadline``: a signing date after the unit's deadline in the campaign (3月1日 for departments);
- ``selfcheck.gaps``: 【待补充】 markers still in the text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from fazhi.knowledge import Knowledge
from fazhi.supervision.access import Actor
from fazhi.supervision.drafting import GAP, campaign_unit, draft_for, draft_text
from fazhi.supervision.record import Figure, UnitRecord, number, topic_overlap, unit_record

_QUOTED = re.compile(r"“[^“”]*”")
_APPROX_TOLERANCE = 0.1  # an approximate figure (4万余份) agrees with a record within 10 %


@dataclass(frozen=True)
class Difference:
    """A figure of the text that differs from the record's value of the same indicator."""

    indicator: str
    name: str
    value: float
    unit: str | None
    approx: bool
    text: str  # the sentence (clause) of the text that says it
    start: int
    end: int
    record: Figure

    @property
    def message(self) -> str:
        said = f"{'约' if self.approx else ''}{number(self.value)}{self.unit or ''}"
        recorded = f"{number(self.record.value)}{self.record.unit or ''}"
        return f"{self.name}：报告写的是{said}，记录中为{recorded}（来源：{self.record.cite.label}）"

    def to_json(self) -> dict[str, Any]:
        return {"indicator": self.indicator, "name": self.name, "value": self.value, "unit": self.unit,
                "approx": self.approx, "text": self.text, "start": self.start, "end": self.end,
                "record": {"value": self.record.value, "unit": self.record.unit, "cite": self.record.cite.to_json()},
                "message": self.message}


@dataclass(frozen=True)
class CheckFinding:
    rule: str
    severity: str  # error | warning | info
    message: str
    evidence: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "severity": self.severity, "message": self.message, "evidence": list(self.evidence)}


@dataclass(frozen=True)
class SelfCheck:
    """The review of the text, the findings of the review and of the record, and the figure differences."""

    review: dict[str, Any] = field(repr=False)  # fazhi.review/1 with the text
    findings: tuple[CheckFinding, ...]
    differences: tuple[Difference, ...]
    due: dt.date | None
    unanswered: tuple[str, ...]  # last year's plan items the text does not answer

    @property
    def ok(self) -> bool:
        """Nothing to fix: no error or warning."""
        return not any(f.severity in ("error", "warning") for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        return {"ok": self.ok, "due": self.due.isoformat() if self.due else None,
                "findings": [f.to_json() for f in self.findings],
                "differences": [d.to_json() for d in self.differences], "unanswered": list(self.unanswered),
                "review": self.review}


def _unquoted(text: str) -> str:
    return _QUOTED.sub("", text)


def _quoted(text: str, start: int, end: int) -> bool:
    return any(m.start() <= start and end <= m.end() for m in _QUOTED.finditer(text))


def _agrees(value: float, approx: bool, recorded: float) -> bool:
    if not approx:
        return abs(value - recorded) < 1e-9
    return abs(value - recorded) <= _APPROX_TOLERANCE * max(abs(value), abs(recorded))


def differences(review: Mapping[str, Any], text: str, values: Mapping[str, Figure]) -> list[Difference]:
    """The facts of ``review`` (over ``text``) whose value differs from the record's ``values``."""
    out = []
    for fact in review.get("facts") or []:
        recorded = values.get(fact["indicator"])
        q = fact.get("quantity") or {"start": fact["start"], "end": fact["end"]}
        if recorded is None or _quoted(text, q["start"], q["end"]):
            continue
        if (fact.get("unit") == "%") != (recorded.unit == "%"):
            continue  # a rate against a count: not the same measure
        if not _agrees(float(fact["value"]), bool(fact.get("approx")), recorded.value):
            out.append(Difference(fact["indicator"], fact.get("name") or recorded.name, float(fact["value"]),
                                  fact.get("unit"), bool(fact.get("approx")), fact["text"], fact["start"],
                                  fact["end"], recorded))
    return out


def check_text(text: str, record: UnitRecord, kn: Knowledge, *, due: dt.date | None,
               name: str = "自查稿.txt") -> SelfCheck:
    """Review ``text`` and check it against ``record`` (see the module documentation)."""
    from fazhi.review.pipeline import Reviewer

    rv = Reviewer(kn).review_text(text, path=name)
    review = rv.to_json(with_text=True)
    found = [CheckFinding(f["rule"], f["severity"], f["message"], tuple(f.get("evidence") or ()))
             for f in review["findings"]]
    diffs = differences(review, rv.text, record.values)
    found += [CheckFinding("selfcheck.figure_differs", "warning", f"数字与记录不一致——{d.message}",
                           ({"start": d.start, "end": d.end, "text": d.text},)) for d in diffs]
    plain = _unquoted(rv.text)
    unanswered = tuple(item.text for item in (record.last_year.items if record.last_year else ())
                       if topic_overlap(item.text, plain, kn) == 0)
    found += [CheckFinding("selfcheck.last_year", "warning", f"上年度报告提出的“{item}”，报告中没有说明落实情况")
              for item in unanswered]
    signed = review.get("date")
    if due is not None and signed and dt.date.fromisoformat(signed) > due:
        found.append(CheckFinding("selfcheck.deadline", "warning",
                                  f"落款日期 {signed} 晚于本单位的报送期限 {due.isoformat()}"))
    gaps = [m for m in GAP.finditer(rv.text)]
    if gaps:
        found.append(CheckFinding("selfcheck.gaps", "error", f"还有 {len(gaps)} 处【待补充】内容，补充后才能报送",
                                  tuple({"start": m.start(), "end": m.end(), "text": m.group(0)} for m in gaps)))
    return SelfCheck(review, tuple(found), tuple(diffs), due, unanswered)


def self_check(session: Session, actor: Actor, campaign_id: int, unit_id: int, *, draft_id: int | None = None,
               text: str | None = None, data: bytes | None = None, filename: str | None = None) -> SelfCheck:
    """Self-check the unit's draft (``draft_id``), a text, or an uploaded file against its record in the
    campaign, under the database's knowledge."""
    from fazhi.knowledge.versions import active_knowledge
    from fazhi.supervision.reports import ReportError, report_due

    campaign, unit = campaign_unit(session, actor, campaign_id, unit_id, write=False)
    if sum(x is not None for x in (draft_id, text, data)) != 1:
        raise ReportError("请给出一份草稿、一段文字或一个文件（三者选一）")
    name = filename or "自查稿.txt"
    if draft_id is not None:
        draft = draft_for(session, actor, draft_id)
        if (draft.campaign_id, draft.unit_id) != (campaign.id, unit.id):
            raise ReportError(f"草稿 {draft_id} 不是{unit.name}在该督导活动中的草稿")
        text, name = draft_text(draft.content), f"草稿{draft.id}.txt"
    elif data is not None:
        from fazhi.review.read import ReadError, read_bytes

        try:
            text = read_bytes(data, name).text
        except ReadError as exc:
            raise ReportError(f"{name}：{exc.message_zh()}") from None
    assert text is not None
    kn = active_knowledge(session)
    return check_text(text, unit_record(session, campaign, unit, kn), kn, due=report_due(campaign, unit), name=name)


__all__ = ["CheckFinding", "Difference", "SelfCheck", "check_text", "differences", "self_check"]
