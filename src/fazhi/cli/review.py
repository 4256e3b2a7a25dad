"""``fazhi review``: review report files and folders, to the terminal or as JSON, Markdown or HTML files, or
answer each with a 审查意见书 (``--format docx --out DIR``: ``DIR/<stem>.审查意见书.docx``)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fazhi.cli.common import err_console, no_reports, out_console
from fazhi.documents.opinion import opinion_docx, opinion_filename
from fazhi.review import read as _read
from fazhi.review import render
from fazhi.review.pipeline import review_path
from fazhi.review.read import DEFAULT_MAX_BYTES, ReadError


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
    paths: Annotated[list[Path], typer.Argument(help="Report files (.txt .docx .pdf .html .md) or folders.")],
    fmt: Annotated[Fmt, typer.Option("--format", "-f",
                                     help="terminal (readable view), json (fazhi.review/1), md, html, or docx "
                                          "(审查意见书: DIR/<stem>.审查意见书.docx, needs --out).")
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
        raise no_reports(paths)
    if out is not None and fmt == Fmt.terminal:
        fmt = Fmt.json
    if fmt == Fmt.docx and out is None:
        err_console.print("[red]fazhi: --format docx 生成审查意见书（Word 文件），须用 --out 指定写入的文件夹[/red]",
                          highlight=False)
        raise typer.Exit(2)
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
                if fmt == Fmt.docx:
                    (out / opinion_filename(stem)).write_bytes(opinion_docx(rv.to_json()))
                else:
                    (out / f"{stem}.{EXT[fmt]}").write_text(_render(rv, fmt, with_text), encoding="utf-8")
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




def register(app: typer.Typer) -> None:
    """Add ``review`` to the ``fazhi`` app."""
    app.command("review")(review)
