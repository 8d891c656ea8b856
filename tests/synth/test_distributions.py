"""What the generator promises about its data, checked on one small company.

The hidden health (truth file ``account_health``) and the hidden quality of
CSMs and reps (``member_quality``) are what the mechanisms run on; these tests
check that the canonical tables show their effects, computed independently
with DuckDB.
"""

from __future__ import annotations

import duckdb
import pytest

from tests.synth.conftest import CONFIG, MONTHLY_CHURN, scalar


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> dict[object, tuple[object, ...]]:
    """The first column of each row as key, the others as value."""
    return {r[0]: tuple(r[1:]) for r in con.execute(sql).fetchall()}


def test_segments_and_mrr(db: duckdb.DuckDBPyConnection) -> None:
    share = rows(db, "SELECT segment, count(*) / sum(count(*)) OVER () FROM accounts GROUP BY 1")
    assert share["SMB"][0] == pytest.approx(0.6, abs=0.05)
    assert share["Mid-Market"][0] == pytest.approx(0.3, abs=0.05)
    assert share["Enterprise"][0] == pytest.approx(0.1, abs=0.03)
    mrr = rows(
        db,
        "SELECT segment, avg(mrr), min(mrr), max(mrr) FROM subscriptions JOIN accounts "
        "USING (account_id) WHERE mrr > 0 GROUP BY 1",
    )
    assert mrr["Enterprise"][0] > mrr["Mid-Market"][0] > mrr["SMB"][0]  # type: ignore[operator]
    first = rows(
        db,
        "SELECT segment, min(mrr), max(mrr) FROM (SELECT DISTINCT ON (account_id) * "
        "FROM subscriptions ORDER BY account_id, valid_from) JOIN accounts USING (account_id) "
        "GROUP BY 1",
    )
    assert first["SMB"] >= (100, 0) and first["SMB"][1] <= 600  # type: ignore[operator]
    assert first["Mid-Market"][0] >= 800 and first["Mid-Market"][1] <= 4_000  # type: ignore[operator]
    assert first["Enterprise"][0] >= 5_000 and first["Enterprise"][1] <= 30_000  # type: ignore[operator]


def test_churn_is_much_higher_for_low_health(db: duckdb.DuckDBPyConnection) -> None:
    by_quartile = db.execute(
        f"SELECT q, avg(churned::INT) FROM (SELECT churned, ntile(4) OVER (ORDER BY health) AS q "
        f"FROM ({MONTHLY_CHURN})) GROUP BY q ORDER BY q"
    ).fetchall()
    rates = [r[1] for r in by_quartile]
    assert rates[0] > 4 * rates[3]
    assert rates == sorted(rates, reverse=True)
    assert 0.01 < sum(rates) / 4 < 0.04


def test_churn_is_higher_in_smb_than_enterprise(db: duckdb.DuckDBPyConnection) -> None:
    rate = rows(
        db,
        f"SELECT segment, avg(churned::INT) FROM ({MONTHLY_CHURN}) JOIN accounts "
        "USING (account_id) GROUP BY 1",
    )
    assert rate["SMB"][0] > rate["Mid-Market"][0] > rate["Enterprise"][0]  # type: ignore[operator]


def test_low_health_accounts_raise_more_tickets_and_score_lower(
    db: duckdb.DuckDBPyConnection,
) -> None:
    by_quartile = db.execute(
        """
        WITH a AS (SELECT account_id, avg(health) AS h, count(*) AS months
                   FROM account_health GROUP BY 1),
        t AS (SELECT account_id, count(*) AS n, avg(escalated::INT) AS esc, avg(contacts) AS c
              FROM tickets GROUP BY 1),
        s AS (SELECT account_id, avg(score) AS nps FROM survey_responses
              WHERE survey = 'nps' GROUP BY 1)
        SELECT q, avg(n / months), avg(esc), avg(c), avg(nps) FROM (
            SELECT ntile(4) OVER (ORDER BY h) AS q, coalesce(t.n, 0) AS n, months, esc, c, nps
            FROM a LEFT JOIN t USING (account_id) LEFT JOIN s USING (account_id))
        GROUP BY q ORDER BY q
        """
    ).fetchall()
    low, high = by_quartile[0], by_quartile[-1]
    assert low[1] > 2 * high[1], "tickets per paying month"
    assert low[2] > 2 * high[2], "escalated share"
    assert low[3] > high[3], "contacts per ticket"
    assert low[4] < high[4] - 2, "NPS"


