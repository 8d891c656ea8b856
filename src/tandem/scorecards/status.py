"""Red / amber / green: a metric's value against its rule, respecting its direction.

- Thresholds ``{green: G, red: R}``: green when the value is at or better than G,
  red when it is at or worse than R, amber between.
- Tolerance ``{tolerance: T}`` around the target (T in the metric's unit, or a
  percentage of the target): green at or better than the target, amber when
  worse by at most T, red when worse by more.
- A target without a rule: green at or better than the target, red otherwise.
- No target and no rule: no status. No value: no status either, said as such.

"Better" is higher for a higher-is-better metric and lower otherwise. Values are
compared after rounding to 9 decimals, so a rate that is exactly on a threshold
(56.99999999999999 from 100 × 0.57) counts as on it.
"""

from __future__ import annotations

import enum

from tandem.scorecards.definition import Rule
from tandem.semantic.types import Direction

DECIMALS = 9


class Status(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    #: The metric has no target and no rule.
    NONE = "none"
    #: The metric has no value in the period.
    NO_VALUE = "no_value"


def shortfall(value: float, target: float, direction: Direction) -> float:
    """How far the value falls short of the target (≤ 0: at or better than it)."""
    return target - value if direction is Direction.HIGHER else value - target


def status_of(
    value: float | None, target: float | None, rule: Rule | None, direction: Direction
) -> Status:
    """The status of ``value`` under ``rule`` (and ``target``) for a metric of ``direction``."""
    if value is None:
        return Status.NO_VALUE
    v = round(value, DECIMALS)
    if rule is not None and rule.green is not None and rule.red is not None:
        if shortfall(v, rule.green, direction) <= 0:
            return Status.GREEN
        if shortfall(v, rule.red, direction) >= 0:
            return Status.RED
        return Status.AMBER
    if target is None:
        return Status.NONE
    gap = round(shortfall(v, target, direction), DECIMALS)
    if gap <= 0:
        return Status.GREEN
    allowed = tolerance(rule, target)
    return Status.AMBER if gap <= allowed else Status.RED


def tolerance(rule: Rule | None, target: float) -> float:
    """The tolerance in the metric's unit (0 without a rule)."""
    if rule is None or rule.tolerance is None:
        return 0.0
    return round(abs(target) * rule.tolerance / 100 if rule.relative else rule.tolerance, DECIMALS)


def describe(rule: Rule | None, target: float | None, direction: Direction) -> str:
    """The rule in words: ``green ≥ 100, red ≤ 98`` or ``green ≥ 30, amber ≥ 20``."""
    at_least, at_most = ("≥", "≤") if direction is Direction.HIGHER else ("≤", "≥")
    if rule is not None and rule.green is not None and rule.red is not None:
        return f"green {at_least} {rule.green:g}, red {at_most} {rule.red:g}"
    if target is None:
        return "no target"
    allowed = tolerance(rule, target)
    if allowed == 0:
        return f"green {at_least} {target:g}, red otherwise"
    edge = target - allowed if direction is Direction.HIGHER else target + allowed
    shown = f"{rule.tolerance:g}% of target" if rule and rule.relative else f"{allowed:g}"
    return f"green {at_least} {target:g}, amber {at_least} {edge:g} (tolerance {shown})"
