"""``fazhi compare``: the indicator table of stored reports, on screen, as CSV or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table as RichTable

from fazhi.cli.common import DbOption, die, err_console, open_engine, out_console


def compare_cmd(
    db_opt: DbOption = None,
    where: Annotated[list[str] | None, typer.Option(
        "--where", "-w", help="Filter key=value, repeatable: region=焦作市, year=2023, year=2021-2023, "
                              "level=county,township, issuer=中站区, code=4108, id=3,5.")] = None,
    indicators: Annotated[str | None, typer.Option(
        "--indicators", "-i", help="Comma-separated indicator ids (default: every indicator with data).")] = None,
    core: Annotated[bool, typer.Option("--core", help="Only the 18 core indicators.")] = False,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="Write the table to this CSV file.")] = None,
    long: Annotated[bool, typer.Option("--long", help="CSV with one line per value (evidence, delta, rank).")
                    ] = False,
    xlsx_path: Annotated[Path | None, typer.Option(
        "--xlsx", help="Write a formatted workbook: figures, details, findings, parts checklist.")] = None,
    columns: Annotated[int, typer.Option("--columns", help="Indicator columns shown on screen.")] = 8,
) -> None:
    """Compare units and years: indicator table with year-over-year change, rank and percentile."""
    from fazhi import db
    from fazhi.corpus import compare, export
    from fazhi.corpus.service import ReportFilter
    from fazhi.knowledge import KnowledgeError
    from fazhi.knowledge import versions as knowledge_store

    try:
        flt = ReportFilter.parse(where or [])
    except ValueError as exc:
        raise die(str(exc), 2) from None
    engine = open_engine(db_opt)
    try:
        db.ensure_schema(engine)
    except Exception as exc:
        raise die(f"{db.describe(engine.url)}: {exc}") from None
    ids = [i.strip() for i in indicators.split(",")] if indicators else None
    with db.session_factory(engine)() as session:
        try:  # the database's indicator catalogue (names, units, core) if a version is active there
            kn = knowledge_store.active_knowledge(session)
        except KnowledgeError as exc:
            raise die(f"the active knowledge of {db.describe(engine.url)} cannot be used: {exc}") from None
        table = compare.build(session, flt, indicators=ids, core_only=core, knowledge=kn)
        if not table.rows:
            err_console.print("no stored report matches (ingest reports with `fazhi ingest PATH`)")
            raise typer.Exit(1)
        if csv_path is not None:
            n = export.write_csv(table, csv_path, long=long)
            err_console.print(f"{n} lines → {csv_path}", highlight=False)
        if xlsx_path is not None:
            export.write_xlsx(table, xlsx_path, findings=compare.findings_rows(session, flt),
                              parts=compare.parts_rows(session, flt))
            err_console.print(f"{len(table.rows)} reports × {len(table.columns)} indicators → {xlsx_path}",
                              highlight=False)
    if csv_path is None and xlsx_path is None:
        _show(table, columns)


def _show(table, columns: int) -> None:
    filled = {c.id: sum(1 for r in table.rows if c.id in r.cells) for c in table.columns}
    cols = sorted(table.columns, key=lambda c: (not c.core, -filled[c.id]))[:columns]
    cols.sort(key=lambda c: table.columns.index(c))
    rt = RichTable(title=f"指标对比：{len(table.rows)} 份报告，{len(table.columns)} 项指标（显示 {len(cols)} 项）")
    rt.add_column("单位")
    rt.add_column("年度", justify="right")
    rt.add_column("排名范围")
    for c in cols:
        rt.add_column(f"{c.name}" + (f"（{c.unit}）" if c.unit else ""), justify="right", overflow="fold")
    for r in table.rows:
        vals = []
        for c in cols:
            cell = r.cells.get(c.id)
            if cell is None:
                vals.append("")
                continue
            v = f"{'约' if cell.approx else ''}{cell.value:,.10g}"
            if cell.delta is not None:
                v += f" [dim]{'↑' if cell.delta > 0 else '↓' if cell.delta < 0 else '='}[/dim]"
            if cell.rank is not None and cell.of and cell.of > 1:
                v += f" [dim]#{cell.rank}/{cell.of}[/dim]"
            vals.append(v)
        rt.add_row(r.issuer, str(r.year or ""), r.rank_group, *vals)
    out_console.print(rt)
    out_console.print("[dim]约 = 原文为约数（余、近、以上…）；↑↓ = 较该单位上一年度；#n/m = 在同年度、同一排名范围（县级、乡镇（街道）、县级部门…）"
                      "的 m 个单位中排第 n（出庭应诉率等越高越好、败诉率越低越好的指标 #1 为最优，其余从大到小；名与人、宗与件等视为同一计量）。"
                      "--csv / --xlsx 导出全部指标及原文证据。[/dim]")


def register(app: typer.Typer) -> None:
    app.command("compare")(compare_cmd)
