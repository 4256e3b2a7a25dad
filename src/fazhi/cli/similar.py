"""``fazhi similar``: the reports closest to one report, with the text they share.

:mod:`fazhi.cli` calls :func:`register` to add the command to the ``fazhi`` app.

* ``fazhi similar REPORT`` compares a report (a file, or a stored report's
  id / sha256 prefix) with the stored corpus (``--db``, else
  ``$FAZHI_DATABASE_URL``, else the per-user SQLite file).  The similarity
  index is kept beside a SQLite database (``<db>.similar.npz``; for other
  databases in the user cache folder) and brought up to date with the
  stored reports on every run.
* ``fazhi similar REPORT --corpus DIR`` compares it with the report files of
  a folder instead (reviewed on the fly, nothing stored).
* ``fazhi similar --all`` lists the most similar pairs of the corpus
  (near-duplicates by MinHash LSH, verified exactly).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from fazhi.units.identity import issuer_key

if TYPE_CHECKING:  # numpy is imported when the command runs, not when `fazhi` starts
    from fazhi.corpus import similar

err_console = Console(stderr=True, soft_wrap=True)
out_console = Console()


def die(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]fazhi: {message}[/red]", highlight=False)
    return typer.Exit(code)


def _progress(label: str, quiet: bool = False) -> Progress:
    return Progress(TextColumn(f"[bold]{label}[/bold]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err_console, transient=True, disable=quiet)


# --------------------------------------------------------------------------- the corpus: a store
class StoreCorpus:
    """The stored reports as a similarity index (:class:`fazhi.corpus.similar_store.StoreIndex`, ids are sha256),
    with the CLI's progress bar and errors."""

    def __init__(self, db_opt: str | None) -> None:
        from fazhi import db
        from fazhi.corpus.similar_store import StoreIndex

        try:
            url = db.resolve_url(db_opt)
            engine = db.make_engine(url)
            if db.current_revision(engine) is None:
                raise die(f"no fazhi corpus in {db.describe(url)}: store reports with `fazhi ingest` first")
        except db.StoreError as exc:
            raise die(str(exc)) from None
        self.store = StoreIndex(engine, url)
        self.text, self.resolve = self.store.text, self.store.resolve

    def index(self, *, rebuild: bool = False, quiet: bool = False) -> similar.CorpusIndex:
        """The index, loaded from beside the database and brought up to date."""
        with _progress("索引", quiet) as progress:
            task = progress.add_task("index", total=None)
            idx = self.store.sync(rebuild=rebuild,
                                  progress=lambda done, total: progress.update(task, completed=done, total=total))
        if self.store.save_error:
            err_console.print(f"[yellow]fazhi: {self.store.save_error}[/yellow]", highlight=False)
        return idx


def _label(name: str, year: int | None) -> str:
    from fazhi.corpus.similar_store import label

    return label(name, year)


def index_path(url: str) -> Path:
    """Where the similarity index of a database is kept (:func:`fazhi.corpus.similar_store.index_path`)."""
    from fazhi.corpus.similar_store import index_path as where

    return where(url)


# --------------------------------------------------------------------------- the corpus: a folder
def folder_index(folder: Path, *, quiet: bool = False) -> tuple[similar.CorpusIndex, dict[str, Path]]:
    """Review every report file of ``folder`` and index it (ids are sha256); unreadable files are skipped."""
    from fazhi.cli.review import expand
    from fazhi.corpus import similar
    from fazhi.review.pipeline import review_path
    from fazhi.review.read import ReadError

    files = expand([folder])
    idx = similar.CorpusIndex()
    paths: dict[str, Path] = {}
    with _progress("审查", quiet) as progress:
        task = progress.add_task("review", total=len(files))
        for f in files:
            try:
                rv = review_path(f)
            except ReadError as exc:
                err_console.print(f"[yellow]✗[/yellow] {exc.path}：{exc.message_zh()}", highlight=False)
                progress.advance(task)
                continue
            iss = rv.issuer.to_json() if rv.issuer else None
            name = (rv.issuer.name if rv.issuer else None) or rv.title or f.name
            idx.add(rv.source.sha256, rv.text, issuer_key(iss), label=f"{_label(name, rv.year)} {f.name}")
            paths[rv.source.sha256] = f
            progress.advance(task)
    return idx, paths


