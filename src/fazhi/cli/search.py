"""``fazhi search``: find stored reports that contain phrases (全文搜索), with the phrases highlighted in
snippets, as a table on the terminal or as the API's JSON (``--format json``)."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.table import Table as RichTable
from rich.text import Text

from fazhi.cli.common import DbOption, die, err_console, open_engine, out_console

FORMATS = ("table", "json")


def search_cmd(
    query: Annotated[str, typer.Argument(
        help="要查找的词语：空格分隔的几个词语须同时出现；英文双引号把含空格的内容作为一个词语。", show_default=False)],
    db_opt: DbOption = None,
    where: Annotated[list[str] | None, typer.Option(
        "--where", "-w", help="筛选 key=value，可重复：region=焦作市、year=2021-2023、level=county、issuer=中站区、"
                              "rule=part.missing、score=60-80、shortcomings=missing,embedded 等。")] = None,
    sort: Annotated[str | None, typer.Option(
        "--sort", help="排序：title、issuer、year、date、score、created，前加 - 为降序（如 -score）。")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=1000, help="最多列出几份报告。")] = 20,
    fmt: Annotated[str, typer.Option("--format", "-f", help="输出：table（终端表格）或 json（与 /api/search 相同）。")
                   ] = "table",
) -> None:
    """在已入库报告的全文中查找词语，列出包含它们的报告和摘要。找不到时退出码为 1。"""
    from sqlalchemy import exc as sa_exc

    from fazhi import db
    from fazhi.corpus import reports, search
    from fazhi.corpus.ingest import db_error_message
    from fazhi.corpus.service import ReportFilter

    if fmt not in FORMATS:
        raise die(f"--format 应为 {' 或 '.join(FORMATS)}", 2)
    if sort is not None and sort.removeprefix("-") not in reports.SORTS:
        raise die(f"--sort 应为 {'、'.join(reports.SORTS)} 之一（前加 - 为降序）", 2)
    try:
        flt = ReportFilter.parse(where or [])
    except ValueError as exc:
        raise die(f"筛选条件有误：{exc}", 2) from None
    url = db.resolve_url(db_opt)
    path = db.sqlite_path(url)
    if path is not None and not path.exists():
        raise die(f"数据库 {path} 不存在：先用 fazhi ingest 入库报告", 2)
    engine = open_engine(db_opt)
    try:
        db.ensure_schema(engine)
        with db.session_factory(engine, read=True)() as session:
            result = search.search(session, query, flt, None, sort=sort, limit=limit)
    except search.QueryError as exc:
        raise die(str(exc), 2) from None
    except sa_exc.DBAPIError as exc:
        raise die(db_error_message(exc, engine)) from None
    finally:
        engine.dispose()
    if result.index.note:
        err_console.print(f"[yellow]{result.index.note}[/yellow]", highlight=False)
    if fmt == "json":
        sys.stdout.write(json.dumps(result.to_json(), ensure_ascii=False, indent=1) + "\n")
    else:
        _show(result)
    if not result.total:
        raise typer.Exit(1)


def _snippet(hit: Any) -> Text:
    out = Text()
    for i, sn in enumerate(hit.snippets):
        if i:
            out.append("\n")
        out.append("…" if sn.cut_before else "")
        for piece, found in sn.segments():
            out.append(piece, style="bold black on yellow" if found else None)
        out.append("…" if sn.cut_after else "")
    return out


def _show(result: Any) -> None:
    if not result.total:
        err_console.print(f"没有找到包含“{'”“'.join(result.phrases)}”的报告", highlight=False)
        return
    table = RichTable(title=f"找到 {result.total} 份包含“{'”“'.join(result.phrases)}”的报告"
                            + (f"（列出前 {len(result.hits)} 份）" if len(result.hits) < result.total else ""))
    for name, kw in (("id", {"justify": "right"}), ("年度", {"justify": "right"}), ("报告主体", {}), ("标题", {}),
                     ("次数", {"justify": "right"}), ("摘要", {"ratio": 3})):
        table.add_column(name, overflow="fold", **kw)
    for hit in result.hits:
        r = hit.report
        issuer = (r.get("issuer") or {}).get("name") or r.get("issuer_name") or "（未识别）"
        table.add_row(str(r["id"]), str(r.get("year") or ""), Text(issuer), Text(r.get("title") or "（无标题）"),
                      str(hit.count), _snippet(hit))
    out_console.print(table)


def register(app: typer.Typer) -> None:
    app.command("search")(search_cmd)


__all__ = ["register", "search_cmd"]
