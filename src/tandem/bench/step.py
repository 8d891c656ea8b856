"""One measured step of the benchmark, run in its own process.

``python -m tandem.bench.step KIND JSON`` runs one step and prints one JSON
line: its figures and the process's peak resident memory. A fresh process per
step keeps peaks apart and makes "cold" mean cold (imports, connections, no
cached plans); what the OS keeps in its file cache is shared by every
implementation alike.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from tandem.bench import core

Args = dict[str, Any]


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


#: Fast runs are repeated (up to this many) until they add up to a second: a
#: query of a few milliseconds is otherwise at the mercy of one scheduler hiccup.
MAX_RUNS = 9


def _runs(fn: Callable[[], Any], at_least: int) -> tuple[list[float], Any]:
    """Times of ``at_least`` runs of ``fn``, more while they are short; and its last value."""
    times: list[float] = []
    value = None
    while len(times) < at_least or (len(times) < MAX_RUNS and sum(times) < 1.0):
        t, value = _timed(fn)
        times.append(t)
    return times, value


def _months(args: Args) -> list[core.Month]:
    return core.months(dt.date.fromisoformat(args["last_month"]), int(args["months"]))


def load(args: Args) -> dict[str, Any]:
    """``Workspace.load`` of the given paths into an existing workspace."""
    from tandem import Workspace

    with Workspace(args["workspace"]) as ws:
        seconds, report = _timed(lambda: ws.load([Path(p) for p in args["paths"]]))
        rows = {t.table: t.rows for t in report.tables}
    return {"seconds": seconds, "rows": rows}


def catalog(args: Args) -> dict[str, Any]:
    """The whole catalog at month grain, for each ``by``, twice in one process."""
    from tandem import Workspace

    ms = _months(args)
    out: dict[str, Any] = {}
    with Workspace(args["workspace"]) as ws:
        slugs = [m.slug for m in ws.catalog()]
        for label, by in args["cuts"].items():
            runs = []
            for _ in range(int(args.get("repeat", 2))):
                seconds, _ = _timed(
                    partial(ws.compute, slugs, by=by, start=ms[0].first, end=ms[-1].last)
                )
                runs.append(seconds)
            out[label] = runs
    return {"seconds": out}


def refresh(args: Args) -> dict[str, Any]:
    """Cached catalog: fill, re-read, load one more day, refresh; then a full recompute."""
    from tandem.service.workspace import Workspace
    from tandem.settings import load_settings

    ms = _months(args)
    out: dict[str, float] = {}
    settings = load_settings(Path(args["workspace"]))
    results = {}
    for mode in ("on", "off"):
        cache = settings.cache.model_copy(update={"mode": mode})
        tuned = settings.model_copy(update={"cache": cache})
        with Workspace(args["workspace"], settings=tuned) as ws:
            slugs = [m.slug for m in ws.catalog()]

            def run(ws: Workspace = ws, slugs: list[str] = slugs) -> Any:
                return ws.compute(slugs, start=ms[0].first, end=ms[-1].last)

            if mode == "on":
                out["fill"], _ = _timed(run)
                out["unchanged"], _ = _timed(run)
                out["load_day"], _ = _timed(partial(ws.load, [Path(p) for p in args["day"]]))
                out["refresh"], results[mode] = _timed(run)
            else:
                out["full"], results[mode] = _timed(run)
    same = all(_same(results["on"][s].rows, results["off"][s].rows) for s in results["on"])
    return {"seconds": out, "refresh_equals_full": same}


def _same(a: Any, b: Any) -> bool:
    """Equal frames, floats to 1e-9 relative (sums may add in another order)."""
    import pandas as pd

    try:
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)
    except AssertionError:
        return False
    return True


def five(args: Args) -> dict[str, Any]:
    """The five core metrics by one implementation; every run's time (see ``_runs``).

    The first run of each metric is the cold one (a fresh process: imports,
    connections, file reads); the best of the others is the warm one. Tandem's
    metrics are also profiled once each (``profile``).
    """
    impl, ms, repeat = args["impl"], _months(args), int(args.get("repeat", 2))
    seconds: dict[str, list[float]] = {}
    results: core.Results = {}
    out: dict[str, Any] = {}
    if impl == "tandem":
        from tandem import Workspace

        with Workspace(args["workspace"]) as ws:
            profiles = {}
            for slug in core.FIVE:
                run = partial(ws.compute, [slug], start=ms[0].first, end=ms[-1].last)
                seconds[slug], res = _runs(run, repeat)
                results[slug] = core.from_tandem(res[slug])
                profiles[slug] = {"top": profile(run), "packages": by_package(run)}
            out["profile"] = profiles
    elif impl == "sql":
        import duckdb

        from tandem.bench import sql_baseline

        con = duckdb.connect(args["database"], read_only=True)
        for slug in core.FIVE:
            seconds[slug], results[slug] = _runs(
                partial(sql_baseline.compute, con, slug, ms), repeat
            )
        con.close()
    elif impl == "pandas":
        folder = Path(args["data"])
        for slug in core.FIVE:
            seconds[slug], results[slug] = _runs(partial(_pandas, folder, slug, ms), repeat)
    elif impl == "polars":
        from tandem.bench import polars_baseline

        folder = Path(args["data"])
        for slug in core.FIVE:
            compute = partial(polars_baseline.compute, folder, slug, ms)
            seconds[slug], results[slug] = _runs(compute, repeat)
    else:
        raise SystemExit(f"unknown implementation {impl!r}")
    return {"seconds": seconds, "results": core.to_json(results), **out}


#: Entries of a profile kept: the functions with the most time of their own.
PROFILE_TOP = 12


def profile(fn: Callable[[], Any]) -> list[dict[str, Any]]:
    """One more run of ``fn`` under cProfile: the top entries by own time."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.runcall(fn)
    stats = pstats.Stats(prof)
    total = sum(v[2] for v in stats.stats.values())  # type: ignore[attr-defined]
    rows = []
    for (file, line, name), (_, calls, own, cum, _) in stats.stats.items():  # type: ignore[attr-defined]
        short = "/".join(Path(file).parts[-2:]) if file != "~" else ""
        rows.append(
            {
                "where": f"{short}:{line}({name})" if short else name,
                "calls": calls,
                "own": own,
                "cumulative": cum,
            }
        )
    rows.sort(key=lambda r: -r["own"])
    return [{**r, "share": r["own"] / total if total else 0.0} for r in rows[:PROFILE_TOP]]


