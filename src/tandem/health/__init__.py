"""Account health: an explainable 0–100 score per customer, its history and its back-test.

``scores(ws, as_of)`` scores every customer on a day, worst first;
``history(ws, account)`` one account over periods; ``backtest`` measures how well
the score foresees churn. See docs/health.md.
"""

from __future__ import annotations

from tandem.health.components import COMPONENTS, Component
from tandem.health.score import HealthScores, band, default_as_of, history, score_days, scores

__all__ = [
    "COMPONENTS",
    "Component",
    "HealthScores",
    "band",
    "default_as_of",
    "history",
    "score_days",
    "scores",
]
