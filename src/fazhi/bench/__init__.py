"""Benchmark runner behind ``fazhi bench`` (see bench/README.md).

:func:`run_bench` writes a synthetic corpus (:mod:`fazhi.bench.corpus_gen`) to a
folder and measures, in this one process (one core):

* the floor: reading every file and one regex pass over its text — what any
  tool has to pay at least;
* the review: :meth:`fazhi.review.pipeline.Reviewer.review_path` plus ``to_json()``
  on every file, and its ratio to the floor;
* end to end: what ``fazhi review DIR --format json --out OUT`` does per file
  (the review, the JSON text, the file written) — reports/s per core.

Each is timed in wall-clock seconds and in CPU seconds of this process; on a
machine shared with other work the CPU figures are what one core does, the
wall-clock ones what it did while sharing.
* memory: the tracemalloc peak while reviewing N/4 and then N files with
  nothing kept, which must stay flat in N (streaming);
* stages: exclusive time in each stage function the pipeline calls (found by
  reading :mod:`fazhi.review.pipeline`, so new stages are timed without changes here).

Speed is reported, never asserted; :func:`format_report` renders the result
as a table.
"""

from __future__ import annotations

import functools
import gc
import inspect
import os
import platform
import re
import resource
import sys
import tempfile
import time
import tracemalloc
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fazhi.bench.corpus_gen import write_corpus

Progress = Callable[[str, int, int], None]

TARGET_REPORTS_PER_S = 500.0  # per core, end to end
TARGET_FLOOR_RATIO = 20.0  # the review at most this many times the floor
_NUM = re.compile(r"\d+")
_NOT_STAGES = {"run", "review_source", "review_text", "review_path"}


def _tick(progress: Progress | None, phase: str, done: int, total: int) -> None:
    if progress is not None and (done == total or done % 25 == 0):
        progress(phase, done, total)


def _maxrss_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def stage_targets() -> list[tuple[str, Any, str]]:
    """``(label, owner, attribute)`` for every stage function :mod:`fazhi.review.pipeline` calls.

    Found in the pipeline's source: ``module.function(`` calls on fazhi
    modules it imported, and its own private helpers (``_lines(``).
    """
    from fazhi.review import pipeline

    src = inspect.getsource(pipeline)
    out: list[tuple[str, Any, str]] = []
    seen: set[tuple[int, str]] = set()
    for alias, fn in re.findall(r"\b([A-Za-z_]\w*)\.([A-Za-z_]\w*)\(", src):
        mod = getattr(pipeline, alias, None)
        if not (isinstance(mod, types.ModuleType) and mod.__name__.startswith("fazhi.")):
            continue
        if not callable(getattr(mod, fn, None)) or (id(mod), fn) in seen:
            continue
        seen.add((id(mod), fn))
        out.append((f"{mod.__name__.removeprefix('fazhi.')}.{fn}", mod, fn))
    for fn in re.findall(r"(?<![.\w])(_[A-Za-z]\w*)\(", src):
        obj = getattr(pipeline, fn, None)
        if fn in _NOT_STAGES or (id(pipeline), fn) in seen or not isinstance(obj, types.FunctionType):
            continue
        seen.add((id(pipeline), fn))
        out.append((f"pipeline.{fn}", pipeline, fn))
    return out


