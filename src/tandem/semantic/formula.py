"""Small formula helpers shared by metric declarations: ratios with no value on empty."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ibis.expr.types as ir


def ratio(numerator: ir.Value, denominator: ir.Value) -> ir.Value:
    """``numerator / denominator``; no value (NULL) when the denominator is 0 or missing."""
    return numerator.cast("float64") / denominator.cast("float64").nullif(0)


def percent(numerator: ir.Value, denominator: ir.Value) -> ir.Value:
    """``100 × numerator / denominator``; no value when the denominator is 0 or missing."""
    return 100 * ratio(numerator, denominator)
