"""Compiled SQL kept per query shape: filled in for a request, it is exactly the SQL
the request's own expression compiles to, and its numbers are the same."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import ibis
import pandas as pd
import pytest

import tandem.engine.compute as engine
from tandem.engine.aggregate import aggregate_expr, by_source
from tandem.engine.frame import Frame
from tandem.engine.shapes import rendered, shifted, template
from tandem.semantic.calendar import Grain, Period, periods
from tandem.semantic.dimensions import DimensionSet, Filter
from tandem.service.workspace import Workspace
from tandem.settings import MetricSettings, Settings
from tandem.synth import SynthConfig, generate


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    folder = tmp_path_factory.mktemp("shapes")
    generate(SynthConfig(accounts=120, months=12, seed=5), folder / "data")
    Workspace.init(folder / "ws").close()
    off = Settings(metrics=MetricSettings(min_survey_responses=0))
    off = off.model_copy(update={"cache": off.cache.model_copy(update={"mode": "off"})})
    with Workspace(folder / "ws", settings=off) as ws:
        ws.load([folder / "data"])
        yield ws


def _frames(ws: Workspace) -> list[tuple[str, Grain, list[Period], DimensionSet]]:
    extent = ws.status()
    last = extent.last_day
    assert last is not None
    months = periods(Grain.MONTH, last.replace(day=1) - dt.timedelta(days=150), last)
    return [
        ("three months", Grain.MONTH, months[-3:], DimensionSet()),
        ("three other months", Grain.MONTH, months[:3], DimensionSet()),
        ("one month", Grain.MONTH, months[-1:], DimensionSet()),
        ("gaps", Grain.MONTH, [months[0], months[2]], DimensionSet()),
        (
            "weeks",
            Grain.WEEK,
            periods(Grain.WEEK, last - dt.timedelta(days=30), last),
            DimensionSet(),
        ),
        (
            "quarters by segment",
            Grain.QUARTER,
            periods(Grain.QUARTER, months[0].start, last),
            DimensionSet(by=("segment",)),
        ),
        (
            "filtered",
            Grain.MONTH,
            months[-2:],
            DimensionSet(where=(Filter.equals("segment", "SMB"),)),
        ),
        ("span", Grain.SPAN, [Period(0, months[0].start, last)], DimensionSet()),
    ]


def test_a_filled_template_is_the_sql_the_expression_compiles_to(ws: Workspace) -> None:
    catalog = ws.definitions
    knobs = ws.settings.metrics
    kept: set[str] = set()
    with ws.readers.acquire() as store:
        for label, grain, ps, dims in _frames(ws):
            for source, items in by_source(catalog, list(catalog)).items():
                frame = Frame(
                    store, catalog, knobs, grain, ps, dims, materialize=False, memo=ws.memo
                )
                try:
                    made = template(frame, source, items)
                    if made is None:
                        continue
                    expr = aggregate_expr(frame, source, items)
                    if made.sql is None:
                        assert expr is None, (label, source)
                        continue
                    assert expr is not None, (label, source)
                    assert made.fill(frame) == str(ibis.to_sql(expr, dialect="duckdb")), (
                        label,
                        source,
                    )
                    kept.add(source)
                finally:
                    frame.close()
    # Most sources have a shape that only their dates change.
    assert {"survey_responses", "account_periods", "resolved_tickets"} <= kept
    assert len(kept) >= len(catalog.sources) // 2


def test_numbers_through_a_template_equal_a_fresh_build(
    ws: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    slugs = ["nps", "csat", "customer_churn_rate", "mrr", "first_contact_resolution"]
    cases: list[dict[str, Any]] = [
        {"start": "2026-01-01", "end": "2026-03-31"},
        {"start": "2026-02-01", "end": "2026-02-28", "where": {"segment": "SMB"}},
        {"grain": "quarter", "start": "2026-01-01", "end": "2026-06-30", "by": ["segment"]},
    ]
    with_templates = {
        (s, i): ws.compute([s], **c)[s].rows for s in slugs for i, c in enumerate(cases)
    }
    monkeypatch.setattr(engine, "template", lambda *a, **k: None)
    for (slug, i), rows in with_templates.items():
        fresh = ws.compute([slug], **cases[i])[slug].rows
        pd.testing.assert_frame_equal(rows, fresh, rtol=1e-12)


def test_dates_are_rendered_as_ibis_renders_them() -> None:
    day = dt.date(2026, 3, 1)
    as_date, as_timestamp = rendered("duckdb", day)
    t = ibis.table({"d": "date"}, name="t")
    sql = str(ibis.to_sql(t.filter(t.d >= ibis.date(day.isoformat())), dialect="duckdb"))
    assert as_date in sql
    assert "2026" in as_timestamp


def test_probes_keep_weekdays_and_month_days() -> None:
    """400 Gregorian years are 146,097 days, a whole number of weeks: a probe's periods
    start on the same weekday and month day as the request's."""
    for grain, first in ((Grain.WEEK, dt.date(2026, 3, 2)), (Grain.MONTH, dt.date(2026, 3, 1))):
        ps = periods(grain, first, first + dt.timedelta(days=60))
        probe = shifted(ps, grain, 1, 0)
        assert [p.start.weekday() for p in probe] == [p.start.weekday() for p in ps]
        assert [(p.start.month, p.start.day) for p in probe] == [
            (p.start.month, p.start.day) for p in ps
        ]
        assert [p.start.year for p in probe] == [p.start.year - 400 for p in ps]
