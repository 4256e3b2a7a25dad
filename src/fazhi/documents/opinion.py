"""The 审查意见书 (review opinion) of a reviewed annual report, as a 公文-layout Word document.

An office that reviews a unit's 法治政府建设年度报告 answers it in writing: whether the report
contains what the 2019 督察规定 requires, what is wrong with it (with the text it concerns),
how it scores and what to revise.  This module turns a ``fazhi.review/1`` document (the dict
of SPEC.md §6) into that answer:

- title "关于《<report title>》的审查意见" (意见 is the 文种), 主送 the reporting unit;
- an opening paragraph naming the unit and its region, the year reported on, the signing date
  and an overall judgement from the score (verdict thresholds in ``opinion.yaml``);
- 一、必备内容: each required part 单列 / 散见 / 缺失 with its heading or sentence quoted;
- 二、主要问题: each finding's message and quoted text, grouped 错误 / 警告 / 提示 (rule ids
  are for machines and never appear);
- 三、评分: the score dimensions as a table;
- 四、修改建议: one actionable sentence per missing or embedded part and per kind of finding,
  without duplicates;
- 审查人, and the office and date as 落款.

All wording lives in ``opinion.yaml`` (checked by ``opinion.schema.json``), so an office can
adjust it without code.  The review is read defensively: any field may be null or absent
(a report without issuer, title, year or score still gets an opinion).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
import yaml

from fazhi import config

from .gongwen import GongwenDocument, chinese_date

Review = Mapping[str, Any]
_STATUSES = ("dedicated", "embedded", "missing")
# Control and invisible format characters; quoted text loses them (whitespace collapses).
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060\ufeff]")
_MARKDOWN_PREFIX = re.compile(r"^[#>\s]+")


@cache
def wording() -> dict[str, Any]:
    """``opinion.yaml``, validated against ``opinion.schema.json``."""
    here = resources.files(__package__)
    data = yaml.safe_load((here / "opinion.yaml").read_text(encoding="utf-8"))
    jsonschema.validate(data, json.loads((here / "opinion.schema.json").read_text(encoding="utf-8")))
    return data


def opinion_filename(stem: str) -> str:
    """The file name of the opinion on the report ``stem``: ``<stem>.审查意见书.docx``."""
    return f"{stem}.审查意见书.docx"


def opinion_docx(review: Review, *, reviewer: str | None = None, office: str | None = None,
                 date: dt.date | None = None, conclusion: str | None = None) -> bytes:
    """The 审查意见书 of ``review`` (a ``fazhi.review/1`` dict) as .docx bytes.

    ``office`` signs it (落款) and ``date`` dates it (today by default); ``conclusion`` (the office's
    decision, e.g. "审查结论：退回修改。……") closes the text."""
    return opinion_document(review, reviewer=reviewer, office=office, date=date, conclusion=conclusion).to_bytes()


def opinion_document(review: Review, *, reviewer: str | None = None, office: str | None = None,
                     date: dt.date | None = None, conclusion: str | None = None) -> GongwenDocument:
    """The 审查意见书 as a :class:`GongwenDocument`: its ``outline()`` carries, for a web
    editor, the review's evidence spans as the cites of each part and finding."""
    schema = review.get("schema")
    if schema is not None and not str(schema).startswith("fazhi.review/"):
        raise ValueError(f"不是 fazhi.review/1 审查结果（schema 为 {schema}）")
    w = wording()
    doc = GongwenDocument(w["title"].format(report=report_name(review)))
    issuer = _issuer_name(review)
    if issuer:
        doc.addressee(issuer)
    doc.paragraph(opening(review))
    for name, write in (("parts", _parts_section), ("findings", _findings_section),
                        ("score", _score_section), ("suggestions", _suggestions_section)):
        doc.heading(w["sections"][name], 1)
        write(doc, review)
    if conclusion and plain(conclusion):
        doc.paragraph(plain(conclusion))
    if reviewer:
        doc.paragraph(w["reviewer"].format(reviewer=plain(reviewer)))
    doc.signature(office, date or config.today())
    return doc


# ---------------------------------------------------------------------------------------------
# Text


def plain(text: str) -> str:
    """``text`` on one line: no control or invisible characters, whitespace collapsed, no
    leading Markdown heading or quote marks."""
    return _MARKDOWN_PREFIX.sub("", " ".join(_INVISIBLE.sub(" ", text).split()))


def quote(text: str) -> str:
    """``text`` in “”, shortened to ``max_quote_chars`` with ……; inner “” become ‘’ and the
    closing punctuation goes (the sentence that quotes it has its own)."""
    limit = wording()["max_quote_chars"]
    text = plain(text).rstrip("。；;，,：:")
    if len(text) > limit:
        text = text[:limit] + "……"
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"


