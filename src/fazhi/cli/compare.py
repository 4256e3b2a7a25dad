"""``fazhi compare``: the indicator table of stored reports, on screen, as CSV or XLSX."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from fazhi.cli.common import DbOption, QuietOption, die, err_console, open_engine, out_console, output_file


def compare_cmd(
    db_opt: DbOption = None,
    where: Annotated[list[str] | None, typer.Option(
        "--where", "-w", help="筛选条件 键=值，可重复：region=焦作市、year=2023、year=2021-2023、"
                              "level=county,township、issuer=中站区、code=4108、id=3,5。")] = None,
    indicators: Annotated[str | None, typer.Option(
        "--indicators", "-i", help="指标 id，逗号分隔（默认：有数据的全部指标）；未知的 id 报错。")] = None,
    core: Annotated[bool, typer.Option("--core", help="只含 18 项核心指标。")] = False,
    csv_path: Annotated[Path | None, typer.Option("--csv", help="把对比表写入这个 CSV 文件（UTF-8 带 BOM）。")] = None,
    long: Annotated[bool, typer.Option("--long", help="CSV 每行一个数值（含原文证据、同比变化、排名）。")
                    ] = False,
    xlsx_path: Annotated[Path | None, typer.Option(
        "--xlsx", help="写入排好版的 Excel 工作簿：指标数据、指标明细、审查意见、必备内容。")] = None,
    columns: Annotated[int, typer.Option("--columns", min=1, help="屏幕上显示的指标列数。")] = 8,
    quiet: QuietOption = False,
) -> None:
    """对比单位和年度：指标对比表，含同比变化、排名和百分位；可导出 CSV / Excel。"""
    from fazhi import db
    from fazhi.corpus import compare, export
    from fazhi.corpus.service import ReportFilter
    from fazhi.knowledge import KnowledgeError
    from fazhi.knowledge import versions as knowledge_store
    from fazhi.review.facts import catalogue

    try:
        flt = ReportFilter.parse(where or [])
    except ValueError as exc:
        raise die(str(exc), 2) from None
    for path, option in ((csv_path, "--csv"), (xlsx_path, "--xlsx")):
        if path is not None:
            output_file(path, option)
    ids = [i.strip() for i in indicators.split(",") if i.strip()] if indicators else None
    if indicators is not None and not ids:
        raise die("--indicators 没有给出指标 id", 2)
    engine = open_engine(db_opt, must_exist=True)
    try:
        db.ensure_schema(engine)
    except Exception as exc:
        raise die(f"{db.describe(engine.url)}：{exc}") from None
    with db.session_factory(engine)() as session:
        try:  # the database's indicator catalogue (names, units, core) if a version is active there
            kn = knowledge_store.active_knowledge(session)
        except KnowledgeError as exc:
            raise die(f"{db.describe(engine.url)} 中启用的规则与指标无法使用：{exc}") from None
        if ids:
            known = {ind.id for ind in catalogue(kn).indicators}
            unknown = [i for i in ids if i not in known]
            if unknown:
                near = sorted({m for i in unknown for m in difflib.get_close_matches(i, known, n=3)})
                raise die(f"未知的指标 id：{'、'.join(unknown)}（指标目录中共 {len(known)} 项"
                          + (f"；是否指 {'、'.join(near)}" if near else "")
                          + "；不加 --indicators 导出即可看到全部指标代码）", 2)
        table = compare.build(session, flt, indicators=ids, core_only=core, knowledge=kn)
        if not table.rows:
            err_console.print("没有符合条件的已入库报告（先用 `fazhi ingest 文件或文件夹` 入库）", highlight=False)
            raise typer.Exit(1)
        label = export.filter_label({k: v for k, v in (s.split("=", 1) for s in where or [] if "=" in s)}
                                    | ({"indicators": indicators} if indicators else {})
                                    | ({"core": "是"} if core else {}))
        if csv_path is not None:
            with _progress(quiet, "CSV", len(table.rows)) as tick:
                n = export.write_csv(table, csv_path, long=long, progress=tick)
            if not quiet:
                err_console.print(f"{n} 行 → {csv_path}", highlight=False)
        if xlsx_path is not None:
            findings = compare.findings_rows(session, flt)
            parts = compare.parts_rows(session, flt)
            with _progress(quiet, "Excel", export.row_count(table)) as tick:
                export.write_xlsx(table, xlsx_path, findings=findings, parts=parts, filter_text=label, progress=tick)
            if not quiet:
                err_console.print(f"{len(table.rows)} 份报告 × {len(table.columns)} 项指标 → {xlsx_path}",
                                  highlight=False)
    if csv_path is None and xlsx_path is None:
        _show(table, columns)


class _progress:
    """A Rich progress bar on stderr while a file is written (none with ``-q`` or when stderr is not a
    terminal); ``with`` gives the ``progress(n)`` callback the exports call."""

    def __init__(self, quiet: bool, what: str, total: int) -> None:
        self.bar = Progress(TextColumn(f"[bold]导出 {what}[/bold]"), BarColumn(), MofNCompleteColumn(),
                            TimeElapsedColumn(), console=err_console, transient=True,
                            disable=quiet or not err_console.is_terminal)
        self.total = total

    def __enter__(self) -> Any:
        self.bar.start()
        task = self.bar.add_task("export", total=self.total)
        step = max(1, self.total // 200)  # redraw at most ~200 times
        pending = [0]

        def tick(n: int) -> None:
            pending[0] += n
            if pending[0] >= step:
                self.bar.advance(task, pending[0])
                pending[0] = 0

        return tick

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


def _show(table: Any, columns: int) -> None:
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
