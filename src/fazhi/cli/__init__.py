"""The ``fazhi`` command line: a thin shell over :mod:`fazhi.review.pipeline`."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fazhi import __version__
from fazhi.review import read as _read
from fazhi.review import render
from fazhi.review.pipeline import review_path
from fazhi.review.read import DEFAULT_MAX_BYTES, ReadError

SUPPORTED = getattr(_read, "SUPPORTED", (".txt", ".docx", ".pdf", ".html", ".htm", ".md"))

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="fazhi (法治)：审查法治政府建设年度报告 — 必备内容、提纲、报告主体、统计数字、审查意见与评分。\n\n"
         "Review annual reports on rule-of-law government construction.",
)
out_console = Console()
err_console = Console(stderr=True)


class Fmt(StrEnum):
    terminal = "terminal"
    json = "json"
    md = "md"
    html = "html"


EXT = {Fmt.json: "json", Fmt.md: "md", Fmt.html: "html", Fmt.terminal: "txt"}


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; folders are searched (recursively) for supported reports."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in SUPPORTED))
        else:
            files.append(p)
    return files


def _version(value: bool) -> None:
    if value:
        out_console.print(f"fazhi {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Show the version and exit.")] = False) -> None:
    """fazhi (法治)."""


@app.command()
def review(
    paths: Annotated[list[Path], typer.Argument(help="Report files (.txt .docx .pdf .html .md) or folders.")],
    fmt: Annotated[Fmt, typer.Option("--format", "-f",
                                     help="terminal (readable view), json (fazhi.review/1), md or html.")
                   ] = Fmt.terminal,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="Write one file per report into this folder (default format json).")] = None,
    with_text: Annotated[bool, typer.Option("--with-text",
                                            help="Include the normalised text in JSON output.")] = False,
    max_size: Annotated[float, typer.Option("--max-size", help="Refuse files larger than this many MB.")
                        ] = DEFAULT_MAX_BYTES / 1024 / 1024,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """Review reports: required parts, outline, issuer, figures, findings and score.

    Unreadable files are reported (file and reason) and the batch goes on; the
    exit status is 1 if any file failed.
    """
    files = expand(paths)
    if not files:
        err_console.print("[red]fazhi: no report files found[/red]")
        raise typer.Exit(2)
    if out is not None and fmt == Fmt.terminal:
        fmt = Fmt.json
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    max_bytes = int(max_size * 1024 * 1024)
    failed = 0
    written: set[str] = set()
    show_progress = not quiet and len(files) > 1 and (out is not None or fmt != Fmt.terminal)
    progress = Progress(TextColumn("[bold]审查[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("{task.fields[name]}"), console=err_console, transient=True,
                        disable=not show_progress)
    with progress:
        task = progress.add_task("review", total=len(files), name="")
        for path in files:
            progress.update(task, name=path.name)
            try:
                rv = review_path(path, max_bytes=max_bytes)
            except ReadError as exc:
                failed += 1
                progress.console.print(f"[red]✗[/red] {exc.path}: {exc.reason}", highlight=False)
                progress.advance(task)
                continue
            except Exception as exc:  # a bug must not stop the batch
                failed += 1
                progress.console.print(f"[red]✗[/red] {path}: internal error: {type(exc).__name__}: {exc}",
                                       highlight=False)
                progress.advance(task)
                continue
            if out is not None:
                stem = path.stem if path.stem not in written else f"{path.stem}.{path.suffix.lstrip('.')}"
                written.add(stem)
                target = out / f"{stem}.{EXT[fmt]}"
                target.write_text(_render(rv, fmt, with_text), encoding="utf-8")
            elif fmt == Fmt.terminal:
                render.terminal(rv, out_console)
            elif fmt == Fmt.json and len(files) > 1:
                sys.stdout.write(json.dumps(rv.to_json(with_text), ensure_ascii=False) + "\n")
            else:
                sys.stdout.write(_render(rv, fmt, with_text))
                sys.stdout.write("\n")
            progress.advance(task)
    if not quiet and (out is not None or failed):
        ok = len(files) - failed
        where = f" → {out}" if out is not None else ""
        err_console.print(f"{ok} reviewed, {failed} failed{where}", highlight=False)
    if failed:
        raise typer.Exit(1)


def _render(rv, fmt: Fmt, with_text: bool) -> str:
    if fmt == Fmt.json:
        return json.dumps(rv.to_json(with_text), ensure_ascii=False, indent=1)
    if fmt == Fmt.md:
        return render.markdown(rv)
    if fmt == Fmt.html:
        return render.html(rv)
    console = Console(record=True, width=120, file=open("/dev/null", "w"))
    render.terminal(rv, console)
    return console.export_text()


@app.command()
def bench(
    n: Annotated[int, typer.Option("--n", help="Number of synthetic reports to generate.")] = 2000,
    seed: Annotated[int, typer.Option(help="Random seed of the generated corpus.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw result as JSON.")] = False,
    corpus: Annotated[str | None, typer.Option(
        "--corpus", help="Benchmark corpus similarity instead, on generated corpora of these sizes "
                         "(comma-separated, e.g. 1000,10000,100000): LSH vs exact, recall, memory.",
        show_default=False)] = None,
    http: Annotated[bool, typer.Option(
        "--http", help="Benchmark the web app instead: loopback only, bounded requests; req/s and p50/p95/p99.")
                    ] = False,
    db_url: Annotated[str | None, typer.Option(
        "--db", help="With --http: a PostgreSQL URL to benchmark against (default: a temporary SQLite file).",
        show_default=False)] = None,
    requests: Annotated[int, typer.Option("--requests", help="With --http: requests to send (at most).")] = 2000,
    concurrency: Annotated[int, typer.Option("--concurrency", help="With --http: connections at once.")] = 16,
    rate: Annotated[float | None, typer.Option(
        "--rate", help="With --http: an open loop at this many requests/s (default: as fast as the server "
                       "answers).", show_default=False)] = None,
) -> None:
    """Benchmark the pipeline on a generated corpus (reports/s, MB/s, memory, ratio to the floor)."""
    if corpus is not None:
        _bench_corpus(corpus, seed, as_json)
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
        tasks: dict[str, int] = {}

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
        err_console.print(f"[red]fazhi: --corpus takes sizes like 1000,10000 (got {sizes!r})[/red]")
        raise typer.Exit(2) from None
    result = run_similarity_bench(ns, seed=seed)
    if as_json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
    else:
        out_console.print(format_similarity(result), highlight=False)


def _register_corpus_commands() -> None:
    from fazhi.cli import accounts as cli_web
    from fazhi.cli import compare as cli_compare
    from fazhi.cli import corpus as cli_corpus
    from fazhi.cli import knowledge as cli_knowledge
    from fazhi.cli import similar as cli_similar

    cli_knowledge.register(app)
    cli_corpus.register(app)
    cli_compare.register(app)
    cli_similar.register(app)
    cli_web.register(app)


_register_corpus_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
