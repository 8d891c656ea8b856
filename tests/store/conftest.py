"""Fixtures for the backend tests: a real PostgreSQL server and Spark in local mode.

``make test`` installs and starts both (``scripts/setup-system.sh``) and sets
``TANDEM_REQUIRE_BACKENDS=1``, so there a missing backend fails the run. Run by
hand without them, these tests are skipped with the reason.

- PostgreSQL: ``TANDEM_TEST_POSTGRES`` (default the server setup-system.sh
  starts); every test session gets a database of its own, dropped at the end.
- Spark: ``pyspark`` and Java; the warehouse is a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tandem.synth import SynthConfig, generate

SERVER = os.environ.get(
    "TANDEM_TEST_POSTGRES", "postgresql://postgres:postgres@127.0.0.1:5432/tandem_test"
)


def unavailable(reason: str) -> None:
    if os.environ.get("TANDEM_REQUIRE_BACKENDS") == "1":
        pytest.fail(f"{reason} (TANDEM_REQUIRE_BACKENDS=1: run 'make system')")
    pytest.skip(reason)


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A fresh, empty database on the test server (dropped afterwards), as ``env:NAME``."""
    try:
        import psycopg
    except ImportError:
        unavailable("psycopg is not installed (pip install 'tandem[postgres]')")
    try:
        admin = psycopg.connect(SERVER, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        unavailable(f"no PostgreSQL server at {SERVER}: {exc}")
    made: list[str] = []

    def fresh() -> str:
        """``env:NAME`` for a new database: a URL with a password never goes in tandem.toml,
        so the URL goes into the environment variable NAME (inherited by subprocesses)."""
        name = f"tandem_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        os.environ[name.upper()] = _with_database(SERVER, name)
        return f"env:{name.upper()}"

    yield fresh  # type: ignore[misc]
    for name in made:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="session")
def spark_ready() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError:
        unavailable("pyspark is not installed (pip install 'tandem[spark]')")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        unavailable("Java is not installed (Spark needs it)")


@pytest.fixture(scope="session")
def company(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small generated company (Parquet): every table, 8 months of history."""
    out = tmp_path_factory.mktemp("company") / "parquet"
    generate(SynthConfig(accounts=150, months=8, seed=11, format="parquet"), out)
    return out
