"""Campaigns: a year's cycle an office runs (年度任务, 示范创建, 专项督察, 年度报告), its milestones and settings.

Creating a campaign makes its organiser a unit: the region's government, with the governments directly
below it, from the divisions table (:func:`fazhi.units.service.from_division`).  A campaign starts with
the milestones of the yearly cycle (:func:`default_milestones`): 部署 by the end of March, 年中 at the end
of June, 年终 at the end of the year, the annual report 报送 by 1 March of the next year for departments
and by 1 April for governments (townships and streets included), and 公开 by 1 April.  The same dates
are in the campaign's ``settings`` (``report_due`` by kind of unit, ``publish_by``), where the annual
report's cycle reads them (:func:`report_due`), beside the other settings:

- ``due_soon_days`` (7): how many days before a deadline a task turns 临期 (due soon);
- ``leader_confirms`` (false): a unit's 主要负责人 confirms progress before it is submitted;
- ``report_due``: ``{"department": ISO date, "government": ISO date}``; ``publish_by``: ISO date;
- ``imports``: the 分工表 files imported into it (name, sha256, when, how many tasks).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from fazhi import config
from fazhi.accounts.audit import audit
from fazhi.config import CHINA
from fazhi.supervision.access import Actor, Forbidden, NotFound, in_scope, need_office
from fazhi.supervision.errors import InputError
from fazhi.supervision.models import Campaign, Framework, Milestone, Task, TaskUnit
from fazhi.units.models import Unit
from fazhi.units.service import UnitError, from_division

#: campaign kinds: code → Chinese
KINDS = {"annual": "年度任务", "demonstration": "示范创建", "special": "专项督察", "report": "年度报告"}
#: milestone kinds: code → Chinese
MILESTONE_KINDS = {"deploy": "部署", "node": "节点", "midterm": "年中", "yearend": "年终", "report": "报送",
                   "publish": "公开"}
DEPARTMENTS = "type in ['部门-有执法权', '部门-无执法权']"
GOVERNMENTS = "type in ['政府', '乡镇', '街道']"
DEFAULT_SETTINGS: dict[str, Any] = {"due_soon_days": 7, "leader_confirms": False}


today = config.today  # today in China (the one definition: fazhi.config.today)


@dataclass(frozen=True)
class MilestoneView:
    id: int | None
    kind: str
    name: str
    due: dt.date
    applies_to: str | None

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "name": self.name, "due": self.due.isoformat(),
                "applies_to": self.applies_to}


@dataclass(frozen=True)
class CampaignView:
    """A campaign as lists and pages show it."""

    id: int
    name: str
    kind: str
    year: int
    status: str
    organiser_id: int | None
    organiser_name: str
    framework_id: int | None
    framework_name: str | None
    milestones: tuple[MilestoneView, ...]
    settings: dict[str, Any]
    tasks: int
    created_at: dt.datetime | None

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "kind_label": self.kind_label,
                "year": self.year, "status": self.status,
                "organiser": {"id": self.organiser_id, "name": self.organiser_name},
                "framework": {"id": self.framework_id, "name": self.framework_name} if self.framework_id else None,
                "milestones": [m.to_json() for m in self.milestones], "settings": self.settings,
                "tasks": self.tasks, "created_at": self.created_at.isoformat() if self.created_at else None}


def default_milestones(year: int) -> list[MilestoneView]:
    """The yearly cycle's milestones for a campaign of ``year`` (see the module documentation)."""
    nxt = year + 1
    return [
        MilestoneView(None, "deploy", "部署", dt.date(year, 3, 31), None),
        MilestoneView(None, "midterm", "年中", dt.date(year, 6, 30), None),
        MilestoneView(None, "yearend", "年终", dt.date(year, 12, 31), None),
        MilestoneView(None, "report", "报送年度报告（部门）", dt.date(nxt, 3, 1), DEPARTMENTS),
        MilestoneView(None, "report", "报送年度报告（政府）", dt.date(nxt, 4, 1), GOVERNMENTS),
        MilestoneView(None, "publish", "公开年度报告", dt.date(nxt, 4, 1), None),
    ]


def default_settings(year: int) -> dict[str, Any]:
    """Settings of a new campaign of ``year``: the defaults and the report deadlines of the next year."""
    return {**DEFAULT_SETTINGS, "report_due": {"department": f"{year + 1}-03-01", "government": f"{year + 1}-04-01"},
            "publish_by": f"{year + 1}-04-01", "imports": []}


