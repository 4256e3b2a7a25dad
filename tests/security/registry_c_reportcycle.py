"""The annual report's cycle (``fazhi.web.routes.reportcycle``) in the security registry: every write aims at
a thing of the supervision cycle (a campaign's unit, a draft, a unit's annual report); the things come from
``world_c_reportcycle.py``.  The 审查意见书 of a stored report is read by report id (scope ``report``)."""

from __future__ import annotations

from tests.security.registry import Read, Write

S = "supervision"
PUBLISH = {"url": "https://www.example.gov.cn/nb.html", "on": "2026-03-20"}

WRITES = [
    # pages
    Write("POST", "/campaigns/{campaign_id}/units/{unit_id}/drafts", "session", S),
    Write("POST", "/campaigns/{campaign_id}/units/{unit_id}/selfcheck", "session", S, upload=True),
    Write("POST", "/campaigns/{campaign_id}/units/{unit_id}/submit", "session", S, upload=True,
          form={"copies_to": "市委依法治市办"}),
    Write("POST", "/drafts/{draft_id}", "session", S, form={"title": "修改后的标题"}),
    Write("POST", "/drafts/{draft_id}/stage", "session", S, form={"stage": "first_draft"}),
    Write("POST", "/drafts/{draft_id}/confirm", "session", S),
    Write("POST", "/drafts/{draft_id}/comments", "session", S, form={"text": "建议补充数据"}),
    Write("POST", "/drafts/{draft_id}/submit", "session", S, form={"copies_to": "市委依法治市办"}),
    Write("POST", "/annual-reports/{annual_report_id}/decision", "session", S, form={"decision": "accept"}),
    Write("POST", "/annual-reports/{annual_report_id}/publication", "session", S, form=PUBLISH),
    Write("POST", "/annual-reports/{annual_report_id}/comments", "session", S, form={"text": "请按时公开"}),
    # API
    Write("POST", "/api/campaigns/{campaign_id}/units/{unit_id}/drafts", "session", S),
    Write("PUT", "/api/drafts/{draft_id}", "session", S,
          json={"sections": [{"part": "opening", "paragraphs": [{"kind": "text", "text": "改写的开头。"}]}]}),
    Write("POST", "/api/drafts/{draft_id}/stage", "session", S, json={"stage": "first_draft"}),
    Write("POST", "/api/drafts/{draft_id}/confirm", "session", S),
    Write("POST", "/api/drafts/{draft_id}/comments", "session", S, json={"text": "建议补充数据"}),
    Write("POST", "/api/drafts/{draft_id}/submit", "session", S, json={"copies_to": ["市委依法治市办"]}),
    Write("POST", "/api/annual-reports/{annual_report_id}/decision", "session", S, json={"accept": True}),
    Write("POST", "/api/annual-reports/{annual_report_id}/publication", "session", S, json=PUBLISH),
]

READS = [
    Read("/drafts/{draft_id}", S),
    Read("/drafts/{draft_id}/draft.docx", S),
    Read("/campaigns/{campaign_id}/reports", S),
    Read("/campaigns/{campaign_id}/reports/memo.docx", S),
    Read("/annual-reports/{annual_report_id}", S),
    Read("/annual-reports/{annual_report_id}/opinion.docx", S),
    Read("/annual-reports/{annual_report_id}/opinion", S),
    Read("/reports/{report_id}/opinion.docx", "report"),
    Read("/api/reports/{report_id}/opinion.docx", "report"),
    Read("/api/campaigns/{campaign_id}/reports/status", S),
    Read("/api/campaigns/{campaign_id}/reports/memo.docx", S),
    Read("/api/campaigns/{campaign_id}/units/{unit_id}/drafts", S),
    Read("/api/drafts/{draft_id}", S),
    Read("/api/drafts/{draft_id}/comments", S),
    Read("/api/drafts/{draft_id}/selfcheck", S),
    Read("/api/drafts/{draft_id}/docx", S),
    Read("/api/annual-reports/{annual_report_id}", S),
    Read("/api/annual-reports/{annual_report_id}/opinion.docx", S),
    Read("/api/annual-reports/{annual_report_id}/diff", S),
    Read("/api/annual-reports/{annual_report_id}/publication", S),
]
