"""Schemathesis against /openapi.json: generated requests to every route, no server error.

Runs in-process (ASGI) on a workspace of its own (it adds users and changes knobs), as an
admin so that every route is reached past authorisation. Bounded so it stays quick in
``make test``; ``TANDEM_FUZZ_EXAMPLES`` raises the bound for a longer run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tandem.state.users import Role, Users
from tests.apps.web.conftest import make_app
from tests.company import make_workspace

EXAMPLES = int(os.environ.get("TANDEM_FUZZ_EXAMPLES", "20"))


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> tuple[FastAPI, str]:
    path: Path = make_workspace(tmp_path_factory.mktemp("fuzz"))
    users = Users(path)
    users.add("fuzz-admin", "a long password", Role.ADMIN)
    return make_app(path), users.create_token("fuzz-admin")


def test_no_server_errors_and_answers_match_the_document(fuzzed: tuple[FastAPI, str]) -> None:
    """Every operation of the document, each with up to EXAMPLES generated requests.

    (Schemathesis' own pytest fixture loader does not run on pytest 9, so the
    operations are walked here with Hypothesis directly.)
    """
    app, token = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
        def run(case: schemathesis.Case) -> None:
            case.call_and_validate(
                headers={"Authorization": f"Bearer {token}"},
                excluded_checks=[positive_data_acceptance],
            )

        run()
