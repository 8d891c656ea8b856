"""The models at scale: both fits and the per-account scores on a million customers.

``tandem bench --models N`` draws N customers from the models themselves
(:mod:`tandem.models.simulate`: about 10 orders each over two years, one
subscription each), kept as Parquet in the benchmark cache, loads them into a
fresh workspace (``tandem load``, timed apart), then measures in one fresh
process, through the same calls the CLI makes:

- the per-customer histories (the Ibis aggregation on DuckDB), the BG/NBD fit
  and the Gamma-Gamma fit, each on its own;
- ``account_predictions`` end to end (histories, both fits, 52-week scores):
  the figure the 60-second target is about;
- survival: lifetimes by paid coverage, one Kaplan-Meier curve, and curves by
  segment with the log-rank test; lifelines' Kaplan-Meier on the same
  lifetimes beside it when it is installed (it is in the test environment).

The figures are kept in ``<results>/models.json``; :func:`section` writes them
into docs/benchmarks.md.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

START = dt.date(2024, 1, 1)
WEEKS = 104
CALIBRATION_END = START + dt.timedelta(weeks=52) - dt.timedelta(days=1)
AS_OF = START + dt.timedelta(weeks=WEEKS) - dt.timedelta(days=1)
TARGET_SECONDS = 60.0


def company(accounts: int, cache: Path) -> tuple[Path, float]:
    """The drawn customers as Parquet (generated the first time); seconds it took."""
    import pyarrow.parquet as pq

    from tandem.models import simulate

    folder = cache / f"models-{accounts}"
    done = folder / ".done.json"
    if done.exists():
        return folder, float(json.loads(done.read_text())["seconds"])
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    begin = time.perf_counter()
    pq.write_table(simulate.accounts(accounts, START), folder / "accounts.parquet")
    pq.write_table(simulate.orders(accounts, start=START, weeks=WEEKS), folder / "orders.parquet")
    subs = simulate.subscriptions(accounts, start=START, weeks=WEEKS)
    pq.write_table(subs, folder / "subscriptions.parquet")
    seconds = time.perf_counter() - begin
    done.write_text(json.dumps({"seconds": seconds}))
    return folder, seconds


def measure(accounts: int, cache: Path, workspaces: Path | None = None) -> dict[str, Any]:
    """Every figure for ``accounts`` customers; the workspace is removed at the end."""
    from tandem.bench.run import _init, machine, step, table_rows

    data, generated = company(accounts, cache)
    work = (workspaces or cache) / f"models-{accounts}-work"
    try:
        ws = _init(work)
        load = step("load", {"workspace": str(ws), "paths": [str(data)]})
        figures = _child({"workspace": str(ws)})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "accounts": accounts,
        "rows": table_rows(data),
        "generate_seconds": generated,
        "load": load,
        **figures,
        "machine": machine(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _child(args: dict[str, Any]) -> dict[str, Any]:
    """Run :func:`timings` in a fresh process; its JSON figures."""
    done = subprocess.run(
        [sys.executable, "-m", "tandem.bench.models", json.dumps(args)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"model benchmark failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _timed(fn: Any) -> tuple[float, Any]:
    begin = time.perf_counter()
    value = fn()
    return time.perf_counter() - begin, value


def timings(workspace: Path) -> dict[str, Any]:
    """The measured calls (run in the child process)."""
    import resource

    import scipy.optimize
    import scipy.special
    import scipy.stats  # noqa: F401 - imported before the clock starts, as lifelines is

    from tandem.models import bgnbd, gamma_gamma
    from tandem.models.predictions import account_predictions
    from tandem.models.survival import SurvivalRequest, kaplan_meier, lifetimes, survival
    from tandem.models.transactions import Window, summarise
    from tandem.service.workspace import Workspace

    out: dict[str, Any] = {}
    with Workspace(workspace) as ws, ws.read() as s:
        orders = s.table("orders")
        out["histories"], c = _timed(lambda: summarise(orders, Window(CALIBRATION_END)))
        out["bgnbd_fit"], bg = _timed(lambda: bgnbd.fit(c.frequency, c.recency, c.age))
        out["gamma_gamma_fit"], gg = _timed(
            lambda: gamma_gamma.fit(c.frequency, c.value, max_correlation=1.0)
        )
        out["scores_end_to_end"], scored = _timed(
            lambda: account_predictions(s, horizon_weeks=52, calibration_end=CALIBRATION_END)
        )
        subs, metric_knobs = s.table("subscriptions"), s.settings.metrics
        out["lifetimes"], life = _timed(lambda: lifetimes(subs, metric_knobs, AS_OF))
        kaplan_meier(life.days[:10], life.churned[:10])  # warm, as lifelines is
        out["kaplan_meier"], _ = _timed(lambda: kaplan_meier(life.days, life.churned))
        out["survival_by_segment"], _ = _timed(
            lambda: survival(
                subs, metric_knobs, SurvivalRequest(AS_OF, "segment"), today=s.today,
                accounts=s.table("accounts"),
            )
        )  # fmt: skip
        out["lifelines_kaplan_meier"] = _lifelines(life.days, life.churned)
        facts = {
            "customers": len(c),
            "repeat_customers": c.repeat_customers,
            "orders_per_customer": float(orders.count().to_pyarrow().as_py() / len(c)),
            "bgnbd": [bg.r, bg.alpha, bg.a, bg.b],
            "gamma_gamma": [gg.p, gg.q, gg.v],
            "iterations": [bg.iterations, gg.iterations],
            "scored_accounts": scored.rows.num_rows,
            "lifetimes": len(life.days),
        }
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": out, "facts": facts, "peak_rss_mb": peak}


def _lifelines(days: Any, churned: Any) -> float | None:
    """lifelines' Kaplan-Meier on the same lifetimes, or None when it is not installed."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from lifelines import KaplanMeierFitter
        except ImportError:
            return None
        KaplanMeierFitter().fit(days[:10], churned[:10])  # warm
        seconds, _ = _timed(lambda: KaplanMeierFitter().fit(days, churned))
    return seconds


