"""Fingerprints follow the logic: the SQL that computes a number, not its description."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from pathlib import Path

from tandem.engine.compute import compute
from tandem.engine.fingerprint import metric_fingerprint
from tandem.engine.memo import Memo
from tandem.engine.query import MetricQuery
from tandem.semantic.catalog import Catalog, default_catalog
from tandem.service.workspace import Workspace
from tandem.settings import MetricSettings

KNOBS = MetricSettings(min_survey_responses=0)


def _with_promoters_from(score: int) -> Catalog:
    """The shipped catalog with one condition changed: promoters score ``score``-10."""
    base = default_catalog()
    measures = [
        dataclasses.replace(m, where=lambda t: (t.survey == "nps") & (t.score >= score))
        if m.name == "promoters"
        else m
        for m in base.measures.values()
    ]
    return Catalog(base.sources.values(), measures, base.metrics.values())


def _prints(catalog: Catalog, dialect: str = "duckdb") -> dict[str, str]:
    memo = Memo()
    return {m.slug: metric_fingerprint(memo, catalog, m, KNOBS, dialect) for m in catalog}


def test_a_changed_condition_changes_every_metric_reading_it_and_no_other() -> None:
    base, changed = default_catalog(), _with_promoters_from(8)
    before, after = _prints(base), _prints(changed)
    users = {m.slug for m in base if "promoters" in base.needed_measures(m)}
    assert users == {"nps"}
    assert {slug for slug in before if before[slug] != after[slug]} == users


def test_the_same_logic_gives_the_same_fingerprint_in_any_catalog_and_process() -> None:
    """A fingerprint hashes SQL text, so a second catalog built from the same declarations
    (another token, another memo) gives the same values."""
    base = default_catalog()
    again = Catalog(base.sources.values(), base.measures.values(), base.metrics.values())
    assert _prints(base) == _prints(again)


def test_knobs_and_backend_are_part_of_it() -> None:
    catalog, memo = default_catalog(), Memo()
    churn = catalog.get("customer_churn_rate")
    nps = catalog.get("nps")
    grace = MetricSettings(min_survey_responses=0, churn_grace_days=7)
    assert metric_fingerprint(memo, catalog, churn, KNOBS, "duckdb") != metric_fingerprint(
        memo, catalog, churn, grace, "duckdb"
    )
    assert metric_fingerprint(memo, catalog, nps, KNOBS, "duckdb") == metric_fingerprint(
        memo, catalog, nps, grace, "duckdb"
    ), "a knob NPS does not read leaves its fingerprint alone"
    assert metric_fingerprint(memo, catalog, churn, KNOBS, "duckdb") != metric_fingerprint(
        memo, catalog, churn, KNOBS, "postgres"
    )


def _responses(scores: list[int]) -> list[dict[str, object]]:
    return [
        {
            "response_id": f"r{i}",
            "account_id": "A",
            "survey": "nps",
            "score": s,
            "responded_at": "2024-03-05",
        }
        for i, s in enumerate(scores)
    ]


def test_the_cache_never_serves_a_number_computed_by_other_logic(
    seeded: Callable[..., Workspace], tmp_path: Path
) -> None:
    """NPS answers 10, 8, 8, 3 in March 2024. Promoters 9-10: (1 − 1) / 4 = 0.
    Promoters 8-10 (the changed definition): (3 − 1) / 4 = 50. The second computation
    uses the same workspace and result cache, and must not reuse the first's numbers."""
    ws = seeded({"survey_responses": _responses([10, 8, 8, 3])})
    query = MetricQuery(("nps",), start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31))
    assert ws.cache is not None
    with ws.readers.acquire() as store:
        first = compute(
            store, default_catalog(), KNOBS, query, today=ws.today(), cache=ws.cache, memo=ws.memo
        )["nps"]
        second = compute(
            store,
            _with_promoters_from(8),
            KNOBS,
            query,
            today=ws.today(),
            cache=ws.cache,
            memo=ws.memo,
        )["nps"]
    assert first.rows["value"].tolist() == [0.0]
    assert second.rows["value"].tolist() == [50.0]
    assert first.fingerprint != second.fingerprint
