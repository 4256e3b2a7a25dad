"""CLI commands of the web application: ``fazhi serve`` and ``fazhi user add|list|token|passwd|set``.

:mod:`fazhi.cli` calls :func:`register` to add them to the ``fazhi`` app.  The
``user`` commands call the same service functions as the 用户管理 page
(:mod:`fazhi.accounts.service`), so both check names, roles, regions and passwords
alike and both write the audit log.  They act as an administrator without a
region scope (:data:`fazhi.accounts.roles.SYSTEM`): whoever can run them on the
server can read the database anyway.

First start::

    fazhi user add admin --role admin          # asks for the password
    fazhi serve                                # http://127.0.0.1:8000/
"""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from fazhi.accounts import service as accounts
from fazhi.accounts.roles import SYSTEM
from fazhi.cli.common import DbOption, die, err_console, open_engine, out_console


class Role(StrEnum):
    admin = "admin"
    reviewer = "reviewer"
    viewer = "viewer"
    unit = "unit"


user_app = typer.Typer(no_args_is_help=True, help="网页用户：新建、列出、API 令牌、密码（用户管理）。")


def _sessions(db_opt: str | None) -> tuple[Any, Any]:
    from fazhi import db
    from fazhi.config import Settings

    engine = open_engine(db_opt)
    try:
        db.ensure_schema(engine)
    except Exception as exc:
        raise die(f"{db.describe(engine.url)}: {exc}") from None
    return engine, Settings.from_env()


def _read_password(password_stdin: bool, prompt: str = "Password") -> str:
    if password_stdin:
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="用户名。")],
    role: Annotated[Role, typer.Option("--role", help="admin 管理员 | reviewer 审核员 | viewer 查看 | unit 单位用户（之后用 `fazhi unit member 用户 单位`）。")] = Role.viewer,
    region: Annotated[str | None, typer.Option(
        "--region", help="地区范围：用户只能看到这个地区及下级的报告（焦作市、"
                         "河南省焦作市解放区、410800）。")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入的第一行"
                                                                          "读取密码。")] = False,
    db_opt: DbOption = None,
) -> None:
    """新建用户（第一个应为管理员：`fazhi user add admin --role admin`）。"""
    from fazhi import db
    from fazhi.accounts.models import Credential
    from fazhi.accounts.roles import Scope

    engine, settings = _sessions(db_opt)
    try:
        password = _read_password(password_stdin)
        try:
            with db.session_factory(engine, write=True).begin() as s:
                user = accounts.create_user(s, name, role.value, password, settings, region=region, actor=SYSTEM)
                scope = Scope.of(s.get(Credential, user.id))
                label = scope.label if scope else "全部地区"
        except accounts.AccountError as exc:
            raise die(str(exc)) from None
    finally:
        engine.dispose()
    out_console.print(f"✓ 已创建用户 {name}（{role.value}，{label}）", highlight=False)


@user_app.command("list")
def user_list(db_opt: DbOption = None) -> None:
    """列出用户及其角色、地区范围和 API 令牌。"""
    from rich.table import Table

    from fazhi import db
    from fazhi.accounts import roles

    engine, _settings = _sessions(db_opt)
    try:
        with db.session_factory(engine)() as s:
            rows = accounts.list_users(s, SYSTEM)
    finally:
        engine.dispose()
    t = Table(title=f"{len(rows)} users")
    for c in ("id", "name", "role", "region", "active", "tokens", "created"):
        t.add_column(c)
    for u in rows:
        t.add_row(str(u.user.id), u.user.name, f"{u.user.role} {roles.ROLE_LABEL.get(u.user.role, '')}".strip(),
                  u.scope.label if u.scope else ("全部地区" if u.cred else "—"),
                  "yes" if u.active else ("no" if u.cred else "no login"), str(u.tokens),
                  u.user.created_at.strftime("%Y-%m-%d") if u.user.created_at else "")
    out_console.print(t)


@user_app.command("token")
def user_token(
    name: Annotated[str, typer.Argument(help="用户名。")],
    label: Annotated[str, typer.Option("--name", help="令牌的用途。")] = "cli",
    days: Annotated[float | None, typer.Option(
        "--days", min=0.01, max=accounts.MAX_TOKEN_DAYS,
        help="多少天后失效（默认：$FAZHI_TOKEN_DAYS，否则 90）。")] = None,
    db_opt: DbOption = None,
) -> None:
    """为用户新建 API 令牌并只显示这一次（脚本发送 `Authorization: Bearer <令牌>`）。"""
    from fazhi import db

    engine, settings = _sessions(db_opt)
    try:
        with db.session_factory(engine, write=True).begin() as s:
            user = accounts.get_user(s, name)
            if user is None:
                raise die(f"no user {name!r}")
            try:
                row, token = accounts.create_token(s, user.id, label, expires_days=days or settings.token_days,
                                                    actor=SYSTEM)
            except accounts.AccountError as exc:
                raise die(str(exc)) from None
    finally:
        engine.dispose()
    sys.stdout.write(token + "\n")
    err_console.print(f"令牌只显示这一次（数据库只存其散列值），到期时间 "
                      f"{row.expires_at:%Y-%m-%d %H:%M} UTC", highlight=False)


@user_app.command("passwd")
def user_passwd(
    name: Annotated[str, typer.Argument(help="用户名。")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码。")
                              ] = False,
    db_opt: DbOption = None,
) -> None:
    """设置用户的密码（其已登录的会话失效）。"""
    from fazhi import db

    engine, settings = _sessions(db_opt)
    try:
        password = _read_password(password_stdin, "New password")
        with db.session_factory(engine, write=True).begin() as s:
            user = accounts.get_user(s, name)
            if user is None:
                raise die(f"no user {name!r}")
            try:
                accounts.set_password(s, user.id, password, settings, actor=SYSTEM)
            except accounts.AccountError as exc:
                raise die(str(exc)) from None
    finally:
        engine.dispose()
    out_console.print(f"✓ 已修改 {name} 的密码", highlight=False)


@user_app.command("set")
def user_set(
    name: Annotated[str, typer.Argument(help="用户名。")],
    role: Annotated[Role | None, typer.Option("--role", help="新角色。")] = None,
    region: Annotated[str | None, typer.Option("--region", help="新的地区范围（'' 为全部地区）。")] = None,
    active: Annotated[bool | None, typer.Option("--active/--disabled", help="允许或禁止登录。")] = None,
    db_opt: DbOption = None,
) -> None:
    """修改用户的角色、地区范围或是否可以登录（其已登录的会话失效）。"""
    from fazhi import db

    engine, _settings = _sessions(db_opt)
    try:
        with db.session_factory(engine, write=True).begin() as s:
            user = accounts.get_user(s, name)
            if user is None:
                raise die(f"no user {name!r}")
            try:
                accounts.update_user(s, user.id, role=role.value if role else None, region=region or None,
                                     set_region=region is not None, active=active, actor=SYSTEM)
            except accounts.AccountError as exc:
                raise die(str(exc)) from None
    finally:
        engine.dispose()
    out_console.print(f"✓ 已更新 {name}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add the ``user`` group to the ``fazhi`` app."""
    app.add_typer(user_app, name="user")


def _standalone() -> typer.Typer:
    app = typer.Typer(add_completion=False, no_args_is_help=True)
    register(app)
    return app


if __name__ == "__main__":  # python -m fazhi.cli.accounts serve …
    _standalone()()
