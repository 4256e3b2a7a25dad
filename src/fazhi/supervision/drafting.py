"""A unit's annual report drafted from the year's record, with every sentence bound to its source.

No tool drafts these reports from records; offices write them by hand and the figures drift from what
the units reported during the year.  fazhi assembles the draft (:func:`assemble`, pure) from the
:class:`~fazhi.supervision.record.UnitRecord` in the structure the 2019 督察规定 requires:

- 一、主要举措和成效: the accepted progress of the unit's tasks, grouped by the framework's 一级
  indicators (else the task sheet's sections), each figure the progress or an accepted report fact
  gives, and a last sub-section on last year's 下一年度安排: each item quoted with what the record shows
  was done about it;
- 二、存在的不足和原因: the findings still being rectified, assessment items that lost points, tasks past
  due; a cause only where the record states one;
- 三、党政主要负责人履行推进法治建设第一责任人职责情况: the tasks on the principal leader's duties;
- 四、下一年度主要安排: a measure for each open problem (the rectification items), the unfinished tasks,
  next year's tasks already deployed;
- 五、其他需要报告的情况, when there is something: problems struck off during the year, the assessment result.

Every sentence carries ``cites`` (:class:`~fazhi.supervision.record.Cite` as dicts): the record it came from.
Where the record has nothing the draft says 【待补充：…】 instead of inventing; ``content["gaps"]`` lists
them.  The wording is data (``supervision/data/reportcycle.yaml``).

The content (``Draft.content``, schema ``fazhi.draft/1``)::

    {"schema", "title", "unit": {"id", "name"}, "year", "date", "campaign": {"id", "name"}, "smoothed",
     "sections": [{"part": "opening|achievements|shortcomings|first_responsible|next_year_plan|other",
                   "heading": str|null,
                   "paragraphs": [{"kind": "heading"|"text", "text",
                                   "sentences": [{"text", "cites": [{"type", "id", "label", …}]}]}]}],
     "gaps": [{"part", "text"}]}

The web editor shows the cites beside the text; :func:`draft_document` renders the 公文-layout .docx
without them; :func:`draft_text` gives the plain text the review pipeline reads.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from fazhi import config
from fazhi.accounts.audit import audit
from fazhi.db.base import utcnow
from fazhi.documents.gongwen import GongwenDocument, Span, chinese_date, chinese_numeral, heading_marker
from fazhi.supervision import datafiles
from fazhi.supervision.access import Actor, Forbidden, NotFound, in_scope
from fazhi.supervision.models import AnnualReport, Campaign, Draft
from fazhi.supervision.record import (
    Cite,
    Entry,
    Figure,
    TaskRecord,
    UnitRecord,
    first_sentence,
    number,
    sentences,
    unit_record,
)
from fazhi.units.models import Unit

SCHEMA = "fazhi.draft/1"
PARTS = ("opening", "achievements", "shortcomings", "first_responsible", "next_year_plan", "other")
GAP = re.compile(r"【待补充[^】]*】")
MAX_TEXT = 200_000  # characters of an edited draft


class DraftError(ValueError):
    """A draft cannot be made or changed as asked (message in Chinese)."""


def wording() -> dict[str, Any]:
    """The draft's wording (``reportcycle.yaml``, ``draft``)."""
    result: dict[str, Any] = datafiles.packaged("reportcycle")["draft"]
    return result


# =========================================================================== building blocks
@dataclass
class Sentence:
    text: str
    cites: list[Cite] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "cites": [c.to_json() for c in dict.fromkeys(self.cites)]}


Para = tuple[str, list[Sentence]]  # ("heading", [one sentence]) or ("text", sentences)


def _heading(text: str) -> Para:
    return ("heading", [Sentence(text)])


def _text(sents: Sequence[Sentence]) -> Para:
    return ("text", list(sents))


def _end(text: str) -> str:
    """``text`` as a sentence: closing 。 added when it has no closing mark."""
    text = text.strip().rstrip("，,；;：:")
    return text if text.endswith(("。", "！", "？", "】")) else text + "。"


def _bare(text: str) -> str:
    """``text`` without its closing punctuation (to quote it or continue it)."""
    return text.strip().rstrip("。；;，,！？")


