"""The annual report's cycle in the security world (after ``world_a_campaigns``): in each city's campaign, a
draft of its 司法局's report (``draft_id``) and the 司法局's annual report (``annual_report_id``), submitted
as a file, returned and submitted again, so that every page and API route of the cycle has something to
show — versions to compare, a 审查意见书 to write — on both sides of the scope."""

from __future__ import annotations

from typing import Any

from fazhi import db
from fazhi.supervision import drafting, reports
from fazhi.supervision.access import Actor
from tests.web.conftest import report_text

OFFICE = Actor.cli()


def _leader(unit_id: int) -> Actor:
    return Actor(user_id=None, role="unit", unit_id=unit_id, duty="leader", name="主要负责人")


def _report(app: Any, side: dict[str, Any], city: str) -> None:
    leader = _leader(side["unit_id"])
    text = report_text(f"{city}司法局", 2025)
    with db.session_factory(app.state.engine, write=True).begin() as s:
        side["draft_id"] = drafting.create_draft(s, leader, side["campaign_id"], side["unit_id"]).id
        first = reports.submit_report(s, leader, side["campaign_id"], side["unit_id"], data=text.encode(),
                                      filename="年度报告.txt")
        side["annual_report_id"] = first.id
        reports.decide_report(s, OFFICE, first.id, accept=False, reason="缺少行政复议数据")
        again = text.replace("受理法律援助案件35件。", "受理法律援助案件35件，办理行政复议案件20件。")
        reports.submit_report(s, leader, side["campaign_id"], side["unit_id"], data=again.encode(),
                              filename="年度报告（修改）.txt")


def build(world: Any) -> None:
    _report(world.app, world.inside, "焦作市")
    _report(world.app, world.outside, "信阳市")
