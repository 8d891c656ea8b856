"""``tandem bench``: Tandem against hand-written SQL, pandas and Polars, at three sizes.

For each size the company is generated once by ``tandem synth`` (kept in a
cache folder outside the repository), then every step runs in its own process
(:mod:`tandem.bench.step`) so each figure comes with that process's peak
memory:

1. load: the Parquet files into a fresh workspace (all but the last day of
   usage events), and the CSV files into another;
2. refresh: the catalog with the result cache on (filling it, then unchanged),
   one more day of events loaded, the catalog refreshed, then recomputed in full
   with the cache off, the two results compared;
3. catalog: the whole catalog at month grain over 24 months, overall, by
   segment and by CSM, twice in one process (cold, warm), cache off;
4. five: the five core metrics by Tandem, by hand-written DuckDB SQL on the same
   database file, and by vectorised pandas and by Polars from the Parquet files
   (``PEERS``); every month's value, numerator and denominator must agree with
   Tandem's, else the run fails. Tandem's metrics are profiled once each;
5. latency: the cost of a cache hit and of a small request (one metric, one
   month), inside one process.

Another implementation is a module with ``compute`` and an entry in ``PEERS``
(how its step is called) and in ``step.five``.

Each size's figures are kept as JSON under ``bench/results`` and the report
(``docs/benchmarks.md``) is written from all sizes measured so far, each with
its own machine, date and command.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tandem.bench import core

SEED = 7
END = "2026-10-31"
MONTHS = 24
STEP_MEMORY_LIMIT_MB = 16 * 1024


@dataclass(frozen=True)
class Size:
    name: str
    accounts: int
    events_per_account: float = 100.0
    #: Runs of each catalog request in one process (cold, then warm).
    repeat: int = 2

    @property
    def label(self) -> str:
        return f"{self.name} ({self.accounts:,} accounts, {MONTHS} months)"


SIZES = {s.name: s for s in (Size("S", 2_000), Size("M", 100_000), Size("L", 1_000_000, repeat=1))}


class BenchError(Exception):
    """A step failed or the implementations disagree."""


def default_cache() -> Path:
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "tandem-bench"


def _tandem() -> list[str]:
    return [sys.executable, "-m", "tandem.apps.cli"]


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# -- data -------------------------------------------------------------------------


def company(size: Size, fmt: str, cache: Path) -> tuple[Path, float | None]:
    """The generated company in ``fmt``, generating it the first time."""
    folder = cache / f"{size.name}-seed{SEED}-{generator_version()}" / fmt
    done = folder / ".done.json"
    if done.exists():
        return folder, json.loads(done.read_text())["seconds"]
    if folder.exists():
        shutil.rmtree(folder)
    _log(f"generating {size.label} as {fmt} into {folder}")
    start = time.perf_counter()
    subprocess.run(
        [
            *_tandem(),
            "synth",
            "--accounts",
            str(size.accounts),
            "--months",
            str(MONTHS),
            "--seed",
            str(SEED),
            "--end",
            END,
            "--format",
            fmt,
            "--out",
            str(folder),
            "--events-per-account",
            str(size.events_per_account),
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    done.write_text(json.dumps({"seconds": seconds}))
    return folder, seconds


def generator_version() -> str:
    """A hash of the generator's source, so a changed generator never reuses a kept company."""
    import hashlib

    import tandem.synth

    digest = hashlib.sha256()
    for f in sorted(Path(tandem.synth.__file__).parent.glob("*.py")):
        digest.update(f.read_bytes())
    return digest.hexdigest()[:10]


def split_last_day(parquet: Path) -> tuple[Path, Path, dt.date]:
    """A copy of the company without the last day of usage events, and that day alone."""
    import duckdb

    base, day = parquet.parent / "base", parquet.parent / "day"
    events = str(parquet / "usage_events.parquet")
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    row = con.execute(f"SELECT max(CAST(ts AS DATE)) FROM '{events}'").fetchone()
    assert row is not None
    last: dt.date = row[0]
    if not (base / ".done").exists():
        for folder in (base, day):
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
        for f in parquet.glob("*.parquet"):
            if f.name != "usage_events.parquet":
                (base / f.name).symlink_to(f)
        con.execute(
            f"COPY (SELECT * FROM '{events}' WHERE ts < DATE '{last}') "
            f"TO '{base / 'usage_events.parquet'}' (FORMAT parquet)"
        )
        con.execute(
            f"COPY (SELECT * FROM '{events}' WHERE ts >= DATE '{last}') "
            f"TO '{day / 'usage_events.parquet'}' (FORMAT parquet)"
        )
        (base / ".done").touch()
    con.close()
    return base, day, last