def _ordinal(n: int, sentence: Sentence) -> Sentence:
    """The sentence as the ``n``-th item: 一是…, 二是…"""
    return Sentence(f"{chinese_numeral(n)}是{sentence.text}", sentence.cites)


def said(value: float, text: str) -> bool:
    """Whether ``text`` writes the figure ``value`` (as a whole number, not inside a larger one)."""
    plain = unicodedata.normalize("NFKC", text)
    return re.search(rf"(?<![\d.]){re.escape(number(value))}(?![\d])", plain) is not None


def figure_sentence(figure: Figure, w: Mapping[str, Any]) -> Sentence:
    """A figure as a sentence: "行政机关负责人出庭应诉率为100%。" / "办理行政复议案件12件。"."""
    named = figure.name.endswith(tuple(w["named_suffixes"]))
    template = w["sentences"]["figure_named" if named else "figure"]
    return Sentence(template.format(name=figure.name, value=number(figure.value), unit_word=figure.unit or ""),
                    [figure.cite])


def _entry_sentences(entry: Entry, w: Mapping[str, Any]) -> list[Sentence]:
    out = [Sentence(_end(s), [entry.cite]) for s in sentences(entry.text)]
    out += [figure_sentence(f, w) for f in entry.figures if not said(f.value, entry.text)]
    return out


def task_sentences(task: TaskRecord, w: Mapping[str, Any]) -> list[Sentence]:
    """What the record shows of a task: its accepted progress, each figure not written in it, the accepted
    report facts on it; the files and notes that prove it cited on the first sentence.  A task the record
    shows nothing of is a gap."""
    out = [s for e in task.entries for s in _entry_sentences(e, w)]
    written = [(f.indicator, f.value) for e in task.entries for f in e.figures]
    texts = " ".join(e.text for e in task.entries)
    out += [figure_sentence(f, w) for f in task.facts
            if (f.indicator, f.value) not in written and not said(f.value, texts)]
    if not out:
        return [Sentence(w["gaps"]["task"].format(task=_bare(task.title)), [task.cite])]
    out[0].cites.extend(task.sources)
    return out


# =========================================================================== the parts
def _achievements(record: UnitRecord, w: Mapping[str, Any]) -> list[Para]:
    tasks = [t for t in record.tasks if not t.first_responsible]
    groups: dict[str | None, tuple[float, list[Para]]] = {}
    for t in tasks:
        groups.setdefault(t.group, (t.group_order, []))[1].append(_text(task_sentences(t, w)))
    for group, order, fact in record.node_facts:
        groups.setdefault(group, (order, []))[1].append(_text([figure_sentence(fact, w)]))
    sub = w["subheadings"]
    named = any(g is not None for g in groups)
    out: list[Para] = []
    for name, (_, paras) in sorted(groups.items(), key=lambda kv: kv[1][0]):
        out.append(_heading(name or (sub["other_work"] if named else sub["work"])))
        out += paras
    if not out:
        out.append(_text([Sentence(w["gaps"]["achievements"])]))
    out.append(_heading(sub["last_year"]))
    out += _last_year(record, w)
    return out


def _last_year(record: UnitRecord, w: Mapping[str, Any]) -> list[Para]:
    gaps, s = w["gaps"], w["sentences"]
    if record.last_year is None:
        return [_text([Sentence(gaps["last_year"])])]
    if not record.last_year.items:
        return [_text([Sentence(gaps["last_year_none"])])]
    out: list[Para] = []
    for item in record.last_year.items:
        said_ = [Sentence(s["last_year_item"].format(item=_bare(item.text)), [item.cite])]
        task = next((t for t in record.tasks if t.id == item.task_id and t.entries), None)
        if task is None:
            said_.append(Sentence(gaps["last_year_item"]))
        else:
            entry = task.entries[-1]
            said_.append(Sentence(s["last_year_done"].format(task=_bare(task.title),
                                                             progress=_end(first_sentence(entry.text))),
                                  [entry.cite]))
        out.append(_text(said_))
    return out


def _overdue(record: UnitRecord, day: dt.date) -> list[TaskRecord]:
    """Tasks due within the year, past due on ``day`` and not accepted."""
    return [t for t in record.tasks if t.due is not None and t.due.year <= record.year and t.due < day
            and t.status != "accepted"]