def run(accounts: int, results: Path, cache: Path, workspaces: Path | None = None) -> None:
    """Measure and keep ``<results>/models.json``."""
    figures = measure(accounts, cache, workspaces)
    results.mkdir(parents=True, exist_ok=True)
    (results / "models.json").write_text(json.dumps(figures, indent=1) + "\n")


def section(results: Path) -> str:
    """The report's section on the models, from ``<results>/models.json`` (empty without it)."""
    from tandem.bench.report import _mb, _s

    path = results / "models.json"
    if not path.exists():
        return ""
    f = json.loads(path.read_text())
    t, facts, m = f["seconds"], f["facts"], f["machine"]
    total = t["scores_end_to_end"]
    verdict = "meets" if total < TARGET_SECONDS else "MISSES"
    peer = t.get("lifelines_kaplan_meier")
    lines = [
        "",
        f"## Predictive models ({f['accounts']:,} customers)",
        "",
        f"Measured {f['date']} with `tandem bench --models {f['accounts']}` on {m['cpu']}, "
        f"{m['memory']} of memory; Python {m['python']}. Customers drawn from the models "
        f"(`tandem.models.simulate`, {facts['orders_per_customer']:.1f} orders each on average "
        f"over {WEEKS} weeks: {f['rows']['orders']:,} orders) in {_s(f['generate_seconds'])}, "
        f"loaded in {_s(f['load']['seconds'])}; calibration to {CALIBRATION_END}.",
        "",
        "| Step | Time |",
        "|---|---:|",
        f"| Histories per customer (Ibis on DuckDB, {facts['customers']:,} customers) "
        f"| {_s(t['histories'])} |",
        f"| BG/NBD fit ({facts['iterations'][0]} iterations) | {_s(t['bgnbd_fit'])} |",
        f"| Gamma-Gamma fit ({facts['repeat_customers']:,} repeat customers, "
        f"{facts['iterations'][1]} iterations) | {_s(t['gamma_gamma_fit'])} |",
        f"| **`account_predictions`, 52-week horizon, end to end** | **{_s(total)}** |",
        f"| Lifetimes by paid coverage ({facts['lifetimes']:,}) | {_s(t['lifetimes'])} |",
        f"| Kaplan-Meier, one curve | {_s(t['kaplan_meier'])} |",
        f"| Survival by segment with log-rank, end to end | {_s(t['survival_by_segment'])} |",
    ]
    if peer is not None:
        lines.append(f"| lifelines `KaplanMeierFitter`, same lifetimes | {_s(peer)} |")
    lines += [
        "",
        f"Both fits and every account's scores in {_s(total)}: {verdict} the 60 s target. "
        f"Peak memory of the process: {_mb(f['peak_rss_mb'])}.",
    ]
    if peer is not None:
        lines.append(
            f"Kaplan-Meier on the same lifetimes: lifelines takes {peer / t['kaplan_meier']:.2f}× "
            "Tandem's time (Tandem's curve also carries the band and the counts)."
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    print(json.dumps(timings(Path(json.loads(sys.argv[1])["workspace"]))), flush=True)
