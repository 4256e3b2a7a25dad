"""The ``fazhi`` command line: one thin module per command group over the domains' services.

``review`` and ``bench`` (:mod:`fazhi.cli.review`, :mod:`fazhi.cli.bench`),
``knowledge``, ``ingest``/``refresh``/``db``, ``compare``, ``search``, ``similar``, ``serve``,
``user``, and the supervision cycle's ``unit``/``framework``/``campaign``/``task``/``evidence``/``job``/
``worker`` (:mod:`fazhi.cli.supervision`), ``profile``/``assess``/``inspect``
(:mod:`fazhi.cli.supervision_assess`) and ``draft``/``memo``/``report``
(:mod:`fazhi.cli.supervision_reports`): each module has a ``register(app)`` that adds its commands.
"""

from __future__ import annotations

from typing import Annotated

import typer

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
from fazhi.cli.common import out_console

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode="rich",
    help="fazhi (法治)：审查法治政府建设年度报告 — 必备内容、提纲、报告主体、统计数字、审查意见与评分。\n\n"
         "Review annual reports on rule-of-law government construction.",
)


def _version(value: bool) -> None:
    if value:
        out_console.print(f"fazhi {__version__}")
        raise typer.Exit()


@app.callback()
def _main(version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                                help="Show the version and exit.")] = False) -> None:
    """fazhi (法治)."""


for _group in (review, bench, knowledge, corpus, compare, search, similar, serve, accounts, supervision, supervision_assess,
               supervision_reports):
    _group.register(app)


def main() -> None:
    app()


__all__ = ["app", "main"]
