"""``fazhi review``: review report files and folders, to the terminal or as JSON, Markdown or HTML files, or
answer each with a 审查意见书 (``--format docx --out DIR``: ``DIR/<stem>.审查意见书.docx``)."""

from __future__ import annotations

import functools
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fazhi.cli.common import err_console, no_reports, out_console, output_folder
from fazhi.documents.opinion import opinion_docx, opinion_filename
from fazhi.review import batch, render
from fazhi.review import read as _read
from fazhi.review.pipeline import Reviewer
from fazhi.review.read import DEFAULT_MAX_BYTES
from fazhi.review.screen import not_a_report


class Fmt(StrEnum):
    terminal = "terminal"
    json = "json"
    md = "md"
    html = "html"
    docx = "docx"


EXT = {Fmt.json: "json", Fmt.md: "md", Fmt.html: "html", Fmt.terminal: "txt", Fmt.docx: "docx"}


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; folders are searched (recursively) for supported reports."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(_read.report_files(p))
        else:
            files.append(p)
    return files


def review(
    paths: Annotated[list[Path], typer.Argument(help="报告文件（.txt .docx .pdf .html .md）或文件夹。")],
    fmt: Annotated[Fmt, typer.Option("--format", "-f",
                                     help="terminal（终端阅读）、json（fazhi.review/1）、md、html，或 docx "
                                          "（审查意见书：文件夹/<文件名>.审查意见书.docx，须加 --out）。")
                   ] = Fmt.terminal,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="每份报告写一个文件到这个文件夹（默认格式 json）。")] = None,
    with_text: Annotated[bool, typer.Option("--with-text",
                                            help="JSON 中包含规范化后的全文。")] = False,
    max_size: Annotated[float, typer.Option("--max-size", help="拒绝大于这么多 MB 的文件。")
                        ] = DEFAULT_MAX_BYTES / 1024 / 1024,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条和汇总。")] = False,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-j", min=0, help="多个文件时的审查进程数（默认：CPU 核数；"
                                       "0：在本进程内审查）。", show_default=False)] = None,
) -> None:
    """审查报告：必备内容、提纲、报告主体、统计数字、审查意见和评分。

    无法读取的文件逐个列出（文件和原因），其余照常审查；有文件失败时退出状态为 1。
    文件多时用全部 CPU 核审查（--workers），输出文件和消息保持文件的顺序。
    不像年度报告的文本照常审查，但给出提示（入库时会被拒绝）。
    """
    if out is not None:
        output_folder(out, "--out")
    files = expand(paths)
    if not files:
        raise no_reports(paths)
    if out is not None and fmt == Fmt.terminal:
        fmt = Fmt.json
    if fmt == Fmt.docx and out is None:
        err_console.print("[red]fazhi: --format docx 生成审查意见书（Word 文件），须用 --out 指定写入的文件夹[/red]",
                          highlight=False)
        raise typer.Exit(2)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    work = functools.partial(_review_one, fmt=fmt, with_text=with_text, max_bytes=int(max_size * 1024 * 1024),
                             lines=len(files) > 1)
    # the terminal view is drawn here; the other formats are rendered by the workers
    n_workers = 0 if fmt == Fmt.terminal else batch.default_workers() if workers is None else workers
    _reviewer().warm_up()  # before the workers fork: they start with the knowledge loaded
    outcomes = batch.run(work, _targets(files, out, fmt), n_workers)  # workers start before the progress bar
    failed = 0
    show_progress = not quiet and len(files) > 1 and (out is not None or fmt != Fmt.terminal)
    progress = Progress(TextColumn("[bold]审查[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TextColumn("{task.fields[name]}"), console=err_console, transient=True,
                        disable=not show_progress)
    with progress:
        task = progress.add_task("review", total=len(files), name="")
        for done in outcomes:
            path = done.item[0]
            progress.update(task, name=path.name)
            if done.read_error is not None:
                failed += 1
                progress.console.print(f"[red]✗[/red] {done.read_error.path}：{done.read_error.message_zh()}",
                                       highlight=False)
            elif done.internal is not None:
                failed += 1
                progress.console.print(f"[red]✗[/red] {path}：内部错误：{done.internal}", highlight=False)
            else:
                value, warning = done.value
                if warning:
                    progress.console.print(f"[yellow]⚠ {path}：{warning}（仍照常审查，但入库时会被拒绝）[/yellow]",
                                           highlight=False)
                if fmt == Fmt.terminal:
                    render.terminal(value, out_console)
                elif value is not None:
                    sys.stdout.write(value + "\n")
            progress.advance(task)
    if not quiet and (out is not None or failed):
        ok = len(files) - failed
        where = f" → {out}" if out is not None else ""
        err_console.print(f"审查 {ok} 份，失败 {failed} 份{where}", highlight=False)
    if failed:
        raise typer.Exit(1)


@functools.cache
def _reviewer() -> Reviewer:
    """This process's reviewer (the files' knowledge), made once: a worker inherits or makes its own."""
    return Reviewer()


def _targets(files: list[Path], out: Path | None, fmt: Fmt) -> list[tuple[Path, Path | None]]:
    """Each report with its output file in ``out``: ``<stem>.<ext>``, or ``<stem>.<suffix>.<ext>`` for a
    second file of the same stem (``None`` without ``out``)."""
    if out is None:
        return [(path, None) for path in files]
    written: set[str] = set()
    jobs: list[tuple[Path, Path | None]] = []
    for path in files:
        stem = path.stem if path.stem not in written else f"{path.stem}.{path.suffix.lstrip('.')}"
        written.add(stem)
        jobs.append((path, out / (opinion_filename(stem) if fmt == Fmt.docx else f"{stem}.{EXT[fmt]}")))
    return jobs


def _review_one(job: tuple[Path, Path | None], *, fmt: Fmt, with_text: bool, max_bytes: int, lines: bool) -> Any:
    """Review one file (in a worker or here) and say whether it looks like an annual report at all:
    (what :func:`_output` gives, the warning or ``None``)."""
    path, target = job
    rv = _reviewer().review_path(path, max_bytes=max_bytes)
    looks = {"title": rv.title, "parts": {k: {"status": p.status} for k, p in rv.parts.items()}}
    return _output(rv, target, fmt=fmt, with_text=with_text, lines=lines), not_a_report(looks, rv.text)


def _output(rv: Any, target: Path | None, *, fmt: Fmt, with_text: bool, lines: bool) -> Any:
    """Write the review to its target and return nothing, or return the text to print (one JSON line per
    report when there are several), or, for the terminal, the review."""
    if target is not None and fmt == Fmt.docx:
        target.write_bytes(opinion_docx(rv.to_json()))
        return None
    if target is not None:
        target.write_text(_render(rv, fmt, with_text), encoding="utf-8")
        return None
    if fmt == Fmt.terminal:
        return rv
    if fmt == Fmt.json and lines:
        return json.dumps(rv.to_json(with_text), ensure_ascii=False)
    return _render(rv, fmt, with_text)


def _render(rv, fmt: Fmt, with_text: bool) -> str:
    if fmt == Fmt.json:
        return render.json_text(rv.to_json(with_text))
    if fmt == Fmt.md:
        return render.markdown(rv)
    if fmt == Fmt.html:
        return render.html(rv)
    console = Console(record=True, width=120, file=open("/dev/null", "w"))
    render.terminal(rv, console)
    return console.export_text()




def register(app: typer.Typer) -> None:
    """Add ``review`` to the ``fazhi`` app."""
    app.command("review")(review)
