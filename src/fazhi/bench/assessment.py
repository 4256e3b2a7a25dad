"""``fazhi bench --assessment``: the year-end assessment of a large campaign, timed step by step.

:func:`run_assessment_bench` builds, in a temporary SQLite file (or a given database), an organiser
with ``units`` county governments, a 考核细则 of ``items`` items in ten blocks (reporting, criterion,
rate and per-occurrence rules, as offices write them), and per unit one task per reporting and
criterion item with a deadline and a submission (on time, late, or none).  It then times what the
office does with the services the CLI and the web use:

* **open** — :func:`assessment.open_campaign`: every unit × item registered, applicability decided,
  every suggestion computed from the record (reporting events, task completion);
* **refresh** — :func:`assessment.refresh` again, nothing changed (the cost of recomputing);
* **confirm** — :func:`assessment.confirm_suggestions`: every suggested score confirmed, totals and
  states per unit;
* **results** — :func:`assessment_results.results` and the ``assess compute`` JSON, ranking included;
* **export** — the xlsx of the results.

Figures are reported, never asserted.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from fazhi import db

#: the rules the generated 考核细则 cycles through (item kind, 评分标准 as offices write it)
_RULES = (
    ("reporting", "迟报一次扣0.5分，漏报一次扣1分"),
    ("criterion", "达到要求得满分，基本达到得一半分，未开展的不得分"),
    ("per_occurrence", "每发现一起未按规定公示的扣0.5分，扣完为止"),
    ("rate", "按期办结率达到95%以上的得满分，每低1个百分点扣0.5分"),
)
_YEAR = 2025


def _profile_yaml(items: int) -> str:
    per_block = max(1, items // 10)
    blocks, n = [], 0
    for b in range(1, (items + per_block - 1) // per_block + 1):
        block_items: list[dict[str, Any]] = []
        for _ in range(per_block):
            if n == items:
                break
            n += 1
            kind, text = _RULES[n % len(_RULES)]
            block_items.append({"ref": f"{b}.{len(block_items) + 1}", "content": f"考评内容{n}（{kind}）", "points": 2,
                                "rule_text": text, "scorer": "市司法局"})
        blocks.append({"name": f"考评项目{b}", "points": 2 * len(block_items), "items": block_items})
    return yaml.safe_dump({"name": "基准测试考核细则", "year": _YEAR, "unit_types": ["县（市、区）"], "total": 2 * items,
                           "blocks": blocks}, allow_unicode=True)


def _seed(session: Any, units: int, items: int, seed: int) -> tuple[int, int]:
    """The organiser, units, profile, campaign, tasks and progress; (campaign id, profile id)."""
    from sqlalchemy import insert

    from fazhi.supervision import models as m
    from fazhi.supervision import profiles_store
    from fazhi.supervision.access import Actor
    from fazhi.units.models import Unit

    rng = random.Random(seed)
    organiser = Unit(name="基准市人民政府", type="政府", level="city", province="基准省", city="基准市")
    session.add(organiser)
    session.flush()
    session.add(Unit(name="基准市司法局", type="部门-有执法权", level="department", parent_id=organiser.id,
                     province="基准省", city="基准市"))
    session.execute(insert(Unit), [{"name": f"基准{i}县人民政府", "type": "政府", "level": "county",
                                    "parent_id": organiser.id, "province": "基准省", "city": "基准市",
                                    "county": f"基准{i}县"} for i in range(units)])
    prof = profiles_store.import_profile(session, Actor.cli(), _profile_yaml(items).encode(), "基准.yaml")
    campaign = m.Campaign(name="基准市2025年度考核", year=_YEAR, organiser_id=organiser.id, organiser_name=organiser.name,
                          profile_id=prof.id, settings={})
    session.add(campaign)
    session.flush()
    items_by_kind = {i.ref: (i.rule or {}).get("kind") for i in profiles_store.profile_row(session, prof.id).items}
    refs = [ref for ref, kind in items_by_kind.items() if kind in ("reporting", "criterion", "rate")]
    unit_ids = [u for (u,) in session.execute(Unit.__table__.select().with_only_columns(Unit.id)
                                              .where(Unit.level == "county"))]
    tasks = [{"campaign_id": campaign.id, "title": f"任务{ref}", "lead_unit_id": u, "indicator_ref": ref,
              "due": dt.date(_YEAR, rng.randint(3, 11), 28), "milestones": [], "status": rng.choice(
                  ("accepted", "accepted", "submitted", "assigned"))} for u in unit_ids for ref in refs]
    for t in tasks:
        t["milestones"] = [t["due"].isoformat()]
    session.execute(insert(m.Task), tasks)
    task_rows = session.execute(m.Task.__table__.select().with_only_columns(
        m.Task.id, m.Task.lead_unit_id, m.Task.due, m.Task.status, m.Task.indicator_ref)).all()
    progress = []
    for task_id, unit_id, due, status, ref in task_rows:
        if status == "assigned" and items_by_kind[ref] != "rate" and rng.random() < 0.5:
            continue  # never reported: a missing report, an undone task
        day = due + dt.timedelta(days=rng.choice((-5, -1, 0, 3, 12)))
        rate = {"name": "按期办结率", "indicator": None, "value": rng.choice((100, 97, 93, 88)), "unit": "%",
                "text": "按期办结率"}
        progress.append({"task_id": task_id, "unit_id": unit_id, "text": "已完成", "figures": [rate],
                         "status": "accepted" if status == "accepted" else "submitted",
                         "created_at": dt.datetime.combine(day, dt.time(2), dt.UTC)})
    session.execute(insert(m.Progress), progress)
    return campaign.id, prof.id


def run_assessment_bench(*, units: int = 500, items: int = 100, seed: int = 0, url: str | None = None,
                         progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Time the assessment of ``units`` units × ``items`` items (see the module documentation)."""
    from fazhi.supervision import assessment, assessment_export, assessment_results
    from fazhi.supervision.access import Actor

    say = progress or (lambda _msg: None)
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-") as tmp:
        target = url or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        say("准备数据库")
        db.upgrade(target)
        engine = db.make_engine(target)
        write = db.session_factory(engine, write=True)
        office = Actor.cli()
        as_of = dt.date(_YEAR, 12, 31)
        timings: dict[str, float] = {}
        cpu: dict[str, float] = {}
        try:
            with write.begin() as s:
                say("生成单位、考核细则、任务和进度")
                t0 = time.perf_counter()
                campaign_id, _ = _seed(s, units, items, seed)
                timings["setup"] = time.perf_counter() - t0

            def step(name: str, fn: Callable[[Any], Any]) -> Any:
                say(name)
                with write.begin() as s:
                    t, c = time.perf_counter(), time.process_time()
                    out = fn(s)
                    timings[name] = time.perf_counter() - t
                    cpu[name] = time.process_time() - c
                return out

            opened = step("open", lambda s: assessment.open_campaign(s, office, campaign_id, as_of=as_of))
            changed = step("refresh", lambda s: assessment.refresh(s, office, campaign_id, as_of=as_of))
            confirmed = step("confirm", lambda s: assessment.confirm_suggestions(s, office, campaign_id))
            found = step("results", lambda s: assessment_results.results_json(
                assessment_results.results(s, office, campaign_id)))
            data = step("export", lambda s: assessment_export.export_xlsx(s, office, campaign_id))
        finally:
            engine.dispose()
    ranked = sum(1 for r in found if r["rank"] is not None)
    return {"units": units, "items": items, "item_assessments": opened.items, "suggested": opened.suggested,
            "refresh_changed": changed, "confirmed": confirmed, "ranked": ranked, "xlsx_bytes": len(data),
            "backend": "sqlite" if url is None else db.describe(target),
            "seconds": {k: round(v, 3) for k, v in timings.items()}, "cpu_seconds": {k: round(v, 3) for k, v in cpu.items()},
            "load_average": round(os.getloadavg()[0], 2), "cpus": os.cpu_count()}


