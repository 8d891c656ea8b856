"""A metric result as a pandas, Arrow or Polars table, for Python callers."""

from __future__ import annotations

import json
import warnings
from typing import TYPE_CHECKING, Literal

from tandem.engine.query import MetricResult, SmallSample
from tandem.errors import UsageError
from tandem.service.info import jsonable
from tandem.warnings import SmallSampleWarning

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa


def emit_warnings(result: MetricResult) -> None:
    """The result's warnings as Python warnings (a DataFrame has no place for them)."""
    for w in result.warnings:
        category = SmallSampleWarning if isinstance(w, SmallSample) else UserWarning
        warnings.warn(str(w), category, stacklevel=3)


def convert(
    result: MetricResult, output: Literal["pandas", "arrow", "polars"]
) -> pd.DataFrame | pa.Table | pl.DataFrame:
    meta = {
        "metric": result.metric.slug,
        "fingerprint": result.fingerprint,
        "knobs": {k: jsonable(v) for k, v in result.knobs.items()},
        "grain": result.grain.value,
    }
    rows = result.rows
    if output == "pandas":
        rows.attrs.update(meta)
        return rows
    if output in ("arrow", "polars"):
        import pyarrow as pa

        table = pa.Table.from_pandas(rows, preserve_index=False)
        table = table.replace_schema_metadata({"tandem": json.dumps(meta)})
        if output == "arrow":
            return table
        import polars as pl

        frame = pl.from_arrow(table)
        assert isinstance(frame, pl.DataFrame)
        return frame
    raise UsageError(f"output {output!r}: choose pandas, arrow or polars")
