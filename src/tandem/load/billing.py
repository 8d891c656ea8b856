"""Subscription history from billing data: one ``subscriptions`` row per period of constant MRR.

A billing system knows a subscription's present (its items, prices, status,
trial, scheduled end, pause) and, through its invoices, its past: every
invoice line bills an item for a service period. A mapping fills two inputs,
typed and checked like any table but never stored:

- ``billing_subscriptions``: one row per subscription item as it is now;
- ``billing_lines``: one row per invoice line of a subscription.

Amounts are in currency units (a mapping divides Stripe's cents by 100). The
history is built with set-based SQL in the staging database:

1. **MRR of a line** = unit amount × quantity / months in the billing interval
   (day = 12/365 month, week = 12/52, month = 1, quarter = 3, year = 12, times
   the interval count). The interval comes from the line, else from the
   subscription item with the same price, else from the length of a regular
   (non-proration) line of that price. A regular line without a unit amount
   counts its amount over its own period (tiered or flat prices). With the
   knob ``load.discounts = "apply"`` (the default) the MRR is net of the
   line's discounts, in proportion (MRR × (1 − discount / amount)); with
   ``"ignore"`` it is the list price.
2. Only lines of **paid or open** invoices count: void, uncollectible and
   draft invoices (collection paused, written off, not yet final) earn
   nothing, and credit lines (amount < 0) are the undoing of an old price.
3. On each day an item is worth the MRR of the line covering that day that
   **started last**: a proration line for a new price or seat count, starting
   mid-period, takes over from the regular line of the old one (upgrades,
   downgrades and seat changes mid-period).
4. A subscription earns from the later of its start and its **trial end**
   (a trial is not revenue) until it **ended**, or until its scheduled
   cancellation (**cancel at period end**). A live subscription (active, past
   due or unpaid, not paused, not ended) runs on past its last invoice at the
   last line's MRR (``valid_to`` empty); a paused one stops with its last paid
   line and, when a resume date is set, starts again then at its current
   price. Incomplete subscriptions never paid. A subscription without any
   invoice line is one row at its current price.
5. Days with the same MRR, plan and seats are merged into one row, keyed
   ``<subscription id>/<first day>`` so that loading a later export updates
   the open row instead of adding one. Periods of zero MRR are left out.

Trials (a trial start and a trial end after it) also become ``trials`` rows of
kind free_trial, converted on the first paid day.
"""

from __future__ import annotations

from tandem.load.expressions import months_sql
from tandem.load.sql import ident
from tandem.schema import Column, ColumnType, NonNegative, NotBefore, Table

S, TS, F, INT, B = (
    ColumnType.STRING,
    ColumnType.TIMESTAMP,
    ColumnType.FLOAT,
    ColumnType.INTEGER,
    ColumnType.BOOLEAN,
)


def _c(name: str, kind: ColumnType, description: str, required: bool = False) -> Column:
    return Column(name, kind, required, description)


SUBSCRIPTIONS = Table(
    "billing_subscriptions",
    "A subscription item as it is now (billing input; builds subscriptions).",
    (
        _c("subscription_id", S, "The subscription.", True),
        _c("account_id", S, "The account billed.", True),
        _c("item_id", S, "The item (one row per item of the subscription)."),
        _c(
            "status", S, "active, past_due, unpaid, trialing, canceled, paused, incomplete...", True
        ),
        _c("started_at", TS, "When the subscription started.", True),
        _c("trial_start", TS, "When its trial started."),
        _c("trial_end", TS, "When its trial ends or ended."),
        _c("ended_at", TS, "When it ended."),
        _c("cancel_at", TS, "When it is scheduled to end (cancel at period end)."),
        _c("paused", B, "Whether collection is paused now."),
        _c("resumes_at", TS, "When a paused subscription resumes."),
        _c("plan", S, "Plan name."),
        _c("price_id", S, "The item's price."),
        _c("unit_amount", F, "Price per unit per interval, in currency units."),
        _c("quantity", F, "Units (seats); empty = 1."),
        _c("interval", S, "Billing interval: day, week, month, quarter or year."),
        _c("interval_count", INT, "Intervals per billing period; empty = 1."),
        _c("discount_percent", F, "Percent off while the discount lasts."),
        _c("discount_amount", F, "Amount off per billing period, in currency units."),
    ),
    key=("subscription_id", "item_id"),
    rules=(NonNegative("unit_amount"), NonNegative("quantity"), NonNegative("interval_count")),
    time_column="started_at",
)

