"""Draw docs/predictive-tracking.png: the CDNOW tracking chart of docs/predictive.md.

Run with the test environment (matplotlib and the lifetimes package's data):
``.venv/bin/python scripts/predictive_chart.py``. It fits the models on the
CDNOW sample calibrated to 1997-09-30, exactly as the tests do, and plots the
cumulative repeat purchases week by week, made against expected, over the
39 calibration and 39 holdout weeks.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
from pathlib import Path

import ibis
import matplotlib
import numpy as np
import pyarrow as pa

from tandem.models.clv import ClvRequest, fit_clv
from tandem.settings import ModelSettings

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

OUT = Path("docs/predictive-tracking.png")


def cdnow_orders() -> ibis.Table:
    path = importlib.metadata.distribution("lifetimes").locate_file(
        "lifetimes/datasets/CDNOW_sample.txt"
    )
    rows = [line.split() for line in Path(str(path)).read_text().splitlines()]
    data = pa.table(
        {
            "account_id": [str(int(r[1])) for r in rows],
            "ordered_at": [dt.datetime.strptime(r[2], "%Y%m%d") for r in rows],
            "amount": [float(r[4]) for r in rows],
        }
    )
    return ibis.duckdb.connect().create_table("orders", data)


def main() -> None:
    request = ClvRequest(dt.date(1997, 9, 30), dt.date(1998, 6, 30))
    fit = fit_clv(cdnow_orders(), ModelSettings(), request, today=dt.date(2030, 1, 1)).fits[0]
    weeks = np.arange(1, len(fit.tracking) + 1)
    actual = np.cumsum([w.actual for w in fit.tracking])
    expected = np.cumsum([w.predicted for w in fit.tracking])
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(7.5, 6.2), dpi=90, sharex=True)
    top.plot(weeks, actual, color="#1f4e79", label="actual")
    top.plot(weeks, expected, color="#c0504d", linestyle="--", label="BG/NBD")
    top.set_ylabel("cumulative repeat purchases")
    top.set_title("CDNOW sample, 2,357 customers: calibration to week 39, holdout weeks 40-78")
    bottom.plot(weeks, [w.actual for w in fit.tracking], color="#1f4e79", label="actual")
    bottom.plot(weeks, [w.predicted for w in fit.tracking], color="#c0504d", linestyle="--",
                label="BG/NBD")  # fmt: skip
    bottom.set_ylabel("repeat purchases per week")
    bottom.set_xlabel("week (from 1 January 1997)")
    for ax in (top, bottom):
        ax.axvline(39.5, color="grey", linewidth=0.8)
        ax.grid(alpha=0.3)
        ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    fig.savefig(OUT)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KB)")


if __name__ == "__main__":
    main()
