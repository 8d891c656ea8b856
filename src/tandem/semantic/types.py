"""What a metric is made of, as plain values: sources, measures and the kinds of metric.

A *source* builds one row per counted thing (an account in a period, a survey
response, a ticket...) with its ``period_key`` and ``account_id``. A *measure*
aggregates a source (count where, sum, mean, median). A *metric* names the
measures shown beside its value (its components) and says how the value is
made from them, as one of a few kinds:

- ``Simple``: one measure passed through (MRR, days to onboard);
- ``Ratio`` and ``Percent``: a numerator over a denominator, each a formula over
  measures and knobs, with no value when the denominator is 0 (ARPC, churn);
- ``Derived``: a formula over other metrics by slug (ARR = ``12 * mrr``), never
  copying their logic;
- ``Custom``: code, for a value no formula can say; it must say why.

Declarations are values in the domain modules; nothing is registered when a
module is imported. ``tandem.semantic.catalog`` gathers them into one validated
``Catalog``, which is handed to the engine.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import ibis
    import ibis.expr.types as ir
    import pyarrow as pa

    from tandem.semantic.calendar import Grain, Period
    from tandem.semantic.dimensions import DimensionSet, OwnDimension
    from tandem.settings import MetricSettings


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


class Facts(Protocol):
    """What a source is built against: one request's tables, knobs, grain and periods.

    The engine's ``Frame`` is the implementation; definitions only see this.
    """

    @property
    def knobs(self) -> MetricSettings: ...
    @property
    def grain(self) -> Grain: ...
    @property
    def periods(self) -> list[Period]: ...
    @property
    def dims(self) -> DimensionSet: ...
    @property
    def calendar(self) -> ibis.Table: ...

    def table(self, name: str) -> ibis.Table:
        """A workspace table."""
        ...

    def source(self, name: str) -> ibis.Table:
        """Another source's rows (built once per request)."""
        ...

    def cached(
        self, name: str, build: Callable[[], ibis.Table], *, materialize: bool = False
    ) -> ibis.Table:
        """``build()`` once per request; ``materialize`` keeps it in a temporary table."""
        ...

    def place(self, t: ibis.Table, when: ir.Value) -> ibis.Table:
        """Rows whose ``when`` falls in a period, with their ``period_key``."""
        ...

    def place_day(self, t: ibis.Table, day: str) -> ibis.Table:
        """Rows whose day number column ``day`` falls in a period, with their key."""
        ...

    def with_period(self, grain: Grain, periods: list[Period]) -> Facts:
        """The same request over other periods."""
        ...

    def supports(self, operation: type) -> bool:
        """Whether the backend compiles the Ibis operation (for faster equivalent plans)."""
        ...

    def constant(self, prefix: str, data: pa.Table) -> ibis.Table:
        """Small data the request's queries read (a calendar), as a table."""
        ...


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


@dataclass(frozen=True)
class Source:
    """A builder of fact rows; ``grouped`` sources arrive already grouped by dimension."""

    name: str
    build: Callable[[Facts], ibis.Table]
    description: str
    grouped: bool = False
    #: Columns ``tandem explain`` always shows beside ids and what the measures read.
    shown: tuple[str, ...] = ()
    #: Read by other sources too: computed once per request into a temporary table.
    shared: bool = False
    #: Columns of its own rows a metric over it can be cut by (a ticket's channel);
    #: each is a column of the source's rows too (tandem.semantic.dimensions).
    dimensions: tuple[OwnDimension, ...] = ()


# -- kinds of metric --------------------------------------------------------------
# Formulas are text in a small language (tandem.semantic.formula): names of
# measures, metrics and knobs, numbers, + - * /, ratio(a, b) and percent(a, b).
# Division and ratio() give no value when the denominator is 0 or missing.


@dataclass(frozen=True)
class Simple:
    """The value is one measure, passed through."""

    measure: str

    @property
    def formula(self) -> str:
        return self.measure


@dataclass(frozen=True)
class Ratio:
    """``numerator / denominator``, each a formula over measures and knobs."""

    numerator: str
    denominator: str

    @property
    def formula(self) -> str:
        return f"ratio({self.numerator}, {self.denominator})"


@dataclass(frozen=True)
class Percent:
    """``100 × numerator / denominator``, each a formula over measures and knobs."""

    numerator: str
    denominator: str

    @property
    def formula(self) -> str:
        return f"percent({self.numerator}, {self.denominator})"


@dataclass(frozen=True)
class Derived:
    """A formula over other metrics by slug (and measures and knobs)."""

    formula: str


Values = Mapping[str, "ir.Value"]
Code = Callable[[Values, "MetricSettings"], "ir.Value"]


@dataclass(frozen=True)
class Custom:
    """A value computed by code from the measures, for what no formula can say.

    ``why`` is shown in the catalog: a custom metric must say what the formula
    language lacks. Its fingerprint still follows its compiled SQL.
    """

    code: Code
    why: str


Kind = Simple | Ratio | Percent | Derived | Custom


@dataclass(frozen=True)
class Metric:
    slug: str
    name: str
    unit: Unit
    direction: Direction
    teams: tuple[Team, ...]
    description: str
    kind: Kind
    #: The measures shown beside the value (its components), in this order.
    measures: tuple[str, ...] = ()
    knobs: tuple[str, ...] = ()
    seeds: tuple[str, ...] = ()
    company_wide: bool = False
    domain: str = ""
    #: The measure counting survey responses, for the small-sample warning.
    sample: str | None = None
    #: Further components computed from the measures (a share, a mean), shown after them.
    extras: tuple[tuple[str, Kind], ...] = ()