def _shortcomings(record: UnitRecord, w: Mapping[str, Any], day: dt.date) -> list[Para]:
    gaps, s = w["gaps"], w["sentences"]
    items: list[list[Sentence]] = []
    for p in record.problems:
        said_ = [Sentence(_end(p.text), [p.cite])]
        if p.cause is not None and p.cause_cite is not None:
            said_.append(Sentence(_end(p.cause), [p.cause_cite]))
        elif not p.states_cause:
            said_.append(Sentence(gaps["cause"]))
        items.append(said_)
    if record.assessment is not None:
        for lost in record.assessment.lost:
            first = s["assessment_lost"].format(year=record.year, item=_bare(lost.content),
                                                score=number(lost.score), points=number(lost.points))
            if lost.reason:
                first = first.rstrip("。") + "，" + _end(lost.reason)
            items.append([Sentence(first, [lost.cite]), Sentence(gaps["cause"])])
    for t in _overdue(record, day):
        items.append([Sentence(s["task_overdue"].format(task=_bare(t.title), date=chinese_date(day)), [t.cite]),
                      Sentence(gaps["cause"])])
    if not items:
        return [_text([Sentence(gaps["shortcomings"]), Sentence(gaps["cause"])])]
    return [_text([_ordinal(n, said_[0]), *said_[1:]]) for n, said_ in enumerate(items, 1)]


def _first_responsible(record: UnitRecord, w: Mapping[str, Any]) -> list[Para]:
    paras = [_text(task_sentences(t, w)) for t in record.tasks if t.first_responsible]
    return paras or [_text([Sentence(w["gaps"]["first_responsible"])])]


def _plan(record: UnitRecord, w: Mapping[str, Any], day: dt.date) -> list[Para]:
    gaps, s = w["gaps"], w["sentences"]
    items: list[Sentence] = []
    for p in record.problems:
        problem = p.short
        for m in p.measures:
            if not m.measure:
                items.append(Sentence(s["plan_rectify_open"].format(problem=problem, measure=gaps["measure"]),
                                      [m.cite]))
            elif m.deadline is not None:
                items.append(Sentence(s["plan_rectify"].format(problem=problem, measure=_bare(m.measure),
                                                               deadline=chinese_date(m.deadline)), [m.cite]))
            else:
                items.append(Sentence(s["plan_rectify_open"].format(problem=problem, measure=_bare(m.measure)),
                                      [m.cite]))
    if record.assessment is not None:
        items += [Sentence(s["plan_assessment"].format(item=_bare(lost.content)), [lost.cite])
                  for lost in record.assessment.lost]
    items += [Sentence(s["plan_continue"].format(task=_bare(t.title)), [t.cite]) for t in _overdue(record, day)]
    for n in record.next_tasks:
        template = s["plan_next_task_due"] if n.due else s["plan_next_task"]
        items.append(Sentence(template.format(campaign=n.campaign, task=_bare(n.title),
                                              date=chinese_date(n.due) if n.due else ""), [n.cite]))
    if not items:
        return [_text([Sentence(gaps["plan"])])]
    return [_text([_ordinal(n, item)]) for n, item in enumerate(items, 1)]


def _other(record: UnitRecord, w: Mapping[str, Any]) -> list[Para]:
    s, sub = w["sentences"], w["subheadings"]
    out: list[Para] = []
    if record.rectified:
        out.append(_heading(sub["rectified"]))
        out += [_text([Sentence(s["rectified"].format(problem=_bare(r.text), date=chinese_date(r.closed)),
                                [r.cite])]) for r in record.rectified]
    if record.assessment is not None and record.assessment.total is not None:
        out.append(_heading(sub["assessment"]))
        out.append(_text([Sentence(s["assessment_total"].format(campaign=record.campaign_name,
                                                                score=number(record.assessment.total)),
                                   [record.assessment.cite])]))
    return out


# =========================================================================== assembling
def _section(part: str, heading: str | None, paras: Sequence[Para]) -> dict[str, Any]:
    return {"part": part, "heading": heading,
            "paragraphs": [{"kind": kind, "text": "".join(s.text for s in sents),
                            "sentences": [s.to_json() for s in sents]} for kind, sents in paras]}


