"""The five core metrics in vectorised pandas, as a competent analyst writes them.

Read the exported Parquet files (only the columns needed, ``account_id`` as a
dictionary so accounts become integer codes), then array operations with no
Python loop over months, subscriptions or accounts. Intervals are joined to
time by sorting: every subscription row is expanded to the check days it
covers (``searchsorted`` on the sorted days), paid rows are merged into
disjoint spells with a running maximum, and each session is matched to its
account's spell by a binary search on (account, day) keys. Definitions follow
SPEC.md at month grain:

- churn and NRR from each account's MRR on each month's opening day and last
  day (the 25 check days of 24 months: a month's last day is the next one's
  opening day);
- NPS and FCR by grouping responses (tickets resolved) by month;
- sessions per day: sessions on days a paid spell covers / customer-days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from tandem.bench.core import Month, Row, Rows, ratio_row

if TYPE_CHECKING:
    import pandas as pd

#: Standing for "still running" (an empty valid_to).
FAR_FUTURE = np.datetime64("2262-01-01", "D")

COLUMNS: dict[str, dict[str, list[str]]] = {
    "customer_churn_rate": {"subscriptions": ["account_id", "mrr", "valid_from", "valid_to"]},
    "net_revenue_retention": {"subscriptions": ["account_id", "mrr", "valid_from", "valid_to"]},
    "nps": {"survey_responses": ["survey", "score", "responded_at"]},
    "sessions_per_day": {
        "subscriptions": ["account_id", "mrr", "valid_from", "valid_to"],
        "usage_events": ["account_id", "ts", "event"],
    },
    "first_contact_resolution": {"tickets": ["resolved_at", "contacts"]},
}

Tables = dict[str, "pd.DataFrame"]


def read(folder: Path, metric: str) -> Tables:
    """The columns ``metric`` needs, from the Parquet files in ``folder``."""
    import pandas as pd

    out = {}
    for table, columns in COLUMNS[metric].items():
        ids = ["account_id"] if "account_id" in columns else None
        out[table] = pd.read_parquet(
            folder / f"{table}.parquet", columns=columns, read_dictionary=ids
        )
    return out


def compute(metric: str, tables: Tables, ms: list[Month]) -> Rows:
    return METRICS[metric](tables, ms)


def _days(values: Any) -> np.ndarray:
    """Dates or instants as whole days (``datetime64[D]``); missing = ``FAR_FUTURE``."""
    import pandas as pd

    array = pd.to_datetime(values).to_numpy(dtype="datetime64[D]")
    return np.where(np.isnat(array), FAR_FUTURE, array)


def _expand(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows covering positions ``lo <= k < hi``: the row and the position of each pair."""
    n = np.maximum(hi - lo, 0)
    row = np.repeat(np.arange(len(n)), n)
    k = np.arange(int(n.sum())) - np.repeat(np.cumsum(n) - n, n) + np.repeat(lo, n)
    return row, k


def _mrr_on_check_days(tables: Tables, ms: list[Month]) -> np.ndarray:
    """MRR per account (rows) on the opening day of the first month and every last day."""
    subs = tables["subscriptions"]
    days = np.array([ms[0].opening] + [m.last for m in ms], dtype="datetime64[D]")
    vf, vt = _days(subs["valid_from"]), _days(subs["valid_to"])
    row, k = _expand(np.searchsorted(days, vf, "left"), np.searchsorted(days, vt, "left"))
    codes = subs["account_id"].cat.codes.to_numpy()
    accounts = len(subs["account_id"].cat.categories)
    flat = np.bincount(
        codes[row] * len(days) + k,
        weights=subs["mrr"].to_numpy()[row],
        minlength=accounts * len(days),
    )
    return flat.reshape(accounts, len(days))


def customer_churn_rate(tables: Tables, ms: list[Month]) -> Rows:
    mrr = _mrr_on_check_days(tables, ms)
    start, end = mrr[:, :-1] > 0, mrr[:, 1:] > 0
    lost = (start & ~end).sum(axis=0)
    return [ratio_row(m.first, lost[i], start[:, i].sum(), 100) for i, m in enumerate(ms)]


def net_revenue_retention(tables: Tables, ms: list[Month]) -> Rows:
    mrr = _mrr_on_check_days(tables, ms)
    m0, m1 = mrr[:, :-1], mrr[:, 1:]
    start = m0 > 0
    kept = np.where(start, m1, 0.0).sum(axis=0)
    base = np.where(start, m0, 0.0).sum(axis=0)
    return [ratio_row(m.first, kept[i], base[i], 100) for i, m in enumerate(ms)]


