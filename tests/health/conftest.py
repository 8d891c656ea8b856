"""The backend fixtures (a real PostgreSQL server, Spark in local mode, a small company)."""

from tests.store.conftest import company, postgres_server, spark_ready  # noqa: F401
