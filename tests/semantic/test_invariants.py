"""Property tests over random small subscription histories.

Each example draws a grain, a ``churn_grace_days`` knob and a few accounts whose rows
come in chains separated by gaps of about the knob's length, often spanning the last
day of a period, plus free-standing rows that may overlap them: random or open ends,
first days often on a period boundary, MRR 0 included. Four known-tricky histories
(``EXAMPLES``) run on every run beside the random ones.

The engine is checked two ways:

- against an independent day-by-day reference written here in plain Python: the MRR of
  every account on every day (a dict), gaps of ≤ grace days filled at the MRR of the
  day before, and S, E, N, churn, new customers and every MRR movement counted per
  period from it (periods enumerated here too, not with ``tandem.semantic.calendar``);
- against the invariants SPEC.md and STYLE.md promise: churn + retention = 100 where
  S > 0, the MRR walk adds up, E of one period is S of the next, NRR − 100 is the
  growth rate, and a count summed over a dimension's values is the overall count.

One workspace serves every example; its tables are emptied between examples.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tandem.service.workspace import Workspace
from tandem.settings import MetricSettings, Settings
from tests.seed import insert

ONE = dt.timedelta(days=1)
FIRST_DAY = dt.date(2023, 11, 20)
LAST_DAY = dt.date(2024, 7, 15)
#: Days where periods turn over: rows often start or end on them.
BOUNDARIES = [
    dt.date(2023, 12, 1),
    dt.date(2023, 12, 31),
    dt.date(2024, 1, 1),
    dt.date(2024, 2, 1),
    dt.date(2024, 2, 29),
    dt.date(2024, 3, 1),
    dt.date(2024, 3, 4),
    dt.date(2024, 4, 1),
    dt.date(2024, 1, 8),
    dt.date(2024, 1, 7),
    dt.date(2024, 5, 1),
]
#: Requested ranges per grain; the periods holding these days are computed.
WINDOWS = {
    "week": (dt.date(2023, 12, 20), dt.date(2024, 3, 10)),
    "month": (dt.date(2023, 12, 1), dt.date(2024, 6, 30)),
    "quarter": (dt.date(2023, 10, 1), dt.date(2024, 6, 30)),
    "year": (dt.date(2023, 1, 1), dt.date(2024, 12, 31)),
}
SLUGS = (
    "customers",
    "new_customers",
    "churned_customers",
    "customer_churn_rate",
    "customer_retention_rate",
    "mrr",
    "net_revenue_retention",
    "gross_revenue_retention",
    "existing_customer_revenue_growth_rate",
    "revenue_churn_rate",
)
COUNTS = ("customers", "new_customers", "churned_customers", "mrr")


@dataclass(frozen=True)
class Row:
    account: str
    mrr: float
    start: dt.date
    end: dt.date | None  # exclusive
    plan: str | None


# -- the random histories ------------------------------------------------------------

MRR = st.sampled_from([0.0, 10.0, 25.0, 40.0, 100.0])
PLANS = st.sampled_from(["Basic", "Pro", None])
DAYS = st.one_of(
    st.integers(0, (LAST_DAY - FIRST_DAY).days).map(lambda n: FIRST_DAY + n * ONE),
    st.sampled_from(BOUNDARIES),
)


@st.composite
def rows(draw: st.DrawFn) -> Row:
    start = draw(DAYS)
    end = draw(
        st.one_of(
            st.none(),
            st.integers(1, 120).map(lambda n: start + n * ONE),
            st.sampled_from([d for d in BOUNDARIES if d > start] or [start + ONE]),
        )
    )
    return Row(
        account=draw(st.sampled_from("ABCD")),
        mrr=draw(MRR),
        start=start,
        end=end,
        plan=draw(PLANS),
    )


@dataclass(frozen=True)
class Scenario:
    grain: str
    grace: int
    history: list[Row]
    segments: dict[str, str | None]


@st.composite
def chain(draw: st.DrawFn, account: str, grain: str, grace: int) -> list[Row]:
    """Consecutive rows of one account separated by gaps (failed payments) of about
    ``grace`` days, often spanning the last day of a period, where the knob decides
    whether the account pays on that day."""
    last_days = [end for _, end in period_spans(grain, *WINDOWS[grain])]
    gaps = st.sampled_from([0, 1, max(grace - 1, 1), grace, grace, grace + 1, 30])
    out: list[Row] = []
    day = draw(DAYS)
    for _ in range(draw(st.integers(1, 4))):
        gap = draw(gaps)
        how = draw(st.sampled_from(["straddle", "straddle", "straddle", "random", "open"]))
        if how == "open":
            end = None
        elif how == "random":
            end = day + draw(st.integers(1, 90)) * ONE
        else:
            last = draw(st.sampled_from(last_days))
            end = max(last + ONE - draw(st.integers(1, max(gap, 1))) * ONE, day + ONE)
        out.append(Row(account, draw(MRR), day, end, draw(PLANS)))
        if end is None:
            break
        day = end + gap * ONE
    return out


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    """A grain, a grace knob, and chains for a few accounts plus a few free-standing rows
    that may overlap them."""
    grain = draw(st.sampled_from(list(WINDOWS)))
    grace = draw(st.sampled_from([0, 1, 3, 7]))
    history: list[Row] = []
    for account in draw(st.lists(st.sampled_from("ABCD"), max_size=3, unique=True)):
        history += draw(chain(account, grain, grace))
    history += draw(st.lists(rows(), max_size=3))
    segments = draw(
        st.fixed_dictionaries({a: st.sampled_from(["SMB", "ENT", None]) for a in "ABCD"})
    )
    return Scenario(grain, grace, history, segments)


# -- the independent reference ---------------------------------------------------------


def period_spans(grain: str, first: dt.date, last: dt.date) -> list[tuple[dt.date, dt.date]]:
    """(first day, last day) of every period from the one holding ``first`` to ``last``."""

    def start(d: dt.date) -> dt.date:
        if grain == "week":
            return d - d.weekday() * ONE
        if grain == "month":
            return d.replace(day=1)
        if grain == "quarter":
            return dt.date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
        return dt.date(d.year, 1, 1)

    def following(s: dt.date) -> dt.date:
        if grain == "week":
            return s + 7 * ONE
        months = {"month": 1, "quarter": 3, "year": 12}[grain]
        m = s.month - 1 + months
        return dt.date(s.year + m // 12, m % 12 + 1, 1)

    out, s = [], start(first)
    while s <= last:
        out.append((s, following(s) - ONE))
        s = following(s)
    return out


def daily_mrr(history: list[Row], grace: int, horizon: dt.date) -> dict[str, dict[dt.date, float]]:
    """MRR of each account on each day up to ``horizon``; gaps of ≤ ``grace`` unpaid days
    between two paid days carry the MRR of the day before the gap."""
    out: dict[str, dict[dt.date, float]] = {}
    if not history:
        return out
    first = min(r.start for r in history)
    days = [first + i * ONE for i in range((horizon - first).days + 1)]
    for account in sorted({r.account for r in history}):
        mine = [r for r in history if r.account == account]
        mrr = {
            d: sum(r.mrr for r in mine if r.start <= d and (r.end is None or d < r.end))
            for d in days
        }
        if grace:
            i = 0
            while i < len(days):
                if mrr[days[i]] > 0 or i == 0 or mrr[days[i - 1]] <= 0:
                    i += 1
                    continue
                # days[i] opens an unpaid run after a paid day: find where it ends.
                j = i
                while j < len(days) and mrr[days[j]] <= 0:
                    j += 1
                if j < len(days) and j - i <= grace:
                    for k in range(i, j):
                        mrr[days[k]] = mrr[days[i - 1]]
                i = j
        out[account] = mrr
    return out


def reference(history: list[Row], grace: int, grain: str) -> list[dict[str, Any]]:
    """Per period: S, E, N, lost, new customers and every MRR sum, counted from the days."""
    first, last = WINDOWS[grain]
    spans = period_spans(grain, first, last)
    bounds = [r.start for r in history] + [r.end for r in history if r.end is not None]
    horizon = max([spans[-1][1], *bounds]) + ONE
    daily = daily_mrr(history, grace, horizon)
    first_paid = {}
    for r in history:
        if r.mrr > 0:
            first_paid[r.account] = min(first_paid.get(r.account, r.start), r.start)
    out = []
    for start, end in spans:
        rec: dict[str, Any] = dict.fromkeys(
            [
                "S",
                "E",
                "N",
                "lost",
                "new",
                "m0",
                "m1",
                "new_mrr",
                "reactivation_mrr",
                "expansion_mrr",
                "contraction_mrr",
                "churned_mrr",
                "kept",
                "s_m1",
            ],
            0,
        )
        rec["period"] = start
        for account, mrr in daily.items():
            m0, m1 = mrr.get(start - ONE, 0.0), mrr.get(end, 0.0)
            paid_before = account in first_paid and first_paid[account] < start
            rec["S"] += m0 > 0
            rec["E"] += m1 > 0
            rec["N"] += m1 > 0 and m0 == 0
            rec["lost"] += m0 > 0 and m1 == 0
            rec["new"] += account in first_paid and start <= first_paid[account] <= end
            rec["m0"] += m0
            rec["m1"] += m1
            if m0 == 0 < m1:
                rec["reactivation_mrr" if paid_before else "new_mrr"] += m1
            if 0 < m0 < m1:
                rec["expansion_mrr"] += m1 - m0
            if 0 < m1 < m0:
                rec["contraction_mrr"] += m0 - m1
            if m0 > 0 and m1 == 0:
                rec["churned_mrr"] += m0
            if m0 > 0:
                rec["kept"] += min(m0, m1)
                rec["s_m1"] += m1
        out.append(rec)
    return out


# -- the workspace -------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("invariants")
    Workspace.init(folder).close()
    ws = Workspace(folder, settings=Settings(), today=lambda: dt.date(2030, 1, 1))
    yield ws
    ws.close()


def load(ws: Workspace, case: Scenario) -> None:
    """Empty the tables and load the scenario's accounts and rows, with its grace knob."""
    with ws.writer() as store:
        store.raw.execute("DELETE FROM subscriptions")  # type: ignore[attr-defined]
        store.raw.execute("DELETE FROM accounts")  # type: ignore[attr-defined]
        store.note_changes(["subscriptions", "accounts"])
    ws.settings = Settings(metrics=MetricSettings(churn_grace_days=case.grace))
    insert(
        ws,
        "accounts",
        [
            {"account_id": a, "name": a, "created_at": "2023-01-01", "segment": s}
            for a, s in case.segments.items()
        ],
    )
    history = case.history
    if history:
        insert(
            ws,
            "subscriptions",
            [
                {
                    "subscription_id": f"s{i}",
                    "account_id": r.account,
                    "mrr": r.mrr,
                    "valid_from": r.start.isoformat(),
                    "valid_to": r.end and r.end.isoformat(),
                    "plan": r.plan,
                }
                for i, r in enumerate(history)
            ],
        )


