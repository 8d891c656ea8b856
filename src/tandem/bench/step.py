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
    from tandem.service.workspace import Workspace

    with Workspace(args["workspace"]) as ws:
        seconds, report = _timed(lambda: ws.load([Path(p) for p in args["paths"]]))
        rows = {t.table: t.rows for t in report.tables}
    return {"seconds": seconds, "rows": rows}


def catalog(args: Args) -> dict[str, Any]:
    """The whole catalog at month grain, for each ``by``, twice in one process."""
    from tandem.service.workspace import Workspace

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
    """The five core metrics by one implementation; every run's time (see ``_runs``)."""
    impl, ms, repeat = args["impl"], _months(args), int(args.get("repeat", 2))
    seconds: dict[str, list[float]] = {}
    results: core.Results = {}
    if impl == "tandem":
        from tandem.service.workspace import Workspace

        with Workspace(args["workspace"]) as ws:
            for slug in core.FIVE:
                run = partial(ws.compute, [slug], start=ms[0].first, end=ms[-1].last)
                seconds[slug], res = _runs(run, repeat)
                results[slug] = core.from_tandem(res[slug])
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
    else:
        raise SystemExit(f"unknown implementation {impl!r}")
    return {"seconds": seconds, "results": core.to_json(results)}


def _pandas(folder: Path, slug: str, ms: list[core.Month]) -> core.Rows:
    """Read what the metric needs, then compute it: what the analyst's script does."""
    from tandem.bench import pandas_baseline

    return pandas_baseline.compute(slug, pandas_baseline.read(folder, slug), ms)


STEPS: dict[str, Callable[[Args], dict[str, Any]]] = {
    "load": load,
    "catalog": catalog,
    "refresh": refresh,
    "five": five,
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