def gaps_of(sections: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Every 【待补充…】 of the sections, with the part it is in, in order."""
    return [{"part": sec["part"], "text": m.group(0)} for sec in sections for p in sec["paragraphs"]
            for m in GAP.finditer(p["text"])]


def assemble(record: UnitRecord, *, day: dt.date) -> dict[str, Any]:
    """The draft's content (``fazhi.draft/1``) for ``record``, dated ``day`` (pure: no database)."""
    w = wording()
    h = w["headings"]
    fill = {"unit": record.unit_name, "year": record.year, "next": record.year + 1}
    opening = [_text([Sentence(w["opening"].format(**fill))])]
    sections = [_section("opening", None, opening),
                _section("achievements", h["achievements"].format(**fill), _achievements(record, w)),
                _section("shortcomings", h["shortcomings"].format(**fill), _shortcomings(record, w, day)),
                _section("first_responsible", h["first_responsible"].format(**fill), _first_responsible(record, w)),
                _section("next_year_plan", h["next_year_plan"].format(**fill), _plan(record, w, day))]
    other = _other(record, w)
    if other:
        sections.append(_section("other", h["other"].format(**fill), other))
    return {"schema": SCHEMA, "title": w["title"].format(**fill),
            "unit": {"id": record.unit_id, "name": record.unit_name}, "year": record.year,
            "date": day.isoformat(), "campaign": {"id": record.campaign_id, "name": record.campaign_name},
            "smoothed": False, "sections": sections, "gaps": gaps_of(sections)}


# =========================================================================== rendering
def _date(content: Mapping[str, Any]) -> dt.date:
    try:
        return dt.date.fromisoformat(str(content.get("date")))
    except ValueError:
        return config.today()


def draft_document(content: Mapping[str, Any]) -> GongwenDocument:
    """The draft as a 公文-layout document; the cites stay in ``outline()`` and never reach the .docx."""
    doc = GongwenDocument(str(content.get("title") or ""))
    for sec in content.get("sections", []):
        if sec.get("heading"):
            doc.heading(sec["heading"], 1)
        for p in sec.get("paragraphs", []):
            if p.get("kind") == "heading":
                doc.heading(p["text"], 2)
            else:
                doc.paragraph([Span(s["text"], tuple(s.get("cites") or ())) for s in p.get("sentences", [])]
                              or p.get("text", ""))
    doc.signature(str((content.get("unit") or {}).get("name") or "") or None, _date(content))
    return doc


def draft_text(content: Mapping[str, Any]) -> str:
    """The draft as plain text, laid out as the .docx reads back (title, numbered headings, 落款)."""
    lines = [str(content.get("title") or "")]
    level1 = 0
    for sec in content.get("sections", []):
        if sec.get("heading"):
            level1 += 1
            lines.append(heading_marker(1, level1) + sec["heading"])
        level2 = 0
        for p in sec.get("paragraphs", []):
            if p.get("kind") == "heading":
                level2 += 1
                lines.append(heading_marker(2, level2) + p["text"])
            else:
                lines.append(p["text"])
    lines += [str((content.get("unit") or {}).get("name") or ""), chinese_date(_date(content))]
    return "\n".join(line for line in lines if line) + "\n"


# =========================================================================== services
@dataclass(frozen=True)
class DraftView:
    """A stored draft as the CLI and the web show it."""

    id: int
    campaign_id: int | None
    unit_id: int
    unit_name: str
    year: int
    stage: str
    content: dict[str, Any]
    created_at: dt.datetime | None
    updated_at: dt.datetime | None
    smoothing: dict[str, Any] | None = None  # what smoothing did when the draft was made (sent, accepted, refused)

    @property
    def gaps(self) -> list[dict[str, str]]:
        return list(self.content.get("gaps") or [])

    @property
    def title(self) -> str:
        return str(self.content.get("title") or "")

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "campaign_id": self.campaign_id, "unit": {"id": self.unit_id, "name": self.unit_name},
                "year": self.year, "stage": self.stage, "content": self.content, "gaps": self.gaps,
                "created_at": self.created_at.isoformat() if self.created_at else None,
                "updated_at": self.updated_at.isoformat() if self.updated_at else None}


