"""The registry entries of 考核 and 督察/整改 (``fazhi.web.routes.assessment``): every write (CSRF, and the office of
焦作市 refused on 信阳市's things) and every read by id (as if 信阳市's did not exist)."""

from __future__ import annotations

from tests.security.registry import Read, Write

S = "supervision"
CAMPAIGN = "/campaigns/{campaign_id}/assessment"
ITEM = "/assessment-items/{assessment_item_id}"
RECT = "/rectifications/{rectification_id}"
STEP_FORM = {"text": "已完成整改，附台账"}

WRITES = [
    # pages
    Write("POST", "/assessments/profiles", "upload", upload=True),
    Write("POST", f"{CAMPAIGN}/open", "session", S, form={"profile_id": ""}),
    Write("POST", f"{CAMPAIGN}/notify", "session", S, form={"days": "5"}),
    Write("POST", f"{CAMPAIGN}/lock", "session", S, form={"as_of": "2099-01-01"}),
    Write("POST", "/appeals/{appeal_id}/decide", "session", S, form={"outcome": "rejected", "decision": "维持原评分"}),
    Write("POST", f"{ITEM}/score", "session", S, form={"score": "3", "reason": "复核"}),
    Write("POST", f"{ITEM}/self-score", "session", S, form={"score": "3", "note": "自评"}),
    Write("POST", f"{ITEM}/appeal", "session", S, form={"text": "申辩理由"}),
    Write("POST", "/inspections", "session", S, form={"kind": "onsite", "title": "督察", "unit_id": "{unit_id}"}),
    Write("POST", "/inspections/{case_id}/findings", "session", S, form={"unit_id": "{unit_id}", "text": "问题"}),
    Write("POST", "/inspections/{case_id}/raise", "session", S, form={"review_finding_id": "1"}),
    Write("POST", "/findings/{insp_finding_id}/rectifications", "session", S,
          form={"measure": "整改措施", "deadline": "2099-01-01"}),
    Write("POST", "/findings/{insp_finding_id}/documents", "session", S, form={"kind": "notice"}),
    *(Write("POST", f"{RECT}/{a}", "session", S, form=STEP_FORM) for a in ("start", "submit", "verify", "return", "close", "escalate")),
    # API
    Write("POST", "/api/profiles", "upload", upload=True),
    Write("POST", f"/api{CAMPAIGN}/open", "session", S, json={"profile_ids": []}),
    Write("POST", f"/api{CAMPAIGN}/notify", "session", S, json={"appeal_days": 5}),
    Write("POST", f"/api{CAMPAIGN}/lock", "session", S, json={"as_of": "2099-01-01"}),
    Write("POST", "/api/appeals/{appeal_id}/decide", "session", S, json={"outcome": "rejected", "decision": "维持"}),
    Write("POST", f"/api{ITEM}/score", "session", S, json={"score": 3, "reason": "复核"}),
    Write("POST", f"/api{ITEM}/self-score", "session", S, json={"score": 3}),
    Write("POST", f"/api{ITEM}/appeal", "session", S, json={"text": "申辩理由"}),
    # the unit ids of the body come from the world: the office of 焦作市 aims at 信阳市's unit
    Write("POST", "/api/inspections", "session", S, json={"kind": "onsite", "title": "督察", "unit_ids": ["{insp_unit_id}"]}),
    Write("POST", "/api/inspections/{case_id}/findings", "session", S, json={"unit_id": "{insp_unit_id}", "text": "问题"}),
    Write("POST", "/api/inspections/{case_id}/raise", "session", S, json={"review_finding_id": 1}),
    Write("POST", "/api/findings/{insp_finding_id}/rectifications", "session", S, json={"measure": "整改措施"}),
    *(Write("POST", f"/api{RECT}/{a}", "session", S, json=STEP_FORM)
      for a in ("start", "submit", "verify", "return", "close", "escalate")),
]

READS = [
    Read(CAMPAIGN, S), Read(f"{CAMPAIGN}.xlsx", S), Read("/assessments/{assessment_id}", S),
    Read("/inspections/{case_id}", S), Read("/inspection-documents/{insp_document_id}", S),
    Read(f"/api{CAMPAIGN}", S), Read(f"/api{CAMPAIGN}.xlsx", S), Read("/api/campaigns/{campaign_id}/appeals", S),
    Read("/api/campaigns/{campaign_id}/scoring", S), Read("/api/assessments/{assessment_id}", S),
    Read(f"/api{ITEM}", S), Read("/api/inspections/{case_id}", S), Read(f"/api{RECT}", S),
]