LINES = Table(
    "billing_lines",
    "An invoice line of a subscription (billing input; builds subscriptions).",
    (
        _c("line_id", S, "The invoice line.", True),
        _c("invoice_id", S, "Its invoice."),
        _c("subscription_id", S, "The subscription it bills.", True),
        _c("item_id", S, "The subscription item it bills."),
        _c("invoice_status", S, "paid, open, void, uncollectible or draft.", True),
        _c("period_start", TS, "First instant of the service period.", True),
        _c("period_end", TS, "End of the service period (exclusive).", True),
        _c("amount", F, "Line amount before discounts, in currency units.", True),
        _c("discount", F, "Discounts on the line, in currency units."),
        _c("unit_amount", F, "Price per unit per interval, in currency units."),
        _c("quantity", F, "Units (seats); empty = 1."),
        _c("price_id", S, "The price billed."),
        _c("interval", S, "Billing interval of the price."),
        _c("interval_count", INT, "Intervals per billing period of the price."),
        _c("proration", B, "Whether the line prorates a mid-period change."),
        _c("plan", S, "Plan name."),
    ),
    key=("line_id",),
    rules=(NotBefore("period_end", "period_start"), NonNegative("quantity")),
    references_account=False,
    time_column="period_start",
)

BILLING_TABLES: dict[str, Table] = {t.name: t for t in (SUBSCRIPTIONS, LINES)}
DISCOUNTS = ("apply", "ignore")
LIVE = ("active", "past_due", "unpaid")
NEVER_PAID = ("incomplete", "incomplete_expired")
COUNTED_INVOICES = ("paid", "open")


def _period_months(start: str, end: str) -> str:
    """Months in a service period: whole calendar months, else weeks, else days."""
    s, e = f"CAST({start} AS DATE)", f"CAST({end} AS DATE)"
    k = f"date_diff('month', {s}, {e})"
    days = f"date_diff('day', {s}, {e})"
    return (
        f"(CASE WHEN {k} > 0 AND (CAST({s} + to_months(CAST({k} AS INTEGER)) AS DATE) = {e} "
        f"OR ({s} = last_day({s}) AND {e} = last_day({e}))) THEN CAST({k} AS DOUBLE) "
        f"WHEN {days} > 0 AND {days} % 7 = 0 THEN {days} / 7 * 12.0 / 52 "
        f"WHEN {days} > 0 THEN {days} * 12.0 / 365 END)"
    )


