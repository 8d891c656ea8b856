"""What a load already knows: stored rows, and the rows of this load's earlier files.

Account references are checked, and account or team-member ids looked up (by
name, e-mail domain or an external id), against the stored table and the
files of the same load that fill it: those come first in load order, so a
file naming its company can be loaded with the companies it names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tandem.load.expressions import domain_sql
from tandem.load.sql import ident
from tandem.load.tables import spec as table_spec

if TYPE_CHECKING:
    from tandem.load.mapfile import Lookup
    from tandem.load.staging import Scratch, TypedFile
    from tandem.store import Store


def known_accounts(store: Store, scratch: Scratch, typed: Sequence[TypedFile]) -> str:
    """A view of the account ids stored or arriving in this load's accounts files."""
    existing = scratch.name("existing_accounts")
    store.stage_existing("accounts", ("account_id",), existing)
    scratch.views.append(existing)
    parts = [f"SELECT account_id FROM {ident(existing)}"] + [
        f"SELECT account_id FROM {ident(f.relation)}" for f in typed if f.source.table == "accounts"
    ]
    known = scratch.name("known_accounts")
    scratch.con.execute(f"CREATE TEMP VIEW {ident(known)} AS {' UNION ALL '.join(parts)}")
    scratch.views.append(known)
    return known


def stored_extras(store: Store, scratch: Scratch, table: str) -> dict[str, str]:
    """DuckDB types of the extra columns already stored in ``table`` (none for billing inputs)."""
    from tandem.schema import TABLE_NAMES

    if table not in TABLE_NAMES:
        return {}
    canonical = set(table_spec(table).column_names)
    extras = tuple(c for c in store.table(table).columns if c not in canonical)
    if not extras:
        return {}
    view = scratch.name("stored")
    store.stage_existing(table, extras, view)
    scratch.views.append(view)
    described = scratch.con.execute(f"DESCRIBE {ident(view)}").fetchall()
    return {str(r[0]): str(r[1]) for r in described}


def column_of(lookup: Lookup) -> str:
    """The column of the looked-up table a value is compared with."""
    if lookup.by == "domain":
        return lookup.against
    return lookup.by


def compared(lookup: Lookup, sql: str) -> str:
    """``sql`` in the form lookups compare (see ``transforms.lookup_key``)."""
    if lookup.by == "domain":
        return domain_sql(f"CAST({sql} AS VARCHAR)")
    if lookup.by == "name":
        return f"nullif(lower(trim(CAST({sql} AS VARCHAR))), '')"
    return f"nullif(trim(CAST({sql} AS VARCHAR)), '')"


class UnknownLookupColumn(Exception):
    """No stored or loaded row of the table has the column a lookup compares with."""


@dataclass
class Lookups:
    """Relations (key, n, id, ids) to look ids up in, made once per lookup when first used."""

    store: Store
    scratch: Scratch
    typed: list[TypedFile]
    made: dict[tuple[str, str, str], str] = field(default_factory=dict)

    def relation(self, lookup: Lookup) -> str:
        key = (lookup.table, lookup.by, lookup.against)
        if key not in self.made:
            self.made[key] = self._make(lookup)
        return ident(self.made[key])

    def _make(self, lookup: Lookup) -> str:
        column, id_column = column_of(lookup), lookup.id_column
        parts: list[str] = []
        if column in self.store.table(lookup.table).columns:
            existing = self.scratch.name("existing")
            self.store.stage_existing(lookup.table, (id_column, column), existing)
            self.scratch.views.append(existing)
            parts.append(
                f"SELECT {ident(id_column)} AS id, {ident(column)} AS v FROM {ident(existing)}"
            )
        for typed in self.typed:
            if typed.source.table == lookup.table and column in {c.name for c in typed.columns}:
                parts.append(
                    f"SELECT {ident(id_column)} AS id, {ident(column)} AS v "
                    f"FROM {ident(typed.relation)}"
                )
        if not parts:
            raise UnknownLookupColumn(column)
        relation = self.scratch.name("lookup")
        self.scratch.tables.append(relation)
        self.scratch.con.execute(
            f"CREATE TEMP TABLE {ident(relation)} AS SELECT key, count(DISTINCT id) AS n, "
            "min(id) AS id, string_agg(DISTINCT id, ', ' ORDER BY id) AS ids FROM ("
            f"SELECT id, {compared(lookup, 'v')} AS key FROM ({' UNION ALL '.join(parts)})) "
            "WHERE key IS NOT NULL AND id IS NOT NULL GROUP BY key"
        )
        return relation
