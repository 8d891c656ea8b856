"""The health components: each turns raw facts into a 0–100 sub-score (100 = healthy).

A component is *missing* for an account (NaN) when there is nothing to judge it
by; ``tandem.health.score`` then leaves it out and renormalises the weights of
the others. What counts as missing is part of each definition below, and
docs/health.md lists it. Facts come from ``tandem.health.signals``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from tandem.settings import HealthSettings

Formula = Callable[["pd.DataFrame", "HealthSettings"], "pd.Series"]


@dataclass(frozen=True)
class Component:
    """One ingredient of the score; its weight is ``weight_<name>`` in ``[health]``."""

    name: str
    title: str
    definition: str
    missing_when: str
    formula: Formula
    #: The raw facts shown beside the sub-score (columns of the facts frame).
    facts: tuple[str, ...]


def _clip(x: pd.Series) -> pd.Series:
    return (100.0 * x).clip(lower=0.0, upper=100.0)


def _usage_trend(f: pd.DataFrame, k: HealthSettings) -> pd.Series:
    recent, before = f.sessions_recent.fillna(0), f.sessions_before.fillna(0)
    score = _clip((recent + 1) / (before + 1))
    return score.where((recent + before) > 0)


def _activity(f: pd.DataFrame, k: HealthSettings) -> pd.Series:
    score = _clip(f.active_days.fillna(0) / k.active_days_target)
    return score.where(f.usage_data.fillna(False).astype(bool))


def _purchases(f: pd.DataFrame, k: HealthSettings) -> pd.Series:
    if "p_alive" not in f:
        return f.as_of_day * float("nan")
    return _clip(f.p_alive)


def _adoption(f: pd.DataFrame, k: HealthSettings) -> pd.Series:
    seats = f.seats.fillna(0)
    seat_part = _clip(f.users_recent.fillna(0) / seats.where(seats > 0))
    features = f.key_features.fillna(0)
    feature_part = _clip(f.features_recent.fillna(0) / features.where(features > 0))
    both = (seat_part + feature_part) / 2
    score = both.fillna(seat_part).fillna(feature_part)
    return score.where(f.usage_data.fillna(False).astype(bool))


def _nps(f: pd.DataFrame, k: HealthSettings) -> pd.Series:
    return f.nps_points.astype("float64")


def _csat(f: pd.DataFrame, k: HealthSettings) -> pd.Series:
    n = f.csat_responses.fillna(0)
    return _clip(f.csat_satisfied.fillna(0) / n.where(n > 0))


def _tickets(f: pd.DataFrame, k: HealthSettings) -> pd.Series:
    score = _clip(1 - f.tickets_window.fillna(0) / k.tickets_zero_at)
    return score.where(f.ticket_data.fillna(False).astype(bool))


def _escalations(f: pd.DataFrame, k: HealthSettings) -> pd.Series:
    score = _clip(1 - f.escalations.fillna(0) / k.escalations_zero_at)
    return score.where(f.ticket_data.fillna(False).astype(bool))


def _onboarding(f: pd.DataFrame, k: HealthSettings) -> pd.Series:
    return _clip(1 - f.onboarding_overdue_days / k.onboarding_overdue_zero_days)


def _contraction(f: pd.DataFrame, k: HealthSettings) -> pd.Series:
    before = f.mrr_before.fillna(0)
    return _clip(f.mrr / before.where(before > 0))


def _renewal(f: pd.DataFrame, k: HealthSettings) -> pd.Series:
    score = _clip(f.days_to_renewal / k.renewal_window_days)
    known = f.renewal_deals.fillna(0) > 0
    first_term = f.as_of_day <= f.first_renewal_day
    no_deals_anywhere = ~f.renewal_data.fillna(False).astype(bool)
    return score.where(known | first_term | no_deals_anywhere)


COMPONENTS: tuple[Component, ...] = (
    Component(
        "usage_trend",
        "Usage trend",
        "100 × (sessions in the last usage window + 1) / (sessions in the window before + 1), "
        "at most 100: steady or rising use scores 100, use halved about 50.",
        "no session in either window",
        _usage_trend,
        ("sessions_recent", "sessions_before"),
    ),
    Component(
        "activity",
        "Activity",
        "100 × days with any usage event in the last usage window / active_days_target, at "
        "most 100.",
        "the workspace holds no usage event yet (an account without usage scores 0)",
        _activity,
        ("active_days",),
    ),
    Component(
        "adoption",
        "Adoption",
        "Mean of seat use, 100 × distinct users with any event in the last usage window / "
        "seats (at most 100), and feature breadth, 100 × key features used in that window / "
        "key features (configured, or every non-session event seen in the workspace so far); "
        "a part with no seats or no key features is left out of the mean.",
        "the workspace holds no usage event yet, or the account has no seats and there are "
        "no key features",
        _adoption,
        ("users_recent", "seats", "features_recent", "key_features"),
    ),
    Component(
        "nps",
        "NPS category",
        "The latest NPS answer within nps_lookback_days: promoter (9–10) 100, passive (7–8) "
        "50, detractor (0–6) 0; answers given at the same instant are averaged.",
        "no NPS answer within the lookback",
        _nps,
        ("nps_score", "nps_day"),
    ),
    Component(
        "csat",
        "Recent CSAT",
        "100 × CSAT answers at or above the catalog's csat_threshold / CSAT answers, over "
        "the last csat_lookback_days.",
        "no CSAT answer within the lookback",
        _csat,
        ("csat_satisfied", "csat_responses"),
    ),
    Component(
        "tickets",
        "Tickets",
        "100 × (1 − tickets / tickets_zero_at), at least 0, counting tickets created in the "
        "last ticket_window_days and older ones still open on the day.",
        "the workspace holds no ticket yet (an account without tickets scores 100)",
        _tickets,
        ("tickets_window", "tickets_open"),
    ),
    Component(
        "escalations",
        "Escalations",
        "100 × (1 − escalated tickets / escalations_zero_at), at least 0, counting tickets "
        "escalated and created in the last escalation_window_days.",
        "the workspace holds no ticket yet",
        _escalations,
        ("escalations",),
    ),
    Component(
        "onboarding",
        "Onboarding",
        "100 × (1 − days past due / onboarding_overdue_zero_days), at least 0: an onboarding "
        "not live by the day whose due day (start + target days, or the catalog's "
        "onboarding_target_days knob) has passed; 100 when live or not yet due. Cancelled "
        "onboardings are left out.",
        "no onboarding started by the day",
        _onboarding,
        ("onboarding_overdue_days",),
    ),
    Component(
        "contraction",
        "Contraction",
        "100 × MRR on the day / MRR contraction_window_days before, at most 100: a "
        "downgrade to half the MRR scores 50, expansion 100.",
        "not a customer contraction_window_days before",
        _contraction,
        ("mrr", "mrr_before"),
    ),
    Component(
        "renewal",
        "Renewal proximity",
        "100 × days to the next renewal / renewal_window_days, at most 100; renewals fall "
        "every renewal_term_months from the start of the current paid spell. An account is "
        "taken to be on term contracts while in its first term, or once a renewal deal for "
        "it was created; past its first term without one it pays month to month.",
        "month to month: past the first term with no renewal deal, while the workspace holds "
        "renewal deals (without any, every customer is taken to be on term contracts)",
        _renewal,
        ("days_to_renewal", "renewal_day", "renewal_deals"),
    ),
    Component(
        "purchases",
        "Purchases still to come",
        "100 × P(alive) of the account's one-off purchases by the BG/NBD model fitted on "
        "orders up to the day (tandem.models): the chance the account still buys. Weighted "
        "0 by default (the back-test in docs/health.md was done without it); weight it for "
        "businesses that live on repeat purchases.",
        "no orders, or the model refused the fit (too few repeat customers...)",
        _purchases,
        ("p_alive", "predicted_clv"),
    ),
)

BY_NAME = {c.name: c for c in COMPONENTS}
