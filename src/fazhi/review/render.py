"""Views of a review: JSON text, terminal (Rich), Markdown and a self-contained HTML page.

Everything here only reads a :class:`~fazhi.review.model.Review`.  Report text is
always escaped in HTML (Jinja2 autoescape); the page loads nothing from
outside, so it works on a closed network.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from fazhi import knowledge
from fazhi.knowledge import Knowledge
from fazhi.review.model import REQUIRED_PARTS, Review
from fazhi.units.identity import LEVEL_LABEL

STATUS_MARK = {"dedicated": "✓", "embedded": "△", "missing": "✗"}
STATUS_LABEL = {"dedicated": "单列", "embedded": "散见", "missing": "缺失"}
STATUS_STYLE = {"dedicated": "green", "embedded": "yellow", "missing": "red"}
SEVERITY_LABEL = {"error": "错误", "warning": "警告", "info": "提示"}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def json_text(doc: dict[str, Any]) -> str:
    """A review document (``Review.to_json()``) as JSON text, each field on a line of its own.

    Written by the JSON module's C encoder: its indenting encoder is pure Python and took longer than the
    review itself; one line per field keeps the files readable and comparable line by line for little."""
    return "{" + ",\n".join(f"{_compact(k)}:{_compact(v)}" for k, v in doc.items()) + "}"


def part_label(name: str, short: bool = False, kn: Knowledge | None = None) -> str:
    """A required part's Chinese name (``short``: the short one) in ``kn`` (default: the files')."""
    parts = (kn or knowledge.files())["parts"]["parts"]
    if name not in parts:
        return name
    return parts[name].get("short", parts[name]["label"]) if short else parts[name]["label"]


def issuer_line(review: Review) -> str:
    iss = review.issuer
    if iss is None:
        return "（未识别）"
    path = "".join(x for x in (iss.province, iss.city, iss.county, iss.township) if x)
    bits = [iss.name or path or "（未识别）"]
    if path and path != iss.name:
        bits.append(f"〔{path}〕")
    if iss.level:
        bits.append(LEVEL_LABEL.get(iss.level, iss.level))
    if iss.ambiguous:
        bits.append("（有同名，待确认）")
    return " ".join(bits)


def _clip(s: str, n: int = 60) -> str:
    s = s.replace("\n", " ").strip()
    return s if len(s) <= n else s[: n - 1] + "…"


def fmt_value(value: float | int, unit: str | None, approx: bool) -> str:
    v = f"{value:,}" if isinstance(value, int) else f"{value:,.4g}"
    return f"{'约' if approx else ''}{v}{unit or ''}"


# --- terminal ---------------------------------------------------------------

def terminal(review: Review, console: Console) -> None:
    """Print the review as a readable terminal page."""
    head = Text()
    head.append(review.title or "（无标题）", style="bold")
    head.append(f"\n报告主体：{issuer_line(review)}")
    head.append(f"\n年度：{review.year or '未识别'}    落款日期：{review.date or '未见'}")
    head.append(f"\n来源：{review.source.path or '（文本）'}  {review.source.format}  {review.source.chars} 字")
    score = review.score.total if review.score else 0
    console.print(Panel(head, title=f"fazhi 审查  得分 {score:.0f}/100", expand=False))

    if review.outline:
        tree = Tree("提纲")
        def add(branch: Tree, nodes: list) -> None:
            for n in nodes:
                if n.kind != "heading":
                    continue
                items = sum(1 for c in n.children if c.kind == "item")
                label = f"{n.marker}{_clip(n.title, 40)}" + (f"  [dim]({items} 条)[/dim]" if items else "")
                add(branch.add(label), n.children)
        add(tree, review.outline)
        console.print(tree)

    pt = Table(title="必备内容", show_lines=False, expand=False)
    pt.add_column("", width=2)
    pt.add_column("内容")
    pt.add_column("状态")
    pt.add_column("依据", overflow="fold")
    for name in REQUIRED_PARTS:
        p = review.parts.get(name)
        st = p.status if p else "missing"
        pt.add_row(Text(STATUS_MARK[st], style=STATUS_STYLE[st]), part_label(name, short=True, kn=review.kn),
                   Text(STATUS_LABEL[st], style=STATUS_STYLE[st]),
                   _clip(p.evidence.text, 50) if p and p.evidence else "")
    console.print(pt)

    if review.facts:
        ft = Table(title=f"指标数据（{len(review.facts)} 项；全文统计数字 {len(review.quantities)} 个）")
        ft.add_column("指标")
        ft.add_column("数值", justify="right")
        ft.add_column("原文", overflow="fold")
        for f in review.facts:
            ft.add_row(f.name or f.indicator, fmt_value(f.value, f.unit, f.approx), _clip(f.text, 56))
        console.print(ft)
    else:
        console.print(f"[dim]未识别出指标数据；全文统计数字 {len(review.quantities)} 个[/dim]")

    if review.findings:
        fd = Table(title="审查意见")
        fd.add_column("严重程度")
        fd.add_column("意见", overflow="fold")
        fd.add_column("原文", overflow="fold")
        for finding in review.findings:
            ev = _clip(finding.evidence[0].text, 40) if finding.evidence else ""
            fd.add_row(Text(SEVERITY_LABEL.get(finding.severity, finding.severity),
                            style=SEVERITY_STYLE.get(finding.severity, "")), finding.message, ev)
        console.print(fd)

    if review.score:
        scores = Table(title=f"评分 {review.score.total:.1f}/100")
        scores.add_column("维度")
        scores.add_column("得分", justify="right")
        scores.add_column("说明", overflow="fold")
        for d in review.score.dimensions.values():
            scores.add_row(d.label, f"{d.score:.1f}/{d.weight:g}", d.explanation)
        console.print(scores)


def terminal_summary(review: Review) -> Group:
    """One compact line per report, for batches."""
    marks = " ".join(STATUS_MARK[review.parts[p].status] for p in REQUIRED_PARTS if p in review.parts)
    return Group(Text(f"{review.score.total if review.score else 0:5.1f}  {marks}  {review.title or ''}"))


# --- markdown ---------------------------------------------------------------

def markdown(review: Review) -> str:
    """The review as a Markdown document."""
    out: list[str] = []
    out.append(f"# {review.title or '（无标题）'}")
    out.append("")
    out.append(f"- 报告主体：{issuer_line(review)}")
    out.append(f"- 年度：{review.year or '未识别'}；落款日期：{review.date or '未见'}")
    out.append(f"- 来源：`{review.source.path or '（文本）'}`（{review.source.format}，{review.source.chars} 字，"
               f"sha256 `{review.source.sha256[:12]}…`）")
    if review.score:
        out.append(f"- 得分：**{review.score.total:.1f}/100**")
    out.append("")
    out.append("## 必备内容")
    out.append("")
    out.append("| | 内容 | 状态 | 依据 |")
    out.append("|---|---|---|---|")
    for name in REQUIRED_PARTS:
        p = review.parts.get(name)
        st = p.status if p else "missing"
        ev = _md(_clip(p.evidence.text, 60)) if p and p.evidence else ""
        out.append(f"| {STATUS_MARK[st]} | {part_label(name, kn=review.kn)} | {STATUS_LABEL[st]} | {ev} |")
    out.append("")
    if review.outline:
        out.append("## 提纲")
        out.append("")
        def add(nodes: list, depth: int) -> None:
            for n in nodes:
                if n.kind == "heading":
                    out.append(f"{'  ' * depth}- {n.marker}{_md(n.title)}")
                    add(n.children, depth + 1)
        add(review.outline, 0)
        out.append("")
    out.append("## 指标数据")
    out.append("")
    if review.facts:
        out.append("| 指标 | 数值 | 原文 |")
        out.append("|---|---:|---|")
        for f in review.facts:
            out.append(f"| {f.name or f.indicator} | {fmt_value(f.value, f.unit, f.approx)} | {_md(_clip(f.text, 80))} |")
    else:
        out.append("未识别出指标数据。")
    out.append("")
    out.append(f"全文统计数字 {len(review.quantities)} 个。")
    out.append("")
    out.append("## 审查意见")
    out.append("")
    for finding in review.findings:
        ev = f"（原文：“{_md(_clip(finding.evidence[0].text, 60))}”）" if finding.evidence else ""
        out.append(f"- **{SEVERITY_LABEL.get(finding.severity, finding.severity)}** {_md(finding.message)}{ev}")
    if not review.findings:
        out.append("无。")
    out.append("")
    if review.score:
        out.append("## 评分")
        out.append("")
        out.append("| 维度 | 得分 | 说明 |")
        out.append("|---|---:|---|")
        for d in review.score.dimensions.values():
            out.append(f"| {d.label} | {d.score:.1f}/{d.weight:g} | {_md(d.explanation)} |")
        out.append("")
    return "\n".join(out)


def _md(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


# --- html -------------------------------------------------------------------

@cache
def _env() -> Any:
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("fazhi.review", "templates"),
                              autoescape=jinja2.select_autoescape(["html", "j2"]))


def text_segments(review: Review) -> list[dict[str, Any]]:
    """The text cut at fact spans: [{text, fact: index|None}], for highlighting."""
    marks = sorted(((f.quantity.start if f.quantity else f.start, f.quantity.end if f.quantity else f.end, i)
                    for i, f in enumerate(review.facts)), key=lambda x: x[0])
    segs: list[dict[str, Any]] = []
    pos = 0
    for s, e, i in marks:
        if s < pos:
            continue
        if s > pos:
            segs.append({"text": review.text[pos:s], "fact": None})
        segs.append({"text": review.text[s:e], "fact": i})
        pos = e
    if pos < len(review.text):
        segs.append({"text": review.text[pos:], "fact": None})
    return segs


def html(review: Review) -> str:
    """A self-contained HTML page for one review (no external resources)."""
    tpl = _env().get_template("review.html.j2")
    data = review.to_json()
    return tpl.render(r=review, data=data, parts=[(n, part_label(n, kn=review.kn), review.parts.get(n)) for n in REQUIRED_PARTS],
                      issuer=issuer_line(review), segments=text_segments(review), mark=STATUS_MARK,
                      status_label=STATUS_LABEL, sev_label=SEVERITY_LABEL, fmt_value=fmt_value,
                      facts_json=json.dumps([[f.start, f.end] for f in review.facts]))