def test_usage_follows_health_and_sags_before_churn(db: duckdb.DuckDBPyConnection) -> None:
    per_day = """
        SELECT account_id, month, health, n / (last_day(month) - month + 1) AS sessions_per_day
        FROM (SELECT h.account_id, h.month, h.health, count(u.ts) AS n
              FROM account_health h LEFT JOIN usage_events u ON u.account_id = h.account_id
                   AND date_trunc('month', u.ts) = h.month AND u.event = 'session'
              GROUP BY h.account_id, h.month, h.health)
    """
    quartiles = db.execute(
        f"SELECT q, avg(sessions_per_day) FROM (SELECT *, ntile(4) OVER (ORDER BY health) AS q "
        f"FROM ({per_day})) GROUP BY q ORDER BY q"
    ).fetchall()
    assert quartiles[-1][1] > 2 * quartiles[0][1]
    before = scalar(
        db,
        f"""
        WITH churn AS (SELECT account_id, month FROM ({MONTHLY_CHURN}) WHERE churned),
        usage AS ({per_day})
        SELECT avg(u.sessions_per_day) FILTER (WHERE u.month = c.month - INTERVAL 1 MONTH)
             / avg(u.sessions_per_day) FILTER (WHERE u.month = c.month - INTERVAL 6 MONTH)
        FROM churn c JOIN usage u USING (account_id)
        """,
    )
    assert isinstance(before, float) and before < 0.8


def test_better_csms_keep_more_customers(db: duckdb.DuckDBPyConnection) -> None:
    halves = db.execute(
        f"""
        SELECT t.quality > median(t.quality) OVER () AS better, churned
        FROM ({MONTHLY_CHURN}) JOIN accounts a USING (account_id)
        JOIN member_quality t ON t.member_id = a.csm_id
        """
    ).fetchall()
    better = [c for b, c in halves if b]
    worse = [c for b, c in halves if not b]
    assert sum(better) / len(better) < 0.8 * sum(worse) / len(worse)


def test_better_reps_hand_off_more_complete_records_and_fitter_accounts(
    db: duckdb.DuckDBPyConnection,
) -> None:
    halves = rows(
        db,
        """
        WITH first_health AS (SELECT DISTINCT ON (account_id) account_id, health
                              FROM account_health ORDER BY account_id, month)
        SELECT better, avg(fields_completed / fields_required),
               avg((fields_completed = fields_required AND errors_found = 0)::INT),
               avg(health)
        FROM (SELECT t.quality > median(t.quality) OVER () AS better, h.*, f.health
              FROM handoffs h JOIN accounts a USING (account_id)
              JOIN first_health f USING (account_id)
              JOIN member_quality t ON t.member_id = a.sales_rep_id)
        GROUP BY 1
        """,
    )
    good, poor = halves[True], halves[False]
    assert good[0] > poor[0]  # type: ignore[operator]
    assert good[1] > 1.5 * poor[1]  # type: ignore[operator]
    assert good[2] > poor[2]  # type: ignore[operator]


def test_subscriptions_change_lapse_and_come_back(db: duckdb.DuckDBPyConnection) -> None:
    kinds = db.execute(
        """
        WITH r AS (
            SELECT *, lag(valid_to) OVER w AS prev_to, lag(mrr) OVER w AS prev_mrr
            FROM subscriptions WINDOW w AS (PARTITION BY account_id ORDER BY valid_from))
        SELECT
            count(*) FILTER (WHERE mrr > 0 AND valid_from > prev_to
                             AND valid_from - prev_to <= 10),
            count(*) FILTER (WHERE mrr > 0 AND (valid_from - prev_to > 10 OR prev_mrr = 0)),
            count(*) FILTER (WHERE valid_from = prev_to AND mrr > prev_mrr AND prev_mrr > 0),
            count(*) FILTER (WHERE valid_from = prev_to AND 0 < mrr AND mrr < prev_mrr),
            count(*) FILTER (WHERE mrr = 0 AND plan = 'Free'),
            count(*) FILTER (WHERE day(valid_from) = 1),
            count(*) FILTER (WHERE day(valid_from) <> 1)
        FROM r
        """
    ).fetchone()
    assert kinds is not None
    gaps, reactivations, upgrades, downgrades, free, first_day, mid_month = kinds
    assert gaps >= 5 and reactivations >= 5 and free >= 5
    assert upgrades > downgrades > 10
    assert first_day > 100 and mid_month > 100


def test_existing_base_and_prospects(db: duckdb.DuckDBPyConnection) -> None:
    paying_before = scalar(
        db,
        "SELECT count(DISTINCT account_id) FROM subscriptions WHERE mrr > 0 "
        "AND valid_from <= DATE '2024-10-31' AND coalesce(valid_to, DATE '9999-12-31') > "
        "DATE '2024-10-31'",
    )
    never_paid = scalar(
        db,
        "SELECT count(*) FROM accounts WHERE account_id NOT IN "
        "(SELECT account_id FROM subscriptions)",
    )
    # KIND_SHARE: a quarter existing customers, half prospects.
    assert paying_before == pytest.approx(CONFIG.accounts / 4, rel=0.15)
    assert never_paid == pytest.approx(CONFIG.accounts / 2, rel=0.15)
    lost_or_open = scalar(
        db,
        "SELECT count(DISTINCT account_id) FROM deals WHERE outcome <> 'won' "
        "AND type = 'new_business'",
    )
    # Sales prospects have deals; self-serve sign-ups (SIGNUP_SHARE) only a trial.
    assert isinstance(lost_or_open, int) and lost_or_open > 0.35 * never_paid  # type: ignore[operator]