def by_package(fn: Callable[[], Any]) -> dict[str, float]:
    """One more run of ``fn`` under cProfile: own time per package (Ibis, DuckDB, ...)."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.runcall(fn)
    out: dict[str, float] = {}
    for (file, _, name), (_, _, own, _, _) in pstats.Stats(prof).stats.items():  # type: ignore[attr-defined]
        out[_package(file, name)] = out.get(_package(file, name), 0.0) + own
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def _package(file: str, name: str) -> str:
    """``ibis``, ``duckdb``, ``pyarrow``, ``pandas``, ``tandem`` or ``python``."""
    text = f"{file} {name}"
    for package in ("ibis", "duckdb", "sqlglot", "pyarrow", "pandas", "tandem"):
        if f"/{package}/" in text or f"_{package}." in text or f" {package}." in text:
            return package
    return "python"


#: Requests timed per figure of ``latency``.
LATENCY_RUNS = 21


def latency(args: Args) -> dict[str, Any]:
    """The fixed cost of a request inside one process, through the facade.

    ``hit``: the same request (NPS over the whole range) asked again once the
    result cache holds it; ``small``: one metric for one month (run with the
    cache off, so every request computes). The first of each is kept apart as
    the cold one; the median of the others is the figure.
    """
    import statistics

    from tandem import Workspace

    ms = _months(args)
    last = ms[-1]
    requests = {
        "hit": ("nps", ms[0].first, last.last),
        "small_nps": ("nps", last.first, last.last),
        "small_churn": ("customer_churn_rate", last.first, last.last),
    }
    out: dict[str, Any] = {}
    with Workspace(args["workspace"]) as ws:
        for name in args["requests"]:
            slug, start, end = requests[name]
            times = [
                _timed(partial(ws.compute, [slug], start=start, end=end))[0]
                for _ in range(LATENCY_RUNS)
            ]
            out[name] = {"cold": times[0], "median": statistics.median(times[1:])}
    return {"seconds": out}


def _pandas(folder: Path, slug: str, ms: list[core.Month]) -> core.Rows:
    """Read what the metric needs, then compute it: what the analyst's script does."""
    from tandem.bench import pandas_baseline

    return pandas_baseline.compute(slug, pandas_baseline.read(folder, slug), ms)


STEPS: dict[str, Callable[[Args], dict[str, Any]]] = {
    "load": load,
    "catalog": catalog,
    "refresh": refresh,
    "five": five,
    "latency": latency,
}


def main(argv: list[str]) -> None:
    kind, args = argv[0], json.loads(argv[1])
    import warnings

    warnings.simplefilter("ignore")
    figures = STEPS[kind](args)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