def table_rows(parquet: Path) -> dict[str, int]:
    import pyarrow.parquet as pq

    return {f.stem: pq.ParquetFile(f).metadata.num_rows for f in sorted(parquet.glob("*.parquet"))}


# -- steps ------------------------------------------------------------------------


def step(
    kind: str,
    args: dict[str, Any],
    *,
    env: dict[str, str] | None = None,
    limit_mb: int | None = None,
    start: list[str] | None = None,
) -> dict[str, Any]:
    """Run one step in a fresh process (started by ``start``: other sources, ``before``).

    With ``limit_mb`` (the baselines) a process that outgrows it is stopped and
    reported as out of memory; any other failure fails the benchmark.
    """
    import tempfile

    full_env = {**os.environ, **(env or {})}
    start = start or [sys.executable, "-m", "tandem.bench.step"]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(
            [*start, kind, json.dumps(args)],
            stdout=out,
            stderr=err,
            text=True,
            env=full_env,
        )
        exceeded = False
        while proc.poll() is None:
            if limit_mb is not None and _rss_mb(proc.pid) > limit_mb:
                proc.kill()
                exceeded = True
            time.sleep(0.2)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if limit_mb is not None and exceeded:
        return {"error": f"stopped at {limit_mb / 1024:.0f} GB of memory"}
    if limit_mb is not None and proc.returncode != 0 and "MemoryError" in stderr:
        return {"error": "ran out of memory"}
    if proc.returncode != 0:
        raise BenchError(f"step {kind} {args} failed:\n{stderr[-4000:]}")
    return json.loads(stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _init(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run(
        [*_tandem(), "init", "--workspace", str(folder)], check=True, stdout=subprocess.DEVNULL
    )
    return folder


def measure(
    size: Size, cache: Path, workspaces: Path | None = None, before: str | None = None
) -> dict[str, Any]:
    """Every figure of one size; its workspaces are made under ``workspaces``; with
    ``before`` (a git ref) the same steps on that commit's code too."""
    parquet, synth_parquet = company(size, "parquet", cache)
    csv, synth_csv = company(size, "csv", cache)
    base, day, last_day = split_last_day(parquet)
    rows = table_rows(parquet)
    months = {"last_month": last_day.replace(day=1).isoformat(), "months": MONTHS}
    work = (workspaces or cache) / f"{size.name}-seed{SEED}-{generator_version()}" / "work"
    off = {"TANDEM__CACHE__MODE": "off"}
    figures: dict[str, Any] = {
        "size": size.name,
        "label": size.label,
        "rows": rows,
        "synth_seconds": {"parquet": synth_parquet, "csv": synth_csv},
    }
    try:
        _log(f"{size.name}: loading CSV")
        ws_csv = _init(work / "csv")
        figures["load_csv"] = step("load", {"workspace": str(ws_csv), "paths": [str(csv)]})
        shutil.rmtree(ws_csv)

        _log(f"{size.name}: loading Parquet (all but the last day of events)")
        ws = _init(work / "parquet")
        figures["load_parquet"] = step("load", {"workspace": str(ws), "paths": [str(base)]})

        _log(f"{size.name}: cached refresh after one more day")
        figures["refresh"] = step(
            "refresh", {"workspace": str(ws), "day": [str(day / "usage_events.parquet")], **months}
        )
        if not figures["refresh"]["refresh_equals_full"]:
            raise BenchError("the refreshed catalog differs from the full recomputation")
        shutil.rmtree(ws / ".tandem", ignore_errors=True)

        _log(f"{size.name}: whole catalog")
        cuts = {"overall": [], "by segment": ["segment"], "by CSM": ["csm"]}
        figures["catalog"] = step(
            "catalog",
            {"workspace": str(ws), "cuts": cuts, "repeat": size.repeat, **months},
            env=off,
        )

        five: dict[str, Any] = {}
        places = {"workspace": str(ws), "database": str(ws / "tandem.duckdb"), "data": str(parquet)}
        for impl in ("tandem", *PEERS):
            _log(f"{size.name}: five core metrics by {impl}")
            where = IMPLS[impl]
            limit = STEP_MEMORY_LIMIT_MB if where == "data" else None
            args = {"impl": impl, where: places[where], **months}
            five[impl] = step("five", args, env=off, limit_mb=limit)
        figures["five"] = five
        figures["disagreements"] = _disagreements(five)

        _log(f"{size.name}: cost of a cache hit and of a small request")
        hit = step("latency", {"workspace": str(ws), "requests": ["hit"], **months})
        small = step(
            "latency",
            {"workspace": str(ws), "requests": ["small_nps", "small_churn"], **months},
            env=off,
        )
        figures["latency"] = {**hit["seconds"], **small["seconds"]}

        if before:
            figures["before"] = measure_before(before, cache, work, base, cuts, size, months)

        _log(f"{size.name}: the dashboard under concurrent clients")
        web = {"clients": 2, "per_client": 2, "paint": False} if size.name == "S" else {}
        day_file = str(day / "usage_events.parquet")
        figures["web"] = step("web", {"workspace": str(ws), "day": day_file, **web})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures["machine"] = machine()
    figures["date"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return figures


def measure_before(
    ref: str,
    cache: Path,
    work: Path,
    base: Path,
    cuts: dict[str, list[str]],
    size: Size,
    months: dict[str, Any],
) -> dict[str, Any]:
    """Load, catalog, five core metrics and request costs on the code at ``ref``
    (:mod:`tandem.bench.before`), on the same company."""
    from tandem.bench import before

    src, sha = before.sources(ref, cache)
    env, start = before.environment(src), before.command(src)
    off = {**env, "TANDEM__CACHE__MODE": "off"}
    _log(f"{size.name}: the same steps on {ref} ({sha[:10]})")
    ws = before.init(src, work / "before")
    out: dict[str, Any] = {"ref": ref, "commit": sha}
    out["load"] = step("load", {"workspace": str(ws), "paths": [str(base)]}, env=env, start=start)
    args = {"workspace": str(ws), "cuts": cuts, "repeat": size.repeat, **months}
    out["catalog"] = step("catalog", args, env=off, start=start)
    args = {"impl": "tandem", "workspace": str(ws), **months}
    out["five"] = step("five", args, env=off, start=start)
    hit = step(
        "latency", {"workspace": str(ws), "requests": ["hit"], **months}, env=env, start=start
    )
    small = {"workspace": str(ws), "requests": ["small_nps", "small_churn"], **months}
    out["latency"] = {**hit["seconds"], **step("latency", small, env=off, start=start)["seconds"]}
    shutil.rmtree(ws, ignore_errors=True)
    return out


#: Each implementation and where its step reads: the workspace, its database file, or
#: the Parquet files.
IMPLS = {"tandem": "workspace", "sql": "database", "pandas": "data", "polars": "data"}
#: The peers Tandem is compared with, in the report's order.
PEERS = ("sql", "pandas", "polars")


def _disagreements(five: dict[str, Any]) -> list[str]:
    tandem = core.from_json(five["tandem"]["results"])
    problems = []
    for other in PEERS:
        if "results" in five[other]:
            found = core.disagreements(core.from_json(five[other]["results"]), tandem)
            problems += [f"{other} vs tandem: {p}" for p in found]
    return problems


def machine() -> dict[str, str]:
    import duckdb
    import ibis
    import pandas
    import polars

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f"{kb / 1024 / 1024:.0f} GB"
    except (OSError, ValueError, IndexError):
        pass
    return {
        "cpu": f"{cpu}, {len(os.sched_getaffinity(0))} cores available",
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": f"DuckDB {duckdb.__version__}, Ibis {ibis.__version__}, "
        f"pandas {pandas.__version__}, Polars {polars.__version__}",
    }
