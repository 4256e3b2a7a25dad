"""The supervision cycle's tables: indicator systems, campaigns, the 责任分工表, progress and evidence (部署 and
督导); profiles, assessments and appeals, inspections and rectification (评价, 考核, 督察 and 整改); the annual
report's own cycle (drafts, submissions, the office's answers).

The units the office supervises are :class:`fazhi.units.models.Unit` rows; who did what is
:class:`fazhi.accounts.models.User` (and every change is in the audit log as well).

Conventions
- An indicator system is a :class:`Framework` (one row per imported version, ``sha256`` of its canonical
  form) with its :class:`IndicatorNode` rows.  A framework a campaign uses is never changed: a change is a
  new framework; :class:`NodeMapping` rows link the nodes of two editions so results can be compared year
  over year.
- State columns hold the state machines of ``SUPERVISION.md`` as short English words (``assigned``,
  ``in_progress``, ``submitted``, ``accepted``, ``returned`` …); the Chinese labels are the interfaces'.
- A unit or a person "as written" in an imported table is kept beside the resolved id (``name`` and
  ``unit_id``), so an import never invents a unit and a group name (县直各有关单位) stays a group.
- Evidence is stored once (:class:`Evidence`, by sha256 for files) and linked to any number of objects
  (:class:`EvidenceLink`): a task, a progress report, an indicator assessment, an inspection finding, a
  rectification item.  A fact of a stored annual report is evidence too (``kind="report_fact"``: the
  report, the fact and its sentence); such links start as ``proposed`` and the office accepts or rejects
  them.
- Scores are kept apart: the unit's self score, the scorer's score, the final score after appeal; a
  correction after locking is a new :class:`AssessmentVersion`, never an overwrite.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fazhi.accounts.models import User
from fazhi.db.base import Base, JSONType, utcnow
from fazhi.units.models import Unit

TS = DateTime(timezone=True)


def _fk(table: str, *, cascade: bool = False, nullable: bool = True, index: bool = True) -> Any:
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE" if cascade else "SET NULL"),
                         nullable=nullable, index=index)


# =========================================================================== indicator systems
class Framework(Base):
    """One imported version of an indicator system (示范指标体系, a local 考核指标体系)."""

    __tablename__ = "frameworks"
    __table_args__ = (UniqueConstraint("urn", "version", name="uq_frameworks_urn_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    urn: Mapped[str] = mapped_column(String(255))  # e.g. urn:fazhi:framework:national-demo
    name: Mapped[str] = mapped_column(Text)
    edition: Mapped[str | None] = mapped_column(String(64))  # 2021年版
    version: Mapped[str] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64), index=True)  # of the canonical form
    source: Mapped[str | None] = mapped_column(Text)  # file name or note
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the canonical form, as imported
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    created_by_id: Mapped[int | None] = _fk("users", index=False)

    nodes: Mapped[list[IndicatorNode]] = relationship(back_populates="framework", cascade="all, delete-orphan",
                                                      passive_deletes=True, order_by="IndicatorNode.position")


class IndicatorNode(Base):
    """One indicator of a framework: 一级/二级/三级…, its reference as written, text, points (may be null)."""

    __tablename__ = "indicator_nodes"
    __table_args__ = (UniqueConstraint("framework_id", "path", name="uq_indicator_nodes_framework_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    framework_id: Mapped[int] = _fk("frameworks", cascade=True, nullable=False)
    parent_id: Mapped[int | None] = _fk("indicator_nodes", cascade=True)
    path: Mapped[str] = mapped_column(String(255))  # stable key, e.g. 一/1/3
    position: Mapped[int] = mapped_column(Integer, default=0)  # order in the framework
    level: Mapped[int] = mapped_column(Integer)
    ref_id: Mapped[str | None] = mapped_column(String(32))  # as written: 一, 1, (3)
    name: Mapped[str] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    points: Mapped[float | None] = mapped_column(Float)
    scoring_text: Mapped[str | None] = mapped_column(Text)  # 评分标准 as written
    evidence_required: Mapped[list[str]] = mapped_column(JSONType, default=list)  # 考核材料
    check_methods: Mapped[list[str]] = mapped_column(JSONType, default=list)  # 考评方法
    keywords: Mapped[list[str]] = mapped_column(JSONType, default=list)
    indicators: Mapped[list[str]] = mapped_column(JSONType, default=list)  # review catalogue ids it measures

    framework: Mapped[Framework] = relationship(back_populates="nodes")


class MappingSet(Base):
    """Links between the nodes of two frameworks (editions, years)."""

    __tablename__ = "mapping_sets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    source_id: Mapped[int] = _fk("frameworks", cascade=True, nullable=False)
    target_id: Mapped[int] = _fk("frameworks", cascade=True, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    created_by_id: Mapped[int | None] = _fk("users", index=False)

    pairs: Mapped[list[NodeMapping]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class NodeMapping(Base):
    __tablename__ = "node_mappings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mapping_set_id: Mapped[int] = _fk("mapping_sets", cascade=True, nullable=False)
    source_node_id: Mapped[int] = _fk("indicator_nodes", cascade=True, nullable=False)
    target_node_id: Mapped[int] = _fk("indicator_nodes", cascade=True, nullable=False)
    relation: Mapped[str] = mapped_column(String(16))  # equal | narrower | broader | related
    rationale: Mapped[str | None] = mapped_column(Text)


# =========================================================================== campaigns and tasks
class Campaign(Base):
    """A year's cycle run by an office: 年度任务, 示范创建, 专项督察, 年度报告."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(32), default="annual")  # annual | demonstration | special | report
    year: Mapped[int] = mapped_column(Integer, index=True)
    organiser_id: Mapped[int | None] = _fk("units")  # the office's unit (依法治县办 / 司法局) or its government
    organiser_name: Mapped[str] = mapped_column(Text)  # as given (西峡县)
    framework_id: Mapped[int | None] = _fk("frameworks")
    profile_id: Mapped[int | None] = _fk("profiles")
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    #: report deadlines by unit type, due-soon days, reminder settings, publication deadline …
    settings: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    created_by_id: Mapped[int | None] = _fk("users", index=False)

    organiser: Mapped[Unit | None] = relationship(foreign_keys=[organiser_id])
    milestones: Mapped[list[Milestone]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                       order_by="Milestone.due")
    tasks: Mapped[list[Task]] = relationship(back_populates="campaign", cascade="all, delete-orphan",
                                             passive_deletes=True, order_by="Task.position")


