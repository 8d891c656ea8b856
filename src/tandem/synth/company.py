"""The people and the accounts: who sells to whom, and how good a fit each account is.

Every CSM and sales rep has a hidden ``quality`` (standard normal). An
account's *fit* is the logit of its starting hidden health: it rises with the
segment (Enterprise buys with more care), the acquisition channel (referrals
fit best, paid search worst) and the quality of the rep who sold it (better
reps bring better-fit accounts); the CSM's quality acts later, month by month
(``tandem.synth.lifecycle``).

Accounts are of three kinds: an *existing* customer base already paying
before the first month (so churn and NRR have a population from month one),
*new* customers whose contract falls in the range (more of them later, as the
company grows), and *prospects* that never pay: self-serve *sign-ups* who only
tried the product (most SMB prospects), and the others, worked by sales (lost
or open deals, pilots).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tandem.synth import columns as col
from tandem.synth.config import DAY, Array, Calendar, SynthConfig
from tandem.synth.names import COMPANY_FORMS, COMPANY_STEMS, COMPANY_WORDS

SEGMENTS = ("SMB", "Mid-Market", "Enterprise")
SEGMENT_SHARE = (0.6, 0.3, 0.1)
REGIONS = ("North America", "EMEA", "APAC", "LATAM")
REGION_SHARE = (0.45, 0.32, 0.15, 0.08)
INDUSTRIES = (
    "Software", "Financial Services", "Healthcare", "Retail", "Manufacturing",
    "Education", "Media", "Logistics", "Professional Services", "Public Sector",
)  # fmt: skip
CHANNELS = ("inbound", "outbound", "partner", "paid_search", "events", "referral")
CHANNEL_SHARE = np.array(
    [
        [0.35, 0.10, 0.10, 0.25, 0.05, 0.15],
        [0.25, 0.25, 0.15, 0.10, 0.10, 0.15],
        [0.10, 0.40, 0.20, 0.02, 0.18, 0.10],
    ]
)
CHANNEL_FIT = np.array([0.1, -0.2, 0.1, -0.3, 0.0, 0.4])
SEGMENT_FIT = np.array([-0.1, 0.1, 0.3])
REP_FIT = 0.45

EXISTING, NEW, PROSPECT = 0, 1, 2
KIND_SHARE = (0.25, 0.25, 0.5)
#: Share of prospects, by segment, that are self-serve sign-ups (a trial, no deal).
SIGNUP_SHARE = np.array([0.6, 0.2, 0.0])
#: Days from first contact to signature, uniform in [low, high), by segment.
SALES_CYCLE = np.array([[3, 30], [14, 75], [30, 150]])
HISTORY_DAYS = 1_095


@dataclass(frozen=True)
class Staff:
    """The CSMs and sales reps accounts are assigned to, with their hidden quality."""

    csm_number: Array
    csm_quality: Array
    rep_number: Array
    rep_quality: Array
    width: int


@dataclass(frozen=True)
class Accounts:
    """One chunk of accounts; ``csm`` and ``rep`` index into ``Staff``, -1 for none."""

    number: Array
    width: int
    kind: Array
    segment: Array
    region: Array
    industry: Array
    channel: Array
    rep: Array
    csm: Array
    created_s: Array
    contract_day: Array
    fit: Array
    signup: Array

    def __len__(self) -> int:
        return len(self.number)

    @cached_property
    def digits(self) -> Array:
        """The digits of each account number, rendered once for every id that embeds it."""
        return col.digits(self.number, self.width)

    @property
    def customer(self) -> Array:
        customer: Array = self.kind != PROSPECT
        return customer


def business_seconds(rng: np.random.Generator, n: int) -> Array:
    """A time of day in seconds, mostly during working hours (UTC, so spread out)."""
    hours = np.clip(rng.normal(13.0, 3.5, n), 0.0, 23.999)
    return (hours * 3600).astype(np.int64)


def make_accounts(
    rng: np.random.Generator,
    numbers: Array,
    config: SynthConfig,
    cal: Calendar,
    staff: Staff,
) -> Accounts:
    """Draw the static attributes of accounts ``numbers`` (see the module docstring)."""
    n = len(numbers)
    segment = rng.choice(3, n, p=SEGMENT_SHARE).astype(np.int8)
    kind = rng.choice(3, n, p=KIND_SHARE).astype(np.int8)
    channel_cdf = CHANNEL_SHARE.cumsum(axis=1)[segment]
    channel = (rng.random(n)[:, None] > channel_cdf).sum(axis=1).clip(0, 5).astype(np.int8)
    rep = rng.integers(0, len(staff.rep_number), n)
    csm = np.where(kind == PROSPECT, -1, rng.integers(0, len(staff.csm_number), n))

    span = cal.end_day + 1 - cal.first_day
    growth = rng.random(n) ** 0.85
    contract = np.where(
        kind == EXISTING,
        cal.first_day - rng.integers(1, HISTORY_DAYS, n),
        cal.first_day + (growth * span).astype(np.int64),
    )
    cycle = rng.integers(SALES_CYCLE[segment, 0], SALES_CYCLE[segment, 1])
    signup = (kind == PROSPECT) & (rng.random(n) < SIGNUP_SHARE[segment])
    # Sales prospects may have been worked for a year before the range; sign-ups sign up in it.
    history = np.where(signup, 90, 365)
    first_touch = np.where(
        kind == PROSPECT,
        cal.first_day - history + rng.integers(0, span + history),
        contract - cycle,
    )
    contract = np.where(kind == PROSPECT, -1, contract)
    fit = (
        0.5
        + SEGMENT_FIT[segment]
        + CHANNEL_FIT[channel]
        + REP_FIT * staff.rep_quality[rep]
        + rng.normal(0.0, 0.7, n)
    )
    return Accounts(
        number=numbers,
        width=col.width_for(config.accounts, 7),
        kind=kind,
        segment=segment,
        region=rng.choice(4, n, p=REGION_SHARE).astype(np.int8),
        industry=rng.integers(0, len(INDUSTRIES), n).astype(np.int8),
        channel=channel,
        rep=rep,
        csm=csm,
        created_s=first_touch * DAY + business_seconds(rng, n),
        contract_day=contract,
        fit=fit,
        signup=signup,
    )


def account_ids(acc: Accounts, index: Array | None = None) -> pa.Array:
    return child_ids(acc, "A", index)


def child_ids(
    acc: Accounts, prefix: str, index: Array | None, seq: Array | None = None, seq_width: int = 0
) -> pa.Array:
    """``prefix`` + the account number of each row (+ ``-`` and ``seq`` when given)."""
    digits = acc.digits if index is None else acc.digits[index]
    parts: list[col.Part] = [prefix.encode(), digits]
    if seq is not None:
        width = seq_width or col.width_for(int(seq.max()) if len(seq) else 0, 2)
        parts += [b"-", (seq, width)]
    return col.fixed_text(len(digits), parts)


def company_names(rng: np.random.Generator, n: int) -> pa.Array:
    stem = col.labels(COMPANY_STEMS, rng.integers(0, len(COMPANY_STEMS), n))
    word = col.labels(COMPANY_WORDS, rng.integers(0, len(COMPANY_WORDS), n))
    form = col.labels(COMPANY_FORMS, rng.integers(0, len(COMPANY_FORMS), n))
    joined = pc.binary_join_element_wise(stem, word, " ")
    return pc.binary_join_element_wise(joined, form, "")


def accounts_table(rng: np.random.Generator, acc: Accounts, staff: Staff) -> dict[str, pa.Array]:
    """The ``accounts`` columns; prospects have no CSM."""
    prospect = acc.kind == PROSPECT
    csm = staff.csm_number[np.maximum(acc.csm, 0)]
    return {
        "account_id": account_ids(acc),
        "name": company_names(rng, len(acc)),
        "segment": col.labels(SEGMENTS, acc.segment),
        "region": col.labels(REGIONS, acc.region),
        "industry": col.labels(INDUSTRIES, acc.industry),
        "csm_id": col.null_where(col.ids("E", csm, staff.width), prospect),
        "sales_rep_id": col.ids("E", staff.rep_number[acc.rep], staff.width),
        "created_at": col.timestamps(acc.created_s),
        "acquisition_channel": col.labels(CHANNELS, acc.channel),
    }
