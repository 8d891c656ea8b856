"""One chunk of accounts, end to end: draw, simulate, derive every table, write.

The order is the causal one: the accounts and their fit; the handoff and
onboarding plan (from the rep and the starting health); the monthly
simulation of health and subscriptions; then everything observed from it
(deals, trials, usage, tickets, surveys, orders). Only company-wide monthly
totals leave the chunk, for the costs.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from tandem.synth import activity, company, lifecycle, onboarding, sales, support
from tandem.synth.columns import dates, labels
from tandem.synth.company import Staff
from tandem.synth.config import Array, Calendar, SynthConfig
from tandem.synth.costs import Monthly
from tandem.synth.writer import Output


def run_chunk(
    rng: np.random.Generator,
    numbers: Array,
    config: SynthConfig,
    cal: Calendar,
    staff: Staff,
    out: Output,
) -> Monthly:
    """Generate accounts ``numbers`` and append their rows to ``out``."""
    acc = company.make_accounts(rng, numbers, config, cal, staff)
    out.write("accounts", company.accounts_table(rng, acc, staff))
    z0 = acc.fit + rng.normal(0.0, 0.3, len(acc))
    hand = onboarding.plan(rng, acc, staff, lifecycle.sigmoid(z0), cal)
    life = lifecycle.simulate(rng, acc, cal, staff, hand, z0)
    out.write("subscriptions", lifecycle.subscriptions(acc, life))

    deals, deal_ids = sales.deals(rng, acc, staff, cal, hand, life)
    out.write("deals", deals)
    trials = sales.trials(rng, acc, cal, hand)
    out.write("trials", sales.trials_table(acc, trials))
    state = onboarding.status(hand, cal, life.first_churn_day)
    handoffs, onboardings = onboarding.tables(acc, hand, state, deal_ids)
    out.write("handoffs", handoffs)
    out.write("onboardings", onboardings)

    for batch in activity.usage_events(
        rng, acc, cal, life, trials, config.events_per_account_total
    ):
        out.write("usage_events", batch)
    tickets = support.tickets(rng, acc, cal, life)
    out.write("tickets", support.tickets_table(acc, tickets))
    out.write(
        "survey_responses",
        support.surveys(rng, acc, cal, life, hand, state, tickets),
    )
    buyers = activity.buyers(rng, acc)
    out.write("orders", activity.orders(rng, acc, cal, buyers))
    out.write("account_health", _health(acc, cal, life))
    out.write("churn_events", _churns(acc, life))
    out.write("account_traits", _traits(acc, life, buyers))
    return Monthly(life.new_customers, life.customers, life.mrr)


def _health(acc: company.Accounts, cal: Calendar, life: lifecycle.Lifecycle) -> dict[str, pa.Array]:
    """Health per account and month in which the account paid on some day."""
    i, k = np.nonzero(life.active_hi > 0)
    return {
        "account_id": company.account_ids(acc, i),
        "month": dates(cal.lo[k]),
        "health": pa.array(np.round(life.health[i, k].astype(np.float64), 4)),
    }


def _churns(acc: company.Accounts, life: lifecycle.Lifecycle) -> dict[str, pa.Array]:
    """Every churn: the first day without MRR, and whether the account kept a Free plan."""
    ch = life.churns
    order = np.lexsort((ch["day"], ch["idx"]))
    return {
        "account_id": company.account_ids(acc, ch["idx"][order]),
        "churned_on": dates(ch["day"][order]),
        "to_free": pa.array(ch["free"][order].astype(bool)),
    }


KINDS = ("existing", "new", "prospect")
CONTRACTS = ("monthly", "annual")


def _traits(
    acc: company.Accounts, life: lifecycle.Lifecycle, b: activity.Buyers
) -> dict[str, pa.Array]:
    def rounded(x: Array) -> pa.Array:
        return pa.array(np.round(x, 6), pa.float64(), mask=np.isnan(x))

    return {
        "account_id": company.account_ids(acc),
        "kind": labels(KINDS, acc.kind),
        "contract": labels(CONTRACTS, life.annual.astype(np.int8), mask=~acc.customer),
        "fit": rounded(acc.fit),
        "order_rate": rounded(b.rate),
        "order_dropout": rounded(b.dropout),
        "order_spend": rounded(b.spend),
    }
