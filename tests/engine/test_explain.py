"""Explaining a number: the rows behind its components, and the SQL that counts them."""

from __future__ import annotations

import pytest

ACCOUNTS = [
    {"account_id": a, "name": f"Account {a}", "segment": s, "created_at": "2020-01-01"}
    for a, s in [
        ("A", "Enterprise"),
        ("B", "SMB"),
        ("C", "Enterprise"),
        ("D", "SMB"),
        ("E", "Enterprise"),
    ]
]
CHURN = {
    "accounts": ACCOUNTS,
    "subscriptions": [
        {"subscription_id": "a", "account_id": "A", "mrr": 100.0, "valid_from": "2024-01-01"},
        {
            "subscription_id": "b",
            "account_id": "B",
            "mrr": 100.0,
            "valid_from": "2024-01-01",
            "valid_to": "2024-03-15",
        },
        {"subscription_id": "c", "account_id": "C", "mrr": 100.0, "valid_from": "2024-03-10"},
        {
            "subscription_id": "d",
            "account_id": "D",
            "mrr": 100.0,
            "valid_from": "2024-01-01",
            "valid_to": "2024-02-10",
        },
        {
            "subscription_id": "e",
            "account_id": "E",
            "mrr": 100.0,
            "valid_from": "2024-01-01",
            "valid_to": "2024-03-01",
        },
    ],
}


def flags(rows, key: str, columns: list[str]) -> dict[str, tuple[bool, ...]]:
    return {r[key]: tuple(bool(r[c]) for c in columns) for r in rows.to_dict("records")}


def test_churn_rows_are_the_opening_customers_and_who_left(seeded):
    """March 2024, opening day 29 February. Customers then: A (stays), B (leaves 15 March),
    E (valid_to 1 March: last paid day 29 February, so in S and gone) → S = 3, lost {B, E}.
    C starts in March and D left in February: neither is in S, so neither is listed.
    churn = 100 × 2 / 3 = 66.67.
    """
    ws = seeded(CHURN)
    e = ws.explain("customer_churn_rate", "2024-03")
    assert e.result.rows["value"].iloc[0] == pytest.approx(200 / 3)
    (src,) = e.sources
    assert src.total == 3
    assert flags(src.rows, "account_id", ["customers_at_start", "lost_customers"]) == {
        "A": (True, False),
        "B": (True, True),
        "E": (True, True),
    }
    assert dict(zip(src.rows["account_id"], src.rows["account_name"], strict=True))["B"] == (
        "Account B"
    )


def test_churn_rows_restricted_by_segment(seeded):
    """where segment = Enterprise: of S = {A, B, E}, only A and E are Enterprise
    → rows A (kept) and E (lost); churn = 100 × 1 / 2 = 50."""
    ws = seeded(CHURN)
    e = ws.explain("customer_churn_rate", "2024-03", where={"segment": "Enterprise"})
    assert e.result.rows["value"].iloc[0] == 50
    (src,) = e.sources
    assert flags(src.rows, "account_id", ["customers_at_start", "lost_customers"]) == {
        "A": (True, False),
        "E": (True, True),
    }


def test_churn_sql_reads_the_subscriptions(seeded):
    """The SQL behind the counts is shown and reads the subscriptions table."""
    ws = seeded(CHURN)
    (src,) = ws.explain("customer_churn_rate", "2024-03").sources
    assert src.sql.strip()
    assert '"subscriptions"' in src.sql


NPS = {
    "accounts": ACCOUNTS,
    "survey_responses": [
        {"response_id": r, "account_id": a, "survey": s, "score": score, "responded_at": at}
        for r, a, s, score, at in [
            ("r1", "A", "nps", 10, "2024-03-02"),
            ("r2", "A", "nps", 7, "2024-03-03"),
            ("r3", "B", "nps", 6, "2024-03-04"),
            ("r4", "C", "nps", 9, "2024-03-05"),
            ("r5", "B", "csat", 5, "2024-03-06"),  # counted by no NPS measure
            ("r6", "D", "nps", 0, "2024-02-28"),  # February
        ]
    ],
}
BANDS = ["promoters", "passives", "detractors", "nps_responses"]


def test_nps_rows_flag_each_response(seeded):
    """March 2024 NPS responses: r1 10 (promoter), r2 7 (passive), r3 6 (detractor),
    r4 9 (promoter) → NPS = 100 × (2 − 1) / 4 = 25. The CSAT response r5 and February's r6
    count toward nothing and are not listed."""
    ws = seeded(NPS)
    e = ws.explain("nps", "2024-03")
    assert e.result.rows["value"].iloc[0] == 25
    (src,) = e.sources
    assert src.total == 4
    assert flags(src.rows, "response_id", BANDS) == {
        "r1": (True, False, False, True),
        "r2": (False, True, False, True),
        "r3": (False, False, True, True),
        "r4": (True, False, False, True),
    }
    assert '"survey_responses"' in src.sql


def test_nps_rows_restricted_by_segment(seeded):
    """where segment = SMB: only B's r3 (a detractor) → NPS −100; A's and C's responses are
    Enterprise and not listed."""
    ws = seeded(NPS)
    e = ws.explain("nps", "2024-03", where={"segment": "SMB"})
    assert e.result.rows["value"].iloc[0] == -100
    (src,) = e.sources
    assert flags(src.rows, "response_id", BANDS) == {"r3": (False, False, True, True)}


def test_cli_explain_lists_who_left_in_a_segment(seeded, monkeypatch: pytest.MonkeyPatch):
    """SMB in March 2024: B was a customer on 29 February and left on 15 March; D left in
    February. S = 1 (B), lost = 1: churn 100 %, one row counted."""
    from typer.testing import CliRunner

    from tandem.apps.cli import app

    ws = seeded(CHURN)
    ws.close()
    monkeypatch.setenv("COLUMNS", "160")
    args = ["explain", "customer_churn_rate", "--period", "2024-03", "--workspace", str(ws.path)]
    out = CliRunner().invoke(app, [*args, "--where", "segment=SMB"])
    assert out.exit_code == 0, out.output
    assert "(1 row counted)" in out.output
    assert "Account B" in out.output
    assert "Account A" not in out.output

    out = CliRunner().invoke(app, [*args, "--format", "json", "--sql"])
    assert out.exit_code == 0, out.output
    import json

    found = json.loads(out.output)
    assert found["result"]["value"] == pytest.approx(200 / 3)
    (source,) = found["sources"]
    assert source["total_rows"] == 3
    assert sorted(r["account_id"] for r in source["rows"] if r["lost_customers"]) == ["B", "E"]
    assert "subscriptions" in source["sql"]

    out = CliRunner().invoke(app, [*args, "--where", "segment"])
    assert "--where 'segment': expected DIMENSION=VALUE" in str(out.exception)