class Milestone(Base):
    """A node of a campaign: 部署, 节点, 中期, 年终, 报送 (3月1日 / 4月1日), 公开."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = _fk("campaigns", cascade=True, nullable=False)
    kind: Mapped[str] = mapped_column(String(16))  # deploy | node | midterm | yearend | report | publish
    name: Mapped[str] = mapped_column(Text)
    due: Mapped[dt.date] = mapped_column(Date)
    applies_to: Mapped[str | None] = mapped_column(Text)  # an applicability expression over unit attributes


class Task(Base):
    """One line of the 责任分工表: a task, its lead and co-units, target, deadline and milestones."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_campaign_due", "campaign_id", "due"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = _fk("campaigns", cascade=True, nullable=False, index=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    seq: Mapped[str | None] = mapped_column(String(32))  # 序号 as written
    title: Mapped[str] = mapped_column(Text)
    section: Mapped[str | None] = mapped_column(Text)  # a heading row of the sheet above it
    node_id: Mapped[int | None] = _fk("indicator_nodes")
    indicator_ref: Mapped[str | None] = mapped_column(String(64))  # as written
    indicator_name: Mapped[str | None] = mapped_column(Text)  # as written
    lead_unit_id: Mapped[int | None] = _fk("units")
    lead_name: Mapped[str | None] = mapped_column(Text)  # as written
    target: Mapped[str | None] = mapped_column(Text)
    due: Mapped[dt.date | None] = mapped_column(Date)
    due_text: Mapped[str | None] = mapped_column(Text)  # as written
    milestones: Mapped[list[str]] = mapped_column(JSONType, default=list)  # ISO dates, the due date last
    periodic: Mapped[str | None] = mapped_column(String(16))  # monthly | quarterly | half-yearly | yearly
    ongoing: Mapped[bool] = mapped_column(Boolean, default=False)  # 长期坚持
    status: Mapped[str] = mapped_column(String(16), default="assigned")
    returned_reason: Mapped[str | None] = mapped_column(Text)
    source_row: Mapped[int | None] = mapped_column(Integer)  # sheet row it was imported from
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    updated_at: Mapped[dt.datetime | None] = mapped_column(TS)

    campaign: Mapped[Campaign] = relationship(back_populates="tasks")
    lead_unit: Mapped[Unit | None] = relationship(foreign_keys=[lead_unit_id])
    units: Mapped[list[TaskUnit]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                 order_by="TaskUnit.position")
    progress: Mapped[list[Progress]] = relationship(back_populates="task", cascade="all, delete-orphan",
                                                    passive_deletes=True, order_by="Progress.id")


class TaskUnit(Base):
    """A unit named in a task's 牵头单位 or 配合单位 cell (a group name stays a group, ``unit_id`` None)."""

    __tablename__ = "task_units"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = _fk("tasks", cascade=True, nullable=False)
    unit_id: Mapped[int | None] = _fk("units")
    name: Mapped[str] = mapped_column(Text)  # as written
    role: Mapped[str] = mapped_column(String(8))  # lead | co
    kind: Mapped[str] = mapped_column(String(8), default="unit")  # unit | group
    position: Mapped[int] = mapped_column(Integer, default=0)


class Progress(Base):
    """A unit's report on a task for a period (text, figures, evidence), and the office's answer."""

    __tablename__ = "progress"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = _fk("tasks", cascade=True, nullable=False)
    unit_id: Mapped[int | None] = _fk("units")
    period: Mapped[str | None] = mapped_column(String(32))  # e.g. 2025-Q2, or the milestone date
    text: Mapped[str] = mapped_column(Text)
    #: [{"name", "indicator"|null, "value", "unit", "text"}]: each figure with what it measures
    figures: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="submitted")  # draft | submitted | accepted | returned
    returned_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    created_by_id: Mapped[int | None] = _fk("users", index=False)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(TS)  # the unit's leader confirmed it
    confirmed_by_id: Mapped[int | None] = _fk("users", index=False)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(TS)
    reviewed_by_id: Mapped[int | None] = _fk("users", index=False)

    task: Mapped[Task] = relationship(back_populates="progress")


