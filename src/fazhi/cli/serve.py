"""``fazhi serve``: the web application and the REST API over a database."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from fazhi.cli.common import DbOption, die, err_console


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only).")
                    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    db_opt: DbOption = None,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes.")] = 1,
    proxy: Annotated[bool, typer.Option(
        "--behind-proxy", help="Trust X-Forwarded-Proto/For from the proxy at --forwarded-allow-ips "
                               "(https is then recognised: Secure cookies, HSTS).")] = False,
    forwarded_allow_ips: Annotated[str, typer.Option("--forwarded-allow-ips", help="Proxy addresses to trust.")
                                   ] = "127.0.0.1",
    log_level: Annotated[str, typer.Option("--log-level", help="uvicorn log level.")] = "info",
    jobs: Annotated[bool, typer.Option("--jobs/--no-jobs", help="Run the scheduled jobs (reminders, traffic lights, "
                                       "report facts as evidence, re-review) in this process: a scheduler on "
                                       "SQLite, a queue worker on PostgreSQL (several servers share it).")] = True,
) -> None:
    """Serve the web application and the REST API (审查、报告库、对比、用户管理).

    Everything is served from this machine: no CDN, no web fonts.  Create the
    first administrator with `fazhi user add NAME --role admin`.
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
                      f"database {db.describe(url)}", highlight=False)
    if first:
        err_console.print("[yellow]no user yet: create the first administrator with "
                          "`fazhi user add NAME --role admin`[/yellow]", highlight=False)
    uvicorn.run("fazhi.web.app:app_from_env", factory=True, host=host, port=port, workers=workers,
                proxy_headers=proxy, forwarded_allow_ips=forwarded_allow_ips if proxy else None,
                log_level=log_level, server_header=False, date_header=True)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``fazhi`` app."""
    app.command("serve")(serve)
