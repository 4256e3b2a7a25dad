"""Chinese labels for what the pages show of stored codes: the audit log's object types and details.

An audit event's ``detail`` is a small JSON object written by the code that
audits (:func:`fazhi.accounts.audit.audit`, :mod:`fazhi.corpus.service`): keys
such as ``file``, ``status``, ``reason``, ``before``/``after``, ``where``.
:func:`audit_detail` turns it into :class:`DetailItem` s for the
审计日志 page: a Chinese label for each known key, values translated where
they are codes (status, role, level, reason, format, yes/no), nested objects
as nested items; unknown keys and values are shown as they are.  Every item
keeps its raw key (the page puts it in a ``title`` attribute and a
``data-key``), so an administrator can still find ``sha256`` or ``reason``.

Values are plain strings: the template escapes them like any other text
(report titles and file names come from uploaders).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fazhi.accounts import roles

#: audit ``object_type`` → Chinese
OBJECT_LABEL = {"report": "报告", "user": "用户", "api_token": "API 令牌", "compare": "对比表", "address": "来源地址",
                "issuer": "报告单位", "ingest_run": "入库批次", "knowledge_version": "规则/指标版本",
                "unit": "督导单位", "framework": "指标体系", "mapping_set": "指标映射", "campaign": "督导活动",
                "task": "任务", "evidence": "佐证材料/文书", "job_run": "定时任务",
                # the year-end assessment and 督察/整改
                "profile": "考核细则", "assessment": "单位考核", "item_assessment": "考核项目",
                "appeal": "申辩", "inspection_case": "督察", "inspection_finding": "督察问题",
                "rectification": "整改事项",
                # the annual report's cycle
                "draft": "年度报告草稿", "annual_report": "年度报告（报送）"}
#: audit actions of the supervision cycle (部署 and 督导) → Chinese, for the 审计日志 page
SUPERVISION_AUDIT_LABEL = {
    "unit.import": "导入单位名单", "unit.update": "修改单位", "unit.from_division": "按行政区划建立单位",
    "unit.member": "设置单位用户", "unit.member_remove": "移出单位用户", "framework.import": "导入指标体系",
    "framework.mapping": "导入指标映射", "campaign.create": "建立督导活动", "campaign.milestone": "设置时间节点",
    "campaign.settings": "修改督导活动设置", "task.import": "导入责任分工表", "task.export": "导出责任分工表",
    "task.report": "报告任务进展", "task.confirm": "确认报送进展", "task.accept": "进展通过审核",
    "task.return": "退回任务进展", "evidence.add": "上传佐证材料", "evidence.link": "关联佐证材料",
    "evidence.propose": "年度报告数字提议为佐证", "evidence.accept": "采纳佐证", "evidence.reject": "不采纳佐证",
    "job.run": "定时任务运行", "job.failed": "定时任务失败"}

#: audit actions of the annual report's cycle (:mod:`fazhi.supervision.drafting`, :mod:`~fazhi.supervision.reports`)
REPORT_CYCLE_ACTIONS = {"draft.create": "根据记录起草年度报告", "draft.update": "修改年度报告草稿",
                        "draft.stage": "推进年度报告草稿", "comment.add": "提出意见", "report.submit": "报送年度报告",
                        "report.accept": "年度报告审查通过", "report.return": "年度报告退回修改",
                        "report.publish": "登记年度报告公开"}

#: audit ``detail`` keys → Chinese (for every object type unless :data:`_KEY_BY_OBJECT` says otherwise)
DETAIL_LABEL = {
    "file": "文件", "sha256": "SHA-256", "status": "状态", "title": "标题", "code": "状态码", "reason": "原因", "message": "说明",
    "name": "用户名", "role": "角色", "region": "查看范围", "active": "启用", "before": "修改前", "after": "修改后",
    "ip": "来源地址", "format": "格式", "rows": "行数", "columns": "列数", "where": "筛选条件", "scope": "范围",
    "user_id": "用户编号", "prefix": "令牌前缀", "path": "原文件路径", "versions": "知识版本", "run_id": "入库批次",
    # keys of ``where`` (the query of an export) and of ``versions``
    "level": "级别", "year": "年度", "issuer": "报告主体", "indicators": "指标", "core": "只含核心指标",
    "long": "逐值明细", "province": "省", "city": "市", "county": "县（区）", "township": "乡镇（街道）",
    "fazhi": "程序", "parts": "必备内容", "rules": "审查规则", "units": "单位表", "divisions": "行政区划",
    # a refused sign-in row (one per address and window)
    "failures": "密码错误次数", "blocked": "超限被拒次数", "names": "尝试的用户名", "last": "最近一次",
    # the year-end assessment and 督察/整改
    "unit": "单位", "item": "考评内容序号", "items": "考评内容", "suggested": "建议分", "note": "说明",
    "on_behalf": "督导办公室代为录入", "total": "总分", "appeal_until": "申辩截止日期", "version": "版本",
    "outcome": "处理结果", "text": "内容", "skipped": "未纳入", "profiles": "考核细则", "framework": "指标体系",
    "manual": "人工评分项数", "as_of": "计算日期", "changed": "变化项数", "measure": "整改措施",
    "deadline": "完成时限", "days": "逾期天数", "round": "整改轮次", "findings": "督察问题", "kind": "种类",
    "source": "来源",
    # the annual report's cycle
    "campaign_id": "督导活动", "gaps": "待补充处数", "annual_report_id": "年度报告", "stage": "阶段", "smoothing": "文字润色",
    "sent": "送出段数", "accepted": "采用段数", "refused": "拒绝段数", "report_id": "报告编号", "draft_id": "草稿编号",
    "copies_to": "抄送", "received_at": "收到时间", "comment_id": "意见编号", "url": "公开网址", "on": "公开日期",
    "on_time": "按时公开", "same_text": "与报送文本一致",
    "ids": "报告编号", "count": "份数",
}
_KEY_BY_OBJECT = {("api_token", "name"): "令牌名称", ("knowledge_version", "name"): "知识文件",
                  ("knowledge_version", "version"): "版本", ("knowledge_version", "note"): "说明",
                  ("knowledge_version", "previous"): "原启用版本", ("knowledge_version", "now"): "恢复为内置版本",
                  ("campaign", "units"): "纳入考核的单位", ("inspection_case", "units"): "被督察单位",
                  ("profile", "name"): "名称", ("evidence", "title"): "文书"}

STATUS_VALUE = {"created": "新入库", "exists": "已存在", "replaced": "已更新（重新审查）", "error": "失败"}
FORMAT_VALUE = {"xlsx": "Excel（xlsx）", "csv": "CSV"}
CODE_VALUE = {200: "成功", 201: "已入库", 400: "请求有误", 401: "未登录", 403: "无权限或不在管辖范围",
              404: "不存在", 413: "过大", 415: "类型不支持", 422: "无法读取", 500: "内部错误"}
LEVEL_VALUE = {"province": "省级", "city": "市级", "county": "县级", "township": "乡镇", "street": "街道",
               "department": "部门"}
_REASON_VALUE = {"issuer outside the uploader's region scope": "报告主体不在上传者的查看范围内"}
_EMPTY = {"region": "全部地区", "scope": "全部地区", "where": "无（全部报告）"}


@dataclass
class DetailItem:
    """One key of an audit detail as shown: ``label``: ``value``, or nested ``items`` (before/after, where)."""

    key: str
    label: str
    value: str = ""
    items: list[DetailItem] = field(default_factory=list)
    full: str | None = None  # the whole value when ``value`` is shortened (shown on hover)
    changed: bool = False  # in ``after``: differs from ``before``


def object_label(object_type: str | None) -> str:
    """The Chinese name of an audit object type (unknown types as they are)."""
    return OBJECT_LABEL.get(object_type or "", object_type or "")


def key_label(key: str, object_type: str | None = None) -> str:
    return _KEY_BY_OBJECT.get((object_type or "", key)) or DETAIL_LABEL.get(key, key)


def role_label(role: str | None) -> str:
    return roles.ROLE_LABEL.get(role or "", role or "")


def reason_label(reason: str) -> str:
    """A stored (English) refusal reason in Chinese, the original in brackets when it helps."""
    from fazhi.review.read import READ_ERRORS

    if reason in _REASON_VALUE:
        return _REASON_VALUE[reason]
    if reason in READ_ERRORS:  # a file that could not be read, recorded by its code
        return READ_ERRORS[reason][1]
    if reason.startswith("内部错误"):
        return reason
    if reason.startswith("internal error"):
        return f"内部错误（{reason.removeprefix('internal error').lstrip(': ')}）"
    return f"无法读取文件（{reason}）"  # the refusal's Chinese text is the detail ``error`` beside it


def value_label(key: str, value: Any) -> str:
    """A detail value as shown (codes translated; anything unknown as it is)."""
    if value is None or value == "" or value == {} or value == []:
        return _EMPTY.get(key, "—")
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "status" and isinstance(value, str):
        return STATUS_VALUE.get(value, value)
    if key == "role" and isinstance(value, str):
        return role_label(value)
    if key == "reason" and isinstance(value, str):
        return reason_label(value)
    if key == "format" and isinstance(value, str):
        return FORMAT_VALUE.get(value, value)
    if key == "code" and isinstance(value, int):
        return f"{value}（{CODE_VALUE[value]}）" if value in CODE_VALUE else str(value)
    if key == "level" and isinstance(value, str):
        return "、".join(LEVEL_VALUE.get(v.strip(), v.strip()) for v in value.split(",") if v.strip())
    if key in ("core", "long") and isinstance(value, str):
        return {"1": "是", "true": "是", "0": "否", "false": "否"}.get(value.lower(), value)
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    return str(value)


def audit_detail(detail: Mapping[str, Any] | None, object_type: str | None = None) -> list[DetailItem]:
    """An audit event's ``detail`` as labelled items, in the stored order."""
    out: list[DetailItem] = []
    detail = detail or {}
    before, after = detail.get("before"), detail.get("after")
    for key, value in detail.items():
        key = str(key)
        label = key_label(key, object_type)
        if isinstance(value, Mapping) and value:
            items = audit_detail(value, object_type)
            if key == "after" and isinstance(before, Mapping) and isinstance(after, Mapping):
                for it in items:
                    it.changed = before.get(it.key) != after.get(it.key)
            out.append(DetailItem(key, label, items=items))
        elif key == "sha256" and isinstance(value, str) and len(value) > 16:
            out.append(DetailItem(key, label, value[:12] + "…", full=value))
        else:
            out.append(DetailItem(key, label, value_label(key, value)))
    return out