def setting_date(campaign: Campaign, *keys: str) -> dt.date | None:
    """A date in the campaign's settings (``setting_date(c, "report_due", "department")``), None when unset
    or not a date."""
    value: Any = campaign.settings or {}
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def is_department(unit: Unit) -> bool:
    return unit.type.startswith("部门") or unit.level == "department"


def report_due(campaign: Campaign, unit: Unit) -> dt.date:
    """When ``unit`` must submit its report in ``campaign``: ``settings["report_due"]["department"|
    "government"]``, else 1 March (departments) or 1 April (governments, townships, streets) of the next year."""
    kind = "department" if is_department(unit) else "government"
    default = dt.date(campaign.year + 1, 3, 1) if kind == "department" else dt.date(campaign.year + 1, 4, 1)
    return setting_date(campaign, "report_due", kind) or default


def publish_by(campaign: Campaign) -> dt.date:
    """When the reports must be public: ``settings["publish_by"]``, else 1 April of the next year."""
    return setting_date(campaign, "publish_by") or dt.date(campaign.year + 1, 4, 1)


def kind_code(kind: str) -> str:
    """A campaign kind given in English or Chinese, as its code."""
    if kind in KINDS:
        return kind
    for code, label in KINDS.items():
        if kind == label:
            return code
    raise InputError(f"活动类型“{kind}”应为 {'、'.join(f'{v}（{k}）' for k, v in KINDS.items())} 之一")


def _view(session: Session, row: Campaign) -> CampaignView:
    framework = session.get(Framework, row.framework_id) if row.framework_id else None
    tasks = session.scalar(select(func.count()).select_from(Task).where(Task.campaign_id == row.id))
    milestones = session.scalars(select(Milestone).where(Milestone.campaign_id == row.id)
                                 .order_by(Milestone.due, Milestone.id))
    return CampaignView(row.id, row.name, row.kind, row.year, row.status, row.organiser_id, row.organiser_name,
                        row.framework_id,
                        f"{framework.name}（第 {framework.version} 版）" if framework is not None else None,
                        tuple(MilestoneView(m.id, m.kind, m.name, m.due, m.applies_to) for m in milestones),
                        dict(row.settings or {}), int(tasks or 0), row.created_at)


def campaign_for(session: Session, actor: Actor, campaign_id: int) -> Campaign:
    """The campaign, if the actor may see it: the office within its scope, a unit with tasks in it."""
    row = session.get(Campaign, campaign_id)
    if row is None or not _may_see(session, actor, row):
        raise NotFound(f"没有编号为 {campaign_id} 的督导活动")
    return row


def _may_see(session: Session, actor: Actor, row: Campaign) -> bool:
    if actor.unit_user:
        return session.scalar(select(Task.id).outerjoin(TaskUnit, TaskUnit.task_id == Task.id).where(
            Task.campaign_id == row.id,
            or_(Task.lead_unit_id == actor.unit_id, TaskUnit.unit_id == actor.unit_id)).limit(1)) is not None
    organiser = session.get(Unit, row.organiser_id) if row.organiser_id else None
    return actor.role in ("admin", "reviewer", "viewer") and in_scope(actor, organiser)


def office_campaign(session: Session, actor: Actor, campaign_id: int, what: str) -> Campaign:
    """The campaign, if the actor is its office (deploys and supervises it)."""
    row = campaign_for(session, actor, campaign_id)
    need_office(actor, session.get(Unit, row.organiser_id) if row.organiser_id else None, what)
    return row


