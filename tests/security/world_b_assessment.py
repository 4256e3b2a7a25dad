"""The assessment and 督察 part of the security world (issue 11), on the campaigns of ``world_a_campaigns``: in
each city a 考核细则 for departments, the assessment of its 司法局 (scored, notified, one item appealed), an
inspection case of the 司法局 with a finding, a rectification item and a 督察意见书.

``world.inside`` / ``world.outside`` get ``assessment_id``, ``assessment_item_id`` (an item not appealed),
``appeal_id``, ``case_id``, ``insp_finding_id``, ``rectification_id``, ``insp_document_id`` and ``insp_unit_id`` (the
inspected unit, an int for JSON bodies)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fazhi import config, db
from fazhi.supervision import assessment as A
from fazhi.supervision import inspection_documents as D
from fazhi.supervision import inspections as I
from fazhi.supervision import profiles_store
from fazhi.supervision.access import Actor
from tests.supervision.builders import xlsx

OFFICE = Actor.cli()
#: a small 考核细则 of our own: two items, 10 points, for departments
PROFILE = [["部门法治政府建设考核细则", None, None, None, None],
           ["考评项目", "序号", "考评内容", "分值", "评分标准"],
           ["一、依法履职", "1", "落实行政执法三项制度", "6分", "达到要求得满分，基本达到得一半分，未开展的不得分"],
           [None, "2", "行政机关负责人出庭应诉", "4分", "达到要求得满分，未达到的不得分"],
           ["合计", None, None, "10分", None]]


def _things(app: Any, side: dict[str, Any]) -> dict[str, int]:
    today = config.today()
    with db.session_factory(app.state.engine, write=True).begin() as s:
        pid = profiles_store.import_profile(s, OFFICE, xlsx(PROFILE, ["A1:E1", "A3:A4"]), "部门考核细则.xlsx",
                                            unit_type="部门").id
        cid, uid = side["campaign_id"], side["unit_id"]
        A.open_campaign(s, OFFICE, cid, as_of=today, profile_ids=[pid], unit_ids=[uid])
        items = {ref: A.find_item(s, cid, uid, ref) for ref in ("1", "2")}
        A.score(s, OFFICE, items["1"], 6)
        A.score(s, OFFICE, items["2"], 4)
        A.notify(s, OFFICE, cid, as_of=today, appeal_days=30)
        appeal = A.appeal(s, OFFICE, items["1"], "执法公示已全部完成", as_of=today)
        case = I.open_case(s, OFFICE, kind="onsite", title="法治政府建设实地督察", unit_ids=[uid], campaign_id=cid)
        finding = I.add_finding(s, OFFICE, unit_id=uid, text="行政执法公示不及时", case_id=case.id)
        rect = I.add_rectification(s, OFFICE, finding.id, measure="建立执法公示台账", deadline=today + dt.timedelta(days=30),
                                   person="张三")
        doc = D.issue_document(s, OFFICE, kind="opinion", finding_ids=[finding.id], on=today, office="市依法治市办")
        return {"assessment_id": A.find_assessment(s, cid, uid).id, "assessment_item_id": items["2"],
                "appeal_id": appeal.id, "case_id": case.id, "insp_finding_id": finding.id,
                "rectification_id": rect.id, "insp_document_id": doc.evidence_id, "insp_unit_id": uid}


def build(world: Any) -> None:
    world.inside.update(_things(world.app, world.inside))
    world.outside.update(_things(world.app, world.outside))