def test_trials_pilots_and_conversions(db: duckdb.DuckDBPyConnection) -> None:
    counts = db.execute(
        """
        SELECT
            count(*) FILTER (WHERE kind = 'free_trial'
                             AND converted_at > started_at + INTERVAL 30 DAY),
            count(*) FILTER (WHERE kind = 'free_trial'
                             AND converted_at <= started_at + INTERVAL 30 DAY),
            count(*) FILTER (WHERE kind = 'pilot' AND converted_at IS NOT NULL
                             AND ended_at IS NULL),
            count(*) FILTER (WHERE kind = 'pilot' AND segment = 'SMB'),
            count(*) FILTER (WHERE kind <> 'pilot' AND segment = 'Enterprise'),
            count(*) FILTER (WHERE converted_at IS NULL)
        FROM trials JOIN accounts USING (account_id)
        """
    ).fetchone()
    assert counts is not None
    late, on_time, open_pilots, smb_pilots, enterprise_free, unconverted = counts
    assert on_time > late > 0 and open_pilots > 0 and unconverted > 0
    assert smb_pilots == 0 and enterprise_free == 0
    before_paying = scalar(
        db,
        "SELECT count(*) FROM usage_events u JOIN trials t USING (account_id) "
        "WHERE u.ts < coalesce(t.converted_at, TIMESTAMP '9999-12-31')",
    )
    assert isinstance(before_paying, int) and before_paying > 0


def test_onboardings(db: duckdb.DuckDBPyConnection) -> None:
    status = rows(db, "SELECT status, count(*) FROM onboardings GROUP BY 1")
    assert set(status) == {"live", "in_progress", "stalled", "cancelled"}
    assert status["live"][0] > 10 * status["stalled"][0]  # type: ignore[operator]
    days = rows(
        db,
        "SELECT segment, median(go_live_at::DATE - started_at::DATE), "
        "avg((target_days IS NULL)::INT) FROM onboardings JOIN accounts USING (account_id) "
        "GROUP BY 1",
    )
    assert days["SMB"][0] < days["Mid-Market"][0] < days["Enterprise"][0]  # type: ignore[operator]
    assert all(0.2 < v[1] < 0.5 for v in days.values())  # type: ignore[operator]


def test_volumes_per_account(db: duckdb.DuckDBPyConnection) -> None:
    n = CONFIG.accounts
    assert scalar(db, "SELECT count(*) FROM usage_events") == pytest.approx(100 * n, rel=0.05)
    # TICKETS_PER_CUSTOMER_MONTH (0.4) per month paid; a truth row is a month paid on some
    # day, a little more than the paid days / 30.44 the rate applies to.
    per_month = scalar(
        db, "SELECT (SELECT count(*) FROM tickets) / (SELECT count(*) FROM account_health)"
    )
    assert per_month == pytest.approx(0.4, rel=0.12)
    repeat = scalar(
        db,
        "SELECT count(*) FROM (SELECT account_id FROM orders "
        "GROUP BY account_id, date_trunc('month', ordered_at) HAVING count(*) >= 2)",
    )
    assert isinstance(repeat, int) and repeat > 0


def test_team(db: duckdb.DuckDBPyConnection) -> None:
    team = rows(db, "SELECT team, count(*), count(manager_id) FROM team_members GROUP BY 1")
    assert set(team) == {"marketing", "sales", "customer_success", "support", "onboarding"}
    csms = scalar(db, "SELECT count(DISTINCT csm_id) FROM accounts")
    assert isinstance(csms, int) and 60 <= CONFIG.accounts / csms <= 100
    assert all(size - managed == 1 for size, managed in team.values())  # type: ignore[operator]


def test_costs_follow_new_customers_and_revenue(db: duckdb.DuckDBPyConnection) -> None:
    corr = db.execute(
        """
        WITH first_rows AS (SELECT DISTINCT ON (account_id) account_id, valid_from, mrr
                            FROM subscriptions WHERE mrr > 0 ORDER BY account_id, valid_from),
        new AS (SELECT date_trunc('month', valid_from)::DATE AS month, sum(mrr) AS new_mrr
                FROM first_rows GROUP BY 1),
        paying AS (SELECT m.month, sum(s.mrr) AS mrr FROM (SELECT DISTINCT month FROM costs) m
                   JOIN subscriptions s ON s.valid_from <= last_day(m.month)
                        AND coalesce(s.valid_to, DATE '9999-12-31') > last_day(m.month)
                   GROUP BY 1),
        spend AS (SELECT month, sum(amount) FILTER (WHERE purpose = 'acquisition') AS acq,
                         sum(amount) FILTER (WHERE purpose = 'retention') AS ret
                  FROM costs GROUP BY 1)
        SELECT corr(new_mrr, acq), corr(mrr, ret)
        FROM spend JOIN new USING (month) JOIN paying USING (month)
        """
    ).fetchone()
    assert corr is not None
    assert corr[0] > 0.5 and corr[1] > 0.8