def create_campaign(session: Session, actor: Actor, name: str, *, year: int, organiser: str,
                    kind: str = "annual", framework_id: int | None = None,
                    settings: dict[str, Any] | None = None) -> CampaignView:
    """A new campaign of ``year`` organised for a region (西峡县, 河南省南阳市, a division code), with the
    default milestones and settings (``settings`` overrides them)."""
    if not actor.office:
        raise Forbidden("建立督导活动需要督导办公室（管理员或审核员）权限")
    name = " ".join((name or "").split())
    if not name:
        raise InputError("督导活动名称不能为空")
    if not 2000 <= year <= 2100:
        raise InputError(f"年度 {year} 不在 2000—2100 之间")
    code = kind_code(kind)
    if framework_id is not None and session.get(Framework, framework_id) is None:
        raise InputError(f"没有编号为 {framework_id} 的指标体系（先用 fazhi framework import 导入）")
    try:
        org = from_division(session, organiser, user_id=actor.user_id)
    except UnitError as exc:
        raise InputError(str(exc)) from None
    need_office(actor, org, "建立督导活动")
    row = Campaign(name=name, kind=code, year=year, organiser_id=org.id, organiser_name=organiser.strip(),
                   framework_id=framework_id, settings={**default_settings(year), **(settings or {})},
                   created_by_id=actor.user_id)
    session.add(row)
    session.flush()
    session.add_all(Milestone(campaign_id=row.id, kind=m.kind, name=m.name, due=m.due, applies_to=m.applies_to)
                    for m in default_milestones(year))
    session.flush()
    audit(session, actor.user_id, "campaign.create", "campaign", row.id,
          {"name": name, "year": year, "organiser": org.name, "kind": code, "framework_id": framework_id})
    return _view(session, row)


def list_campaigns(session: Session, actor: Actor, *, year: int | None = None) -> list[CampaignView]:
    """The campaigns the actor may see, newest year first."""
    stmt = select(Campaign).order_by(Campaign.year.desc(), Campaign.id.desc())
    if year is not None:
        stmt = stmt.where(Campaign.year == year)
    return [_view(session, row) for row in session.scalars(stmt) if _may_see(session, actor, row)]


def get_campaign(session: Session, actor: Actor, campaign_id: int) -> CampaignView:
    return _view(session, campaign_for(session, actor, campaign_id))


def add_milestone(session: Session, actor: Actor, campaign_id: int, *, kind: str, name: str, due: dt.date,
                  applies_to: str | None = None) -> MilestoneView:
    """Add a milestone (节点) to a campaign; ``applies_to`` is an applicability expression over units."""
    from fazhi.supervision.applicability import ApplicabilityError, check

    row = office_campaign(session, actor, campaign_id, "设置时间节点")
    if kind not in MILESTONE_KINDS:
        raise InputError(f"节点类型“{kind}”应为 {'、'.join(MILESTONE_KINDS)} 之一")
    try:
        check(applies_to)
    except ApplicabilityError as exc:
        raise InputError(str(exc)) from None
    milestone = Milestone(campaign_id=row.id, kind=kind, name=name.strip() or MILESTONE_KINDS[kind], due=due,
                          applies_to=applies_to or None)
    session.add(milestone)
    session.flush()
    audit(session, actor.user_id, "campaign.milestone", "campaign", row.id,
          {"kind": kind, "name": milestone.name, "due": due.isoformat(), "applies_to": applies_to})
    return MilestoneView(milestone.id, kind, milestone.name, due, milestone.applies_to)


def update_settings(session: Session, actor: Actor, campaign_id: int, **changes: Any) -> CampaignView:
    """Change settings of a campaign (``due_soon_days``, ``leader_confirms``, ``report_due``, ``publish_by``)."""
    row = office_campaign(session, actor, campaign_id, "修改督导活动设置")
    allowed = {"due_soon_days", "leader_confirms", "report_due", "publish_by"}
    unknown = sorted(set(changes) - allowed)
    if unknown:
        raise InputError(f"不能修改的设置：{'、'.join(unknown)}（可改：{'、'.join(sorted(allowed))}）")
    if "due_soon_days" in changes and not (isinstance(changes["due_soon_days"], int) and
                                           0 <= changes["due_soon_days"] <= 90):
        raise InputError("临期天数应为 0—90 的整数")
    before = {k: (row.settings or {}).get(k) for k in changes}
    row.settings = {**(row.settings or {}), **changes}
    session.flush()
    audit(session, actor.user_id, "campaign.settings", "campaign", row.id, {"before": before, "after": changes})
    return _view(session, row)


__all__ = ["CHINA", "DEFAULT_SETTINGS", "KINDS", "MILESTONE_KINDS", "CampaignView", "MilestoneView", "add_milestone",
           "campaign_for", "create_campaign", "default_milestones", "default_settings", "get_campaign",
           "kind_code", "list_campaigns", "office_campaign", "report_due", "today", "update_settings"]
