"""What every ``fazhi`` command shares: the consoles, the ``--db`` option, how a command dies with a message."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console

err_console = Console(stderr=True, soft_wrap=True)  # one-line messages stay one line
out_console = Console(soft_wrap=True)

DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL (sqlite:///…, postgresql://…) or SQLite file path. "
                 "Default: $FAZHI_DATABASE_URL, else fazhi.sqlite in the user data folder.",
    show_default=False)]


def die(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]fazhi: {message}[/red]", highlight=False)
    return typer.Exit(code)


def open_engine(db_opt: str | None) -> Any:
    """The engine of ``--db`` (dies with a message when it cannot be used); warns when other users of the
    machine can read the database file (:func:`fazhi.db.exposed_files`)."""
    from fazhi import db
    from fazhi.private import exposed_message

    try:
        engine = db.make_engine(db.resolve_url(db_opt))
    except db.StoreError as exc:
        raise die(str(exc)) from None
    except Exception as exc:  # a malformed URL, an unknown driver
        raise die(f"cannot use the database {db_opt!r}: {exc}") from None
    files = db.exposed_files(engine.url)
    if files:
        err_console.print(f"[yellow]fazhi: warning: {exposed_message(files)}[/yellow]", highlight=False)
    return engine


def no_reports(paths: list[Any]) -> typer.Exit:
    """Say that no report file was found in ``paths`` — naming the files of formats fazhi cannot read
    (.doc, .wps …) and how to convert them — and return the exit to raise (status 2)."""
    from pathlib import Path

    from fazhi.review.read import CONVERT_HINT, unreadable_files

    found = [q for p in map(Path, paths) if p.is_dir() for q in unreadable_files(p)]
    found += [Path(p) for p in paths if Path(p).is_file() and Path(p).suffix.lower() in CONVERT_HINT]
    if not found:
        return die("没有找到报告文件（支持 .txt .docx .pdf .html .md）", 2)
    for q in found[:20]:
        err_console.print(f"  {q}：{CONVERT_HINT[q.suffix.lower()]}", highlight=False)
    more = f"等 {len(found)} 个" if len(found) > 20 else f"{len(found)} 个"
    return die(f"没有可审查的报告文件：找到 {more}无法直接读取的文件（见上），请先转换为 .docx 后再试", 2)


__all__ = ["DbOption", "die", "err_console", "no_reports", "open_engine", "out_console"]
