"""A workspace's backend URL: what is accepted, and the errors a user can act on."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.errors import ConfigError, WorkspaceError
from tandem.settings import BackendSettings, Settings
from tandem.store import open_reader
from tandem.store.postgres import connect_args
from tandem.store.spark import SparkTarget
from tests.store.conftest import unavailable


def settings(url: str) -> Settings:
    return Settings(backend=BackendSettings(url=url))


def test_an_unknown_scheme_lists_the_supported_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        open_reader(settings("mysql://me:secret@db/crm"), tmp_path)
    message = str(caught.value)
    assert "no backend for 'mysql'" in message
    assert "supported: duckdb://, postgres://, postgresql://, pyspark://" in message
    assert "secret" not in message


def test_a_postgres_url_names_one_database() -> None:
    args = connect_args("postgresql://ann:p%40ss@db.example:6543/crm?sslmode=require&schema=cs")
    assert args == {
        "database": "crm",
        "host": "db.example",
        "port": 6543,
        "user": "ann",
        "password": "p@ss",
        "sslmode": "require",
        "schema": "cs",
    }
    with pytest.raises(ConfigError, match="names one database"):
        connect_args("postgresql://ann@db.example/")


def test_an_unreachable_server_is_named(tmp_path: Path) -> None:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed (pip install 'tandem[postgres]')")
    # Port 1 on the loopback: nothing listens there, the refusal is immediate.
    with pytest.raises(WorkspaceError, match=r"cannot connect to PostgreSQL at 127\.0\.0\.1:1/crm"):
        open_reader(settings("postgresql://ann:pw@127.0.0.1:1/crm?connect_timeout=3"), tmp_path)


def test_a_spark_url_is_an_absolute_folder_and_spark_settings() -> None:
    target = SparkTarget.parse(
        "pyspark:///data/warehouse?master=spark://head:7077&spark.executor.memory=4g"
    )
    assert target.folder == Path("/data/warehouse")
    assert target.master == "spark://head:7077"
    assert target.conf == {"spark.executor.memory": "4g"}
    assert SparkTarget.parse("pyspark:///w").master == "local[2]"
    with pytest.raises(ConfigError, match="three slashes"):
        SparkTarget.parse("pyspark://warehouse")
    with pytest.raises(ConfigError, match=r"unknown parameter\(s\) \['memory'\]"):
        SparkTarget.parse("pyspark:///w?memory=4g")
