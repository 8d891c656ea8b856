"""The same steps on an earlier commit, on the same company, in the same run.

``tandem bench --before REF`` extracts the package's sources at git ``REF``
(``git archive``, kept under the cache folder) and runs this checkout's step
file (:mod:`tandem.bench.step`) with those sources first on the path: the same
measuring code, the same interpreter and libraries, the same machine and
company, only Tandem's code differs. Its workspace is made and loaded by that
code too. The steps are the ones the code before the core rewrite of issue 10
can run: load, the whole catalog, the five core metrics, and the cost of one
request (through ``Workspace.compute``, which both have).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

#: The last commit before the core rewrite (issue 10: layout, metrics as data, the
#: service layer); ``make bench`` compares with it.
BEFORE_CORE = "4236931"


def repository() -> Path:
    """The git checkout this package runs from."""
    import tandem

    root = Path(tandem.__file__).resolve().parents[2]
    if not (root / ".git").exists():
        raise RuntimeError(f"--before needs a git checkout of Tandem; {root} is not one")
    return root


def sources(ref: str, cache: Path) -> tuple[Path, str]:
    """The ``src`` folder of ``ref``, extracted once, and the commit's id."""
    root = repository()
    sha = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "--verify", f"{ref}^{{commit}}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    folder = cache / f"before-{sha[:10]}"
    if not (folder / ".done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", sha, "src"], check=True, capture_output=True
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
        (folder / ".done").touch()
    return folder / "src", sha


def environment(src: Path) -> dict[str, str]:
    """The environment of a step on the sources in ``src`` (they come first on the path)."""
    return {"PYTHONPATH": str(src)}


def command(src: Path) -> list[str]:
    """How a step is started on other sources: this checkout's step file, run by path
    (``-P``: its folder is not put on the path)."""
    step_file = Path(__file__).with_name("step.py")
    return [sys.executable, "-P", str(step_file)]


def init(src: Path, folder: Path) -> Path:
    """A workspace made by the code in ``src``."""
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run(
        [sys.executable, "-P", "-m", "tandem.cli", "init", "--workspace", str(folder)],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, **environment(src)},
    )
    return folder


def summary(now: dict[str, Any], before: dict[str, Any]) -> list[tuple[str, float, float]]:
    """(step, before, now) in seconds for every step both measured; warm figures."""
    rows: list[tuple[str, float, float]] = []
    rows.append(("Load Parquet", before["load"]["seconds"], now["load_parquet"]["seconds"]))
    for cut, runs in before["catalog"]["seconds"].items():
        mine = now["catalog"]["seconds"].get(cut)
        if mine:
            rows.append((f"Whole catalog {cut}, warm", _warm(runs), _warm(mine)))
    for slug, runs in before["five"]["seconds"].items():
        mine = now["five"]["tandem"]["seconds"].get(slug)
        if mine:
            rows.append((f"`{slug}`, warm", _warm(runs), _warm(mine)))
    for key, label in (
        ("hit", "Cache hit (NPS, 24 months)"),
        ("small_nps", "Small request: NPS, one month"),
        ("small_churn", "Small request: churn, one month"),
    ):
        if key in before.get("latency", {}) and key in now.get("latency", {}):
            rows.append((label, before["latency"][key]["median"], now["latency"][key]["median"]))
    return rows


def _warm(runs: list[float]) -> float:
    return min(runs[1:]) if len(runs) > 1 else runs[0]
