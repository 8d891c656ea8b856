"""The models' benchmark runs end to end on 2,000 drawn customers (the smoke version)."""

from __future__ import annotations

import json
from pathlib import Path

from tandem.bench import models


def test_model_benchmark_smoke(tmp_path: Path) -> None:
    models.run(2_000, tmp_path / "results", tmp_path / "cache", tmp_path / "work")
    figures = json.loads((tmp_path / "results" / "models.json").read_text())
    facts = figures["facts"]
    # Every drawn customer orders at least once in the first 12 weeks, so all are scored.
    assert facts["customers"] == facts["scored_accounts"] == facts["lifetimes"] == 2_000
    assert figures["rows"]["accounts"] == 2_000
    assert set(figures["seconds"]) >= {"histories", "bgnbd_fit", "scores_end_to_end"}
    text = models.section(tmp_path / "results")
    assert "## Predictive models (2,000 customers)" in text
    assert "meets the 60 s target" in text
    assert not (tmp_path / "work" / "models-2000-work").exists()
    assert models.section(tmp_path / "nothing") == ""