def nan_to_none(v: Any) -> Any:
    return None if v != v else v


def ratio(n: float, d: float) -> Any:
    return None if d == 0 else pytest.approx(100 * n / d)


# -- the properties ------------------------------------------------------------------


def _case(grain: str, grace: int, *history: Row) -> Scenario:
    return Scenario(grain, grace, list(history), {"A": "SMB", "B": "SMB", "C": None, "D": "ENT"})


def _row(account: str, mrr: float, start: str, end: str | None = None) -> Row:
    return Row(
        account,
        mrr,
        dt.date.fromisoformat(start),
        dt.date.fromisoformat(end) if end else None,
        "Pro",
    )


#: Known-tricky histories, checked on every run beside the random ones: a gap of exactly
#: the grace days across a month end, with a change of MRR after it; one day longer; two
#: rows ending together before a covered gap; a one-day gap on a Sunday at week grain.
EXAMPLES = [
    _case("month", 7, _row("A", 100, "2024-01-01", "2024-03-28"), _row("A", 150, "2024-04-04")),
    _case("month", 7, _row("A", 100, "2024-01-01", "2024-03-28"), _row("A", 40, "2024-04-05")),
    _case(
        "quarter",
        3,
        _row("A", 60, "2023-12-01", "2024-03-30"),
        _row("A", 40, "2024-02-01", "2024-03-30"),
        _row("A", 25, "2024-04-02"),
    ),
    _case(
        "week",
        1,
        _row("B", 10, "2024-01-01", "2024-01-07"),
        _row("B", 40, "2024-01-08"),
        _row("C", 0, "2023-12-01", "2024-01-03"),
        _row("C", 25, "2024-01-03", "2024-01-05"),
    ),
]