def draft_view(session: Session, row: Draft) -> DraftView:
    unit = session.get(Unit, row.unit_id)
    return DraftView(row.id, row.campaign_id, row.unit_id, unit.name if unit else "", row.year, row.stage,
                     dict(row.content), row.created_at, row.updated_at)


def campaign_unit(session: Session, actor: Actor, campaign_id: int, unit_id: int, *, write: bool
                  ) -> tuple[Campaign, Unit]:
    """The campaign and the unit, if the actor may see (``write``: act on) the unit's report in it: a member
    of the unit, or the campaign's office (a viewer in scope may only read)."""
    campaign = session.get(Campaign, campaign_id)
    unit = session.get(Unit, unit_id)
    if campaign is None:
        raise NotFound(f"没有编号为 {campaign_id} 的督导活动")
    if unit is None:
        raise NotFound(f"没有编号为 {unit_id} 的单位")
    if actor.unit_user:
        if actor.unit_id != unit.id:
            raise NotFound(f"没有编号为 {unit_id} 的单位")
        return campaign, unit
    organiser = session.get(Unit, campaign.organiser_id) if campaign.organiser_id else None
    if actor.role not in ("admin", "reviewer", "viewer") or not in_scope(actor, organiser):
        raise NotFound(f"没有编号为 {campaign_id} 的督导活动")
    if write and not actor.office:
        raise Forbidden("查看权限不能修改年度报告")
    return campaign, unit


def annual_report_for(session: Session, campaign: Campaign, unit: Unit) -> AnnualReport:
    """The unit's annual report in the campaign, started (起草) when there is none yet."""
    from fazhi.supervision.reports import report_due

    row = session.scalar(select(AnnualReport).where(AnnualReport.campaign_id == campaign.id,
                                                    AnnualReport.unit_id == unit.id))
    if row is None:
        row = AnnualReport(campaign_id=campaign.id, unit_id=unit.id, year=campaign.year,
                           due=report_due(campaign, unit), status="drafting", recipients=[])
        session.add(row)
        session.flush()
    return row


def create_draft(session: Session, actor: Actor, campaign_id: int, unit_id: int, *, day: dt.date | None = None,
                 smoother: Any = None) -> DraftView:
    """Draft the unit's annual report from its record in the campaign (see the module documentation) and
    store it; ``day`` dates it (today by default).  ``smoother`` (a
    :class:`fazhi.supervision.smoothing.Smoother`) may smooth the wording; a paragraph whose smoothed text
    adds or changes a number, a name or a date keeps its own wording."""
    from fazhi.knowledge.versions import active_knowledge
    from fazhi.supervision.reports import today

    campaign, unit = campaign_unit(session, actor, campaign_id, unit_id, write=True)
    record = unit_record(session, campaign, unit, active_knowledge(session))
    content = assemble(record, day=day or today())
    smoothing = None
    if smoother is not None:
        from fazhi.supervision.smoothing import smooth_content

        content, smoothing = smooth_content(content, smoother, names=[unit.name, campaign.organiser_name])
    report = annual_report_for(session, campaign, unit)
    row = Draft(campaign_id=campaign.id, unit_id=unit.id, year=campaign.year, stage="drafting", content=content,
                created_by_id=actor.user_id)
    session.add(row)
    session.flush()
    audit(session, actor.user_id, "draft.create", "draft", row.id,
          {"campaign_id": campaign.id, "unit": unit.name, "year": campaign.year, "gaps": len(content["gaps"]),
           "annual_report_id": report.id,
           **({"smoothing": {"sent": smoothing["sent"], "accepted": smoothing["accepted"],
                             "refused": len(smoothing["refused"])}} if smoothing is not None else {})})
    return replace(draft_view(session, row), smoothing=smoothing)


def draft_for(session: Session, actor: Actor, draft_id: int, *, write: bool = False) -> Draft:
    """The stored draft, if the actor may see it (``write``: change it)."""
    row = session.get(Draft, draft_id)
    if row is None or row.campaign_id is None:
        raise NotFound(f"没有编号为 {draft_id} 的草稿")
    try:
        campaign_unit(session, actor, row.campaign_id, row.unit_id, write=write)
    except NotFound:
        raise NotFound(f"没有编号为 {draft_id} 的草稿") from None
    return row


