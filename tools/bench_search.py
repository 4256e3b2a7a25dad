"""What the full-text index costs and gains, on a generated corpus: ingest with and without it, its size,
and search times for phrases of different rarity — on SQLite (FTS5 trigram) and PostgreSQL (pg_trgm).

    .venv/bin/python tools/bench_search.py [--n 3000] [--pg postgresql://…] [--workers 2]

For each backend: ``fazhi ingest`` of the same ``--n`` reports (:mod:`fazhi.bench.corpus_gen`) into a
database at head, and into one whose index was dropped right after the migration; then, on the indexed
database, :func:`fazhi.corpus.search.search` (count, first page of 20, snippets) for each phrase, the
median of five runs, with the index and after dropping it (search then reads every text).  Timings on
a shared machine vary by a few tens of percent between runs; the ratios are what matters.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from fazhi import db
from fazhi.bench.corpus_gen import write_corpus
from fazhi.corpus import search
from fazhi.corpus.ingest import ingest

#: common (most reports), frequent, rare, absent, and two characters (shorter than a trigram)
PHRASES = ("法治政府", "行政复议", "双随机、一公开", "府院联动机制", "复议")
DROP = {"sqlite": ["DROP TRIGGER reports_fts_insert", "DROP TRIGGER reports_fts_delete",
                   "DROP TRIGGER reports_fts_update", "DROP TABLE reports_fts"],
        "postgresql": ["DROP INDEX ix_reports_text_trgm"]}


def _fresh(url: str) -> Any:
    engine = db.make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS fazhi_bench CASCADE"))
            conn.execute(text("CREATE SCHEMA fazhi_bench"))
        engine.dispose()
        engine = db.make_engine(url, connect_args={"options": "-csearch_path=fazhi_bench"})
    db.upgrade(engine)
    return engine


def _drop_index(engine: Any) -> None:
    with engine.begin() as conn:
        for stmt in DROP[engine.dialect.name]:
            conn.execute(text(stmt))


def _median_ms(fn: Callable[[], Any], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def _size_mb(engine: Any, path: Path | None) -> float:
    if engine.dialect.name == "sqlite" and path is not None:
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return path.stat().st_size / 1e6
    with engine.connect() as conn:
        return float(conn.execute(text("SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                                       "WHERE c.relnamespace = 'fazhi_bench'::regnamespace AND c.relkind IN ('r', 't', 'i')"))
                     .scalar() or 0) / 1e6


def bench_backend(url: str, files: list[Path], workers: int, path: Path | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for indexed in (False, True):
        if path is not None and path.exists():
            path.unlink()
        engine = _fresh(url)
        if not indexed:
            _drop_index(engine)
        res = ingest(files, engine=engine, workers=workers)
        assert res.counts.ok == len(files), res.failures[:3]
        out["ingest_indexed" if indexed else "ingest_plain"] = len(files) / res.seconds
        out["size_indexed" if indexed else "size_plain"] = _size_mb(engine, path)
        if indexed:
            Session = db.session_factory(engine, read=True)
            for label in ("with", "without"):
                with Session() as s:
                    for q in PHRASES:
                        def once(q: str = q, s: Any = s) -> search.SearchResult:
                            return search.search(s, q, None, None, limit=20)

                        out.setdefault("phrases", {}).setdefault(q, {})["total"] = once().total
                        out["phrases"][q][label] = _median_ms(once)
                    out[f"index_{label}"] = search.index_status(s).kind
                if label == "with":
                    _drop_index(engine)
        engine.dispose()
    return out


def report(name: str, n: int, r: dict[str, Any]) -> str:
    lines = [f"{name}: {n} reports, ingest {r['ingest_plain']:.0f}/s without the index, "
             f"{r['ingest_indexed']:.0f}/s with it; database {r['size_plain']:.1f} MB → {r['size_indexed']:.1f} MB",
             f"  {'phrase':<14}{'reports':>8}{'index ms':>10}{'scan ms':>10}"]
    for q, v in r["phrases"].items():
        lines.append(f"  {q:<14}{v['total']:>8}{v['with']:>10.1f}{v['without']:>10.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--pg", default=os.environ.get("FAZHI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="fazhi-bench-search-") as tmp:
        files = write_corpus(Path(tmp) / "corpus", args.n, seed=7)
        sqlite_path = Path(tmp) / "bench.sqlite"
        print(report("SQLite", args.n, bench_backend(f"sqlite:///{sqlite_path}", files, args.workers, sqlite_path)),
              flush=True)
        if args.pg:
            print(report("PostgreSQL", args.n, bench_backend(args.pg, files, args.workers, None)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
