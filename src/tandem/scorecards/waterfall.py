"""The period's MRR walk, from the ``mrr`` metric's own components.

opening (MRR on the opening day) + new + expansion + reactivation − contraction −
churn = closing (MRR on the last day); the catalog guarantees the walk adds up and
``balanced`` says whether it did.
"""

from __future__ import annotations

from collections.abc import Mapping

from tandem.scorecards.model import Step, Waterfall

#: (component of ``mrr``, label, kind), in the order of the walk.
STEPS = (
    ("mrr_at_start", "Opening MRR", "total"),
    ("new_mrr", "New", "increase"),
    ("expansion_mrr", "Expansion", "increase"),
    ("reactivation_mrr", "Reactivation", "increase"),
    ("contraction_mrr", "Contraction", "decrease"),
    ("churned_mrr", "Churn", "decrease"),
    ("mrr_at_end", "Closing MRR", "total"),
)


def waterfall(components: Mapping[str, float | None]) -> Waterfall:
    """The walk from the ``mrr`` components of one period (missing sums are 0)."""
    steps = [
        Step(name=name, label=text, amount=float(components.get(name) or 0.0), kind=kind)
        for name, text, kind in STEPS
    ]
    moved = steps[0].amount + sum(
        s.amount if s.kind == "increase" else -s.amount for s in steps[1:-1]
    )
    return Waterfall(steps=steps, balanced=abs(moved - steps[-1].amount) < 0.005)
