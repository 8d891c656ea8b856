"""Compiled SQL kept per query shape, so a repeated request builds no Ibis expression.

Building and compiling a source's Ibis expression costs tens of milliseconds,
far more than running a small query. Two requests of the same *shape* (the
same definitions, knobs, grain, dimensions and filters, source and measures,
and the same pattern of periods) differ only in their dates: the first day of
the first period, the last day of the last one, the day after it, and the name
of the calendar constant. So the SQL is compiled once per shape into a
template where those are markers, and each request fills in its own.

A template is derived from two probe requests of the shape far in the past
(shifted by whole multiples of 400 years, which keep every weekday and month
day, the second also by one period) and kept only when filling it in for the
second probe gives exactly the SQL compiled for it. A shape whose SQL depends
on the dates in any other way (a window on another grain, a temporary table,
an in-memory table) fails that check and is compiled per request as before;
the verdict is kept too.

The dates are filled in as the literals Ibis itself renders for them, so a
filled template is the SQL the expression would compile to, character for
character.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from typing import TYPE_CHECKING

from tandem.engine.aggregate import aggregate_expr
from tandem.engine.frame import Frame
from tandem.semantic.calendar import Grain, Period, period

if TYPE_CHECKING:
    import pyarrow as pa

    from tandem.semantic.types import Measure

#: Periods of each grain in 400 Gregorian years (146,097 days, 20,871 weeks).
CYCLE = {Grain.WEEK: 20_871, Grain.MONTH: 4_800, Grain.QUARTER: 1_600, Grain.YEAR: 400}
CYCLE_DAYS = 146_097
#: Probes need two cycles before the request; earlier dates are compiled per request.
EARLIEST_YEAR = 1000
_MARK = "\x00"


@dataclasses.dataclass(frozen=True)
class Template:
    """A source's aggregate query with its dates as markers; ``sql`` None: no query
    (a source without accounts cut by a dimension)."""

    sql: str | None
    schema: pa.Schema | None
    #: Whether the SQL reads the calendar constant (registered when filled in).
    calendar: bool

    def fill(self, frame: Frame) -> str:
        assert self.sql is not None
        return _fill(self.sql, _values(frame, self.calendar))


def template(frame: Frame, source: str, items: list[Measure]) -> Template | None:
    """The shape's template, derived once per store (a generation's
    schemas never change); None when the shape has none."""
    if frame.materialize or frame.periods[0].start.year < EARLIEST_YEAR:
        return None
    keep = getattr(frame.store, "compiled", None)
    token = getattr(frame.store, "schemas_token", None)
    if keep is None or token is None:
        return None
    first = frame.periods[0].key
    pattern = tuple(p.key - first for p in frame.periods)
    key = (
        "shape",
        frame.catalog.token,
        frame.store.name,
        token(),  # a writable store's tables may gain columns
        frame.knobs.model_dump_json(),
        frame.grain,
        pattern,
        frame.dims,
        source,
        tuple(items),
    )
    made: Template | None = keep(key, lambda: _derive(frame, source, items))
    return made


def _derive(frame: Frame, source: str, items: list[Measure]) -> Template | None:
    import ibis
    import ibis.expr.operations as ops

    compiled: list[tuple[str | None, pa.Schema | None, dict[str, str]]] = []
    for cycles, extra in ((1, 0), (2, 1)):
        probe = Frame(
            frame.store,
            frame.catalog,
            frame.knobs,
            frame.grain,
            shifted(frame.periods, frame.grain, cycles, extra),
            frame.dims,
            materialize=False,
            memo=frame.memo,
        )
        try:
            expr = aggregate_expr(probe, source, items)
            if expr is not None and expr.op().find(ops.InMemoryTable):
                return None
            sql = None if expr is None else str(ibis.to_sql(expr, dialect=frame.store.name))
            schema = None if expr is None else expr.schema().to_pyarrow()
            compiled.append((sql, schema, _values(probe, probe._calendar is not None)))
        finally:
            probe.close()
    (sql_a, schema, values_a), (sql_b, _, values_b) = compiled
    if sql_a is None or sql_b is None:
        return Template(None, None, False) if sql_a is None and sql_b is None else None
    marked = _mark(sql_a, values_a)
    if _fill(marked, values_b) != sql_b:
        return None
    return Template(marked, schema, "calendar" in values_a)


def shifted(periods: list[Period], grain: Grain, cycles: int, extra: int) -> list[Period]:
    """``periods`` moved ``cycles`` × 400 years back, then ``extra`` periods (days for a
    span) forward."""
    if grain is Grain.SPAN:
        days = dt.timedelta(days=CYCLE_DAYS * cycles - extra)
        return [Period(p.key, p.start - days, p.end - days) for p in periods]
    back = CYCLE[grain] * cycles - extra
    return [period(p.key - back, grain) for p in periods]


def _values(frame: Frame, calendar: bool) -> dict[str, str]:
    """What each marker stands for in ``frame``: the dates as Ibis renders them for the
    frame's backend, and the calendar constant's name."""
    first, last = frame.periods[0].start, frame.periods[-1].end
    values: dict[str, str] = {}
    for name, day in (("first", first), ("last", last), ("after", last + dt.timedelta(days=1))):
        as_date, as_timestamp = rendered(frame.store.name, day)
        values[f"{name}_date"] = as_date
        values[f"{name}_ts"] = as_timestamp
    if calendar:
        values["calendar"] = frame.calendar.get_name()
    return values


@functools.lru_cache(maxsize=4096)
def rendered(dialect: str, day: dt.date) -> tuple[str, str]:
    """``day`` as Ibis compiles ``ibis.date(day)`` and ``ibis.timestamp(day)`` for ``dialect``."""
    import ibis

    t = ibis.table({"x": "int64"}, name="t")
    iso = day.isoformat()
    sql = str(ibis.to_sql(t.select(d=ibis.date(iso), s=ibis.timestamp(iso)), dialect=dialect))
    found = re.search(r"SELECT\s+(.*?) AS \"d\",\s+(.*?) AS \"s\"", sql, re.S)
    if found is None:  # a dialect that renders otherwise: no marker will match
        return f"{_MARK}unrendered {iso}", f"{_MARK}unrendered {iso}"
    return found.group(1), found.group(2)


def _mark(sql: str, values: dict[str, str]) -> str:
    # Longest first, so no value replaces part of another.
    for name, text in sorted(values.items(), key=lambda kv: -len(kv[1])):
        sql = sql.replace(text, f"{_MARK}{name}{_MARK}")
    return sql


_MARKER = re.compile(f"{_MARK}(\\w+){_MARK}")


def _fill(marked: str, values: dict[str, str]) -> str:
    return _MARKER.sub(lambda m: values[m.group(1)], marked)
