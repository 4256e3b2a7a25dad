"""``fazhi knowledge``: the knowledge files in use, and their versions kept in a database.

- ``fazhi knowledge`` — as always: the knowledge files this process uses
  (packaged, or ``FAZHI_KNOWLEDGE_DIR``), each validated;
- ``fazhi knowledge list [--db]`` — per file the version in effect for that
  database, the stored versions, and how many stored reports were reviewed
  with the knowledge in effect and with other knowledge;
- ``fazhi knowledge add FILE [--name] [--note] [--activate] [--user] [--db]``;
- ``fazhi knowledge activate NAME VERSION`` (the ``version:`` or ``#id``),
  ``fazhi knowledge deactivate NAME`` (back to the packaged file);
- ``fazhi knowledge show NAME VERSION [--out FILE]`` — a stored version's YAML.

The same service functions as the 规则与指标 page (:mod:`fazhi.knowledge.versions`):
the same checks, and every change in the audit log (attributed to ``--user``).
Errors go to stderr, exit status 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from fazhi.cli.common import DbOption, die, err_console, open_engine, out_console

knowledge_app = typer.Typer(
    invoke_without_command=True, no_args_is_help=False,
    help="规则与指标（规则、指标目录、必备内容表述、计量单位）：正在使用的文件，"
         "以及保存在数据库中的各版本。")

UserOption = Annotated[str | None, typer.Option("--user", help="记录为这个用户所作的修改。")]


@knowledge_app.callback()
def knowledge_cmd(ctx: typer.Context) -> None:
    """列出正在使用的规则与指标文件（指标目录、规则、关键词、行政区划）并检查它们。

    子命令管理保存在数据库中的版本：list、add、activate、deactivate、show。"""
    if ctx.invoked_subcommand is not None:
        return
    from fazhi import knowledge
    from fazhi.knowledge import NAMES as KNOWLEDGE

    bad = 0
    for name in KNOWLEDGE:
        try:
            knowledge.load(name)
            out_console.print(f"✓ {name:<12} v{knowledge.version(name):<10} {knowledge.data_path(name)}",
                              highlight=False)
        except knowledge.KnowledgeError as exc:
            bad += 1
            out_console.print(f"[red]✗ {name}: {exc}[/red]", highlight=False)
    if bad:
        raise typer.Exit(1)


def _open(db_opt: str | None) -> tuple[Any, Any]:
    """(engine, write session factory) of a database at the schema head."""
    from sqlalchemy import exc as sa_exc

    from fazhi import db
    from fazhi.corpus.ingest import db_error_message

    engine = open_engine(db_opt)
    try:
        db.ensure_schema(engine)
    except sa_exc.DBAPIError as exc:
        engine.dispose()
        raise die(db_error_message(exc, engine)) from None
    except Exception as exc:
        engine.dispose()
        raise die(f"{db.describe(engine.url)}: {exc}") from None
    return engine, db.session_factory(engine, write=True)


def _change(db_opt: str | None, user: str | None, fn: Any) -> Any:
    """Run ``fn(session, user_id)`` in one transaction; store errors become a message and exit 1."""
    from sqlalchemy import exc as sa_exc

    from fazhi.corpus import service
    from fazhi.corpus.ingest import db_error_message
    from fazhi.knowledge import versions as ks

    engine, write = _open(db_opt)
    try:
        with write.begin() as s:
            uid = service.get_or_create_user(s, user, role="user").id if user else None
            return fn(s, uid)
    except ks.KnowledgeStoreError as exc:
        raise die(str(exc)) from None
    except sa_exc.IntegrityError:
        raise die("the same knowledge file was changed at the same time by someone else: try again") from None
    except sa_exc.DBAPIError as exc:
        raise die(db_error_message(exc, engine)) from None
    finally:
        engine.dispose()


@knowledge_app.command("list")
def list_cmd(db_opt: DbOption = None) -> None:
    """显示数据库中现行的规则与指标、保存的各版本，以及按版本统计的报告数。"""
    from sqlalchemy import exc as sa_exc

    from fazhi import db
    from fazhi.corpus.ingest import db_error_message
    from fazhi.knowledge import versions as ks

    engine, _write = _open(db_opt)
    try:
        with db.session_factory(engine)() as s:
            ov = ks.overview(s)
    except sa_exc.DBAPIError as exc:
        raise die(db_error_message(exc, engine)) from None
    finally:
        engine.dispose()
    out_console.print(f"数据库：{db.describe(engine.url)}", highlight=False)
    for f in ov["files"]:
        base = f["base"]
        act = f["active"]
        now = (f"v{act.version}（数据库中的版本 #{act.id}）" if act is not None else
               f"v{base['version']}（{'FAZHI_KNOWLEDGE_DIR 中的文件' if base['local'] else '随程序安装的文件'}）")
        out_console.print(f"{f['name']:<12} 在用：{now}   随程序安装：v{f['packaged']}", highlight=False)
        for v in f["versions"]:
            who = v.created_by.name if v.created_by is not None else "-"
            when = v.created_at.strftime("%Y-%m-%d %H:%M") if v.created_at else "?"
            mark = "*" if v.active else " "
            note = f"  {v.note}" if v.note else ""
            out_console.print(f"  {mark} #{v.id:<4} v{v.version:<20} {when}  {who:<12} {v.sha256[:12]}{note}",
                              highlight=False)
    r = ov["reports"]
    out_console.print(f"报告：已入库 {r['total']} 份，按在用规则与指标审查的 {r['current']} 份，"
                      f"按其他规则或指标审查的 {r['other']} 份", highlight=False)
    if r["other"]:
        out_console.print("  重新审查：fazhi refresh --db …（按存储的文本），或 fazhi ingest --refresh --db … 文件或文件夹",
                          highlight=False)


@knowledge_app.command("add")
def add_cmd(
    file: Annotated[Path, typer.Argument(help="YAML 文件（rules.yaml、indicators.yaml、parts.yaml、units.yaml）。",
                                         show_default=False)],
    name: Annotated[str | None, typer.Option("--name", help="是哪一种文件（默认按文件名）："
                                                            "parts、rules、indicators、units。")] = None,
    note: Annotated[str | None, typer.Option("--note", help="改了什么、为什么改。")] = None,
    activate: Annotated[bool, typer.Option("--activate", help="立即启用。")] = False,
    user: UserOption = None,
    db_opt: DbOption = None,
) -> None:
    """把规则与指标文件的新版本存入数据库（先检查：YAML 格式、结构、新的 `version:`、试审查）。"""
    from fazhi.knowledge import versions as ks

    try:
        data = file.read_bytes()
    except OSError as exc:
        raise die(f"{file}: {exc.strerror or exc}") from None
    nm = name or file.name.rsplit(".", 1)[0]
    try:
        nm = ks.check_name(nm)
    except ks.KnowledgeStoreError as exc:
        raise die(f"{file}：{exc}（请用 --name 指定）") from None

    def work(s: Any, uid: int | None) -> tuple[int, str, bool]:
        row = ks.add_version(s, nm, data, note=note, user=uid, activate_it=activate)
        return row.id, row.version, row.active

    rid, ver, active = _change(db_opt, user, work)
    out_console.print(f"✓ {nm} v{ver} 已保存为 #{rid}" + ("，并已启用" if active else
                                                            f"（启用：fazhi knowledge activate {nm} {ver}）"),
                      highlight=False)


@knowledge_app.command("activate")
def activate_cmd(
    name: Annotated[str, typer.Argument(help="parts、rules、indicators 或 units。", show_default=False)],
    version: Annotated[str, typer.Argument(help="保存的版本（其 `version:`，或 #id）。", show_default=False)],
    user: UserOption = None,
    db_opt: DbOption = None,
) -> None:
    """启用一个保存的版本：此后入库的审查都按它进行。"""
    from fazhi.knowledge import versions as ks

    def work(s: Any, uid: int | None) -> tuple[int, str]:
        row = ks.activate(s, ks.find_version(s, name, version).id, user=uid)
        return row.id, row.version

    rid, ver = _change(db_opt, user, work)
    out_console.print(f"✓ {ks.check_name(name)} v{ver}（#{rid}）已启用", highlight=False)


@knowledge_app.command("deactivate")
def deactivate_cmd(
    name: Annotated[str, typer.Argument(help="parts、rules、indicators 或 units。", show_default=False)],
    user: UserOption = None,
    db_opt: DbOption = None,
) -> None:
    """停用数据库中的版本，回到随程序安装的文件（或 FAZHI_KNOWLEDGE_DIR 中的文件）。"""
    from fazhi.knowledge import versions as ks

    def work(s: Any, uid: int | None) -> str | None:
        row = ks.deactivate(s, name, user=uid)
        return row.version if row is not None else None

    was = _change(db_opt, user, work)
    nm = ks.check_name(name)
    if was is None:
        out_console.print(f"{nm}：数据库中没有启用的版本，未作改动", highlight=False)
    else:
        out_console.print(f"✓ {nm}：v{was} 已停用，重新使用文件中的版本", highlight=False)


@knowledge_app.command("show")
def show_cmd(
    name: Annotated[str, typer.Argument(help="parts、rules、indicators 或 units。", show_default=False)],
    version: Annotated[str, typer.Argument(help="保存的版本（其 `version:`，或 #id）。", show_default=False)],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="写入这个文件，而不是输出到屏幕。")
                   ] = None,
    db_opt: DbOption = None,
) -> None:
    """输出（或写入文件）一个保存的版本的 YAML。"""
    from fazhi.knowledge import versions as ks

    text = _change(db_opt, None, lambda s, _uid: ks.find_version(s, name, version).content)
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise die(f"{out}: {exc.strerror or exc}") from None
    err_console.print(f"✓ written {out}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``knowledge`` group to the ``fazhi`` app."""
    app.add_typer(knowledge_app, name="knowledge")


__all__ = ["knowledge_app", "register"]