def format_assessment(result: dict[str, Any]) -> str:
    """The figures as a few Chinese lines."""
    sec, cpu = result["seconds"], result["cpu_seconds"]
    n = result["item_assessments"]
    names = {"open": "开展考核（登记、适用性、建议分）", "refresh": "重新计算建议分（assess compute）",
             "confirm": "确认全部建议分", "results": "考核结果与排名（assess compute）", "export": "导出 xlsx"}
    width = max(len(v) for v in names.values()) + 2
    lines = [f"年终考核基准：{result['units']} 个单位 × {result['items']} 项 = {n} 个考核项目（{result['backend']}；"
             f"{result['cpus']} 核，负载 {result['load_average']}）",
             f"  准备数据 {sec['setup']:.2f} s（不计入）", f"  {'':<{width}}   耗时 s   CPU s       项/s"]
    lines += [f"  {names[k]:<{width}} {sec[k]:7.2f} {cpu[k]:7.2f} {n / sec[k] if sec[k] else 0:10.0f}" for k in names]
    compute = sec["refresh"] + sec["results"]
    lines.append(f"  assess compute（重新计算＋结果）{compute:.2f} s（CPU {cpu['refresh'] + cpu['results']:.2f} s）；"
                 f"建议分 {result['suggested']} 项，确认 {result['confirmed']} 项，参加排名 {result['ranked']} 个单位")
    return "\n".join(lines)


__all__ = ["format_assessment", "run_assessment_bench"]
