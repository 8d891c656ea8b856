"""The five core metrics as hand-written DuckDB SQL: the practical limit.

One query per metric, against the tables of a loaded workspace (the same
DuckDB file Tandem computes on), written the way someone who knows DuckDB
would: a months CTE, range joins on dates, aggregates before joins, no
Python in the loop. Definitions as in SPEC.md at month grain; ``valid_to``
is exclusive and empty means still running.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tandem.bench.core import Month, Rows, ratio_row

if TYPE_CHECKING:
    import duckdb

MONTHS = """
months AS (
    SELECT CAST(m AS DATE) AS first,
           CAST(m + INTERVAL 1 MONTH - INTERVAL 1 DAY AS DATE) AS last
    FROM generate_series(DATE '{first}', DATE '{last}', INTERVAL 1 MONTH) AS g(m)
)"""

PAID = """
paid AS (
    SELECT account_id, mrr, valid_from AS vf, coalesce(valid_to, DATE '9999-12-31') AS vt
    FROM subscriptions WHERE mrr > 0
)"""

#: m0 and m1 (MRR on the opening and the last day) per account and month.
OPENING_AND_LAST = f"""
WITH {MONTHS}, {PAID},
ends AS (
    SELECT m.first, p.account_id,
           coalesce(sum(p.mrr) FILTER (WHERE p.vf <= m.first - 1 AND p.vt > m.first - 1), 0)
               AS m0,
           coalesce(sum(p.mrr) FILTER (WHERE p.vt > m.last), 0) AS m1
    FROM months m JOIN paid p ON p.vf <= m.last AND p.vt > m.first - 1
    GROUP BY ALL
)"""

QUERIES = {
    "customer_churn_rate": OPENING_AND_LAST
    + """
SELECT m.first,
       count(e.account_id) FILTER (WHERE e.m0 > 0 AND e.m1 = 0) AS numerator,
       count(e.account_id) FILTER (WHERE e.m0 > 0) AS denominator
FROM months m LEFT JOIN ends e USING (first)
GROUP BY m.first ORDER BY m.first""",
    "net_revenue_retention": OPENING_AND_LAST
    + """
SELECT m.first,
       coalesce(sum(e.m1) FILTER (WHERE e.m0 > 0), 0) AS numerator,
       coalesce(sum(e.m0), 0) AS denominator
FROM months m LEFT JOIN ends e USING (first)
GROUP BY m.first ORDER BY m.first""",
    "nps": f"""
WITH {MONTHS},
r AS (
    SELECT CAST(date_trunc('month', responded_at) AS DATE) AS first,
           count(*) FILTER (WHERE score >= 9) - count(*) FILTER (WHERE score <= 6) AS net,
           count(*) AS responses
    FROM survey_responses
    WHERE survey = 'nps'
      AND responded_at >= TIMESTAMP '{{first}}' AND responded_at < TIMESTAMP '{{after}}'
    GROUP BY 1
)
SELECT m.first, coalesce(r.net, 0), coalesce(r.responses, 0)
FROM months m LEFT JOIN r USING (first) ORDER BY m.first""",
    "first_contact_resolution": f"""
WITH {MONTHS},
t AS (
    SELECT CAST(date_trunc('month', resolved_at) AS DATE) AS first,
           count(*) FILTER (WHERE contacts = 1) AS first_contact,
           count(*) AS resolved
    FROM tickets
    WHERE resolved_at >= TIMESTAMP '{{first}}' AND resolved_at < TIMESTAMP '{{after}}'
    GROUP BY 1
)
SELECT m.first, coalesce(t.first_contact, 0), coalesce(t.resolved, 0)
FROM months m LEFT JOIN t USING (first) ORDER BY m.first""",
    "sessions_per_day": f"""
WITH {MONTHS}, {PAID},
marked AS (
    SELECT *, max(vt) OVER (PARTITION BY account_id ORDER BY vf, vt
                            ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
    FROM paid
),
numbered AS (
    SELECT *, sum(CASE WHEN reach IS NULL OR vf > reach THEN 1 ELSE 0 END)
                  OVER (PARTITION BY account_id ORDER BY vf, vt ROWS UNBOUNDED PRECEDING) AS spell
    FROM marked
),
spells AS (
    SELECT account_id, min(vf) AS s, max(vt) AS e FROM numbered GROUP BY account_id, spell
),
customer_days AS (
    SELECT m.first, sum(least(sp.e, m.last + 1) - greatest(sp.s, m.first)) AS days
    FROM months m JOIN spells sp ON sp.s <= m.last AND sp.e > m.first
    GROUP BY m.first
),
daily AS (
    SELECT account_id, CAST(ts AS DATE) AS d, count(*) AS n
    FROM usage_events
    WHERE event = 'session' AND ts >= TIMESTAMP '{{first}}' AND ts < TIMESTAMP '{{after}}'
    GROUP BY ALL
),
sessions AS (
    SELECT CAST(date_trunc('month', d.d) AS DATE) AS first, sum(d.n) AS n
    FROM daily d JOIN spells sp ON d.account_id = sp.account_id AND sp.s <= d.d AND d.d < sp.e
    GROUP BY 1
)
SELECT m.first, coalesce(s.n, 0), coalesce(c.days, 0)
FROM months m LEFT JOIN sessions s USING (first) LEFT JOIN customer_days c USING (first)
ORDER BY m.first""",
}

SCALE = {
    "customer_churn_rate": 100.0,
    "net_revenue_retention": 100.0,
    "nps": 100.0,
    "sessions_per_day": 1.0,
    "first_contact_resolution": 100.0,
}


def query(metric: str, ms: list[Month]) -> str:
    """The SQL of ``metric`` over the months ``ms``."""
    after = ms[-1].last.toordinal() + 1
    import datetime as dt

    return QUERIES[metric].format(
        first=ms[0].first.isoformat(),
        last=ms[-1].first.isoformat(),
        after=dt.date.fromordinal(after).isoformat(),
    )


def compute(con: duckdb.DuckDBPyConnection, metric: str, ms: list[Month]) -> Rows:
    rows = con.execute(query(metric, ms)).fetchall()
    return [ratio_row(first, float(n), float(d), SCALE[metric]) for first, n, d in rows]