_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
RULE_LABEL_CHARS = 32


def rule_label(message: str) -> str:
    """What a clerk reads for a rule: its Chinese message with the placeholders as …, shortened."""
    s = _PLACEHOLDER.sub("…", message).strip()
    return s if len(s) <= RULE_LABEL_CHARS else s[:RULE_LABEL_CHARS - 1] + "…"


#: where an OpenAPI parameter goes (the API reference page)
PARAM_IN_LABEL = {"path": "路径", "query": "查询参数", "header": "请求头", "cookie": "Cookie"}

#: pydantic's validation error types → Chinese (``{…}`` filled from the error's ``ctx``)
VALIDATION_MSG = {
    "missing": "缺少必填参数", "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "float_parsing": "应为数字", "float_type": "应为数字", "bool_parsing": "应为 true/false（或 1/0）",
    "bool_type": "应为 true/false（或 1/0）", "string_type": "应为文字",
    "greater_than_equal": "应不小于 {ge}", "greater_than": "应大于 {gt}", "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}", "string_too_short": "至少 {min_length} 个字符", "string_too_long": "最多 {max_length} 个字符",
    "too_long": "最多 {max_length} 项", "enum": "应为 {expected} 之一", "literal_error": "应为 {expected} 之一",
    # the request bodies of 规则与指标 (POST /api/knowledge) and others
    "string_pattern_mismatch": "格式不符（应匹配 {pattern}）", "json_invalid": "不是有效的 JSON",
    "dict_type": "应为 JSON 对象", "model_attributes_type": "应为 JSON 对象", "list_type": "应为列表",
    "extra_forbidden": "不允许的字段",
}
_LOC_LABEL = {"query": "查询参数", "path": "路径参数", "body": "表单字段", "header": "请求头", "cookie": "Cookie"}


