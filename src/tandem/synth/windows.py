"""Spans of days in which an account acts, and spreading a volume of rows over them.

A *window* is one account's days ``lo <= d < hi`` with a weight and the hidden
health at the time. Activity tables (usage, tickets, surveys, orders) draw a
Poisson count per window with mean ``scale × weight``, where ``scale`` makes
the expected total the promised volume per account; rows are then put on
uniformly random days of their window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tandem.synth.config import Array
from tandem.synth.lifecycle import Lifecycle


@dataclass(frozen=True)
class Windows:
    idx: Array
    lo: Array
    hi: Array
    health: Array
    month: Array

    def __len__(self) -> int:
        return len(self.idx)

    @property
    def days(self) -> Array:
        return self.hi - self.lo

    def take(self, keep: Array | slice) -> Windows:
        return Windows(
            self.idx[keep], self.lo[keep], self.hi[keep], self.health[keep], self.month[keep]
        )

    @staticmethod
    def join(parts: list[Windows]) -> Windows:
        """Concatenate, then order by account (stable) so batches can split between accounts."""
        w = Windows(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIELDS))
        return w.take(np.argsort(w.idx, kind="stable"))


_FIELDS = ("idx", "lo", "hi", "health", "month")


def paying_months(life: Lifecycle) -> Windows:
    """One window per account and month in which the account paid on some day."""
    i, k = np.nonzero(life.active_hi > life.active_lo)
    return Windows(
        idx=i,
        lo=life.active_lo[i, k].astype(np.int64),
        hi=life.active_hi[i, k].astype(np.int64),
        health=life.health[i, k].astype(np.float64),
        month=k,
    )


def counts(rng: np.random.Generator, weight: Array, total: float) -> Array:
    """Poisson counts per window whose expected sum is ``total``."""
    mass = float(weight.sum())
    if mass <= 0 or total <= 0:
        return np.zeros(len(weight), np.int64)
    return rng.poisson(weight * (total / mass))


def expand(rng: np.random.Generator, w: Windows, n: Array) -> tuple[Array, Array]:
    """Repeat each window ``n`` times; return the window of each row and a random day in it."""
    row = np.repeat(np.arange(len(w)), n)
    day = w.lo[row] + (rng.random(len(row)) * w.days[row]).astype(np.int64)
    return row, day
