"""The health score: weighted components, the missing-data policy, bands and history.

score = Σ over present components of weight × sub-score / Σ of their weights.

A component without data for an account (see ``tandem.health.components``) is
left out and the weights of the others renormalised, so a missing survey never
counts as a bad (or a good) one; the score lists which components were
missing. Each component's *contribution* is its points in the score,
weight × sub-score / Σ present weights, so the contributions add up to the
score and "why did it move" is answered by comparing them between two days.
An account with no present component (or only zero weights) has no score.

Scores are for customers on the as-of day (MRR > 0, the catalog's paid coverage).
History is recomputed as of each period's last day from the rows dated up to
that day (docs/health.md says why), so a trend compares with a real earlier score.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tandem.errors import UsageError
from tandem.health.components import COMPONENTS
from tandem.semantic.calendar import EPOCH, Grain, periods

if TYPE_CHECKING:
    import pandas as pd

    from tandem.service.session import ReadSession
    from tandem.service.workspace import Workspace
    from tandem.settings import HealthSettings

BANDS = ("red", "amber", "green")
NO_SCORE = "none"
ACCOUNT_COLUMNS = ("account_id", "name", "segment", "csm_id", "sales_rep_id")


@dataclass(frozen=True)
class HealthScores:
    """Scores of customers on one or more as-of days, worst first within each day.

    ``rows``: as_of, the account columns, ``health_score`` (NaN = no score),
    ``band``, ``missing`` (component names, comma-separated), then per component
    ``<name>`` (its contribution in points; NaN when missing) and ``<name>_score``
    (its 0–100 sub-score), then the raw facts the components were computed from.
    """

    days: tuple[dt.date, ...]
    weights: dict[str, float]
    red_below: float
    green_from: float
    rows: pd.DataFrame

    @property
    def as_of(self) -> dt.date:
        return self.days[-1]

    def table(self) -> pd.DataFrame:
        """The columns people read: account, score, band, missing, contributions."""
        names = [c.name for c in COMPONENTS]
        cols = ["as_of", "account_id", "name", "health_score", "band", "missing", *names]
        return self.rows[cols]

    def records(self) -> list[dict[str, Any]]:
        """JSON-ready: one object per account and day, each component with its working."""
        rows: list[dict[str, Any]] = self.rows.to_dict("records")  # type: ignore[assignment]
        return [_record(r, self.weights) for r in rows]


def default_as_of(session: ReadSession) -> dt.date:
    """The session's today, or the last day with data when the data stops earlier."""
    extent = session.extent()
    return session.today if extent is None else min(session.today, extent[1])


def scores(
    ws: Workspace, as_of: dt.date | None = None, *, account: str | None = None
) -> HealthScores:
    """Every customer's score as of ``as_of`` (default: see ``default_as_of``), worst first."""
    with ws.read() as s:
        day = as_of or default_as_of(s)
        return score_days(s, [day], ws.settings.health, account=account)


def history(
    ws: Workspace,
    account: str,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    grain: str = "month",
) -> HealthScores:
    """One account's score as of the last day of each period from ``start`` to ``end``.

    The last period's as-of day is ``end`` itself (default: ``default_as_of``);
    by default the twelve periods ending with it. Periods in which the account
    was not a customer on that day have no row.
    """
    g = Grain.parse(grain)
    with ws.read() as s:
        last = end or default_as_of(s)
        first = start or _periods_back(last, g, 12)
        if first > last:
            raise UsageError(f"--from {first} is after --to {last}")
        days = [min(p.end, last) for p in periods(g, first, last)]
        return score_days(s, days, ws.settings.health, account=account)


def _periods_back(last: dt.date, grain: Grain, n: int) -> dt.date:
    from tandem.semantic.calendar import key_of, period

    return period(key_of(last, grain) - n + 1, grain).start


def score_days(
    session: ReadSession,
    days: list[dt.date],
    knobs: HealthSettings,
    *,
    account: str | None = None,
) -> HealthScores:
    """Scores as of each of ``days`` (the back-test and history use many at once)."""
    from tandem.health.signals import Signals

    facts = Signals(session, days, knobs, account=account).facts()
    if knobs.weight_purchases > 0 and not facts.empty:
        facts = with_predictions(session, facts)
    rows = assemble(facts, knobs)
    return HealthScores(
        days=tuple(sorted(set(days))),
        weights=knobs.weights(),
        red_below=knobs.red_below,
        green_from=knobs.green_from,
        rows=rows,
    )


def with_predictions(session: ReadSession, facts: pd.DataFrame) -> pd.DataFrame:
    """Each account's P(alive) and predicted CLV as of each day (BG/NBD and Gamma-Gamma
    fitted on the orders up to that day); none where the model refuses the fit."""
    import pandas as pd

    from tandem.errors import TandemError
    from tandem.models.predictions import account_predictions

    parts = []
    for day_number in sorted(set(facts.as_of_day)):
        day = EPOCH + dt.timedelta(days=int(day_number))
        try:
            predicted = account_predictions(session, calibration_end=day).predicted()
        except TandemError:
            continue
        part = predicted.to_pandas()
        part["as_of_day"] = day_number
        parts.append(part)
    if not parts:
        return facts.assign(p_alive=float("nan"), predicted_clv=float("nan"))
    found = pd.concat(parts, ignore_index=True)
    return facts.merge(found, on=["account_id", "as_of_day"], how="left")


