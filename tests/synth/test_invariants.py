"""The rules the loader enforces (``tandem.schema``), checked directly on the output with DuckDB.

Each query counts the rows that break one rule; every count must be zero.
"""

from __future__ import annotations

import duckdb
import pytest

from tandem.schema import TABLES
from tests.synth.conftest import scalar

VIOLATIONS = {
    "mrr and seats are not negative": "FROM subscriptions WHERE mrr < 0 OR seats < 0",
    "valid_to is after valid_from": "FROM subscriptions WHERE valid_to <= valid_from",
    "amounts are not negative": (
        "FROM (SELECT amount FROM deals UNION ALL SELECT amount FROM orders "
        "UNION ALL SELECT amount FROM costs) WHERE amount < 0"
    ),
    "nps within 0-10": "FROM survey_responses WHERE survey = 'nps' AND score NOT BETWEEN 0 AND 10",
    "csat within 1-5": "FROM survey_responses WHERE survey = 'csat' AND score NOT BETWEEN 1 AND 5",
    "ces within 1-7": "FROM survey_responses WHERE survey = 'ces' AND score NOT BETWEEN 1 AND 7",
    "fields_completed at most fields_required": (
        "FROM handoffs WHERE fields_completed > fields_required OR fields_completed < 0 "
        "OR fields_required < 0 OR errors_found < 0"
    ),
    "closed_at set when won or lost": "FROM deals WHERE outcome <> 'open' AND closed_at IS NULL",
    "open deals are not closed": "FROM deals WHERE outcome = 'open' AND closed_at IS NOT NULL",
    "closed_at not before created_at": "FROM deals WHERE closed_at < created_at",
    "resolved_at not before created_at": "FROM tickets WHERE resolved_at < created_at",
    "contacts at least one": "FROM tickets WHERE contacts < 1",
    "go_live_at not before started_at": "FROM onboardings WHERE go_live_at < started_at",
    "target_days not negative": "FROM onboardings WHERE target_days < 0",
    "trial ends not before its start": (
        "FROM trials WHERE ended_at < started_at OR converted_at < started_at"
    ),
    "costs on the first of a month": "FROM costs WHERE day(month) <> 1",
    "durations not negative": "FROM usage_events WHERE duration_s < 0",
    "only sessions have durations": (
        "FROM usage_events WHERE (event = 'session') <> (duration_s IS NOT NULL)"
    ),
    "rows of one account do not overlap": (
        "FROM (SELECT valid_from, lag(coalesce(valid_to, DATE '9999-12-31')) OVER "
        "(PARTITION BY account_id ORDER BY valid_from) AS prev_to FROM subscriptions) "
        "WHERE valid_from < prev_to"
    ),
    "nothing after the end date": (
        "FROM (SELECT created_at AS t FROM tickets UNION ALL SELECT ts FROM usage_events "
        "UNION ALL SELECT responded_at FROM survey_responses UNION ALL SELECT closed_at "
        "FROM deals UNION ALL SELECT ordered_at FROM orders UNION ALL SELECT valid_from "
        "FROM subscriptions UNION ALL SELECT handed_off_at FROM handoffs UNION ALL "
        "SELECT go_live_at FROM onboardings UNION ALL SELECT resolved_at FROM tickets "
        "UNION ALL SELECT coalesce(converted_at, ended_at) FROM trials) "
        "WHERE t >= TIMESTAMP '2026-11-01'"
    ),
    "csm and rep ids exist": (
        "FROM accounts WHERE csm_id NOT IN (SELECT member_id FROM team_members) "
        "OR sales_rep_id NOT IN (SELECT member_id FROM team_members)"
    ),
    "managers and deal owners exist": (
        "FROM (SELECT manager_id AS m FROM team_members UNION ALL SELECT owner_id FROM deals) "
        "WHERE m NOT IN (SELECT member_id FROM team_members)"
    ),
    "handoffs name a won new-business deal of their account": (
        "FROM handoffs h LEFT JOIN deals d USING (deal_id) WHERE d.account_id IS DISTINCT FROM "
        "h.account_id OR d.type <> 'new_business' OR d.outcome <> 'won'"
    ),
}


@pytest.mark.parametrize("rule", VIOLATIONS)
def test_rule_holds(db: duckdb.DuckDBPyConnection, rule: str) -> None:
    assert scalar(db, f"SELECT count(*) {VIOLATIONS[rule]}") == 0


@pytest.mark.parametrize(
    "name", [t.name for t in TABLES if t.references_account], ids=lambda name: name
)
def test_every_account_id_exists(db: duckdb.DuckDBPyConnection, name: str) -> None:
    orphans = scalar(
        db, f"SELECT count(*) FROM {name} WHERE account_id NOT IN (SELECT account_id FROM accounts)"
    )
    assert orphans == 0


def test_cost_lines_are_unique_and_complete(db: duckdb.DuckDBPyConnection) -> None:
    rows = db.execute(
        "SELECT count(*), count(DISTINCT (month, category, purpose)), count(DISTINCT month) "
        "FROM costs"
    ).fetchone()
    assert rows is not None
    total, distinct, months = rows
    assert total == distinct and months == 24
    assert total == 24 * 7


def test_one_handoff_and_onboarding_per_won_new_business_deal(
    db: duckdb.DuckDBPyConnection,
) -> None:
    won = scalar(db, "SELECT count(*) FROM deals WHERE type = 'new_business' AND outcome = 'won'")
    assert won == scalar(db, "SELECT count(*) FROM handoffs")
    assert won == scalar(db, "SELECT count(DISTINCT account_id) FROM onboardings")
    assert won == scalar(db, "SELECT count(DISTINCT account_id) FROM subscriptions")
