"""``fazhi bench``: benchmarks of the pipeline, the corpus similarity and the web server."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from fazhi.cli.common import err_console, out_console


def bench(
    n: Annotated[int, typer.Option("--n", help="生成的模拟报告份数。")] = 2000,
    seed: Annotated[int, typer.Option(help="生成报告的随机种子。")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出原始结果。")] = False,
    corpus: Annotated[str | None, typer.Option(
        "--corpus", help="改测报告相似度：在这些规模的生成报告上（逗号分隔，"
                         "如 1000,10000,100000）比较 LSH 与精确算法、召回率、内存。",
        show_default=False)] = None,
    http: Annotated[bool, typer.Option(
        "--http", help="改测网页服务：仅本机回环、请求数有上限；每秒请求数和 p50/p95/p99。")
                    ] = False,
    supervision: Annotated[bool, typer.Option(
        "--supervision", help="改测督导：导入 3000 行分工表，以及 500 个单位 × 100 项任务的"
                              "逾期视图。")] = False,
    db_url: Annotated[str | None, typer.Option(
        "--db", help="与 --http 或 --supervision 同用：在这个 PostgreSQL 上测（默认：临时的 "
                     "SQLite 文件）。", show_default=False)] = None,
    requests: Annotated[int, typer.Option("--requests", help="与 --http 同用：最多发送的请求数。")] = 2000,
    concurrency: Annotated[int, typer.Option("--concurrency", help="与 --http 同用：同时的连接数。")] = 16,
    rate: Annotated[float | None, typer.Option(
        "--rate", help="与 --http 同用：按每秒这么多请求发送（默认：服务器"
                       "一答复就发下一个）。", show_default=False)] = None,
    assessment: Annotated[bool, typer.Option(
        "--assessment", help="年终考核基准：开展考核、计算建议分、确认评分、结果与排名、导出，"
                             "单位数 × 考评项目数见 --units / --items（--db：在该数据库上测）。")] = False,
    units: Annotated[int, typer.Option("--units", help="与 --assessment 同用：被考核单位数。")] = 500,
    items: Annotated[int, typer.Option("--items", help="与 --assessment 同用：考核细则的考评项目数。")] = 100,
    export_n: Annotated[int | None, typer.Option(
        "--export", min=1, help="对比表导出基准：生成并入库这么多份报告（如 10000），然后计时建立对比表、"
                                "导出 Excel 和 CSV。", show_default=False)] = None,
) -> None:
    """基准测试：默认测审查流水线（份/秒、MB/秒、内存）；--corpus、--http、--supervision、--assessment、
    --export 分别测相似度、网页服务、督导、考核和对比表导出。"""
    if export_n is not None:
        from fazhi.bench.export import format_export, run_export_bench

        result = run_export_bench(export_n, seed=seed,
                                  progress=lambda msg: err_console.print(f"[dim]{msg}[/dim]", highlight=False))
        if as_json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        else:
            out_console.print(format_export(result), highlight=False)
        return
    if assessment:
        _bench_assessment(units, items, seed, db_url, as_json)
        return
    if corpus is not None:
        _bench_corpus(corpus, seed, as_json)
        return
    if supervision:
        from fazhi.bench.supervision import format_supervision, run_supervision_bench

        result = run_supervision_bench(db_url)
        if as_json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
        else:
            out_console.print(format_supervision(result), highlight=False, markup=False)
        return
    if http:
        from fazhi.bench.http import format_http_report, run_http_bench

        try:
            result = run_http_bench(db_url, requests=requests, concurrency=concurrency, rate=rate,
                                    progress=lambda msg: err_console.print(f"[dim]{msg}[/dim]", highlight=False))
        except (ValueError, RuntimeError) as exc:
            err_console.print(f"[red]fazhi bench --http: {exc}[/red]", highlight=False)
            raise typer.Exit(1) from None
        if as_json:
            sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
        else:
            out_console.print(format_http_report(result), highlight=False)
        return
    from fazhi.bench import format_report, run_bench

    with Progress(TextColumn("[bold]{task.description}[/bold]"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=err_console, transient=True) as progress:
        tasks: dict[str, TaskID] = {}

        def cb(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        result = run_bench(n=n, seed=seed, progress=cb)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    else:
        out_console.print(format_report(result))


def _bench_corpus(sizes: str, seed: int, as_json: bool) -> None:
    from fazhi.bench.corpus import format_similarity, run_similarity_bench

    try:
        ns = tuple(int(x) for x in sizes.split(",") if x.strip())
    except ValueError:
        err_console.print(f"[red]fazhi：--corpus 的取值应为 1000,10000 这样的报告数（收到 {sizes!r}）[/red]")
        raise typer.Exit(2) from None
    result = run_similarity_bench(ns, seed=seed)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
    else:
        out_console.print(format_similarity(result), highlight=False)


def _bench_assessment(units: int, items: int, seed: int, url: str | None, as_json: bool) -> None:
    from fazhi.bench.assessment import format_assessment, run_assessment_bench

    if units < 1 or items < 1:
        err_console.print("[red]fazhi bench --assessment: --units 与 --items 须为正整数[/red]")
        raise typer.Exit(2)
    result = run_assessment_bench(units=units, items=items, seed=seed, url=url,
                                  progress=lambda msg: err_console.print(f"[dim]{msg}[/dim]", highlight=False))
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    else:
        out_console.print(format_assessment(result), highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``bench`` to the ``fazhi`` app."""
    app.command("bench")(bench)