def assemble(facts: pd.DataFrame, knobs: HealthSettings) -> pd.DataFrame:
    """Sub-scores, contributions, score and band from the raw facts (pure pandas)."""
    import numpy as np
    import pandas as pd

    names = [c.name for c in COMPONENTS]
    if facts.empty:
        columns = ["as_of", *ACCOUNT_COLUMNS, "health_score", "band", "missing", *names]
        return pd.DataFrame({c: [] for c in columns})
    f = facts.copy()
    f["as_of"] = [EPOCH + dt.timedelta(days=int(n)) for n in f.as_of_day]
    _renewals(f, knobs)
    weights = knobs.weights()
    subs = pd.DataFrame({c.name: c.formula(f, knobs).astype("float64") for c in COMPONENTS})
    present = subs.notna() & pd.DataFrame({n: [weights[n] > 0] * len(f) for n in names})
    present.index = subs.index
    w = pd.DataFrame({n: np.where(present[n], weights[n], 0.0) for n in names}, index=f.index)
    total = w.sum(axis=1)
    points = (w * subs.fillna(0.0)).div(total.where(total > 0), axis=0).where(present)
    f["health_score"] = points.sum(axis=1, min_count=1).where(total > 0)
    f["band"] = [band(v, knobs) for v in f.health_score]
    f["missing"] = [
        ",".join(n for n in names if weights[n] > 0 and pd.isna(subs.loc[i, n])) for i in f.index
    ]
    for n in names:
        f[n] = points[n]
        f[f"{n}_score"] = subs[n]
    lead = ["as_of", *ACCOUNT_COLUMNS, "health_score", "band", "missing"]
    lead += names + [f"{n}_score" for n in names]
    rest = [c for c in f.columns if c not in lead]
    out = f[lead + rest]
    order = out.sort_values(
        ["as_of", "health_score", "account_id"], na_position="last", kind="stable"
    )
    return order.reset_index(drop=True)


def band(score: float, knobs: HealthSettings) -> str:
    """red below ``red_below``, green from ``green_from``, amber between; none without a score."""
    if score != score:  # NaN
        return NO_SCORE
    if score < knobs.red_below:
        return "red"
    return "green" if score >= knobs.green_from else "amber"


def _renewals(f: pd.DataFrame, knobs: HealthSettings) -> None:
    """Next renewal: the first anniversary every ``renewal_term_months`` of the spell's start
    on or after the as-of day (a spell starting on the day renews a term later)."""
    term = knobs.renewal_term_months
    due, left, first = [], [], []
    for start_n, day_n in zip(f.spell_start, f.as_of_day, strict=True):
        start = EPOCH + dt.timedelta(days=int(start_n))
        day = EPOCH + dt.timedelta(days=int(day_n))
        months = (day.year - start.year) * 12 + day.month - start.month
        n = max(1, months // term)
        nxt = _add_months(start, n * term)
        while nxt < day:
            n += 1
            nxt = _add_months(start, n * term)
        due.append(nxt)
        left.append((nxt - day).days)
        first.append((_add_months(start, term) - EPOCH).days)
    f["renewal_day"] = due
    f["days_to_renewal"] = left
    f["first_renewal_day"] = first


def _add_months(d: dt.date, months: int) -> dt.date:
    import calendar

    k = d.year * 12 + d.month - 1 + months
    year, month = divmod(k, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(d.day, last))


def _plain(v: Any) -> Any:
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, dt.date):
        return v.isoformat()
    item = getattr(v, "item", None)
    return item() if callable(item) else v


def _record(r: dict[str, Any], weights: dict[str, float]) -> dict[str, Any]:
    missing = [m for m in str(r["missing"]).split(",") if m]
    present_total = sum(w for n, w in weights.items() if w > 0 and n not in missing)
    parts = []
    for c in COMPONENTS:
        w = weights[c.name]
        is_missing = c.name in missing or w == 0
        parts.append(
            {
                "name": c.name,
                "title": c.title,
                "weight": w,
                "share": None if is_missing or not present_total else 100 * w / present_total,
                "score": _plain(r[f"{c.name}_score"]),
                "points": _plain(r[c.name]),
                "missing": c.name in missing,
                "facts": {k: _plain(r.get(k)) for k in c.facts},
            }
        )
    return {
        "as_of": _plain(r["as_of"]),
        **{k: _plain(r[k]) for k in ACCOUNT_COLUMNS},
        "health_score": _plain(r["health_score"]),
        "band": r["band"],
        "missing": missing,
        "components": parts,
    }