def _month_index(when: Any, ms: list[Month]) -> np.ndarray:
    """The index in ``ms`` of each instant's month; -1 outside the months benchmarked."""
    months = _days(when).astype("datetime64[M]")
    first = np.datetime64(ms[0].first, "M")
    k = (months - first).astype(np.int64)
    return np.where((k >= 0) & (k < len(ms)), k, -1)


def _per_month(k: np.ndarray, hit: np.ndarray, months: int) -> tuple[np.ndarray, np.ndarray]:
    inside = k >= 0
    numerator = np.bincount(k[inside], weights=hit[inside].astype(float), minlength=months)
    denominator = np.bincount(k[inside], minlength=months)
    return numerator, denominator


def nps(tables: Tables, ms: list[Month]) -> Rows:
    r = tables["survey_responses"]
    r = r[r["survey"] == "nps"]
    score = r["score"].to_numpy()
    net = (score >= 9).astype(int) - (score <= 6).astype(int)
    num, den = _per_month(_month_index(r["responded_at"], ms), net, len(ms))
    return [ratio_row(m.first, num[i], den[i], 100) for i, m in enumerate(ms)]


def first_contact_resolution(tables: Tables, ms: list[Month]) -> Rows:
    t = tables["tickets"]
    t = t[t["resolved_at"].notna()]
    first = (t["contacts"] == 1).to_numpy()
    num, den = _per_month(_month_index(t["resolved_at"], ms), first, len(ms))
    return [ratio_row(m.first, num[i], den[i], 100) for i, m in enumerate(ms)]


def _spells(tables: Tables) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Paid rows merged into disjoint spells: account code, first day, day after the last."""
    subs = tables["subscriptions"]
    paid = subs[subs["mrr"] > 0]
    code = paid["account_id"].cat.codes.to_numpy().astype(np.int64)
    vf, vt = _days(paid["valid_from"]), _days(paid["valid_to"])
    order = np.lexsort((vt, vf, code))
    code, vf, vt = code[order], vf[order].astype(np.int64), vt[order].astype(np.int64)
    # The furthest end reached by the earlier rows of the same account.
    new_account = np.r_[True, code[1:] != code[:-1]]
    group = np.cumsum(new_account)
    offset = group * (int(vt.max()) + 1 if len(vt) else 1)
    reach = np.maximum.accumulate(vt + offset) - offset
    before = np.r_[np.int64(-(2**62)), reach[:-1]]
    opens = new_account | (vf > before)
    spell = np.cumsum(opens) - 1
    start = vf[opens]
    end = np.zeros(len(start), np.int64)
    np.maximum.at(end, spell, vt)
    return code[opens], start, end


def sessions_per_day(tables: Tables, ms: list[Month]) -> Rows:
    code, start, end = _spells(tables)
    firsts = np.array([m.first for m in ms] + [_after(ms)], dtype="datetime64[D]").astype(np.int64)
    # Customer-days: each spell's overlap with each month it touches.
    row, k = _expand(
        np.maximum(np.searchsorted(firsts, start, "right") - 1, 0),
        np.minimum(np.searchsorted(firsts, end, "left"), len(ms)),
    )
    overlap = np.minimum(end[row], firsts[k + 1]) - np.maximum(start[row], firsts[k])
    days = np.bincount(k, weights=np.maximum(overlap, 0), minlength=len(ms))

    ev = tables["usage_events"]
    ev = ev[ev["event"] == "session"]
    day = _days(ev["ts"]).astype(np.int64)
    inside = (day >= firsts[0]) & (day < firsts[-1])
    subs_ids = tables["subscriptions"]["account_id"].cat.categories
    ev_code = subs_ids.get_indexer(ev["account_id"].cat.categories)[ev["account_id"].cat.codes]
    day, ev_code = day[inside], ev_code[inside]
    # Match each session to the last spell of its account starting on or before its day.
    width = int(max(firsts[-1], end.max() if len(end) else 0)) + 1
    spell_key = code * width + start
    at = np.searchsorted(spell_key, ev_code * width + day, "right") - 1
    ok = (at >= 0) & (ev_code >= 0)
    at = np.where(ok, at, 0)
    covered = ok & (code[at] == ev_code) & (day < end[at])
    month = np.searchsorted(firsts, day[covered], "right") - 1
    sessions = np.bincount(month, minlength=len(ms))
    return [ratio_row(m.first, float(sessions[i]), float(days[i]), 1) for i, m in enumerate(ms)]


def _after(ms: list[Month]) -> dt.date:
    return ms[-1].last + dt.timedelta(days=1)


METRICS: dict[str, Callable[[Tables, list[Month]], list[Row]]] = {
    "customer_churn_rate": customer_churn_rate,
    "net_revenue_retention": net_revenue_retention,
    "nps": nps,
    "sessions_per_day": sessions_per_day,
    "first_contact_resolution": first_contact_resolution,
}