def examples(**more: Any) -> Any:
    """A Hypothesis ``@example`` for each of EXAMPLES."""

    def decorate(fn: Any) -> Any:
        for case in reversed(EXAMPLES):
            fn = example(case=case, **more)(fn)
        return fn

    return decorate


PROPERTY = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def compute(ws: Workspace, case: Scenario, slugs: tuple[str, ...], **more: Any) -> dict:
    first, last = WINDOWS[case.grain]
    return {
        slug: r.rows
        for slug, r in ws.compute(slugs, grain=case.grain, start=first, end=last, **more).items()
    }


def assert_matches_reference(got: dict, expected: list[dict[str, Any]], grain: str) -> None:
    """Every count, rate and MRR sum equals the one counted day by day."""
    customers, mrr = got["customers"], got["mrr"]
    assert customers["period"].tolist() == [e["period"] for e in expected]
    for i, e in enumerate(expected):
        c, m = customers.iloc[i], mrr.iloc[i]
        where = f"{grain} {e['period']}"
        assert (c["customers_at_start"], c["customers_at_end"]) == (e["S"], e["E"]), where
        assert (c["gained_customers"], c["lost_customers"]) == (e["N"], e["lost"]), where
        assert got["new_customers"]["value"].iloc[i] == e["new"], where
        assert got["churned_customers"]["value"].iloc[i] == e["lost"], where
        churn = nan_to_none(got["customer_churn_rate"]["value"].iloc[i])
        assert churn == ratio(e["lost"], e["S"]), where
        for col, key in [
            ("mrr_at_start", "m0"),
            ("mrr_at_end", "m1"),
            ("new_mrr", "new_mrr"),
            ("reactivation_mrr", "reactivation_mrr"),
            ("expansion_mrr", "expansion_mrr"),
            ("contraction_mrr", "contraction_mrr"),
            ("churned_mrr", "churned_mrr"),
        ]:
            assert m[col] == pytest.approx(e[key]), f"{where} {col}"
        nrr = got["net_revenue_retention"].iloc[i]
        assert nrr["start_customers_mrr_at_end"] == pytest.approx(e["s_m1"]), where
        assert nan_to_none(nrr["value"]) == ratio(e["s_m1"], e["m0"]), where
        grr = got["gross_revenue_retention"].iloc[i]
        assert grr["start_customers_mrr_kept"] == pytest.approx(e["kept"]), where
        assert nan_to_none(grr["value"]) == ratio(e["kept"], e["m0"]), where
        lost_mrr = e["churned_mrr"] + e["contraction_mrr"]
        assert nan_to_none(got["revenue_churn_rate"]["value"].iloc[i]) == ratio(
            lost_mrr, e["m0"]
        ), where


