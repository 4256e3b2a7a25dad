"""What every ``fazhi`` command shares: the consoles, the ``--db`` option, how a command dies with a message."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.console import Console

err_console = Console(stderr=True, soft_wrap=True)  # one-line messages stay one line
out_console = Console(soft_wrap=True)

DbOption = Annotated[str | None, typer.Option(
    "--db", help="数据库：URL（sqlite:///…、postgresql://…）或 SQLite 文件路径。"
                 "默认：环境变量 FAZHI_DATABASE_URL，否则为用户数据文件夹中的 fazhi.sqlite。",
    show_default=False)]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条和汇总。")]


def die(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]fazhi: {message}[/red]", highlight=False)
    return typer.Exit(code)


def read_input(path: Any) -> bytes:
    """The bytes of an input file the user named; a file that cannot be read ends the command (exit 1)."""
    try:
        return bytes(path.read_bytes())
    except OSError as exc:
        raise die(f"{path}：无法读取（{exc.strerror or exc}）") from None


def iso_date(text: str | None, what: str = "日期", example: str = "2025-07-01") -> dt.date | None:
    """The date a user typed as YYYY-MM-DD (None when none was given); anything else ends the command
    (exit 2, a usage error) saying how to write it."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise die(f"{what}“{text}”应写成 YYYY-MM-DD（如 {example}）", 2) from None


def open_engine(db_opt: str | None, *, must_exist: bool = False) -> Any:
    """The engine of ``--db`` (dies with a message when it cannot be used); warns when other users of the
    machine can read the database file (:func:`fazhi.db.exposed_files`).

    ``must_exist``: a command that only reads (compare, search …) refuses a SQLite file that is not there
    instead of creating an empty database."""
    from fazhi import db
    from fazhi.private import exposed_message

    try:
        url = db.resolve_url(db_opt)
        path = db.sqlite_path(url)
    except Exception as exc:  # a malformed URL
        raise die(f"无法使用数据库 {db_opt!r}：{exc}") from None
    if must_exist and path is not None and not path.exists():
        raise die(f"数据库文件不存在：{path}（请检查 --db；先用 `fazhi ingest 文件或文件夹` 入库，"
                  f"或用 `fazhi db upgrade` 新建数据库）")
    if must_exist and path is not None and path.is_dir():
        raise die(f"--db 指向的是文件夹而不是数据库文件：{path}")
    try:
        engine = db.make_engine(url)
    except db.StoreError as exc:
        raise die(str(exc)) from None
    except Exception as exc:  # a malformed URL, an unknown driver
        raise die(f"无法使用数据库 {db_opt!r}：{exc}") from None
    files = db.exposed_files(engine.url)
    if files:
        err_console.print(f"[yellow]fazhi：警告：{exposed_message(files)}[/yellow]", highlight=False)
    return engine


def output_file(path: Any, option: str) -> None:
    """Die (status 2) unless a file can be written at ``path`` (the value of ``option``): its folder must
    exist and it must not be a folder.  Said before any work is done."""
    import os
    from pathlib import Path

    p = Path(path)
    if p.is_dir():
        raise die(f"{option} 须是文件名，{p} 是一个文件夹", 2)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        raise die(f"{option} 无法写入 {p}：文件夹 {parent} 不存在（请先建立它，或换一个路径）", 2)
    if not parent.is_dir():
        raise die(f"{option} 无法写入 {p}：{parent} 不是文件夹", 2)
    if not os.access(parent, os.W_OK) or (p.exists() and not os.access(p, os.W_OK)):
        raise die(f"{option} 无法写入 {p}：没有写入权限", 2)


def output_folder(path: Any, option: str) -> None:
    """Die (status 2) unless ``path`` (the value of ``option``) is a folder or can be made one."""
    from pathlib import Path

    p = Path(path)
    if p.exists() and not p.is_dir():
        raise die(f"{option} 须是文件夹，{p} 是一个已有的文件（请换一个文件夹名）", 2)
    for up in p.parents:
        if up.exists():
            if not up.is_dir():
                raise die(f"{option} 无法建立文件夹 {p}：{up} 是文件，不是文件夹", 2)
            break


_ERRNO_ZH = {"ENOENT": "文件或文件夹不存在", "EACCES": "没有权限", "EPERM": "不允许的操作", "EISDIR": "这是文件夹，不是文件",
             "ENOTDIR": "路径中有一段不是文件夹", "ENOSPC": "磁盘空间不足", "EROFS": "只读的文件系统",
             "EEXIST": "已经存在", "ENAMETOOLONG": "文件名太长", "EMFILE": "打开的文件太多"}


def os_error_message(exc: OSError) -> str:
    """An OSError in Chinese: what failed and on which file."""
    import errno

    why = _ERRNO_ZH.get(errno.errorcode.get(exc.errno or 0, ""), exc.strerror or str(exc))
    where = "、".join(str(f) for f in (exc.filename, exc.filename2) if f)
    return f"无法读写 {where}：{why}" if where else f"文件操作失败：{why}"


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
    return die(f"没有可审查的报告文件：找到 {more}无法直接读取的文件（见上）；请先另存为 .docx、.pdf 或 .txt 后再试", 2)


__all__ = ["DbOption", "QuietOption", "die", "err_console", "no_reports", "open_engine", "os_error_message",
           "out_console", "output_file", "output_folder"]
