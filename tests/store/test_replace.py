"""``--replace`` and ``--dry-run`` on PostgreSQL and Spark: the same refresh of every table
as on the embedded database (``tests/load/replacing.py``), in one load."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tandem.service.workspace import Workspace
from tests.load.replacing import check_replace_every_table

#: One worker runs every backend test: one JVM, one copy of the fixtures.
pytestmark = pytest.mark.xdist_group("backends")


@pytest.mark.postgres
def test_postgres_replace_and_dry_run(tmp_path: Path, postgres_server: Callable[[], str]) -> None:
    Workspace.init(tmp_path / "ws", backend_url=postgres_server()).close()
    with Workspace(tmp_path / "ws") as ws:
        assert ws.store.name == "postgres"
        check_replace_every_table(ws, tmp_path)


@pytest.mark.spark
def test_spark_replace_and_dry_run(tmp_path: Path, spark_ready: None) -> None:
    Workspace.init(tmp_path / "ws", backend_url=f"pyspark://{tmp_path / 'warehouse'}").close()
    with Workspace(tmp_path / "ws") as ws:
        assert ws.store.name == "pyspark"
        check_replace_every_table(ws, tmp_path)
