"""Monthly go-to-market costs, from what the whole company did that month.

Costs belong to no account, so they are computed once, after every chunk,
from the monthly totals the chunks report (``Monthly``). Acquisition costs
follow the new customers of the month by segment (marketing, sales and
implementation cost more per Enterprise logo than per SMB one); retention
costs follow the MRR under management (marketing 1 %, sales 3 %, customer
success 6 %, support 4 %). Each also has a fixed part that grows with the
number of accounts, and a little month-to-month noise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from tandem.schema import COST_CATEGORIES, COST_PURPOSES
from tandem.synth import columns as col
from tandem.synth.config import Array, Calendar

ACQUISITION, RETENTION = range(2)
#: (category, purpose, cost per new customer by segment, share of MRR).
LINES = (
    ("marketing", ACQUISITION, (1_500.0, 8_000.0, 35_000.0), 0.0),
    ("marketing", RETENTION, (0.0, 0.0, 0.0), 0.01),
    ("sales", ACQUISITION, (1_200.0, 10_000.0, 50_000.0), 0.0),
    ("sales", RETENTION, (0.0, 0.0, 0.0), 0.03),
    ("implementation", ACQUISITION, (300.0, 3_000.0, 15_000.0), 0.0),
    ("customer_success", RETENTION, (0.0, 0.0, 0.0), 0.06),
    ("support", RETENTION, (0.0, 0.0, 0.0), 0.04),
)
FIXED_PER_ACCOUNT = 0.5


@dataclass(frozen=True)
class Monthly:
    """Company totals per month: new customers by segment, paying customers, MRR."""

    new_customers: Array
    customers: Array
    mrr: Array

    def __add__(self, other: Monthly) -> Monthly:
        return Monthly(
            self.new_customers + other.new_customers,
            self.customers + other.customers,
            self.mrr + other.mrr,
        )

    @classmethod
    def zero(cls, months: int) -> Monthly:
        return cls(np.zeros((months, 3), np.int64), np.zeros(months, np.int64), np.zeros(months))


def costs(
    rng: np.random.Generator, cal: Calendar, totals: Monthly, accounts: int
) -> dict[str, pa.Array]:
    """The ``costs`` columns: every month × the category/purpose lines above."""
    months = cal.months
    amounts, category, purpose = [], [], []
    for name, goal, per_new, share in LINES:
        amount = totals.new_customers @ np.array(per_new) + share * totals.mrr
        amount = (amount + FIXED_PER_ACCOUNT * accounts) * np.exp(rng.normal(0.0, 0.08, months))
        amounts.append(amount)
        category.append(np.full(months, COST_CATEGORIES.index(name)))
        purpose.append(np.full(months, goal))
    line = np.repeat(np.arange(len(LINES)), months)
    order = np.lexsort((line, np.tile(np.arange(months), len(LINES))))
    return {
        "month": col.dates(np.tile(cal.lo, len(LINES))[order]),
        "category": col.labels(COST_CATEGORIES, np.concatenate(category)[order]),
        "purpose": col.labels(COST_PURPOSES, np.concatenate(purpose)[order]),
        "amount": pa.array(col.money(np.concatenate(amounts)[order])),
    }
