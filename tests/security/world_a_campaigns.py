"""The supervision cycle's part of the security world: a campaign of 焦作市 and one of 信阳市, each with a small
责任分工表 (tasks led by the city's 司法局 and 生态环境局) and a unit user (填报) of its 司法局.

``world.inside`` / ``world.outside`` get ``campaign_id``, ``task_id`` and ``unit_id`` (the 司法局 unit), an
``evidence_id`` (a file the unit reported on the task), a ``link_id`` (a piece of evidence proposed for the task,
for the office's decision) and a ``reminder_id`` (the unit's); the accounts ``焦作单位填报`` and ``信阳单位填报`` (role ``unit``) join ``world.users``.  Other ``world_*.py``
modules (run after this one, in name order) may build on these."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from fazhi import db
from fazhi.supervision import campaigns, evidence, progress, reminders, tasks
from fazhi.supervision.access import Actor
from fazhi.supervision.unit_register import add_member
from fazhi.units.models import Unit
from tests.supervision.builders import xlsx
from tests.web.conftest import add_user

OFFICE = Actor.cli()
ROWS = [["序号", "工作任务", "牵头单位", "配合单位", "完成时限"],
        [1, "推进行政执法三项制度", "市司法局", "市生态环境局", "2025年6月底前"],
        [2, "落实行政机关负责人出庭应诉", "市司法局", None, "年底前"]]


def _campaign(app: Any, city: str) -> dict[str, int]:
    with db.session_factory(app.state.engine, write=True).begin() as s:
        cid = campaigns.create_campaign(s, OFFICE, f"{city}2025年法治政府建设", year=2025, organiser=city).id
        data = xlsx([[f"{city}2025年法治政府建设重点任务责任分工表"], *ROWS], ["A1:E1"])
        tasks.import_tasks(s, OFFICE, cid, data, "分工表.xlsx", confirm=True)
        listed = tasks.list_tasks(s, OFFICE, cid)
        unit = s.scalar(select(Unit).where(Unit.name == f"{city}司法局"))
        assert unit is not None and listed, city
        task_id = listed[0].id
        member = Actor(user_id=None, role="unit", unit_id=unit.id, duty="leader")
        stored, _ = evidence.add_file(s, member, f"{city}行政执法公示记录".encode(), "公示记录.txt")
        progress.report_progress(s, member, task_id, "已建立行政执法公示平台", evidence_ids=[stored.id])
        note = evidence.add_record(s, OFFICE, title="执法案卷评查通报", note="全市抽查案卷", unit_id=unit.id)
        proposed = evidence.link(s, OFFICE, note.id, "task", task_id, status="proposed", reason="可作为佐证")
        reminder = reminders.notify(s, unit.id, "due_soon", "任务即将到期", task_id=task_id)
        s.flush()
        assert reminder is not None
        return {"campaign_id": cid, "task_id": task_id, "unit_id": unit.id, "evidence_id": stored.id,
                "link_id": proposed.id, "reminder_id": reminder.id}


def build(world: Any) -> None:
    world.inside.update(_campaign(world.app, "焦作市"))
    world.outside.update(_campaign(world.app, "信阳市"))
    for name, side in (("焦作单位填报", world.inside), ("信阳单位填报", world.outside)):
        world.users[name] = add_user(world.app, name, "unit")
        with db.session_factory(world.app.state.engine, write=True).begin() as s:
            add_member(s, OFFICE, world.users[name], side["unit_id"], "filler")