def validation_msg(error: Mapping[str, Any]) -> str:
    """A pydantic validation error's message in Chinese (its English message when the type is unknown)."""
    template = VALIDATION_MSG.get(str(error.get("type", "")))
    if template is None:
        return str(error.get("msg", ""))
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return str(error.get("msg", ""))


def validation_where(error: Mapping[str, Any]) -> str:
    """Which parameter: ``page（查询参数）``."""
    loc = [str(x) for x in error.get("loc", ())]
    if not loc:
        return ""
    place = _LOC_LABEL.get(loc[0])
    name = ".".join(loc[1:]) if place else ".".join(loc)
    return f"{name}（{place}）" if place and name else name or (place or "")

#: what the templates may use
TEMPLATE_GLOBALS = {"OBJECT_LABEL": OBJECT_LABEL, "object_label": object_label, "audit_detail": audit_detail,
                    "role_label": role_label, "PARAM_IN_LABEL": PARAM_IN_LABEL}

__all__ = ["DETAIL_LABEL", "OBJECT_LABEL", "PARAM_IN_LABEL", "REPORT_CYCLE_ACTIONS", "STATUS_VALUE", "TEMPLATE_GLOBALS", "DetailItem", "audit_detail",
           "key_label", "object_label", "reason_label", "role_label", "validation_msg", "validation_where", "value_label"]