def get_draft(session: Session, actor: Actor, draft_id: int) -> DraftView:
    return draft_view(session, draft_for(session, actor, draft_id))


def list_drafts(session: Session, actor: Actor, campaign_id: int, unit_id: int) -> list[DraftView]:
    """The unit's drafts in the campaign, newest first."""
    campaign_unit(session, actor, campaign_id, unit_id, write=False)
    rows = session.scalars(select(Draft).where(Draft.campaign_id == campaign_id, Draft.unit_id == unit_id)
                           .order_by(Draft.id.desc()))
    return [draft_view(session, r) for r in rows]


def _edited_sections(old: Mapping[str, Any], sections: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Sections as edited: each paragraph's text split into sentences again; a sentence the draft had
    keeps its cites, a new or changed one has none (the self-check compares its figures with the record)."""
    known: dict[str, list[Any]] = {}
    for sec in old.get("sections", []):
        for p in sec.get("paragraphs", []):
            for s in p.get("sentences", []):
                known.setdefault(s["text"], s.get("cites") or [])
    out = []
    for sec in sections:
        part = sec.get("part")
        if part not in PARTS:
            raise DraftError(f"草稿的部分“{part}”应为 {'、'.join(PARTS)} 之一")
        paras = []
        for p in sec.get("paragraphs") or []:
            kind = p.get("kind", "text")
            text = str(p.get("text") or "").strip()
            if kind not in ("heading", "text"):
                raise DraftError(f"段落类型“{kind}”应为 heading 或 text")
            if not text:
                continue
            pieces = [text] if kind == "heading" else sentences(text)
            paras.append({"kind": kind, "text": "".join(pieces),
                          "sentences": [{"text": s, "cites": known.get(s, [])} for s in pieces]})
        heading = sec.get("heading")
        out.append({"part": part, "heading": str(heading).strip() if heading else None, "paragraphs": paras})
    return out


def update_draft(session: Session, actor: Actor, draft_id: int, sections: Sequence[Mapping[str, Any]], *,
                 title: str | None = None, day: dt.date | None = None) -> DraftView:
    """Save the unit's edits of a draft: ``sections`` as in the content (each paragraph needs only ``kind``
    and ``text``), optionally a new title and date.  A draft already submitted cannot change; a confirmed
    one goes back to its leader (主要负责人审核)."""
    row = draft_for(session, actor, draft_id, write=True)
    if row.stage == "submitted":
        raise DraftError("草稿已报送，不能再修改（退回修改后，先把草稿改回初稿阶段）")
    size = sum(len(str(p.get("text") or "")) for s in sections for p in s.get("paragraphs") or [])
    if size > MAX_TEXT:
        raise DraftError(f"草稿过长（{size} 字，上限 {MAX_TEXT} 字）")
    content = dict(row.content)
    content["sections"] = _edited_sections(row.content, sections)
    content["gaps"] = gaps_of(content["sections"])
    if title is not None and title.strip():
        content["title"] = " ".join(title.split())
    if day is not None:
        content["date"] = day.isoformat()
    row.content, row.updated_at, row.updated_by_id = content, utcnow(), actor.user_id
    if row.stage == "confirmed":  # the leader confirmed another text: it goes back to the leader
        row.stage = "leader_review"
    session.flush()
    audit(session, actor.user_id, "draft.update", "draft", row.id, {"gaps": len(content["gaps"]), "stage": row.stage})
    return draft_view(session, row)


def draft_docx(session: Session, actor: Actor, draft_id: int) -> tuple[bytes, str]:
    """The draft as a 公文-layout .docx (no citations) and its file name."""
    row = draft_for(session, actor, draft_id)
    return draft_document(row.content).to_bytes(), f"{row.content.get('title') or '年度报告草稿'}.docx"


__all__ = [
    "GAP",
    "PARTS",
    "SCHEMA",
    "DraftError",
    "DraftView",
    "Sentence",
    "annual_report_for",
    "assemble",
    "campaign_unit",
    "create_draft",
    "draft_document",
    "draft_docx",
    "draft_for",
    "draft_text",
    "draft_view",
    "figure_sentence",
    "gaps_of",
    "get_draft",
    "list_drafts",
    "said",
    "task_sentences",
    "update_draft",
    "wording",
]
