"""Does the score foresee churn? AUC and churn rate per band, on a workspace's own history.

Method. On each as-of day (by default every month-end with ``horizon`` days of
data after it and at least a quarter of data before), every customer is scored
from the rows dated up to that day. Its outcome is *churn within the horizon*:
its paid spell, by the catalog's paid coverage (``churn_grace_days`` included),
ends within the next ``horizon`` days, i.e. some day in d + 1 … d + horizon has
no MRR. Churn comes from the observable subscriptions only.

- AUC: the chance that a churner scores below a customer who stays, ties
  counting one half (the Mann–Whitney U statistic over the pooled
  account-days, U / (n₁ n₀), from mid-ranks); 0.5 is a coin, 1.0 perfect.
- Churn rate per band: churners / scored account-days in the band.
- Each component's own AUC (its sub-score alone, over the account-days where
  it is present) shows which signals carry the score.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tandem.errors import UsageError
from tandem.health.components import COMPONENTS
from tandem.health.score import BANDS, score_days
from tandem.semantic.calendar import Grain, periods

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from tandem.service.session import ReadSession
    from tandem.service.workspace import Workspace
    from tandem.settings import HealthSettings

HORIZON_DAYS = 90
WARM_UP_DAYS = 90


@dataclass(frozen=True)
class BandFigures:
    band: str
    account_days: int
    churned: int

    @property
    def churn_rate(self) -> float | None:
        return 100.0 * self.churned / self.account_days if self.account_days else None


@dataclass(frozen=True)
class Backtest:
    """Figures of one back-test (see the module docstring)."""

    days: tuple[dt.date, ...]
    horizon_days: int
    account_days: int
    churned: int
    unscored: int
    auc: float | None
    bands: tuple[BandFigures, ...]
    component_auc: dict[str, float | None] = field(default_factory=dict)

    @property
    def red_to_green(self) -> float | None:
        by = {b.band: b.churn_rate for b in self.bands}
        red, green = by.get("red"), by.get("green")
        return red / green if red is not None and green else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "first_day": self.days[0].isoformat() if self.days else None,
            "last_day": self.days[-1].isoformat() if self.days else None,
            "as_of_days": len(self.days),
            "horizon_days": self.horizon_days,
            "account_days": self.account_days,
            "churned": self.churned,
            "unscored": self.unscored,
            "auc": self.auc,
            "red_to_green": self.red_to_green,
            "bands": [
                {
                    "band": b.band,
                    "account_days": b.account_days,
                    "churned": b.churned,
                    "churn_rate": b.churn_rate,
                }
                for b in self.bands
            ],
            "component_auc": self.component_auc,
        }


def auc(risk: np.ndarray, positive: np.ndarray) -> float | None:
    """Mann–Whitney AUC of ``risk`` for ``positive`` labels (mid-ranks for ties).

    None when either class is empty.
    """
    import numpy as np
    import pandas as pd

    pos = np.asarray(positive, dtype=bool)
    n1, n0 = int(pos.sum()), int((~pos).sum())
    if n1 == 0 or n0 == 0:
        return None
    ranks = pd.Series(np.asarray(risk, dtype="float64")).rank(method="average").to_numpy()
    u = ranks[pos].sum() - n1 * (n1 + 1) / 2
    return float(u / (n1 * n0))


def month_ends(first: dt.date, last: dt.date) -> list[dt.date]:
    return [p.end for p in periods(Grain.MONTH, first, last) if first <= p.end <= last]


def backtest(
    ws: Workspace,
    *,
    days: list[dt.date] | None = None,
    horizon_days: int = HORIZON_DAYS,
    knobs: HealthSettings | None = None,
) -> Backtest:
    """Score every customer on each of ``days`` and compare with churn in the next horizon."""
    knobs = knobs or ws.settings.health
    with ws.read() as s:
        if days is None:
            extent = s.extent()
            first = _first_activity(s)
            if extent is None or first is None:
                raise UsageError("the workspace holds no data to back-test on")
            hi = min(extent[1], s.today)
            days = month_ends(
                first + dt.timedelta(days=WARM_UP_DAYS), hi - dt.timedelta(days=horizon_days)
            )
        if not days:
            raise UsageError(
                f"no as-of day has {WARM_UP_DAYS} days of data before it and {horizon_days} after"
            )
        rows = score_days(s, days, knobs).rows
    return evaluate(rows, days, horizon_days)


def _first_activity(s: ReadSession) -> dt.date | None:
    """The first day of the signals: the earliest usage event, survey answer or ticket."""
    firsts = []
    for name, column in (
        ("usage_events", "ts"),
        ("survey_responses", "responded_at"),
        ("tickets", "created_at"),
    ):
        t = s.table(name)
        value = s.run(t.aggregate(first=t[column].min())).to_pylist()[0]["first"]
        if value is not None:
            firsts.append(value.date() if isinstance(value, dt.datetime) else value)
    return min(firsts) if firsts else None


def evaluate(rows: pd.DataFrame, days: list[dt.date], horizon_days: int) -> Backtest:
    """The figures from scored rows (with ``spell_end`` and ``as_of_day``)."""
    churned = (rows.spell_end <= rows.as_of_day + horizon_days).to_numpy()
    scored = rows.health_score.notna().to_numpy()
    score = rows.health_score.to_numpy(dtype="float64")
    bands = []
    for name in BANDS:
        inside = (rows.band == name).to_numpy()
        bands.append(BandFigures(name, int(inside.sum()), int(churned[inside].sum())))
    per_component = {}
    for c in COMPONENTS:
        if f"{c.name}_score" not in rows:
            continue
        sub = rows[f"{c.name}_score"].to_numpy(dtype="float64")
        ok = sub == sub
        per_component[c.name] = auc(-sub[ok], churned[ok])
    return Backtest(
        days=tuple(sorted(days)),
        horizon_days=horizon_days,
        account_days=int(scored.sum()),
        churned=int(churned[scored].sum()),
        unscored=int((~scored).sum()),
        auc=auc(-score[scored], churned[scored]),
        bands=tuple(bands),
        component_auc=per_component,
    )