# --------------------------------------------------------------------------- output
def _clip(s: str, n: int) -> str:
    s = s.replace("\n", " ")
    return s if len(s) <= n else s[:n - 1] + "…"


def render_matches(ctx: dict[str, Any], title: str, console: Console, *, passages: int = 3,
                   k: int = 10) -> None:
    """The closest reports (Rich table) and the text shared with each."""
    console.print(Text(title, style="bold"))
    console.print(f"与语料库 {ctx['corpus_size']} 篇报告比对：原创 {ctx['originality']:.0%}，"
                  f"与其他单位报告相同 {ctx['copied']:.0%}，多篇（{ctx['common_issuers']} 个以上单位）共用的套话 "
                  f"{ctx['formulaic']:.0%}", highlight=False)
    matches = ctx["matches"][:k]
    if not matches:
        console.print("没有与之共用成段文字的报告。")
        return
    table = Table(show_lines=False, header_style="bold")
    for col, kw in (("#", {"justify": "right"}), ("报告", {}), ("相似度", {"justify": "right"}),
                    ("相同段落", {"justify": "right"}), ("相同字数", {"justify": "right"}),
                    ("套话段落", {"justify": "right"}), ("", {})):
        table.add_column(col, **kw)  # type: ignore[arg-type]  # justify is one of rich's literals
    for i, m in enumerate(matches, 1):
        own = [p for p in m["passages"] if not p["boilerplate"]]
        table.add_row(str(i), m["label"], f"{m['similarity']:.1%}", str(len(own)), str(m["copied_chars"]),
                      str(len(m["passages"]) - len(own)), "同一单位" if m["same_issuer"] else "")
    console.print(table)
    for i, m in enumerate(matches, 1):
        own = sorted((p for p in m["passages"] if not p["boilerplate"]), key=lambda p: -p["chars"])
        if not own or passages <= 0:
            continue
        console.print(Text(f"#{i} {m['label']}：相同段落（本报告位置 → 对方位置）", style="bold"))
        for p in own[:passages]:
            a, b = p["a"], p["b"]
            console.print(Text(f"  [{a['start']}–{a['end']} → {b['start']}–{b['end']}，{p['chars']} 字] ",
                               style="dim") + Text(_clip(a["text"], 160)))
            if _squash(a["text"]) != _squash(b["text"]):
                console.print(Text("    对方：", style="dim") + Text(_clip(b["text"], 160)))
        if len(own) > passages:
            console.print(Text(f"  … 另有 {len(own) - passages} 处", style="dim"))


def _squash(s: str) -> str:
    return "".join(ch for ch in s if ch.isalnum())


def render_pairs(pairs: list[similar.Pair], idx: similar.CorpusIndex, console: Console, k: int,
                 threshold: float) -> None:
    how = "逐对精确比对" if idx.last_stats.get("exact") else "MinHash LSH 候选、精确核验"
    console.print(Text(f"相似度最高的报告对（{len(idx)} 篇报告，{how}；共 {len(pairs)} 对达到阈值 {threshold:.0%}）",
                       style="bold"))
    if not pairs:
        return
    table = Table(header_style="bold")
    for col, kw in (("#", {"justify": "right"}), ("报告", {}), ("报告", {}), ("相似度", {"justify": "right"}),
                    ("", {})):
        table.add_column(col, **kw)  # type: ignore[arg-type]  # justify is one of rich's literals
    for i, p in enumerate(pairs[:k], 1):
        table.add_row(str(i), idx.label(p.a), idx.label(p.b), f"{p.similarity:.1%}", "同一单位" if p.same_issuer else "")
    console.print(table)