def _sentence(text: str) -> str:
    text = plain(text).rstrip("，,；;：:")
    return text if text.endswith(("。", "！", "？", "……")) else text + "。"


def _number(value: Any) -> str:
    """A score as people write it: 26.2, 20 (not 20.0)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "—"
    return f"{value:.1f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------------------------------------
# The review's fields, read defensively


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _issuer_name(review: Review) -> str | None:
    name = _mapping(review.get("issuer")).get("name")
    return plain(name) if isinstance(name, str) and name.strip() else None


def _region(review: Review) -> str:
    issuer = _mapping(review.get("issuer"))
    names = [issuer.get(k) for k in ("province", "city", "county", "township")]
    return "".join(dict.fromkeys(n for n in names if isinstance(n, str) and n))


def _year(review: Review) -> int | None:
    year = review.get("year")
    return year if isinstance(year, int) and not isinstance(year, bool) else None


def _signed(review: Review) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(review.get("date")))
    except ValueError:
        return None


def _part(review: Review, key: str) -> Mapping[str, Any]:
    return _mapping(_mapping(review.get("parts")).get(key))


def _status(part: Mapping[str, Any]) -> str:
    status = part.get("status")
    return status if status in _STATUSES else "missing"


def _evidence_texts(evidence: Any) -> list[str]:
    items = evidence if isinstance(evidence, Sequence) and not isinstance(evidence, str) else [evidence]
    texts = (_mapping(item).get("text") for item in items)
    return list(dict.fromkeys(t for t in texts if isinstance(t, str) and plain(t)))


def _spans(evidence: Any) -> list[dict[str, Any]]:
    """Cites for a web editor: the review's evidence spans (offsets into the report's text)."""
    items = evidence if isinstance(evidence, Sequence) and not isinstance(evidence, str) else [evidence]
    spans = (_mapping(item) for item in items)
    return [{"start": s["start"], "end": s["end"]} for s in spans if "start" in s and "end" in s]


def _findings(review: Review) -> list[Mapping[str, Any]]:
    findings = review.get("findings")
    return [f for f in findings if isinstance(f, Mapping)] if isinstance(findings, list) else []


# ---------------------------------------------------------------------------------------------
# The opinion's parts


def report_name(review: Review) -> str:
    """《title》, or a name made of the issuer and year for a report without a title."""
    title = review.get("title")
    if isinstance(title, str) and plain(title):
        return "《" + plain(title).strip("《》").replace("《", "〈").replace("》", "〉") + "》"
    year = _year(review)
    return wording()["untitled_report"].format(unit=_issuer_name(review) or "",
                                               year=f"{year}年度" if year else "")


def verdict(review: Review) -> Mapping[str, Any] | None:
    """The verdict (grade and text) of the review's total score; None when it has no score."""
    total = _mapping(review.get("score")).get("total")
    if not isinstance(total, int | float) or isinstance(total, bool):
        return None
    errors = sum(1 for f in _findings(review) if f.get("severity") == "error")
    for candidate in wording()["verdicts"]:
        if total >= candidate["min"] and (errors == 0 or candidate.get("errors_allowed", True)):
            return candidate
    return wording()["verdicts"][-1]


def _full_marks(review: Review) -> float:
    dimensions = _mapping(_mapping(review.get("score")).get("dimensions")).values()
    weights = [d.get("weight") for d in map(_mapping, dimensions)]
    numbers = [w for w in weights if isinstance(w, int | float) and not isinstance(w, bool)]
    return sum(numbers) if numbers else 100


def opening(review: Review) -> str:
    """The opening paragraph: the unit, the report, the year, the date and the judgement."""
    w = wording()
    issuer, region = _issuer_name(review), _region(review)
    unit = f"{issuer}（{region}）" if issuer and region else issuer
    sentences = [f"{unit}报送的{report_name(review)}收悉。" if unit else f"送审的{report_name(review)}收悉。"]
    year, signed = _year(review), _signed(review)
    facts = ([f"报告反映{year}年度法治政府建设情况"] if year else []) + (
        [f"成文日期为{chinese_date(signed)}"] if signed else [])
    if facts:
        sentences.append("，".join(facts) + "。")
    found = verdict(review)
    judgement = (f"报告综合得分{_number(_mapping(review.get('score')).get('total'))}分"
                 f"（满分{_number(_full_marks(review))}分），总体评定为“{found['grade']}”：{found['text']}"
                 if found else w["unscored"])
    sentences.append(f"{w['basis']}，经审查，{judgement}。")
    counts = [(label, len(items)) for label, items in findings_by_severity(review)]
    if counts:
        detail = "、".join(f"{label}{n}项" for label, n in counts)
        sentences.append(f"共发现问题{sum(n for _, n in counts)}项（{detail}）。")
    sentences.append("具体意见如下：")
    return "".join(sentences)