def assert_invariants(got: dict) -> None:
    """churn + retention = 100 where S > 0; the MRR walk adds up; E(k) = S(k + 1);
    NRR − 100 = existing customer revenue growth rate."""
    customers, m = got["customers"], got["mrr"]
    churn = got["customer_churn_rate"]["value"].tolist()
    retention = got["customer_retention_rate"]["value"].tolist()
    for c, r, s in zip(churn, retention, customers["customers_at_start"], strict=True):
        if s > 0:
            assert c + r == pytest.approx(100)
        else:
            assert c != c and r != r  # both no value
    walk = (
        m.mrr_at_start
        + m.new_mrr
        + m.expansion_mrr
        + m.reactivation_mrr
        - m.contraction_mrr
        - m.churned_mrr
    )
    assert walk.tolist() == pytest.approx(m.mrr_at_end.tolist())
    assert (
        customers.customers_at_start + customers.gained_customers - customers.lost_customers
    ).tolist() == customers.customers_at_end.tolist()
    assert customers.customers_at_end.tolist()[:-1] == customers.customers_at_start.tolist()[1:]
    assert m.mrr_at_end.tolist()[:-1] == pytest.approx(m.mrr_at_start.tolist()[1:])
    nrr = got["net_revenue_retention"]["value"]
    growth = got["existing_customer_revenue_growth_rate"]["value"]
    assert nrr.isna().tolist() == growth.isna().tolist()
    assert (nrr - 100).dropna().tolist() == pytest.approx(growth.dropna().tolist())


@PROPERTY
@given(case=scenarios())
@examples()
def test_engine_equals_the_day_by_day_reference_and_keeps_the_invariants(workspace, case):
    """One computation per history, checked against the reference and the invariants."""
    load(workspace, case)
    got = compute(workspace, case, SLUGS)
    assert_matches_reference(got, reference(case.history, case.grace, case.grain), case.grain)
    assert_invariants(got)


@settings(PROPERTY, max_examples=25)
@given(case=scenarios(), dimension=st.sampled_from(["segment", "plan", "cohort"]))
@examples(dimension="plan")
def test_counts_summed_over_a_dimension_are_the_overall_counts(workspace, case, dimension):
    """customers, new and churned customers and MRR, summed over the groups of segment,
    plan or cohort, equal the overall values (those of the reference, which the engine
    matches overall in the test above)."""
    load(workspace, case)
    cut = compute(workspace, case, COUNTS, by=[dimension])
    expected = reference(case.history, case.grace, case.grain)
    overall = {"customers": "E", "new_customers": "new", "churned_customers": "lost", "mrr": "m1"}
    for slug, key in overall.items():
        summed = cut[slug].groupby("period")["value"].sum()
        assert summed.tolist() == pytest.approx([e[key] for e in expected]), slug
        assert summed.index.tolist() == [e["period"] for e in expected]
