"""Read sessions: what scorecards, health, alerts and models read the workspace through.

A session holds one generation of the workspace's tables for its duration (a
load that publishes meanwhile is seen by the next session, whole) and hands out
the tables as Ibis expressions, so code above the service never touches a
store or a database connection.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis
    import pyarrow as pa

    from tandem.settings import Settings
    from tandem.store import Store


class ReadSession:
    """Read access to one workspace's tables (never writes)."""

    def __init__(self, store: Store, settings: Settings, today: dt.date) -> None:
        self._store = store
        self.settings = settings
        #: The day the session treats as today (UTC), injected by the workspace's clock.
        self.today = today

    @property
    def backend(self) -> str:
        """The backend's name: duckdb, postgres or pyspark."""
        return self._store.name

    def table(self, name: str) -> ibis.Table:
        """A canonical table (or any stored table) as an Ibis expression, which can be
        run with ``run`` or by itself (``to_pyarrow``) while the session lasts."""
        return self._store.bound_table(name)

    def run(self, expr: ibis.Table) -> pa.Table:
        """The rows of ``expr`` as an Arrow table."""
        return self._store.run(expr)

    def extent(self) -> tuple[dt.date, dt.date] | None:
        """The first and last day with any dated row, or None for an empty workspace."""
        return self._store.extent()

    def last_loaded_at(self) -> dt.datetime | None:
        """When the last load that changed something committed (UTC)."""
        return self._store.last_loaded_at()