def part_status_text(part: Mapping[str, Any]) -> str:
    """单列一部分，见“……” / 未单列，散见于正文，见“……” / 缺失，……"""
    w = wording()
    status = _status(part)
    text = w["status"][status].format(where=_where(part))
    texts = _evidence_texts(part.get("evidence"))
    return w["status_quote"].format(status=text, quote=quote(texts[0])) if texts else text


def _where(part: Mapping[str, Any]) -> str:
    w = wording()
    how = str(part.get("how") or "").split(":")[0]
    return w["where"].get(how, w["where_default"])


def findings_by_severity(review: Review) -> list[tuple[str, list[Mapping[str, Any]]]]:
    """The findings grouped by severity label (错误, 警告, 提示), in that order, empty groups
    left out; an unknown severity joins the last group."""
    severities = wording()["severities"]
    keys = [s["key"] for s in severities]
    groups: dict[str, list[Mapping[str, Any]]] = {key: [] for key in keys}
    for finding in _findings(review):
        severity = finding.get("severity")
        groups[severity if severity in groups else keys[-1]].append(finding)
    return [(s["label"], groups[s["key"]]) for s in severities if groups[s["key"]]]


def finding_text(finding: Mapping[str, Any]) -> str:
    """The finding's message and the text it concerns: "…。相关原文：“…”“…”。"."""
    message = finding.get("message")
    text = _sentence(message) if isinstance(message, str) and plain(message) else ""
    texts = _evidence_texts(finding.get("evidence"))
    if not texts:
        return text
    limit = wording()["max_quotes"]
    quotes = "".join(quote(t) for t in texts[:limit])
    more = f"等{len(texts)}处" if len(texts) > limit else ""
    return f"{text}相关原文：{quotes}{more}。"


def _parts_section(doc: GongwenDocument, review: Review) -> None:
    for i, (key, spec) in enumerate(wording()["parts"].items(), 1):
        part = _part(review, key)
        doc.paragraph(f"{i}.{spec['label']}：{part_status_text(part)}。", cites=_spans(part.get("evidence")))


def _findings_section(doc: GongwenDocument, review: Review) -> None:
    groups = findings_by_severity(review)
    if not groups:
        doc.paragraph(wording()["no_findings"])
    for label, findings in groups:
        doc.heading(f"{label}（{len(findings)}项）", 2)
        for i, finding in enumerate(findings, 1):
            doc.paragraph(f"{i}.{finding_text(finding)}", cites=_spans(finding.get("evidence")))


def _score_section(doc: GongwenDocument, review: Review) -> None:
    w = wording()
    score = _mapping(review.get("score"))
    found = verdict(review)
    if found is None:
        doc.paragraph(w["no_score"])
        return
    doc.paragraph(w["score_intro"].format(total=_number(score.get("total")),
                                          full=_number(_full_marks(review)), grade=found["grade"]))
    rows = [
        [plain(str(d.get("label") or key)), _number(d.get("weight")), _number(d.get("score")),
         plain(str(d.get("explanation") or ""))]
        for key, d in ((k, _mapping(v)) for k, v in _mapping(score.get("dimensions")).items())
    ]
    rows.append([w["score_total_row"], _number(_full_marks(review)), _number(score.get("total")),
                 found["grade"]])
    doc.table(w["score_header"], rows, widths=[3, 1.4, 1.4, 8])


def _rule_suggestion(finding: Mapping[str, Any]) -> str | None:
    """The suggestion for a finding: the longest rule-id prefix in ``rule_suggestions``."""
    w = wording()
    table = w["rule_suggestions"]
    pieces = str(finding.get("rule") or "").split(".")
    for n in range(len(pieces), 0, -1):
        key = ".".join(pieces[:n])
        if key in table:
            return table[key]
    message = finding.get("message")
    return w["fallback_suggestion"].format(message=quote(message)) if isinstance(message, str) else None


def suggestions(review: Review) -> list[str]:
    """What to revise: one sentence for each missing required part, then for each embedded
    one, then for each kind of finding (most severe first), without duplicates."""
    w = wording()
    parts = [(spec, _part(review, key)) for key, spec in w["parts"].items()]
    advice = [spec["missing"] for spec, part in parts if _status(part) == "missing"]
    advice += [w["embedded_suggestion"].format(where=_where(part), label=spec["label"])
               for spec, part in parts if _status(part) == "embedded"]
    for _, findings in findings_by_severity(review):
        advice.extend(s for s in map(_rule_suggestion, findings) if s)
    return list(dict.fromkeys(advice))


def _suggestions_section(doc: GongwenDocument, review: Review) -> None:
    advice = suggestions(review)
    for i, sentence in enumerate(advice, 1):
        doc.paragraph(f"{i}.{sentence}")
    if not advice:
        doc.paragraph(wording()["no_suggestions"])
