"""Fixtures shared with the packages whose commands these tests run."""

from tests.alerts.conftest import company, receiver  # noqa: F401
