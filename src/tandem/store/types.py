"""The canonical column types as Ibis types: the one map from ``tandem.schema`` to engines.

Every engine-specific type (DuckDB's, PostgreSQL's, Spark's) is derived from these
by Ibis, so a column type is written down once.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from tandem.schema import ColumnType, Table

if TYPE_CHECKING:
    import ibis

IBIS_TYPES: dict[ColumnType, str] = {
    ColumnType.STRING: "string",
    ColumnType.TIMESTAMP: "timestamp",
    ColumnType.DATE: "date",
    ColumnType.FLOAT: "float64",
    ColumnType.INTEGER: "int64",
    ColumnType.BOOLEAN: "boolean",
}


def ibis_schema(table: Table) -> ibis.Schema:
    """The canonical columns of ``table`` as an Ibis schema."""
    import ibis

    return ibis.schema({c.name: IBIS_TYPES[c.type] for c in table.columns})


def sql_type(kind: ColumnType | str, dialect: str) -> str:
    """The type a column of ``kind`` (or an Ibis type name) has in ``dialect``, as Ibis'
    type mappers (``ibis.backends.sql.datatypes``) spell it."""
    import ibis
    from ibis.backends.sql import datatypes

    mappers = {"duckdb": datatypes.DuckDBType, "postgres": datatypes.PostgresType}
    name = IBIS_TYPES[kind] if isinstance(kind, ColumnType) else kind
    return str(mappers[dialect].from_ibis(ibis.dtype(name)).sql(dialect))


@functools.cache
def duckdb_types() -> dict[ColumnType, str]:
    """Each canonical column type as DuckDB names it."""
    return {kind: sql_type(kind, "duckdb") for kind in ColumnType}
