"""The demo company's figures, computed from its files with pandas alone.

Nothing here uses Tandem's loader or metric engine: each figure is worked out
from the CSV files as an analyst would, following the definitions in
docs/metrics.md (customers on a day = accounts whose subscription rows covering
it add up to MRR > 0; a month's opening day is the day before its first day).
``tests/synth/test_realism.py`` checks each figure against the range the
generator promises (``tandem.synth.realism.RANGES``); ``python -m
tests.synth.realism FOLDER`` prints them, which is how the ranges were tuned.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

DAY = pd.Timedelta(days=1)


@dataclass
class Company:
    """The generated tables of one company, read from CSV with the right types."""

    folder: Path
    truth: Path

    def _read(
        self, name: str, dates: tuple[str, ...] = (), folder: Path | None = None
    ) -> pd.DataFrame:
        frame = pd.read_csv((folder or self.folder) / f"{name}.csv")
        for column in dates:
            frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_localize(None)
        return frame

    @cached_property
    def accounts(self) -> pd.DataFrame:
        return self._read("accounts", ("created_at",))

    @cached_property
    def subscriptions(self) -> pd.DataFrame:
        subs = self._read("subscriptions", ("valid_from", "valid_to"))
        subs["valid_to"] = subs["valid_to"].fillna(pd.Timestamp("2262-01-01"))
        return subs

    @cached_property
    def deals(self) -> pd.DataFrame:
        return self._read("deals", ("created_at", "closed_at"))

    @cached_property
    def tickets(self) -> pd.DataFrame:
        return self._read("tickets", ("created_at", "resolved_at"))

    @cached_property
    def surveys(self) -> pd.DataFrame:
        return self._read("survey_responses", ("responded_at",))

    @cached_property
    def usage(self) -> pd.DataFrame:
        return self._read("usage_events", ("ts",))

    @cached_property
    def onboardings(self) -> pd.DataFrame:
        return self._read("onboardings", ("started_at", "go_live_at"))

    @cached_property
    def trials(self) -> pd.DataFrame:
        return self._read("trials", ("started_at", "ended_at", "converted_at"))

    @cached_property
    def orders(self) -> pd.DataFrame:
        return self._read("orders", ("ordered_at",))

    @cached_property
    def churn_events(self) -> pd.DataFrame:
        return self._read("churn_events", ("churned_on",), self.truth)

    @cached_property
    def health(self) -> pd.DataFrame:
        return self._read("account_health", ("month",), self.truth)

    @cached_property
    def months(self) -> list[pd.Timestamp]:
        """The complete calendar months of the range (first days)."""
        last = self.usage["ts"].max().normalize()
        end = last.to_period("M").to_timestamp()
        if (last + DAY).month == last.month:  # the last month is partial
            end -= pd.offsets.MonthBegin(1)
        start = self.subscriptions["valid_from"].min().to_period("M").to_timestamp()
        first = max(start, end - pd.offsets.MonthBegin(23))
        return list(pd.date_range(first, end, freq="MS"))

    def mrr_on(self, day: pd.Timestamp) -> pd.Series:
        """MRR per customer on ``day`` (accounts with MRR > 0 only)."""
        s = self.subscriptions
        covering = s[(s["valid_from"] <= day) & (s["valid_to"] > day)]
        mrr = covering.groupby("account_id")["mrr"].sum()
        return mrr[mrr > 0]

    def seats_on(self, day: pd.Timestamp) -> pd.Series:
        s = self.subscriptions
        covering = s[(s["valid_from"] <= day) & (s["valid_to"] > day) & (s["mrr"] > 0)]
        return covering.groupby("account_id")["seats"].sum()


def _share(numerator: float, denominator: float) -> float:
    return 100.0 * numerator / denominator if denominator else float("nan")


def _win_rate(deals: pd.DataFrame) -> float:
    closed = deals[deals["qualified"] & deals["outcome"].isin(["won", "lost"])]
    return _share(int((closed["outcome"] == "won").sum()), len(closed))


def figures(c: Company) -> dict[str, float]:
    """Every calibrated figure of the company (see ``tandem.synth.realism.RANGES``)."""
    first, after = c.months[0], c.months[-1] + pd.offsets.MonthBegin(1)
    out: dict[str, float] = {}

    deals = c.deals[(c.deals["closed_at"] >= first) & (c.deals["closed_at"] < after)]
    out["win_rate"] = _win_rate(deals)
    out["new_business_win_rate"] = _win_rate(deals[deals["type"] == "new_business"])
    out["expansion_win_rate"] = _win_rate(deals[deals["type"].isin(["upsell", "cross_sell"])])

    churn = {seg: [0, 0] for seg in ("SMB", "Mid-Market", "Enterprise")}
    segment = c.accounts.set_index("account_id")["segment"]
    active = users = seats = customers_at_end = 0
    customer_months = 0
    ev = c.usage.assign(month=c.usage["ts"].dt.to_period("M").dt.to_timestamp())
    per_month = ev.groupby(["month", "account_id"])["user_id"].nunique()
    for m in c.months:
        last = m + pd.offsets.MonthEnd(0)
        start, end = c.mrr_on(m - DAY), c.mrr_on(last)
        for seg, n in segment.reindex(start.index).value_counts().items():
            churn[str(seg)][1] += int(n)
        lost = start.index.difference(end.index)
        for seg, n in segment.reindex(lost).value_counts().items():
            churn[str(seg)][0] += int(n)
        seen = per_month.loc[m] if m in per_month.index.get_level_values(0) else pd.Series()
        used = seen.reindex(end.index).dropna()
        active += len(used)
        users += int(used.sum())
        seats += int(c.seats_on(last).sum())
        customers_at_end += len(end)
        customer_months += len(end)
    for seg, (lost_n, start_n) in churn.items():
        out[f"monthly_churn_{seg}"] = _share(lost_n, start_n)
    out["monthly_active_customers"] = _share(active, customers_at_end)
    out["seat_utilisation"] = _share(users, seats)

    year_before = c.months[-1] + pd.offsets.MonthEnd(0) - pd.DateOffset(years=1)
    m0 = c.mrr_on(year_before)
    m1 = c.mrr_on(year_before + pd.DateOffset(years=1)).reindex(m0.index, fill_value=0.0)
    out["nrr_12_months"] = _share(m1.sum(), m0.sum())

    s = c.surveys[(c.surveys["responded_at"] >= first) & (c.surveys["responded_at"] < after)]
    nps = s[s["survey"] == "nps"]["score"]
    out["promoters"] = _share(int((nps >= 9).sum()), len(nps))
    out["detractors"] = _share(int((nps <= 6).sum()), len(nps))
    out["passives"] = 100.0 - out["promoters"] - out["detractors"]
    out["nps"] = out["promoters"] - out["detractors"]
    csat = s[s["survey"] == "csat"]["score"]
    out["csat"] = _share(int((csat >= 4).sum()), len(csat))

    t = c.tickets[(c.tickets["created_at"] >= first) & (c.tickets["created_at"] < after)]
    out["tickets_per_customer_month"] = len(t) / customer_months
    resolved = c.tickets[(c.tickets["resolved_at"] >= first) & (c.tickets["resolved_at"] < after)]
    out["first_contact_resolution"] = _share(int((resolved["contacts"] == 1).sum()), len(resolved))
    out["escalated_tickets"] = _share(int(t["escalated"].sum()), len(t))

    ob = c.onboardings.dropna(subset=["go_live_at"])
    ob = ob[(ob["go_live_at"] >= first) & (ob["go_live_at"] < after)]
    days = (ob["go_live_at"].dt.normalize() - ob["started_at"].dt.normalize()).dt.days
    for seg, median in days.groupby(segment.reindex(ob["account_id"]).to_numpy()).median().items():
        out[f"onboarding_days_{seg}"] = float(median)

    tr = c.trials
    pilots = tr[tr["kind"] == "pilot"]
    ends = pilots["ended_at"].where(
        pilots["converted_at"].isna() | (pilots["ended_at"] < pilots["converted_at"]),
        pilots["converted_at"],
    )
    ended = pilots[(ends >= first) & (ends < after)]
    out["pilot_success"] = _share(int(ended["converted_at"].notna().sum()), len(ended))
    free = tr[tr["kind"].isin(["free_trial", "freemium"])]
    free = free[(free["started_at"] >= first) & (free["started_at"] < after)]
    waited = (free["converted_at"].dt.normalize() - free["started_at"].dt.normalize()).dt.days
    out["free_to_paid"] = _share(int((waited <= 30).sum()), len(free))

    per_buyer = c.orders.groupby("account_id").size()
    out["buyers"] = float(len(per_buyer))
    out["repeat_buyers"] = float((per_buyer >= 2).sum())
    return out


def _count(
    frame: pd.DataFrame, column: str, lo: pd.Timestamp, hi: pd.Timestamp, ids: pd.Index
) -> pd.Series:
    """Rows of ``frame`` per account of ``ids`` with ``lo <= column < hi``."""
    inside = frame[(frame[column] >= lo) & (frame[column] < hi)]
    return inside.groupby("account_id").size().reindex(ids, fill_value=0)


def auc(score: np.ndarray, label: np.ndarray) -> float:
    """Area under the ROC curve: the chance a random positive outscores a random negative."""
    ranks = pd.Series(score).rank().to_numpy()
    positives = label.astype(bool)
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def health_snapshots(c: Company, horizon_days: int = 90) -> pd.DataFrame:
    """A simple health score per customer at each month's first day, and whether it churned.

    Signals read from the tables only, as a CSM's health score would: sessions in
    the last 30 days against the 30 before, seat use (users in the last 30 days /
    seats), the latest NPS answer's category, CSAT of the last 90 days, open
    tickets and escalations of the last 90 days, an onboarding past due, an MRR
    decrease in the last 90 days, and a renewal deal due within 90 days. The
    label (from the truth folder) is a churn in the ``horizon_days`` after the
    snapshot. Snapshots leave 60 days of history before and the horizon after.
    """
    rows = []
    sessions = c.usage[c.usage["event"] == "session"]
    events = c.usage
    churns = c.churn_events
    subs = c.subscriptions.sort_values(["account_id", "valid_from"])
    shrink = subs.assign(prev=subs.groupby("account_id")["mrr"].shift())
    shrink = shrink[(shrink["mrr"] > 0) & (shrink["mrr"] < shrink["prev"])]
    renewals = c.deals[c.deals["type"] == "renewal"]
    nps = c.surveys[c.surveys["survey"] == "nps"].sort_values("responded_at")
    csat = c.surveys[c.surveys["survey"] == "csat"]
    ob = c.onboardings
    end = c.usage["ts"].max().normalize()
    for day in pd.date_range(
        c.months[0] + pd.DateOffset(months=2), end - horizon_days * DAY, freq="MS"
    ):
        mrr = c.mrr_on(day - DAY)
        ids = mrr.index

        recent = _count(sessions, "ts", day - 30 * DAY, day, ids)
        before = _count(sessions, "ts", day - 60 * DAY, day - 30 * DAY, ids)
        recent_events = events[(events["ts"] >= day - 30 * DAY) & (events["ts"] < day)]
        users = recent_events.groupby("account_id")["user_id"].nunique().reindex(ids, fill_value=0)
        seats = c.seats_on(day - DAY).reindex(ids, fill_value=1)
        answered = nps[nps["responded_at"] < day].groupby("account_id")["score"].last().reindex(ids)
        category = np.select([answered >= 9, answered <= 6], [1.0, -1.0], 0.0)
        recent_csat = csat[(csat["responded_at"] >= day - 90 * DAY) & (csat["responded_at"] < day)]
        csat_mean = recent_csat.groupby("account_id")["score"].mean().reindex(ids).fillna(4.0)
        t = c.tickets
        open_now = t[(t["created_at"] < day) & ~(t["resolved_at"] < day)]
        open_tickets = open_now.groupby("account_id").size().reindex(ids, fill_value=0)
        escalations = _count(t[t["escalated"]], "created_at", day - 90 * DAY, day, ids)
        tickets_90 = _count(t, "created_at", day - 90 * DAY, day, ids)
        due = ob["started_at"] + pd.to_timedelta(ob["target_days"].fillna(30), unit="D")
        late = ob[(due < day) & ~(ob["go_live_at"] < day)].groupby("account_id").size()
        past_due = late.reindex(ids, fill_value=0) > 0
        shrunk = _count(shrink, "valid_from", day - 90 * DAY, day, ids) > 0
        upcoming = renewals[
            (renewals["closed_at"] >= day) & (renewals["created_at"] < day + 30 * DAY)
        ]
        renewing = upcoming.groupby("account_id").size().reindex(ids, fill_value=0) > 0
        trend = np.log((recent + 1) / (before + 1))
        score = (
            1.0 * trend
            + 1.5 * np.minimum(users / seats, 1.5)
            + 0.5 * np.log1p(recent)
            + 0.6 * category
            + 0.3 * (csat_mean - 4.0)
            - 0.3 * open_tickets
            - 0.5 * escalations
            - 0.15 * tickets_90
            - 0.5 * past_due
            - 0.7 * shrunk
            - 0.3 * renewing
        )
        gone = churns[
            (churns["churned_on"] > day - DAY) & (churns["churned_on"] <= day + horizon_days * DAY)
        ]
        label = pd.Series(ids.isin(gone["account_id"]), index=ids)
        h = c.health[c.health["month"] == day].set_index("account_id")["health"].reindex(ids)
        rows.append(pd.DataFrame({"day": day, "score": score, "health": h, "churned": label}))
    return pd.concat(rows).reset_index(names="account_id")


def main(argv: list[str]) -> None:
    folder = Path(argv[0])
    truth = Path(argv[1]) if len(argv) > 1 else folder.parent / f"{folder.name}-truth"
    company = Company(folder, truth)
    for name, value in figures(company).items():
        print(f"{name:32s} {value:10.2f}")
    snaps = health_snapshots(company)
    print(f"{'snapshots':32s} {len(snaps):10d}  churned {int(snaps['churned'].sum())}")
    print(f"{'auc_score':32s} {auc(-snaps['score'].to_numpy(), snaps['churned'].to_numpy()):10.3f}")
    h = snaps.dropna(subset=["health"])
    print(
        f"{'auc_hidden_health':32s} {auc(-h['health'].to_numpy(), h['churned'].to_numpy()):10.3f}"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