# --------------------------------------------------------------------------- the command
def similar_cmd(
    report: Annotated[str | None, typer.Argument(
        help="报告文件，或已入库报告的 id 或 sha256（前缀）。", show_default=False)] = None,
    db_opt: Annotated[str | None, typer.Option(
        "--db", help="数据库 URL 或 SQLite 文件路径（默认：$FAZHI_DATABASE_URL，否则为用户数据文件夹中的文件）。",
        show_default=False)] = None,
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="与这个文件夹中的报告文件比对，而不是数据库。",
        show_default=False)] = None,
    k: Annotated[int, typer.Option("--k", min=1, help="显示多少份报告（--all 时为多少对）。")] = 10,
    all_pairs: Annotated[bool, typer.Option("--all", help="列出全部报告中最相似的几对。")
                         ] = False,
    threshold: Annotated[float | None, typer.Option(
        "--threshold", min=0.0, max=1.0, help="视为雷同的相似度（--all；默认 0.5）。",
        show_default=False)] = None,
    passages: Annotated[int, typer.Option("--passages", min=0, help="每份报告显示的相同段落数。")] = 3,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出结果。")] = False,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="重建数据库的相似度索引。")
                       ] = False,
) -> None:
    """最相似的报告及其相同的文字（抄袭还是套话）；--all：全部报告中最相似的几对。"""
    if report is None and not all_pairs:
        raise die("give a REPORT, or --all for the most similar pairs of the corpus", 2)
    quiet = as_json or not err_console.is_terminal
    store: StoreCorpus | None = None
    paths: dict[str, Path] = {}
    if corpus is not None:
        if not corpus.is_dir():
            raise die(f"{corpus}: not a folder", 2)
        idx, paths = folder_index(corpus, quiet=quiet)
    else:
        store = StoreCorpus(db_opt)
        idx = store.index(rebuild=rebuild, quiet=quiet)
    if len(idx) == 0:
        raise die("the corpus is empty")
    if all_pairs:
        pairs = idx.pairs(threshold)
        if as_json:
            sys.stdout.write(json.dumps({"threshold": threshold or idx.params.threshold, "reports": len(idx),
                                         "pairs": [{**p.to_json(), "a_label": idx.label(p.a),
                                                    "b_label": idx.label(p.b)} for p in pairs[:k]]},
                                        ensure_ascii=False, indent=1) + "\n")
        else:
            render_pairs(pairs, idx, out_console, k, idx.params.threshold if threshold is None else threshold)
        if report is None:
            return
    assert report is not None
    doc_id, text, issuer, title = _query(report, idx, store, paths)
    ctx = idx.analyse(text, doc_id=doc_id, issuer=issuer, k=k)
    if as_json:
        sys.stdout.write(json.dumps({"report": title, **ctx}, ensure_ascii=False, indent=1) + "\n")
    else:
        render_matches(ctx, title, out_console, passages=passages, k=k)


def _query(report: str, idx: similar.CorpusIndex, store: StoreCorpus | None, paths: dict[str, Path]
           ) -> tuple[str | None, str, str | None, str]:
    """(id in the index or None, normalised text, issuer key, title) of the REPORT argument."""

    p = Path(report)
    if p.is_file():
        from fazhi.review.pipeline import review_path
        from fazhi.review.read import ReadError

        try:
            rv = review_path(p)
        except ReadError as exc:
            raise die(f"{exc.path}：{exc.message_zh()}") from None
        iss = rv.issuer.to_json() if rv.issuer else None
        key = issuer_key(iss)
        name = (rv.issuer.name if rv.issuer else None) or rv.title or p.name
        own = rv.source.sha256
        return (own if own in idx else None), rv.text, key, f"{_label(name, rv.year)}  {p}"
    sha: str | None = None
    if store is not None:
        sha = store.resolve(report)
    else:
        found = [d for d, f in paths.items() if f.name == report or f.stem == report or d.startswith(report)]
        sha = found[0] if len(found) == 1 else None
    if sha is None or sha not in idx:
        raise die(f"{report}: no such file or stored report")
    text = idx.text(sha)
    if text is None:
        raise die(f"{report}: its text is not available")
    return sha, text, idx.issuer(sha), idx.label(sha)


def register(app: typer.Typer) -> None:
    """Add ``similar`` to the ``fazhi`` app."""
    app.command("similar")(similar_cmd)


def _standalone() -> typer.Typer:
    app = typer.Typer(add_completion=False)
    register(app)
    return app


if __name__ == "__main__":  # python -m fazhi.cli.similar REPORT …
    _standalone()()
