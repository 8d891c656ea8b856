"""The catalog as data: kinds, the formula language, and validation that names the metric."""

from __future__ import annotations

import dataclasses

import pytest

from tandem.semantic import formula
from tandem.semantic.catalog import Catalog, CatalogError, default_catalog
from tandem.semantic.types import (
    Agg,
    Custom,
    Derived,
    Direction,
    Measure,
    Metric,
    Percent,
    Ratio,
    Simple,
    Source,
    Team,
    Unit,
)


def _source(name: str = "rows") -> Source:
    return Source(name, lambda f: f.table("accounts"), "test rows")


def _measure(name: str, agg: Agg = Agg.COUNT, source: str = "rows") -> Measure:
    expr = None if agg is Agg.COUNT else (lambda t: t.x)
    return Measure(name, source, agg, name, expr=expr)


def _metric(slug: str, kind: object, unit: Unit = Unit.PERCENT, **more: object) -> Metric:
    return Metric(
        slug=slug,
        name=slug,
        unit=unit,
        direction=Direction.HIGHER,
        teams=(Team.SALES,),
        description=slug,
        kind=kind,  # type: ignore[arg-type]
        **more,  # type: ignore[arg-type]
    )


def test_the_shipped_catalog_holds_42_metrics_of_every_kind_but_custom() -> None:
    catalog = default_catalog()
    kinds = {type(m.kind).__name__ for m in catalog}
    assert len(catalog) == 42
    assert kinds == {"Simple", "Ratio", "Percent", "Derived"}


def test_formulas_are_parsed_into_names_and_refuse_anything_else() -> None:
    tree = formula.parse("percent(promoters - detractors, nps_responses)")
    assert list(formula.names(tree)) == ["promoters", "detractors", "nps_responses"]
    assert list(formula.names(formula.parse("12 * mrr"))) == ["mrr"]
    for bad in ("__import__('os')", "a ** 2", "max(a, b)", "a if b else c", "a.b", "'x'"):
        with pytest.raises(formula.FormulaError, match=r"is not allowed|is not a formula"):
            formula.parse(bad)


def test_derived_metrics_read_other_metrics_and_add_their_measures() -> None:
    """ARR = 12 × MRR: it reads mrr and needs mrr's components; CLV reads ARPC (a metric),
    the mean churn (a measure) and the gross margin (a knob)."""
    catalog = default_catalog()
    arr, mrr = catalog.get("arr"), catalog.get("mrr")
    assert catalog.uses(arr) == ("mrr",)
    assert catalog.needed_measures(arr) == catalog.needed_measures(mrr)
    clv = catalog.get("customer_lifetime_value")
    assert catalog.uses(clv) == ("arpc",)
    assert "gross_margin" in catalog.knobs_of(clv)
    assert catalog.needed_measures(clv)[:2] == ["mean_monthly_churn", "churn_window_months"]


def test_every_problem_is_named_with_its_metric() -> None:
    """An unknown measure, an unknown name in a formula, a derived cycle, a percent in
    currency and a count passed through as days: all reported at once."""
    sources = [_source()]
    measures = [_measure("n"), _measure("total", Agg.SUM)]
    metrics = [
        _metric("a", Percent("n", "missing"), measures=("n", "absent")),
        _metric("b", Derived("c + 1")),
        _metric("c", Derived("b - 1")),
        _metric("d", Percent("n", "n"), unit=Unit.CURRENCY),
        _metric("e", Simple("n"), unit=Unit.DAYS),
        _metric("f", Custom(lambda c, k: c["n"], why=" ")),
    ]
    with pytest.raises(CatalogError) as caught:
        Catalog(sources, measures, metrics)
    problems = caught.value.problems
    text = "\n".join(problems)
    assert "a: unknown measure 'absent'" in text
    assert "a: value: unknown name 'missing'" in text
    assert "derived metrics form a cycle: b → c → b" in text or "c → b → c" in text
    assert "d: a percent is declared in currency" in text
    assert "e: passes a count through but is declared in days" in text
    assert "f: value: a custom formula must say why it needs code" in text


def test_units_of_derived_formulas_must_agree() -> None:
    sources = [_source()]
    measures = [_measure("n"), _measure("total", Agg.SUM)]
    metrics = [
        _metric("money", Simple("total"), unit=Unit.CURRENCY),
        _metric("rate", Percent("n", "n")),
        _metric("mixed", Derived("money + rate")),
    ]
    with pytest.raises(CatalogError, match="mixed: adds or subtracts currency and percent"):
        Catalog(sources, measures, metrics)


def test_a_measure_on_an_unknown_source_and_twice_declared_names() -> None:
    with pytest.raises(CatalogError) as caught:
        Catalog(
            [_source(), _source()],
            [_measure("n", source="rowz")],
            [_metric("r", Ratio("n", "n"), unit=Unit.RATIO)],
        )
    text = "\n".join(caught.value.problems)
    assert "source rows declared twice" in text
    assert "measure n: unknown source 'rowz' (did you mean 'rows'?)" in text


def test_rates_have_no_value_over_nothing_counts_are_zero() -> None:
    catalog = default_catalog()
    assert catalog.is_rate(catalog.get("nps")) and catalog.is_rate(catalog.get("arpc"))
    assert catalog.is_rate(catalog.get("existing_customer_revenue_growth_rate"))
    assert not catalog.is_rate(catalog.get("customers"))
    assert not catalog.is_rate(catalog.get("arr"))
    assert catalog.is_rate(catalog.get("days_to_onboard"))  # a median over nothing


def test_declarations_are_values_nothing_registers_on_import() -> None:
    """Two catalogs built from the same declarations are equal in content and distinct
    in identity (their tokens), and changing a declaration makes a new value."""
    base = default_catalog()
    again = Catalog(base.sources.values(), base.measures.values(), base.metrics.values())
    assert list(again.metrics) == list(base.metrics) and again.token != base.token
    nps = base.get("nps")
    changed = dataclasses.replace(nps, kind=Percent("promoters", "nps_responses"))
    assert changed != nps and base.get("nps") is nps
