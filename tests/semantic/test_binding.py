"""Filter values reach the embedded DuckDB as bound parameters, never as SQL text."""

from __future__ import annotations

import datetime as dt

import ibis
import pyarrow as pa
import pytest

from tandem.semantic.binding import bind, binding, shown
from tandem.semantic.dimensions import Filter, Op
from tandem.store.duckdb import DuckDBStore

HOSTILE = "x' OR '1'='1"


def _rows() -> pa.Table:
    return pa.table(
        {
            "segment": ["SMB", HOSTILE, "Söhne & O'Brien", None],
            "day": [dt.date(2026, 1, d) for d in (1, 2, 3, 4)],
            "n": [1, 2, 3, 4],
        }
    )


@pytest.fixture
def store() -> DuckDBStore:
    s = DuckDBStore(":memory:", read_only=False)
    s.raw.register("rows", _rows())
    s.raw.execute("CREATE TABLE t AS SELECT * FROM rows")
    return s


def test_the_sql_carries_placeholders_and_the_values_go_apart() -> None:
    t = ibis.table({"segment": "string", "day": "date"}, name="t")
    with binding(True):
        cond = Filter("segment", Op.IN, (HOSTILE, "SMB")).condition(t.segment)
        before = Filter("day", Op.LT, ("2026-01-03",)).condition(t.day)
    sql = str(ibis.to_sql(t.filter(cond & before), dialect="duckdb"))
    assert HOSTILE.replace("'", "''") not in sql and "2026-01-03" not in sql
    bound, values = bind(sql)
    assert values == [HOSTILE, "SMB", "2026-01-03"]
    assert bound.count("?") == 3 and "\u2063" not in bound
    # Shown to people, the markers read as the literals Ibis would have written.
    plain = str(ibis.to_sql(t.filter(
        Filter("segment", Op.IN, (HOSTILE, "SMB")).condition(t.segment)
        & Filter("day", Op.LT, ("2026-01-03",)).condition(t.day)
    ), dialect="duckdb"))  # fmt: skip
    assert shown(sql) == plain


def test_outside_binding_values_are_literals_as_before() -> None:
    t = ibis.table({"segment": "string"}, name="t")
    sql = str(ibis.to_sql(t.filter(Filter.equals("segment", "SMB").condition(t.segment))))
    assert "'SMB'" in sql and bind(sql) == (sql, [])


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (Filter.equals("segment", HOSTILE), [2]),
        (Filter("segment", Op.IN, ("Söhne & O'Brien", "SMB")), [1, 3]),
        (Filter("segment", Op.NOT_IN, ("SMB", HOSTILE)), [3, 4]),
        (Filter("day", Op.GE, ("2026-01-03",)), [3, 4]),
        (Filter("n", Op.LT, ("3",)), [1, 2]),
    ],
)
def test_bound_filters_select_the_rows_a_literal_would(
    store: DuckDBStore, flt: Filter, expected: list[int]
) -> None:
    """Worked by hand on the four rows: the hostile text is a value like any other."""
    t = store.table("t")
    with binding(store.binds_parameters):
        expr = t.filter(flt.condition(t[flt.dimension])).select("n").order_by("n")
    assert store.run(expr)["n"].to_pylist() == expected
