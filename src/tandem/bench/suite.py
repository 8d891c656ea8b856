"""``tandem bench`` as a whole: the sizes, the predictive models, and the report."""

from __future__ import annotations

import json
from pathlib import Path

from tandem.bench import models as model_bench
from tandem.bench.report import render
from tandem.bench.run import SIZES, measure


def run(
    sizes: list[str],
    *,
    out: Path,
    results: Path,
    cache: Path,
    command: str,
    workspaces: Path | None = None,
    models: int = 0,
    before: str | None = None,
) -> list[str]:
    """Measure ``sizes``, keep their JSON, rewrite the report; return the problems found."""
    results.mkdir(parents=True, exist_ok=True)
    problems = []
    for name in sizes:
        figures = measure(SIZES[name], cache, workspaces, before)
        figures["command"] = command
        (results / f"{name}.json").write_text(json.dumps(figures, indent=1) + "\n")
        problems += [f"{name}: {p}" for p in figures["disagreements"]]
    if models:  # the predictive models at ``models`` customers (tandem.bench.models)
        model_bench.run(models, results, cache, workspaces)
    measured = {}
    for name in SIZES:
        f = results / f"{name}.json"
        if f.exists():
            measured[name] = json.loads(f.read_text())
    out.write_text(render(measured) + model_bench.section(results), encoding="utf-8")
    return problems