# =========================================================================== evidence
class Evidence(Base):
    """A piece of evidence, stored once: a file (by sha256), a URL, a note, a record, or a report's fact."""

    __tablename__ = "evidence"
    __table_args__ = (Index("ix_evidence_sha256", "sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # file | url | note | record | report_fact
    title: Mapped[str] = mapped_column(Text)
    unit_id: Mapped[int | None] = _fk("units")
    # a file: its bytes, checked on content like report uploads
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(Integer)
    format: Mapped[str | None] = mapped_column(String(16))  # pdf | docx | xlsx | jpg | png | txt …
    filename: Mapped[str | None] = mapped_column(Text)  # display name only
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    url: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    # a report's fact: the stored report, the fact row and its sentence (span into the report's text)
    report_id: Mapped[int | None] = _fk("reports", cascade=True)
    fact_id: Mapped[int | None] = _fk("facts")  # SET NULL: a re-review replaces the facts, the evidence stays
    indicator: Mapped[str | None] = mapped_column(String(128))
    value: Mapped[float | None] = mapped_column(Float)
    value_unit: Mapped[str | None] = mapped_column(String(64))
    start: Mapped[int | None] = mapped_column(Integer)
    end: Mapped[int | None] = mapped_column(Integer)
    quote: Mapped[str | None] = mapped_column(Text)  # the sentence it came from
    # what it covers and until when
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    supersedes_id: Mapped[int | None] = _fk("evidence")  # a revision replaces an earlier one
    deleted_at: Mapped[dt.datetime | None] = mapped_column(TS)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    created_by_id: Mapped[int | None] = _fk("users", index=False)

    links: Mapped[list[EvidenceLink]] = relationship(back_populates="evidence", cascade="all, delete-orphan",
                                                     passive_deletes=True)


class EvidenceLink(Base):
    """Evidence attached to an object; report facts start ``proposed`` until the office decides."""

    __tablename__ = "evidence_links"
    __table_args__ = (
        UniqueConstraint("evidence_id", "target_type", "target_id", name="uq_evidence_links_evidence_id"),
        Index("ix_evidence_links_target", "target_type", "target_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    evidence_id: Mapped[int] = _fk("evidence", cascade=True, nullable=False)
    #: task | progress | node | item_assessment | finding | rectification | annual_report
    target_type: Mapped[str] = mapped_column(String(24))
    target_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="accepted")  # proposed | accepted | rejected
    reason: Mapped[str | None] = mapped_column(Text)  # why proposed / why rejected
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    created_by_id: Mapped[int | None] = _fk("users", index=False)
    decided_at: Mapped[dt.datetime | None] = mapped_column(TS)
    decided_by_id: Mapped[int | None] = _fk("users", index=False)

    evidence: Mapped[Evidence] = relationship(back_populates="links")


# =========================================================================== reminders and scheduled jobs
class Reminder(Base):
    """A reminder for a unit (due soon, overdue, a daily digest), shown in the app and sent by a sender."""

    __tablename__ = "reminders"
    __table_args__ = (UniqueConstraint("unit_id", "kind", "task_id", "day", name="uq_reminders_unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[int] = _fk("units", cascade=True, nullable=False)
    task_id: Mapped[int | None] = _fk("tasks", cascade=True)
    kind: Mapped[str] = mapped_column(String(16))  # due_soon | overdue | digest | returned | escalated
    day: Mapped[dt.date] = mapped_column(Date)  # the day it is for (one reminder per unit, kind, task, day)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(TS)
    channel: Mapped[str | None] = mapped_column(String(32))
    read_at: Mapped[dt.datetime | None] = mapped_column(TS)


class JobRun(Base):
    """One run of a scheduled job for one slot (e.g. reminders for 2025-07-01): UNIQUE, so however many
    processes share the database, a slot runs once."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "slot", name="uq_job_runs_job"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    job: Mapped[str] = mapped_column(String(64))
    slot: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(TS)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done | failed
    host: Mapped[str | None] = mapped_column(String(255))
    pid: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSONType)


# =========================================================================== profiles and assessment
class Profile(Base):
    """A 考核细则: indicators selected, points per unit type, scorer units, the rule of each item."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    year: Mapped[int | None] = mapped_column(Integer)
    framework_id: Mapped[int | None] = _fk("frameworks")
    unit_types: Mapped[list[str]] = mapped_column(JSONType, default=list)
    total: Mapped[float] = mapped_column(Float, default=100.0)
    bonus_cap: Mapped[float | None] = mapped_column(Float)
    rescale_to: Mapped[float | None] = mapped_column(Float)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the whole profile as imported (blocks, shares …)
    source: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    created_by_id: Mapped[int | None] = _fk("users", index=False)

    items: Mapped[list[ProfileItem]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                    order_by="ProfileItem.position")


class ProfileItem(Base):
    __tablename__ = "profile_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    profile_id: Mapped[int] = _fk("profiles", cascade=True, nullable=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    block: Mapped[str | None] = mapped_column(Text)
    ref: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    points: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(8), default="score")  # score | bonus | penalty
    rule: Mapped[dict[str, Any] | None] = mapped_column(JSONType)
    rule_text: Mapped[str | None] = mapped_column(Text)
    scorer: Mapped[str | None] = mapped_column(Text)  # 评分责任单位 as written
    scorer_unit_id: Mapped[int | None] = _fk("units")
    applies: Mapped[str | None] = mapped_column(Text)  # applicability expression
    node_id: Mapped[int | None] = _fk("indicator_nodes")
    check_method: Mapped[str | None] = mapped_column(Text)
    evidence_required: Mapped[list[str]] = mapped_column(JSONType, default=list)
    indicators: Mapped[list[str]] = mapped_column(JSONType, default=list)  # review catalogue ids it uses


class Assessment(Base):
    """A unit's year-end assessment in a campaign under a profile (the current version)."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", name="uq_assessments_campaign_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = _fk("campaigns", cascade=True, nullable=False)
    unit_id: Mapped[int] = _fk("units", cascade=True, nullable=False)
    profile_id: Mapped[int] = _fk("profiles", nullable=False)
    #: not_started | self_assessed | in_review | reviewed | notified | appealed | decided | final | locked
    status: Mapped[str] = mapped_column(String(16), default="not_started")
    self_total: Mapped[float | None] = mapped_column(Float)
    reviewed_total: Mapped[float | None] = mapped_column(Float)
    final_total: Mapped[float | None] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, default=1)
    notified_at: Mapped[dt.datetime | None] = mapped_column(TS)
    appeal_until: Mapped[dt.date | None] = mapped_column(Date)
    locked_at: Mapped[dt.datetime | None] = mapped_column(TS)
    updated_at: Mapped[dt.datetime | None] = mapped_column(TS)

    items: Mapped[list[ItemAssessment]] = relationship(back_populates="assessment", cascade="all, delete-orphan",
                                                       passive_deletes=True, order_by="ItemAssessment.id")


class ItemAssessment(Base):
    """One profile item for one unit: applicability, self score, suggestion, scorer's score, final."""

    __tablename__ = "item_assessments"
    __table_args__ = (UniqueConstraint("assessment_id", "item_id", name="uq_item_assessments_assessment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = _fk("assessments", cascade=True, nullable=False)
    item_id: Mapped[int] = _fk("profile_items", cascade=True, nullable=False)
    applicable: Mapped[bool] = mapped_column(Boolean, default=True)
    applicability_reason: Mapped[str | None] = mapped_column(Text)  # a manual override's reason
    self_score: Mapped[float | None] = mapped_column(Float)
    self_note: Mapped[str | None] = mapped_column(Text)
    suggested_score: Mapped[float | None] = mapped_column(Float)
    suggestion: Mapped[dict[str, Any] | None] = mapped_column(JSONType)  # the computation and its explanation
    scorer_score: Mapped[float | None] = mapped_column(Float)
    scorer_reason: Mapped[str | None] = mapped_column(Text)
    scorer_id: Mapped[int | None] = _fk("users", index=False)
    scored_at: Mapped[dt.datetime | None] = mapped_column(TS)
    final_score: Mapped[float | None] = mapped_column(Float)
    final_reason: Mapped[str | None] = mapped_column(Text)  # why the final score differs: appeal decision, correction
    events: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)  # late/missing reports …
    status: Mapped[str] = mapped_column(String(16), default="not_started")

    assessment: Mapped[Assessment] = relationship(back_populates="items")
    item: Mapped[ProfileItem] = relationship()


class Appeal(Base):
    """A unit's appeal (申辩) against a notified score, and its decision."""

    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_assessment_id: Mapped[int] = _fk("item_assessments", cascade=True, nullable=False)
    text: Mapped[str] = mapped_column(Text)
    filed_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    filed_by_id: Mapped[int | None] = _fk("users", index=False)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | upheld | rejected | partly
    decision: Mapped[str | None] = mapped_column(Text)
    decided_score: Mapped[float | None] = mapped_column(Float)
    decided_at: Mapped[dt.datetime | None] = mapped_column(TS)
    decided_by_id: Mapped[int | None] = _fk("users", index=False)


class AssessmentVersion(Base):
    """A snapshot of an assessment kept at locking and at every correction after it (never overwritten)."""

    __tablename__ = "assessment_versions"
    __table_args__ = (UniqueConstraint("assessment_id", "version", name="uq_assessment_versions_assessment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = _fk("assessments", cascade=True, nullable=False)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONType)
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    created_by_id: Mapped[int | None] = _fk("users", index=False)


# =========================================================================== 督察 and 整改
class InspectionCase(Base):
    """An inspection (督察): 实地, 进驻, 专项, 联动, 个案, 书面."""

    __tablename__ = "inspection_cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int | None] = _fk("campaigns")
    kind: Mapped[str] = mapped_column(String(16))  # onsite | stationed | special | joint | case | written
    title: Mapped[str] = mapped_column(Text)
    unit_ids: Mapped[list[int]] = mapped_column(JSONType, default=list)  # the units inspected
    started_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | reported | closed
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    created_by_id: Mapped[int | None] = _fk("users", index=False)


class InspectionFinding(Base):
    """A problem found (by an inspection, the year-end assessment, an annual report's review, 复议纠错 or a
    complaint) that a unit must rectify."""

    __tablename__ = "inspection_findings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int | None] = _fk("inspection_cases", cascade=True)
    campaign_id: Mapped[int | None] = _fk("campaigns")
    unit_id: Mapped[int] = _fk("units", cascade=True, nullable=False)
    source: Mapped[str] = mapped_column(String(16))  # inspection | assessment | report_review | reconsideration | complaint
    text: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16), default="warning")
    report_id: Mapped[int | None] = _fk("reports")  # raised from a review finding
    review_rule: Mapped[str | None] = mapped_column(String(128))
    quote: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    created_by_id: Mapped[int | None] = _fk("users", index=False)

    items: Mapped[list[Rectification]] = relationship(back_populates="finding", cascade="all, delete-orphan",
                                                      passive_deletes=True, order_by="Rectification.id")


class Rectification(Base):
    """A rectification item (整改): measure, responsible unit and person, deadline; to 销号."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    finding_id: Mapped[int] = _fk("inspection_findings", cascade=True, nullable=False)
    unit_id: Mapped[int] = _fk("units", cascade=True, nullable=False)
    measure: Mapped[str] = mapped_column(Text)
    person: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    #: open | in_progress | submitted | verified | closed ; escalation lives in ``escalation``
    status: Mapped[str] = mapped_column(String(16), default="open")
    escalation: Mapped[int] = mapped_column(Integer, default=0)  # 0 none, 1 函询约谈, 2 挂牌督办, 3 通报批评
    round: Mapped[int] = mapped_column(Integer, default=1)  # carried over to later rounds until closed (问题池)
    report_text: Mapped[str | None] = mapped_column(Text)  # the unit's 整改情况
    submitted_at: Mapped[dt.datetime | None] = mapped_column(TS)
    verified_at: Mapped[dt.datetime | None] = mapped_column(TS)
    verified_by_id: Mapped[int | None] = _fk("users", index=False)
    closed_at: Mapped[dt.datetime | None] = mapped_column(TS)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)

    finding: Mapped[InspectionFinding] = relationship(back_populates="items")
    steps: Mapped[list[RectificationStep]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                         order_by="RectificationStep.id")


class RectificationStep(Base):
    """One step of a rectification item's history: a state change or an escalation, who and when."""

    __tablename__ = "rectification_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    rectification_id: Mapped[int] = _fk("rectifications", cascade=True, nullable=False)
    action: Mapped[str] = mapped_column(String(24))  # submit | return | verify | close | escalate | carry_over …
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    escalation: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    by_id: Mapped[int | None] = _fk("users", index=False)


# =========================================================================== the annual report's cycle
class AnnualReport(Base):
    """A unit's annual report in a campaign: its workflow on both sides and its versions."""

    __tablename__ = "annual_reports"
    __table_args__ = (UniqueConstraint("campaign_id", "unit_id", name="uq_annual_reports_campaign_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = _fk("campaigns", cascade=True, nullable=False)
    unit_id: Mapped[int] = _fk("units", cascade=True, nullable=False)
    year: Mapped[int] = mapped_column(Integer)  # the year reported on
    due: Mapped[dt.date | None] = mapped_column(Date)
    #: unit side: drafting | first_draft | discussion | leader_review ; after submission: received ▶ accepted |
    #: returned (▶ received again) ; published
    status: Mapped[str] = mapped_column(String(16), default="drafting")
    received_at: Mapped[dt.datetime | None] = mapped_column(TS)
    report_id: Mapped[int | None] = _fk("reports")  # the stored review of the current submitted version
    decision_note: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[dt.datetime | None] = mapped_column(TS)
    decided_by_id: Mapped[int | None] = _fk("users", index=False)
    published_url: Mapped[str | None] = mapped_column(Text)
    published_on: Mapped[dt.date | None] = mapped_column(Date)
    published_report_id: Mapped[int | None] = _fk("reports")
    recipients: Mapped[list[str]] = mapped_column(JSONType, default=list)  # 抄送

    versions: Mapped[list[ReportVersion]] = relationship(cascade="all, delete-orphan", passive_deletes=True,
                                                         order_by="ReportVersion.number")


class ReportVersion(Base):
    """One submitted (or published) version of a unit's annual report, as a stored report, and the office's
    decision on it (kept per version, so the report's status on any past date can be told)."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("annual_report_id", "number", name="uq_report_versions_annual_report_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    annual_report_id: Mapped[int] = _fk("annual_reports", cascade=True, nullable=False)
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default="submission")  # submission | published
    report_id: Mapped[int] = _fk("reports", cascade=True, nullable=False)
    submitted_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    submitted_by_id: Mapped[int | None] = _fk("users", index=False)
    note: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[str | None] = mapped_column(String(16))  # accepted | returned
    decided_at: Mapped[dt.datetime | None] = mapped_column(TS)
    decided_by_id: Mapped[int | None] = _fk("users", index=False)
    decision_note: Mapped[str | None] = mapped_column(Text)


class Draft(Base):
    """A draft of a unit's annual report assembled from the record: sections of paragraphs, each sentence
    with the records it cites; edited in the web, exported to docx without the citations."""

    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int | None] = _fk("campaigns", cascade=True)
    unit_id: Mapped[int] = _fk("units", cascade=True, nullable=False)
    year: Mapped[int] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(16), default="drafting")  # drafting | first_draft | discussion | …
    #: {"title", "sections": [{"part", "heading", "paragraphs": [{"text", "cites": [...]}]}], "gaps": [...]}
    content: Mapped[dict[str, Any]] = mapped_column(JSONType)
    created_at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    created_by_id: Mapped[int | None] = _fk("users", index=False)
    updated_at: Mapped[dt.datetime | None] = mapped_column(TS)
    updated_by_id: Mapped[int | None] = _fk("users", index=False)


class Comment(Base):
    """A colleague's comment on a draft (讨论稿) or an annual report."""

    __tablename__ = "comments"
    __table_args__ = (Index("ix_comments_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    target_type: Mapped[str] = mapped_column(String(24))  # draft | annual_report
    target_id: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(TS, default=utcnow)
    by_id: Mapped[int | None] = _fk("users", index=False)

    by: Mapped[User | None] = relationship()


__all__ = [
    "AnnualReport",
    "Appeal",
    "Assessment",
    "AssessmentVersion",
    "Campaign",
    "Comment",
    "Draft",
    "Evidence",
    "EvidenceLink",
    "Framework",
    "IndicatorNode",
    "InspectionCase",
    "InspectionFinding",
    "ItemAssessment",
    "JobRun",
    "MappingSet",
    "Milestone",
    "NodeMapping",
    "Profile",
    "ProfileItem",
    "Progress",
    "Rectification",
    "RectificationStep",
    "Reminder",
    "ReportVersion",
    "Task",
    "TaskUnit",
]
