"""How a metric is declared: sources of fact rows, measures over them, metrics over measures.

A *source* builds one row per counted thing (an account in a period, a survey
response, a ticket...) with its ``period_key`` and ``account_id``. A *measure*
aggregates a source (count where, sum, mean, median). A *metric* names the
measures that make it (its components, shown beside every value) and a formula
over them. Derived metrics name the metrics they use and call their formulas,
never copying their logic. This split is what makes every number explainable:
``tandem explain`` lists a source's rows with one column per measure.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tandem.errors import UsageError, did_you_mean

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir

    from tandem.engine.frame import Frame
    from tandem.settings import MetricSettings

#: Bumped whenever a definition's logic changes; part of every fingerprint.
DEFINITIONS_VERSION = "1"


class Unit(enum.StrEnum):
    PERCENT = "percent"
    COUNT = "count"
    CURRENCY = "currency"
    DAYS = "days"
    MONTHS = "months"
    RATIO = "ratio"
    SCORE = "score"
    PER_CUSTOMER_DAY = "per customer-day"
    MINUTES_PER_CUSTOMER_DAY = "minutes per customer-day"


class Direction(enum.StrEnum):
    HIGHER = "higher is better"
    LOWER = "lower is better"


class Team(enum.StrEnum):
    """Accountable teams as SPEC.md names them; service = onboarding, success, support."""

    MARKETING = "marketing"
    SALES = "sales"
    SERVICE = "service"


class Agg(enum.StrEnum):
    COUNT = "count"
    SUM = "sum"
    MEAN = "mean"
    MEDIAN = "median"

    @property
    def empty_is_zero(self) -> bool:
        """A count or a sum over nothing is 0; a mean or median over nothing has no value."""
        return self in (Agg.COUNT, Agg.SUM)


Expr = Callable[["ibis.Table"], "ir.Value"]
Pred = Callable[["ibis.Table"], "ir.BooleanValue"]


@dataclass(frozen=True)
class Measure:
    """One aggregate of a source: ``agg`` of ``expr`` over the rows where ``where`` holds."""

    name: str
    source: str
    agg: Agg
    description: str
    expr: Expr | None = None
    where: Pred | None = None

    def aggregate(self, t: ibis.Table) -> ir.Scalar:
        cond = self.where(t) if self.where is not None else None
        if self.agg is Agg.COUNT:
            return t.count(where=cond)
        if self.expr is None:
            raise TypeError(f"measure {self.name}: {self.agg} needs an expression")
        value = self.expr(t)
        if self.agg in (Agg.MEAN, Agg.MEDIAN):
            # Engines differ on the type of an integer mean (PostgreSQL: NUMERIC).
            value = value.cast("float64")
        match self.agg:
            case Agg.SUM:
                return value.sum(where=cond)
            case Agg.MEAN:
                return value.mean(where=cond)
            case Agg.MEDIAN:
                return value.median(where=cond)
        raise AssertionError(self.agg)  # pragma: no cover


Values = Mapping[str, "ir.Value"]
Formula = Callable[[Values, "MetricSettings"], "ir.Value"]


@dataclass(frozen=True)
class Metric:
    slug: str
    name: str
    unit: Unit
    direction: Direction
    teams: tuple[Team, ...]
    description: str
    measures: tuple[str, ...]
    value: Formula
    knobs: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    seeds: tuple[str, ...] = ()
    company_wide: bool = False
    domain: str = ""
    #: The measure counting survey responses, for the small-sample warning.
    sample: str | None = None
    #: Further components computed from the measures (a share, a mean), shown after them.
    extras: tuple[tuple[str, Formula], ...] = ()


@dataclass(frozen=True)
class Source:
    """A builder of fact rows; ``grouped`` sources arrive already grouped by dimension."""

    name: str
    build: Callable[[Frame], ibis.Table]
    description: str
    grouped: bool = False
    #: Columns ``tandem explain`` always shows beside ids and what the measures read.
    shown: tuple[str, ...] = ()
    #: Read by other sources too: computed once per request into a temporary table.
    shared: bool = False


SOURCES: dict[str, Source] = {}
MEASURES: dict[str, Measure] = {}
METRICS: dict[str, Metric] = {}


def source(
    name: str,
    description: str,
    *,
    grouped: bool = False,
    shown: tuple[str, ...] = (),
    shared: bool = False,
) -> Callable[[Callable[[Frame], ibis.Table]], Callable[[Frame], ibis.Table]]:
    """Register a source builder under ``name``."""

    def register(fn: Callable[[Frame], ibis.Table]) -> Callable[[Frame], ibis.Table]:
        if name in SOURCES:
            raise ValueError(f"source {name} declared twice")
        SOURCES[name] = Source(name, fn, description, grouped, shown, shared)
        return fn

    return register


def measures(*items: Measure) -> None:
    for m in items:
        if m.name in MEASURES:
            raise ValueError(f"measure {m.name} declared twice")
        MEASURES[m.name] = m


def metric(m: Metric) -> Metric:
    if m.slug in METRICS:
        raise ValueError(f"metric {m.slug} declared twice")
    METRICS[m.slug] = m
    return m


def get(slug: str) -> Metric:
    _load_domains()
    try:
        return METRICS[slug]
    except KeyError:
        raise UsageError(
            f"unknown metric {slug!r}{did_you_mean(slug, list(METRICS))}; "
            "'tandem metrics' lists them"
        ) from None


def all_metrics() -> list[Metric]:
    _load_domains()
    return list(METRICS.values())


def needed_measures(m: Metric) -> list[str]:
    """The metric's own measures and, in order, those of the metrics it derives from."""
    out: list[str] = []
    for name in m.measures:
        if name not in out:
            out.append(name)
    for slug in m.uses:
        for name in needed_measures(get(slug)):
            if name not in out:
                out.append(name)
    return out


def knobs_of(m: Metric) -> list[str]:
    out = list(m.knobs)
    for slug in m.uses:
        out += [k for k in knobs_of(get(slug)) if k not in out]
    return out


def fingerprint(m: Metric, knobs: MetricSettings) -> str:
    """A short hash of the definition (and those it uses) and the knob values in force."""
    payload: dict[str, Any] = {
        "version": DEFINITIONS_VERSION,
        "definitions": {s: get(s).description for s in _closure(m)},
        "knobs": {k: _jsonable(getattr(knobs, k)) for k in sorted(knobs_of(m))},
    }
    digest = hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    return digest[:10]


def _closure(m: Metric) -> list[str]:
    out = [m.slug]
    for slug in m.uses:
        out += [s for s in _closure(get(slug)) if s not in out]
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    return value


def _load_domains() -> None:
    # Importing a domain module registers its sources, measures and metrics.
    from tandem.semantic import (  # noqa: F401
        economics,
        onboarding,
        pipeline,
        revenue,
        support,
        surveys,
        usage,
    )
