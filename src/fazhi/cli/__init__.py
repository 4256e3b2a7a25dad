"""The ``fazhi`` command line: one thin module per command group over the domains' services.

``review`` and ``bench`` (:mod:`fazhi.cli.review`, :mod:`fazhi.cli.bench`),
``knowledge``, ``ingest``/``refresh``/``db``, ``compare``, ``search``, ``similar``, ``serve``,
``user``, and the supervision cycle's ``unit``/``framework``/``campaign``/``task``/``evidence``/``job``/
``worker`` (:mod:`fazhi.cli.supervision`), ``profile``/``assess``/``inspect``
(:mod:`fazhi.cli.supervision_assess`) and ``draft``/``memo``/``report``
(:mod:`fazhi.cli.supervision_reports`): each module has a ``register(app)`` that adds its commands.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from typer import _click as click  # typer's own click (typer ≥ 0.29 vendors it)
from typer.core import TyperGroup

from fazhi._version import __version__
from fazhi.cli import (
    accounts,
    bench,
    compare,
    corpus,
    knowledge,
    review,
    search,
    serve,
    similar,
    supervision,
    supervision_assess,
    supervision_reports,
)
from fazhi.cli.common import err_console, os_error_message, out_console


class _Commands(TyperGroup):
    """The command group that ends an unexpected error with a one-line Chinese message and status 1
    instead of a Python traceback (``FAZHI_DEBUG=1`` shows the traceback)."""

    def invoke(self, ctx: click.core.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except BrokenPipeError:  # the output was piped into a command that stopped reading (| head)
            raise typer.Exit(141) from None
        except Exception as exc:
            if os.environ.get("FAZHI_DEBUG"):
                raise
            err_console.print(f"[red]fazhi: {_unexpected(exc)}[/red]", highlight=False)
            raise typer.Exit(1) from None


_click_help_option = click.core.Command.get_help_option


def _help_option_zh(self: Any, ctx: Any) -> Any:
    """Every command's ``--help`` said in Chinese (click words it in English)."""
    opt = _click_help_option(self, ctx)
    if opt is not None:
        opt.help = "显示此帮助后退出。"
    return opt


click.core.Command.get_help_option = _help_option_zh  # type: ignore[method-assign]


def _unexpected(exc: Exception) -> str:
    if isinstance(exc, OSError):
        return os_error_message(exc)
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, DBAPIError):
        return f"数据库出错：{str(exc.orig).splitlines()[0] if exc.orig else type(exc).__name__}"
    if isinstance(exc, MemoryError):
        return "内存不足"
    first = str(exc).splitlines()[0] if str(exc) else ""
    return (f"内部错误：{type(exc).__name__}" + (f"：{first}" if first else "")
            + "（设置环境变量 FAZHI_DEBUG=1 再运行可看到详细信息）")


app = typer.Typer(
    cls=_Commands,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="fazhi（法治）：审查法治政府建设年度报告（必备内容、提纲、报告主体、统计数字、审查意见与评分），"
         "入库、对比、检索，以及依法治X办、司法局对各单位的督察考核。",
)


def _version(value: bool) -> None:
    if value:
        out_console.print(f"fazhi {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="显示版本号后退出。")] = False) -> None:
    """fazhi (法治)."""


for _group in (review, bench, knowledge, corpus, compare, search, similar, serve, accounts, supervision, supervision_assess,
               supervision_reports):
    _group.register(app)


def main() -> None:
    app()


__all__ = ["app", "main"]