class _StageTimer:
    """Wraps functions to add up their exclusive wall time (time in nested wrapped calls excluded)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._stack: list[float] = []
        self._patched: list[tuple[Any, str, Any]] = []

    def wrap(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        stack = self._stack
        clock = time.perf_counter
        self.seconds.setdefault(label, 0.0)
        self.calls.setdefault(label, 0)

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            stack.append(0.0)
            t0 = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                dt = clock() - t0
                child = stack.pop()
                self.seconds[label] += dt - child
                self.calls[label] += 1
                if stack:
                    stack[-1] += dt

        return timed

    def __enter__(self) -> _StageTimer:
        for label, owner, attr in stage_targets():
            orig = getattr(owner, attr)
            self._patched.append((owner, attr, orig))
            setattr(owner, attr, self.wrap(label, orig))
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, attr, orig in reversed(self._patched):
            setattr(owner, attr, orig)
        self._patched.clear()


class _Clock:
    """Wall-clock and CPU seconds of a block."""

    def __enter__(self) -> _Clock:
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc: object) -> None:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu


def _review_all(paths: list[Path], phase: str, progress: Progress | None, out: Path | None = None
                ) -> tuple[int, str | None]:
    """Review ``paths`` (and, with ``out``, write each as ``fazhi review --out`` does); (errors, the first)."""
    from fazhi.review.pipeline import Reviewer
    from fazhi.review.render import json_text

    reviewer = Reviewer()
    errors = 0
    first_error = None
    for i, p in enumerate(paths, 1):
        try:
            doc = reviewer.review_path(p).to_json()
            if out is not None:
                (out / f"{p.stem}.json").write_text(json_text(doc), encoding="utf-8")
        except Exception as exc:  # a failing report must not stop the benchmark
            errors += 1
            if first_error is None:
                first_error = f"{p.name}: {type(exc).__name__}: {exc}"
        _tick(progress, phase, i, len(paths))
    return errors, first_error


def _memory_peak(paths: list[Path], phase: str, progress: Progress | None) -> float:
    """tracemalloc peak (MB) while reviewing ``paths`` one by one, keeping nothing."""
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        _review_all(paths, phase, progress)
        return tracemalloc.get_traced_memory()[1] / (1024 * 1024)
    finally:
        tracemalloc.stop()


def run_bench(n: int = 2000, seed: int = 0, workdir: Path | None = None,
              progress: Progress | None = None, *, memory: bool = True, stages: bool = True) -> dict[str, Any]:
    """Generate ``n`` reports and measure floor, end-to-end speed, memory and stages.

    The corpus goes to ``workdir/corpus`` when ``workdir`` is given (kept),
    else to a temporary folder (removed).  ``progress(phase, done, total)``
    is called as work advances.  Returns a plain dict (JSON-serialisable).
    """
    from fazhi._version import __version__

    tmp = None
    if workdir is None:
        tmp = tempfile.TemporaryDirectory(prefix="fazhi-bench-")
        root = Path(tmp.name)
    else:
        root = Path(workdir)
    rss0 = _maxrss_mb()
    try:
        corpus_dir = root / "corpus"
        t0 = time.perf_counter()
        paths = []
        # write in slices so that progress can be shown; generation is deterministic per slice
        step = 250
        for start in range(0, n, step):
            k = min(step, n - start)
            batch = write_corpus(corpus_dir / f"{start // step:04d}", k, seed=seed * 100_003 + start // step)
            paths += batch
            if progress is not None:
                progress("generate", len(paths), n)
        gen_s = time.perf_counter() - t0
        size = sum(p.stat().st_size for p in paths)
        chars = 0

        # warm-up: the first review loads the knowledge files (divisions, catalogue, rules);
        # timed on its own so that the rates below are steady-state
        startup_s = 0.0
        if paths:
            from fazhi.review.pipeline import Reviewer

            t0 = time.perf_counter()
            Reviewer().warm_up()
            _review_all(paths[:1], "warm-up", None)
            startup_s = time.perf_counter() - t0

        # (a) the floor: read + decode + one regex pass
        with _Clock() as floor:
            for i, p in enumerate(paths, 1):
                text = p.read_bytes().decode("utf-8")
                chars += len(text)
                _NUM.findall(text)
                _tick(progress, "floor", i, n)

        # (b) the review itself, then (c) end to end: review, JSON text, file written
        with _Clock() as review:
            errors, first_error = _review_all(paths, "review", progress)
        out_dir = root / "out"
        out_dir.mkdir(exist_ok=True)
        with _Clock() as e2e:
            _review_all(paths, "end to end", progress, out_dir)

        # per-stage breakdown (a separate pass: the wrappers cost a little)
        stage_rows: dict[str, dict[str, float]] = {}
        if stages and paths:
            from fazhi.review.pipeline import Reviewer

            reviewer = Reviewer()
            with _StageTimer() as timer:
                to_json_s = 0.0
                t0 = time.perf_counter()
                for i, p in enumerate(paths, 1):
                    try:
                        r = reviewer.review_path(p)
                        t1 = time.perf_counter()
                        r.to_json()
                        to_json_s += time.perf_counter() - t1
                    except Exception:
                        pass
                    _tick(progress, "stages", i, n)
                total_s = time.perf_counter() - t0
            timed = dict(timer.seconds)
            timed["to_json"] = to_json_s
            timed["other"] = max(0.0, total_s - sum(timed.values()))
            for label, sec in timed.items():
                stage_rows[label] = {"seconds": sec, "us_per_report": sec / n * 1e6,
                                     "share": sec / total_s if total_s else 0.0,
                                     "calls": timer.calls.get(label, n)}

        # memory, two sizes
        mem: dict[str, Any] = {}
        if memory and paths:
            small = paths[: max(1, n // 4)]
            mem["n_small"] = len(small)
            mem["peak_small_mb"] = _memory_peak(small, "memory", progress)
            mem["n_large"] = n
            mem["peak_large_mb"] = _memory_peak(paths, "memory", progress)
            mem["ratio"] = mem["peak_large_mb"] / mem["peak_small_mb"] if mem["peak_small_mb"] else None
        mem["maxrss_delta_mb"] = _maxrss_mb() - rss0

        mb = size / 1e6

        def rate(clock: _Clock) -> dict[str, Any]:
            return {"seconds": clock.wall, "cpu_seconds": clock.cpu,
                    "reports_per_s": n / clock.wall if clock.wall else 0.0,
                    "reports_per_cpu_s": n / clock.cpu if clock.cpu else 0.0,
                    "mb_per_s": mb / clock.wall if clock.wall else 0.0,
                    "ratio_to_floor": clock.wall / floor.wall if floor.wall else 0.0,
                    "cpu_ratio_to_floor": clock.cpu / floor.cpu if floor.cpu else 0.0}

        ee = rate(e2e)
        ee.update(errors=errors, first_error=first_error, startup_seconds=startup_s)
        rv = rate(review)
        return {
            "n": n, "seed": seed,
            "corpus": {"files": len(paths), "bytes": size, "chars": chars, "generate_seconds": gen_s,
                       "dir": None if tmp else str(corpus_dir)},
            "floor": rate(floor),
            "review": rv,
            "end_to_end": ee,
            "memory": mem,
            "stages": stage_rows,
            "target": {"reports_per_s": TARGET_REPORTS_PER_S, "floor_ratio": TARGET_FLOOR_RATIO,
                       "met": ee["reports_per_cpu_s"] >= TARGET_REPORTS_PER_S
                       and rv["cpu_ratio_to_floor"] <= TARGET_FLOOR_RATIO},
            "env": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": os.cpu_count(), "fazhi": __version__},
        }
    finally:
        if tmp is not None:
            tmp.cleanup()


def format_report(result: dict[str, Any]) -> str:
    """A human-readable table of a :func:`run_bench` result."""
    n = result["n"]
    c = result["corpus"]
    fl, rv, ee = result["floor"], result["review"], result["end_to_end"]
    lines = [
        f"fazhi bench — {n} generated reports (seed {result['seed']}), {c['bytes'] / 1e6:.2f} MB,",
        f"{c['chars']:,} chars, generated in {c['generate_seconds']:.2f} s; one process (one core)",
        "",
        f"{'':34}{'reports/s per core':>19}{'× floor':>9}   {'wall: reports/s':>15}{'× floor':>9}",
        f"{'':34}{'(CPU time)':>19}{'':>9}   {'(shared machine)':>15}",
    ]
    for label, row in (("floor (read + one regex pass)", fl), ("review (review_path + to_json)", rv),
                       ("end to end (+ JSON file written)", ee)):
        lines.append(f"{label:34}{row['reports_per_cpu_s']:>19.0f}{row['cpu_ratio_to_floor']:>9.1f}   "
                     f"{row['reports_per_s']:>15.0f}{row['ratio_to_floor']:>9.1f}")
    if ee.get("startup_seconds"):
        lines.append(f"(first review, loading knowledge files: {ee['startup_seconds']:.2f} s, not included)")
    if ee.get("errors"):
        lines.append(f"  {ee['errors']} report(s) failed; first: {ee['first_error']}")
    mem = result.get("memory") or {}
    if "peak_small_mb" in mem:
        ratio = mem.get("ratio") or 0.0
        verdict = "flat" if ratio <= 1.5 else "GROWS with N"
        lines += ["", "peak memory (tracemalloc, nothing kept):",
                  f"  N={mem['n_small']}: {mem['peak_small_mb']:.2f} MB   N={mem['n_large']}: "
                  f"{mem['peak_large_mb']:.2f} MB   (×{ratio:.2f}: {verdict})",
                  f"  max RSS grew {mem['maxrss_delta_mb']:.0f} MB over the run (knowledge files included)"]
    st = result.get("stages") or {}
    if st:
        lines += ["", "stages (exclusive time, separate pass)",
                  f"  {'stage':28}{'seconds':>9}{'µs/report':>11}{'share':>8}"]
        for label, row in sorted(st.items(), key=lambda kv: -kv[1]["seconds"]):
            if not row.get("calls"):
                continue
            lines.append(f"  {label:28}{row['seconds']:>9.3f}{row['us_per_report']:>11.0f}"
                         f"{row['share'] * 100:>7.1f}%")
    tgt = result.get("target") or {}
    if tgt:
        lines += ["", f"targets: ≥{tgt['reports_per_s']:.0f} reports/s per core end to end "
                      f"({ee['reports_per_cpu_s']:.0f}), review ≤{tgt['floor_ratio']:.0f}× the floor "
                      f"({rv['cpu_ratio_to_floor']:.1f}×): " + ("met" if tgt["met"] else "NOT met")]
    env = result.get("env") or {}
    if env:
        lines.append(f"python {env['python']}, {env['cpus']} CPU(s), fazhi {env['fazhi']}")
        lines.append(env["platform"])
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m fazhi.bench [--n N] [--seed S] [--workdir DIR] [--json]``."""
    import argparse
    import json

    ap = argparse.ArgumentParser(prog="fazhi bench", description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000, help="number of generated reports (default 2000)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--workdir", type=Path, default=None, help="keep the corpus here")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    ap.add_argument("--no-memory", action="store_true", help="skip the two tracemalloc passes")
    args = ap.parse_args(argv)

    def show(phase: str, done: int, total: int) -> None:
        print(f"\r{phase:10} {done}/{total}", end="", file=sys.stderr, flush=True)

    res = run_bench(args.n, args.seed, args.workdir, show, memory=not args.no_memory)
    print(file=sys.stderr)
    print(json.dumps(res, ensure_ascii=False, indent=1) if args.json else format_report(res))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
