"""``fazhi serve``: the web application and the REST API over a database."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from fazhi.cli.common import DbOption, die, err_console


def serve(
    host: Annotated[str, typer.Option("--host", help="监听地址（127.0.0.1：仅本机可访问）。")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="监听端口。")] = 8000,
    db_opt: DbOption = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="工作进程数。")] = 1,
    proxy: Annotated[bool, typer.Option(
        "--behind-proxy", help="信任 --forwarded-allow-ips 处反向代理的 X-Forwarded-Proto/For "
                               "（可识别 https：Secure Cookie、HSTS）。")] = False,
    forwarded_allow_ips: Annotated[str, typer.Option("--forwarded-allow-ips", help="信任的代理地址。")
                                   ] = "127.0.0.1",
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn 日志级别。")] = "info",
    jobs: Annotated[bool, typer.Option("--jobs/--no-jobs", help="在本进程运行定时任务（提醒、红黄绿灯、"
                                       "报告数据作为佐证、重新审查）：SQLite 上为调度器，"
                                       "PostgreSQL 上为任务队列的工作进程（多台服务器共用）。")] = True,
) -> None:
    """启动网页应用和 REST API（审查、报告库、对比、督导、用户管理）。

    一切都由本机提供：不用 CDN，不用网络字体。第一个管理员用
    `fazhi user add 用户名 --role admin` 建立。
    """
    import uvicorn

    from fazhi import db

    try:
        url = db.settings(db_opt).database_url  # resolved once: the workers are given it as it is
        engine = db.make_engine(url)
    except Exception as exc:
        raise die(f"无法使用数据库 {db_opt or ''}：{exc}") from None
    try:
        db.ensure_schema(engine)
        from sqlalchemy.orm import Session

        from fazhi.accounts import service as accounts

        with Session(engine) as s:
            first = not accounts.has_users(s)
    except Exception as exc:
        raise die(f"{db.describe(url)}: {exc}") from None
    finally:
        engine.dispose()
    os.environ[db.ENV_URL] = url  # the workers build the app from the environment
    if jobs:  # scheduled jobs of the supervision cycle: a thread here (SQLite) or a queue worker (PostgreSQL)
        from fazhi.supervision.jobs import start_background

        start_background(url)
    err_console.print(f"fazhi serve: http://{host if ':' not in host else f'[{host}]'}:{port}/  "
                      f"数据库 {db.describe(url)}", highlight=False)
    if first:
        err_console.print("[yellow]还没有用户：先用 `fazhi user add 用户名 --role admin` "
                          "建立第一个管理员[/yellow]", highlight=False)
    uvicorn.run("fazhi.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                proxy_headers=proxy, forwarded_allow_ips=forwarded_allow_ips if proxy else None,
                log_level=log_level, server_header=False, date_header=True)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``fazhi`` app."""
    app.command("serve")(serve)
