"""Is this text an annual report on rule-of-law government at all?  (before it is stored as one)

A review always succeeds: any text gets parts, findings and a score.  A file
that is not a 法治政府建设年度报告 — "hello world", a meeting notice, a news
item — must not be stored as one.  :func:`not_a_report` says why a reviewed
text is not a report, or ``None``.  The criterion is deliberately general and
lenient (a short report with a report title passes; so does a report whose
headings are unusual), refusing only text that shows none of what makes a
report:

1. **too short**: fewer than :data:`MIN_CHARS` characters other than spaces;
2. **not about the rule of law**: none of 法治, 依法行政, 依法治, 法制 anywhere;
3. **another kind of document by its title**: the title (or the first line)
   ends with the name of another document type (通知, 通报, 函, 批复, 纪要,
   公告, 讲话 …);
4. **neither a report's title nor a report's body**: no line of the first
   five names a report (报告, 情况, 总结, 述法) *and* fewer than two of the
   four required parts (举措和成效, 不足和原因, 第一责任人履职, 下一年度安排)
   are found.

The upload (web, API) and ``fazhi ingest`` refuse such a file unless forced;
``fazhi review`` of a file still reviews it and warns.
"""

from __future__ import annotations

import re
from typing import Any

MIN_CHARS = 30
LAW_WORDS = ("法治", "依法行政", "依法治", "法制")
REPORT_WORDS = ("报告", "情况", "总结", "述法")
CORE_PARTS = ("achievements", "shortcomings", "first_responsible", "next_year_plan")
OTHER_KINDS = ("通知", "通报", "函", "批复", "决定", "纪要", "公告", "通告", "讲话", "简报", "请示", "议程", "公示",
               "倡议书", "邀请函", "新闻稿", "报道")
_END = re.compile(r"[\s。．.：:（）()《》“”\"'、，,]*$")


def _title_line(doc: dict[str, Any], text: str) -> str:
    title = (doc.get("title") or "").strip()
    if title:
        return title
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def not_a_report(doc: dict[str, Any], text: str) -> str | None:
    """Why the reviewed ``text`` (its ``fazhi.review/1`` document ``doc``) is not an annual report on
    rule-of-law government, in Chinese — or ``None`` when it may be one."""
    chars = len(re.sub(r"\s", "", text))
    if chars < MIN_CHARS:
        return f"内容太短（{chars} 字），不是年度报告"
    if not any(w in text for w in LAW_WORDS):
        return "全文没有“法治”“依法行政”“法制”等字样，不是法治政府建设年度报告"
    title = _END.sub("", _title_line(doc, text))
    kind = next((k for k in OTHER_KINDS if title.endswith(k)), None)
    if kind and not title.endswith("报告"):
        return f"标题“{title[:40]}”表明这是一份{kind}，不是年度报告"
    head = [line for line in text.splitlines() if line.strip()][:5]
    titled = any(w in line for line in head for w in REPORT_WORDS)
    parts = doc.get("parts") or {}
    found = [p for p in CORE_PARTS if (parts.get(p) or {}).get("status") in ("dedicated", "embedded")]
    if not titled and len(found) < 2:
        return ("开头没有“……报告”“……情况”之类的标题，四项必备内容（举措和成效、不足和原因、第一责任人履职、"
                f"下一年度安排）也只找到 {len(found)} 项，不像年度报告")
    return None


__all__ = ["not_a_report"]
