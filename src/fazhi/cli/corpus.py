"""CLI commands of the corpus store: ``fazhi ingest``, ``fazhi refresh`` and ``fazhi db upgrade|info``.

:mod:`fazhi.cli` calls :func:`register` to add them to the ``fazhi`` app.  Every
command takes ``--db`` (a database URL or a SQLite file path); without it
``FAZHI_DATABASE_URL`` is used, else a SQLite file in the per-user data
folder (``fazhi db info`` shows which).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from fazhi.cli.common import DbOption, die, err_console, no_reports, open_engine, out_console
from fazhi.review.read import DEFAULT_MAX_BYTES


class _Signals:
    """First SIGINT/SIGTERM: finish the report being written, then stop. Second SIGINT: stop now."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.saved: dict[int, Any] = {}

    def _handler(self, signum: int, _frame: FrameType | None) -> None:
        if self.stop.is_set() and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.stop.set()

    def __enter__(self) -> _Signals:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self.saved[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, old in self.saved.items():
            signal.signal(sig, old)


def _run(engine: Any, progress: Progress, started: list[Any], job: Any, stop: threading.Event) -> Any:
    """``job()`` with Ctrl-C/SIGTERM setting ``stop``; the progress bar and the engine closed after."""
    from fazhi import db

    try:
        with _Signals(stop):
            return job()
    except db.StoreError as exc:
        raise die(str(exc)) from None
    finally:
        if started:
            progress.stop()
        engine.dispose()


def _settings() -> Any:
    """The settings from the environment (the review time and memory limits: ``FAZHI_REVIEW_TIMEOUT``,
    ``FAZHI_REVIEW_MEMORY_MB``), or a one-line error."""
    from fazhi.config import Settings

    try:
        return Settings.from_env()
    except ValueError as exc:
        raise die(str(exc)) from None


def _why_stopped(result: Any) -> None:
    if result.message:
        err_console.print(f"[red]fazhi: {result.message}[/red]" if result.status == "failed"
                          else f"[yellow]fazhi: {result.message}[/yellow]", highlight=False)


def ingest_cmd(
    paths: Annotated[list[str], typer.Argument(
        help="报告文件、文件夹（含子文件夹）或通配符（'reports/**/*.docx'）。",
        show_default=False)],
    db_opt: DbOption = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-j", min=0, help="审查进程数（默认：CPU 核数；0：在本进程内）。",
        show_default=False)] = None,
    refresh: Annotated[bool, typer.Option(
        "--refresh", help="已入库但规则、指标目录等版本已变的报告，重新审查。")
                       ] = False,
    user: Annotated[str | None, typer.Option("--user", help="记录为这个用户入库。")
                    ] = None,
    max_size: Annotated[float, typer.Option("--max-size", help="拒绝大于这么多 MB 的文件。")
                        ] = DEFAULT_MAX_BYTES / 1024 / 1024,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="不显示进度条和汇总。")] = False,
    force: Annotated[bool, typer.Option(
        "--force", help="不像年度报告的文本（过短、通知、新闻等）也入库（默认拒绝并说明原因）。")] = False,
) -> None:
    """审查报告文件并把审查结果存入数据库（入库）。

    已入库的文件（sha256 相同）跳过，因此重复运行不会改变什么，并能接着完成中断的入库
    （Ctrl-C 或 SIGTERM：已审查的先存好再停止）。每份报告要么整份入库，要么不入库；
    无法读取的文件、审查超过 FAZHI_REVIEW_TIMEOUT 秒（60）或超过 FAZHI_REVIEW_MEMORY_MB
    内存（2048；--workers 0 时不限）的文件列出原因，其余照常入库。不像年度报告的文本
    （过短、通知、新闻等）不入库并说明原因，加 --force 仍然入库。
    退出状态：0 全部入库或跳过，1 有文件失败或数据库出错，130 被中断。
    """
    from fazhi.corpus.ingest import expand, ingest

    files = expand(paths)
    if not files:
        raise no_reports(paths)
    settings = _settings()
    engine = open_engine(db_opt)
    stop = threading.Event()
    progress = Progress(TextColumn("[bold]入库[/bold]"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("[green]{task.fields[ok]} ok[/green] [red]{task.fields[failed]} failed[/red] "
                                   "{task.fields[skipped]} skipped"),
                        TimeElapsedColumn(), console=err_console, transient=True, disable=quiet)
    task_id: list[Any] = []

    def on_progress(counts: Any, _path: str | None) -> None:
        if not task_id:
            progress.start()
            task_id.append(progress.add_task("ingest", total=counts.total, ok=0, failed=0, skipped=0))
        progress.update(task_id[0], completed=counts.done, ok=counts.ok + counts.refreshed,
                        failed=counts.failed, skipped=counts.skipped)

    def on_failure(path: str, reason: str) -> None:
        progress.console.print(f"[red]✗[/red] {path}：{reason}", highlight=False)

    result = _run(engine, progress, task_id, lambda: ingest(
        files, engine=engine, workers=workers, refresh=refresh, user=user, max_bytes=int(max_size * 1024 * 1024),
        progress=on_progress, on_failure=on_failure, stop=stop, settings=settings, force=force,
        args={"paths": paths, "workers": workers, "refresh": refresh, "force": force}), stop)
    c = result.counts
    _why_stopped(result)
    if not quiet:
        refreshed = f"，重新审查 {c.refreshed} 份" if c.refreshed or refresh else ""
        rate = f"（每秒 {result.rate:.0f} 份）" if c.ok + c.refreshed >= 20 else ""
        err_console.print(f"入库 {c.ok} 份{refreshed}，跳过 {c.skipped} 份（已入库），失败 {c.failed} 份，"
                          f"用时 {result.seconds:.1f} 秒{rate} → {result.database}"
                          + (f"（入库批次 {result.run_id}）" if result.run_id else ""), highlight=False)
    _corpus_scores(engine, result, quiet)
    if c.ok or c.refreshed:  # stored annual reports are evidence for their units' tasks (the supervision cycle)
        from fazhi.cli.supervision import propose_after_ingest

        propose_after_ingest(db_opt, result.run_id, quiet)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


def _corpus_scores(engine: Any, result: Any, quiet: bool) -> None:
    """Compare the reports a run stored with the rest of the database and store their corpus-mode scores
    (and re-score the reports they share copied text with): :mod:`fazhi.corpus.originality`."""
    from fazhi import db
    from fazhi.config import Settings
    from fazhi.corpus.originality import rescore, review_with, run_reports
    from fazhi.knowledge.versions import active_set
    from fazhi.review.pool import ReviewPool

    if result.run_id is None or result.status == "failed":
        return
    try:
        ids = run_reports(engine, result.run_id)
        if not ids:
            return
        settings = Settings.from_env()
        with db.session_factory(engine, read=True)() as s:
            texts = dict(active_set(s).texts)
        bar = Progress(TextColumn("[bold]原创性比对[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                       console=err_console, transient=True, disable=quiet)
        pool = ReviewPool(1, memory_mb=settings.review_memory_mb or None)
        try:
            with bar:
                task = bar.add_task("rescore", total=len(ids))
                done = rescore(engine, ids, review=review_with(texts, pool, settings.review_timeout_seconds),
                               progress=lambda n, total: bar.update(task, completed=n, total=total))
        finally:
            pool.close()
    except Exception as exc:  # the reports are stored; only their corpus comparison is missing
        err_console.print(f"[yellow]原创性比对未完成（报告已入库，单篇评分保留）：{type(exc).__name__}: {exc}[/yellow]",
                          highlight=False)
        return
    if not quiet:
        more = f"，另有 {len(done.followed)} 份与之文字相同的报告重新评分" if done.followed else ""
        err_console.print(f"原创性比对：{len(done.ids)} 份报告已与库中其他报告比对{more}", highlight=False)
    for rid, why in done.failed:
        err_console.print(f"[red]✗[/red] report {rid}: 原创性比对失败：{why}", highlight=False)


def refresh_cmd(
    db_opt: DbOption = None,
    everything: Annotated[bool, typer.Option(
        "--all", help="重新审查全部已入库报告，而不只是按旧版本规则审查的。")] = False,
    workers: Annotated[int | None, typer.Option(
        "--workers", "-j", min=0, help="审查进程数（默认：待重新审查的少于 200 份时不另开进程，"
                                       "否则为 CPU 核数）。", show_default=False)] = None,
    user: Annotated[str | None, typer.Option("--user", help="记录为这个用户重新审查。")] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")] = False,
) -> None:
    """按现行规则与指标，用已存的全文重新审查已入库报告（重新审查）。

    管理员启用新的规则或指标目录（规则与指标，`fazhi knowledge activate`）后，已入库的报告
    保留原来的审查结果；本命令重新审查按其他版本审查的报告（--all：全部），无需原文件，
    报告 id 不变。Ctrl-C 在当前一批完成后停止，再运行一次即可接着完成。
    退出状态：0 完成，1 有报告失败或数据库出错，130 被中断。
    """
    from fazhi.corpus.refresh import refresh_stored

    settings = _settings()
    engine = open_engine(db_opt)
    stop = threading.Event()
    progress = Progress(TextColumn("[bold]重新审查[/bold]"), BarColumn(), MofNCompleteColumn(),
                        TextColumn("[red]{task.fields[failed]} failed[/red]"), TimeElapsedColumn(),
                        console=err_console, transient=True, disable=quiet)
    task_id: list[Any] = []

    def on_progress(counts: Any) -> None:
        if not task_id:
            progress.start()
            task_id.append(progress.add_task("refresh", total=counts.total, failed=0))
        progress.update(task_id[0], completed=counts.done, failed=counts.failed)

    def job() -> Any:
        return refresh_stored(engine, workers=workers, everything=everything, user=user,
                              progress=on_progress, stop=stop, args={"workers": workers}, settings=settings)

    result = _run(engine, progress, task_id, job, stop)
    c = result.counts
    for where, reason in result.failures[:20]:
        err_console.print(f"[red]✗[/red] {where}: {reason}", highlight=False)
    _why_stopped(result)
    if not quiet:
        what = "已入库的报告" if everything else "按其他规则或指标审查的已入库报告"
        err_console.print(f"{what}共 {c.total} 份，重新审查 {c.refreshed} 份，失败 {c.failed} 份，"
                          f"用时 {result.seconds:.1f} 秒 → {result.database}"
                          + (f"（入库批次 {result.run_id}）" if result.run_id else ""), highlight=False)
    _corpus_scores(engine, result, quiet)
    if result.exit_code:
        raise typer.Exit(result.exit_code)


db_app = typer.Typer(no_args_is_help=True, help="存放审查结果的数据库：新建或升级、查看。")


@db_app.command("upgrade")
def db_upgrade(db_opt: DbOption = None) -> None:
    """新建数据库结构，或升级到本版 fazhi 的结构（可重复运行）。"""
    from sqlalchemy import exc as sa_exc

    from fazhi import db
    from fazhi.corpus.ingest import db_error_message

    engine = open_engine(db_opt)
    try:
        rev = db.upgrade(engine)
    except sa_exc.DBAPIError as exc:
        raise die(db_error_message(exc, engine)) from None
    finally:
        engine.dispose()
    out_console.print(f"✓ {db.describe(engine.url)}：数据库结构为最新版本 {rev}", highlight=False)


@db_app.command("info")
def db_info(db_opt: DbOption = None) -> None:
    """显示所用的数据库、结构版本、各表行数和最近几次入库。"""
    from sqlalchemy import exc as sa_exc

    from fazhi import db
    from fazhi.corpus import service
    from fazhi.corpus.ingest import db_error_message

    url = db.resolve_url(db_opt)
    path = db.sqlite_path(url)
    out_console.print(f"数据库：{db.describe(url)}", highlight=False)
    if path is not None and not path.exists():
        out_console.print("该处还没有数据库（`fazhi db upgrade` 或 `fazhi ingest` 会新建）",
                          highlight=False)
        return
    engine = open_engine(db_opt)
    try:
        rev = db.current_revision(engine)
        head = db.head_revision()
        out_console.print(f"类型：{engine.dialect.name}", highlight=False)
        out_console.print(f"结构版本：{rev or '（无）'}" + ("（最新）" if rev == head else
                                                          f"，最新为 {head}：请运行 `fazhi db upgrade`"),
                          highlight=False)
        if rev is None:
            return
        with db.session_factory(engine)() as s:
            for k, v in service.stats(s).items():
                out_console.print(f"{k:<16}{v:>10}", highlight=False)
            runs = service.list_runs(s, limit=5)
            if runs:
                out_console.print("最近几次入库：", highlight=False)
            for r in runs:
                when = r.started_at.strftime("%Y-%m-%d %H:%M") if r.started_at else "?"
                out_console.print(f"  #{r.id} {when} {r.status:<11} 入库 {r.ok}，重新审查 {r.refreshed}，"
                                  f"跳过 {r.skipped}，失败 {r.failed}"
                                  + (f" — {r.message}" if r.message else ""), highlight=False)
    except sa_exc.DBAPIError as exc:
        raise die(db_error_message(exc, engine)) from None
    finally:
        engine.dispose()


def register(app: typer.Typer) -> None:
    """Add ``ingest``, ``refresh`` and the ``db`` group (``upgrade``, ``info``) to the ``fazhi`` app."""
    app.command("ingest")(ingest_cmd)
    app.command("refresh")(refresh_cmd)
    app.add_typer(db_app, name="db")


def _standalone() -> typer.Typer:
    app = typer.Typer(add_completion=False, no_args_is_help=True)
    register(app)
    return app


if __name__ == "__main__":  # python -m fazhi.cli.corpus ingest …
    _standalone()()
