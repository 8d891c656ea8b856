"""Relations several sources share are kept in temporary tables named after their SQL:
equal requests compile nothing again, and frames sharing one table keep it until the last
lets go."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import ibis

from tandem.service.workspace import Workspace
from tandem.store.duckdb import DuckDBStore

SESSIONS = {"start": "2024-01-01", "end": "2024-03-31"}


def _seeded(seeded: Callable[..., Workspace]) -> Workspace:
    ws = seeded(
        {
            "subscriptions": [
                {
                    "subscription_id": "S1",
                    "account_id": "A",
                    "mrr": 100.0,
                    "valid_from": "2023-06-01",
                    "valid_to": None,
                }
            ],
            "usage_events": [
                {"account_id": "A", "user_id": "u", "ts": "2024-02-03T10:00", "event": "session"}
            ],
        },
        # The cache off: every request computes.
    )
    off = ws.settings.model_copy(
        update={"cache": ws.settings.cache.model_copy(update={"mode": "off"})}
    )
    return Workspace(ws.path, settings=off, today=lambda: dt.date(2030, 1, 1))


def test_a_request_with_shared_relations_compiles_nothing_the_second_time(
    seeded: Callable[..., Workspace],
) -> None:
    with _seeded(seeded) as ws:
        slugs = [m.slug for m in ws.catalog()]
        first = ws.compute(slugs, **SESSIONS)
        store = ws.store
        assert isinstance(store, DuckDBStore)
        kept = dict(store._compiled)
        temps = [k for k, sql in kept.items() if "__tandem_tmp_" in str(sql)]
        assert temps, "the catalog reads relations kept in temporary tables"
        again = ws.compute(slugs, **SESSIONS)
        assert dict(store._compiled).keys() == kept.keys()
        # One session in February on a paying account: 1 / 29 days.
        feb = again["sessions_per_day"].rows.set_index("period")["value"]
        assert abs(feb[dt.date(2024, 2, 1)] - 1 / 29) < 1e-12
        assert first["sessions_per_day"].rows.equals(again["sessions_per_day"].rows)


def test_a_shared_temporary_table_lives_until_its_last_user_releases_it(
    seeded: Callable[..., Workspace],
) -> None:
    with _seeded(seeded) as ws:
        store = ws.store
        assert isinstance(store, DuckDBStore)
        t = store.table("subscriptions")
        expr = t.select(t.account_id, t.mrr)
        a, b = store.cache(expr), store.cache(expr)
        assert a.get_name() == b.get_name()
        store.release(a)
        assert store.run(b.aggregate(n=ibis._.count()))["n"].to_pylist() == [1]
        store.release(b)
        names = [
            r[0] for r in store.execute("SELECT table_name FROM duckdb_tables() WHERE temporary")
        ]
        assert b.get_name() not in names