def history_sql(subscriptions: str, lines: str | None, discounts: str) -> str:
    """A query over the staged billing inputs giving the history (see the module doc).

    Its columns: the canonical subscription columns, ``__source`` (the billing
    subscription id) and ``__row`` (that subscription's first row in its file).
    """
    s, apply = ident(subscriptions), discounts == "apply"
    line_rel = ident(lines) if lines is not None else None
    item_discount = "(1 - coalesce(discount_percent, 0) / 100.0)" if apply else "1.0"
    item_off = "coalesce(discount_amount, 0)" if apply else "0"
    line_factor = (
        "CASE WHEN b.amount > 0 THEN 1 - coalesce(b.discount, 0) / b.amount ELSE 1 END"
        if apply
        else "1"
    )
    columns = (
        "subscription_id, item_id, period_start, period_end, amount, discount, unit_amount, "
        "quantity, price_id, interval, interval_count, coalesce(proration, false) AS proration, "
        "plan, lower(invoice_status) AS invoice_status"
    )
    line_source = (
        f"SELECT {columns} FROM {line_rel}"
        if line_rel is not None
        else f"SELECT {columns} FROM (SELECT NULL AS subscription_id, NULL AS item_id, "
        "CAST(NULL AS TIMESTAMP) AS period_start, CAST(NULL AS TIMESTAMP) AS period_end, "
        "0.0 AS amount, 0.0 AS discount, CAST(NULL AS DOUBLE) AS unit_amount, "
        "CAST(NULL AS DOUBLE) AS quantity, NULL AS price_id, NULL AS interval, "
        "CAST(NULL AS BIGINT) AS interval_count, false AS proration, NULL AS plan, "
        "NULL AS invoice_status) WHERE false"
    )
    period = _period_months("b.period_start", "b.period_end")
    return f"""
WITH subs AS (
    SELECT subscription_id, any_value(account_id) AS account_id,
           lower(any_value(status)) AS status, min(started_at) AS started_at,
           max(trial_start) AS trial_start, max(trial_end) AS trial_end,
           max(ended_at) AS ended_at, max(cancel_at) AS cancel_at,
           bool_or(coalesce(paused, false)) AS paused, max(resumes_at) AS resumes_at,
           min(__row) AS __row
    FROM {s} GROUP BY subscription_id
), life AS (
    SELECT *, CAST(CASE WHEN trial_end > started_at THEN trial_end ELSE started_at END AS DATE)
               AS life_from,
           CAST(coalesce(ended_at, cancel_at) AS DATE) AS life_to,
           status IN ('{"', '".join(LIVE)}') AND NOT paused AND ended_at IS NULL AS live
    FROM subs WHERE status NOT IN ('{"', '".join(NEVER_PAID)}')
), items AS (
    SELECT subscription_id, coalesce(item_id, subscription_id) AS item, price_id, plan,
           coalesce(quantity, 1) AS quantity,
           {months_sql("interval", "interval_count")} AS months,
           unit_amount, {item_discount} AS factor, {item_off} AS off
    FROM {s}
), billed AS ({line_source}), price_months AS (
    SELECT price_id, arg_min(months, preference) AS months FROM (
        SELECT price_id, months, 1 AS preference FROM items WHERE months IS NOT NULL
        UNION ALL SELECT price_id, {months_sql("interval", "interval_count")}, 2 FROM billed
        UNION ALL SELECT price_id, {_period_months("period_start", "period_end")}, 3 FROM billed
            WHERE NOT proration AND amount > 0
    ) WHERE price_id IS NOT NULL AND months IS NOT NULL GROUP BY price_id
), price_units AS (
    SELECT price_id, any_value(unit_amount) AS unit_amount FROM items
    WHERE price_id IS NOT NULL AND unit_amount IS NOT NULL GROUP BY price_id
), counted AS (
    SELECT b.subscription_id, coalesce(b.item_id, b.subscription_id) AS item,
           CAST(b.period_start AS DATE) AS d_from, CAST(b.period_end AS DATE) AS d_to,
           b.period_start AS ts,
           CASE WHEN coalesce(b.unit_amount, pu.unit_amount) IS NOT NULL
                THEN coalesce(b.unit_amount, pu.unit_amount) * coalesce(b.quantity, 1)
                     / nullif(coalesce({months_sql("b.interval", "b.interval_count")}, pm.months,
                                       CASE WHEN NOT b.proration THEN {period} END), 0)
                WHEN NOT b.proration THEN b.amount / nullif({period}, 0)
           END * ({line_factor}) AS mrr,
           coalesce(b.plan, pp.plan) AS plan, coalesce(b.quantity, 1) AS quantity
    FROM billed b JOIN life USING (subscription_id)
    LEFT JOIN price_months pm ON pm.price_id = b.price_id
    LEFT JOIN price_units pu ON pu.price_id = b.price_id
    LEFT JOIN (SELECT price_id, any_value(plan) AS plan FROM items GROUP BY price_id) pp
           ON pp.price_id = b.price_id
    WHERE b.invoice_status IN ('{"', '".join(COUNTED_INVOICES)}') AND b.amount >= 0
), last_lines AS (
    SELECT c.*, row_number() OVER (PARTITION BY c.subscription_id, c.item
                                   ORDER BY c.d_to DESC, c.ts DESC) = 1 AS is_last
    FROM counted c
), pieces AS (
    SELECT l.subscription_id, l.item, l.d_from,
           CASE WHEN l.is_last AND life.live AND (EXISTS (SELECT 1 FROM items i
                     WHERE i.subscription_id = l.subscription_id AND i.item = l.item)
                     OR l.item = l.subscription_id)
                THEN NULL ELSE l.d_to END AS d_to,
           l.ts, l.mrr, l.plan, l.quantity
    FROM last_lines l JOIN life USING (subscription_id)
    WHERE l.mrr IS NOT NULL
    UNION ALL
    SELECT i.subscription_id, i.item,
           CASE WHEN life.paused THEN CAST(life.resumes_at AS DATE) ELSE life.life_from END,
           CASE WHEN life.live OR life.paused THEN NULL ELSE life.life_to END,
           coalesce(life.resumes_at, life.started_at),
           (i.unit_amount * i.quantity * i.factor - i.off) / nullif(i.months, 0), i.plan, i.quantity
    FROM items i JOIN life USING (subscription_id)
    WHERE i.unit_amount IS NOT NULL AND i.months IS NOT NULL
      AND ((life.paused AND life.resumes_at IS NOT NULL AND life.ended_at IS NULL)
           OR (NOT life.paused
               AND NOT EXISTS (SELECT 1 FROM billed b WHERE b.subscription_id = i.subscription_id)
               AND (life.live OR (life.status NOT IN ('trialing', 'paused')
                                  AND life.life_to IS NOT NULL))))
), bounds AS (
    SELECT DISTINCT subscription_id, d AS b FROM (
        SELECT subscription_id, d_from AS d FROM pieces
        UNION ALL SELECT subscription_id, d_to FROM pieces WHERE d_to IS NOT NULL
        UNION ALL SELECT subscription_id, life_from FROM life
        UNION ALL SELECT subscription_id, life_to FROM life WHERE life_to IS NOT NULL)
    WHERE d IS NOT NULL
), spans AS (
    SELECT subscription_id, b AS s_from,
           lead(b) OVER (PARTITION BY subscription_id ORDER BY b) AS s_to
    FROM bounds
), covered AS (
    SELECT sp.subscription_id, sp.s_from, sp.s_to, p.item, p.mrr, p.plan, p.quantity,
           row_number() OVER (PARTITION BY sp.subscription_id, sp.s_from, p.item
                              ORDER BY p.ts DESC, p.d_from DESC) AS pick
    FROM spans sp JOIN pieces p ON p.subscription_id = sp.subscription_id
     AND p.d_from <= sp.s_from AND (p.d_to IS NULL OR p.d_to > sp.s_from)
), per_span AS (
    SELECT c.subscription_id, c.s_from, c.s_to, round(sum(c.mrr), 6) AS mrr,
           CAST(round(sum(c.quantity)) AS BIGINT) AS seats, arg_max(c.plan, c.mrr) AS plan
    FROM covered c JOIN life USING (subscription_id)
    WHERE c.pick = 1 AND c.s_from >= life.life_from
      AND (life.life_to IS NULL OR c.s_from < life.life_to)
    GROUP BY c.subscription_id, c.s_from, c.s_to
), paid AS (
    SELECT *, CASE WHEN lag(s_to) OVER w = s_from AND lag(mrr) OVER w = mrr
                    AND lag(plan) OVER w IS NOT DISTINCT FROM plan
                    AND lag(seats) OVER w IS NOT DISTINCT FROM seats THEN 0 ELSE 1 END AS starts
    FROM per_span WHERE mrr > 0
    WINDOW w AS (PARTITION BY subscription_id ORDER BY s_from)
), islands AS (
    SELECT *, sum(starts) OVER (PARTITION BY subscription_id ORDER BY s_from) AS island FROM paid
)
SELECT i.subscription_id || '/' || strftime(min(i.s_from), '%Y-%m-%d') AS subscription_id,
       any_value(life.account_id) AS account_id, any_value(i.plan) AS plan,
       any_value(i.mrr) AS mrr, any_value(i.seats) AS seats,
       min(i.s_from) AS valid_from,
       CASE WHEN bool_or(i.s_to IS NULL) THEN NULL ELSE max(i.s_to) END AS valid_to,
       i.subscription_id AS __source, any_value(life.__row) AS __row
FROM islands i JOIN life USING (subscription_id)
GROUP BY i.subscription_id, i.island
"""


def trials_sql(subscriptions: str, history: str) -> str:
    """Trials of the billing subscriptions, converted on their first paid day."""
    s = ident(subscriptions)
    return f"""
SELECT t.subscription_id AS trial_id, t.account_id, 'free_trial' AS kind,
       t.trial_start AS started_at,
       CASE WHEN t.status = 'trialing' THEN NULL
            ELSE least(t.trial_end, coalesce(t.ended_at, t.trial_end)) END AS ended_at,
       CAST(h.first_paid AS TIMESTAMP) AS converted_at, t.__row
FROM (SELECT subscription_id, any_value(account_id) AS account_id,
             lower(any_value(status)) AS status, max(trial_start) AS trial_start,
             max(trial_end) AS trial_end, max(ended_at) AS ended_at, min(__row) AS __row
      FROM {s} GROUP BY subscription_id) t
LEFT JOIN (SELECT __source, min(valid_from) AS first_paid FROM {ident(history)} GROUP BY __source) h
       ON h.__source = t.subscription_id
WHERE t.trial_start IS NOT NULL AND t.trial_end > t.trial_start
"""
