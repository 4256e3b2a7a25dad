"""The security registry's entries for 部署 and 督导 (``fazhi.web.routes.campaigns``): every write (CSRF, and the
office of 焦作市 refused on 信阳市's things) and every read by id (404 outside, 200 inside).  Path parameters
come from ``world_a_campaigns.py``."""

from __future__ import annotations

from tests.security.registry import Read, Write

SUP = "supervision"
CAMPAIGN = {"name": "安全测试活动", "year": "2025", "organiser": "焦作市"}

WRITES = [
    # pages
    Write("POST", "/campaigns", "session", SUP, form=CAMPAIGN, out={"organiser": "信阳市"}),
    Write("POST", "/campaigns/{campaign_id}/import", "session", SUP, upload=True, form={"confirm": "1"}),
    Write("POST", "/tasks/{task_id}/progress", "session", SUP, upload=True, form={"text": "安全测试进展"}),
    Write("POST", "/tasks/{task_id}/confirm", "session", SUP),
    Write("POST", "/tasks/{task_id}/review", "session", SUP, form={"decision": "return", "reason": "材料不全"}),
    Write("POST", "/evidence/proposals/{link_id}/decide", "session", SUP, form={"decision": "accept"}),
    Write("POST", "/my/reminders/{reminder_id}/read", "session", SUP),
    Write("POST", "/sup-units/{unit_id}/members", "manage_users", SUP, actor="焦作管理员",
          form={"name": "安全测试单位用户", "password": "Unit account 4242", "duty": "filler"}),
    # API
    Write("POST", "/api/campaigns", "session", SUP,
          json={"name": "安全测试活动", "year": 2025, "organiser": "信阳市"}),
    Write("POST", "/api/campaigns/{campaign_id}/tasks/import", "session", SUP, upload=True, form={"confirm": "1"}),
    Write("POST", "/api/tasks/{task_id}/progress", "session", SUP, json={"text": "安全测试进展"}),
    Write("POST", "/api/tasks/{task_id}/confirm", "session", SUP),
    Write("POST", "/api/tasks/{task_id}/review", "session", SUP, json={"accept": False, "reason": "材料不全"}),
    Write("POST", "/api/evidence", "session", SUP, upload=True, form={"task_id": "{task_id}"},
          out={"unit_id": "{unit_id}"}),
    Write("POST", "/api/tasks/{task_id}/evidence", "session", SUP, json={"evidence_id": 1}),
    Write("POST", "/api/evidence/proposals/{link_id}/decide", "session", SUP, json={"accept": True}),
]

READS = [
    Read("/campaigns/{campaign_id}", SUP),
    Read("/campaigns/{campaign_id}/tasks", SUP),
    Read("/campaigns/{campaign_id}/tasks.xlsx", SUP),
    Read("/campaigns/{campaign_id}/overdue", SUP),
    Read("/tasks/{task_id}", SUP),
    Read("/tasks/{task_id}/evidence/{evidence_id}", SUP),
    Read("/sup-units/{unit_id}", SUP),
    Read("/api/campaigns/{campaign_id}", SUP),
    Read("/api/campaigns/{campaign_id}/board", SUP),
    Read("/api/campaigns/{campaign_id}/tasks", SUP),
    Read("/api/campaigns/{campaign_id}/overdue", SUP),
    Read("/api/tasks/{task_id}", SUP),
    Read("/api/sup-units/{unit_id}/tasks", SUP),
]
