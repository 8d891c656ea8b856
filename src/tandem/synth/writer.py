"""Writing tables chunk by chunk: one file per table, CSV or Parquet.

Each table's writer is opened once, before the first chunk, so every table
gets a file (with its header) even when it ends up empty; each chunk appends
a batch, so memory holds one chunk at a time. Columns follow ``tandem.schema``
exactly. Parquet keeps Arrow types (timestamps as timestamp[us], UTC without
a zone); CSV writes instants as ``2025-03-04T10:15:00Z``, dates as ISO dates,
booleans as true/false and missing values as empty fields.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from tandem.errors import UsageError
from tandem.schema import TABLES, ColumnType
from tandem.synth import columns as col
from tandem.synth.config import SynthFormat

ARROW_TYPES: dict[ColumnType, pa.DataType] = {
    ColumnType.STRING: pa.string(),
    ColumnType.TIMESTAMP: pa.timestamp("us"),
    ColumnType.DATE: pa.date32(),
    ColumnType.FLOAT: pa.float64(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.BOOLEAN: pa.bool_(),
}
#: What the data was generated from: written to the truth folder, never to the tables' folder.
TRUTH_TABLES: dict[str, pa.Schema] = {
    "account_health": pa.schema(
        [("account_id", pa.string()), ("month", pa.date32()), ("health", pa.float64())]
    ),
    "churn_events": pa.schema(
        [("account_id", pa.string()), ("churned_on", pa.date32()), ("to_free", pa.bool_())]
    ),
    "account_traits": pa.schema(
        [
            ("account_id", pa.string()),
            ("kind", pa.string()),
            ("contract", pa.string()),
            ("fit", pa.float64()),
            ("order_rate", pa.float64()),
            ("order_dropout", pa.float64()),
            ("order_spend", pa.float64()),
        ]
    ),
    "member_quality": pa.schema(
        [("member_id", pa.string()), ("team", pa.string()), ("quality", pa.float64())]
    ),
}


def schemas() -> dict[str, pa.Schema]:
    """The canonical tables, as ``tandem.schema`` declares them."""
    return {t.name: pa.schema([(c.name, ARROW_TYPES[c.type]) for c in t.columns]) for t in TABLES}


@dataclass(frozen=True)
class Written:
    path: Path
    rows: int
    bytes: int


class _Sink:
    def __init__(self, path: Path, schema: pa.Schema, fmt: SynthFormat) -> None:
        self.path, self.schema, self.rows = path, schema, 0
        self._stamps = [i for i, f in enumerate(schema) if pa.types.is_timestamp(f.type)]
        if fmt is SynthFormat.PARQUET:
            self._writer: pq.ParquetWriter | pa_csv.CSVWriter = pq.ParquetWriter(
                path, schema, compression="zstd"
            )
            self._csv = False
        else:
            text = pa.schema(
                [f.with_type(pa.string()) if i in self._stamps else f for i, f in enumerate(schema)]
            )
            options = pa_csv.WriteOptions(quoting_style="needed")
            self._writer = pa_csv.CSVWriter(path, text, write_options=options)
            self._csv = True

    def write(self, columns: dict[str, pa.Array]) -> None:
        table = pa.Table.from_arrays([columns[n] for n in self.schema.names], schema=self.schema)
        if self._csv:
            for i in self._stamps:
                table = table.set_column(
                    i, self.schema.field(i).with_type(pa.string()), col.iso_utc(table.column(i))
                )
        self._writer.write_table(table)
        self.rows += table.num_rows

    def close(self) -> Written:
        self._writer.close()
        return Written(self.path, self.rows, self.path.stat().st_size)


class Output:
    """One open writer per table: canonical ones in ``folder``, truths in ``truth``.

    ``close()`` reports rows and bytes per table.

    Writing (encoding, compressing, formatting instants for CSV) runs on one
    background thread, fed through a short queue, so it overlaps with the
    generation of the next batch; one thread keeps each file's batches in order.
    """

    def __init__(self, folder: Path, fmt: SynthFormat, truth: Path) -> None:
        for where, option in ((folder, "--out"), (truth, "--truth")):
            try:
                where.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UsageError(f"{option} {where}: cannot create it ({exc.strerror})") from None
        (truth / "README.md").write_text(TRUTH_README, encoding="utf-8")
        places = [(folder, schemas()), (truth, TRUTH_TABLES)]
        self._sinks = {
            name: _Sink(where / f"{name}.{fmt.value}", schema, fmt)
            for where, tables in places
            for name, schema in tables.items()
        }
        self._queue: queue.Queue[tuple[_Sink, dict[str, pa.Array]] | None] = queue.Queue(2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="synth-writer", daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None:
                try:
                    item[0].write(item[1])
                except BaseException as exc:
                    self._error = exc

    def _check(self) -> None:
        if self._error is not None:
            raise self._error

    def write(self, name: str, columns: dict[str, pa.Array]) -> None:
        self._check()
        self._queue.put((self._sinks[name], columns))

    def close(self) -> dict[str, Written]:
        self._queue.put(None)
        self._thread.join()
        written = {name: sink.close() for name, sink in self._sinks.items()}
        self._check()
        return written


TRUTH_README = """\
# What this demo company was generated from

Written by `tandem synth` beside the tables it generated, for back-testing
health scores, churn and purchase models against what really drove the data.
Never load this folder: its files are not Tandem tables. docs/demo-company.md
in the Tandem repository describes the mechanisms.

- `account_health`: each account's hidden health (0 to 1) in every month it paid
  on some day; month = the month's first day.
- `churn_events`: every churn, the day it took effect (the first day without MRR);
  `to_free` when the account moved to the Free plan (MRR 0) instead of leaving.
- `account_traits`: per account, `kind` (existing = paying before the first month,
  new = signed in the range, prospect = never paid), `contract` (monthly, annual;
  empty for prospects), `fit` (the logit its health drifts towards), and its order
  process: `order_rate` (orders a month while alive), `order_dropout` (chance of
  dropping out after each order) and `order_spend` (mean amount per order), empty
  for accounts that never buy.
- `member_quality`: the hidden quality (standard normal) of each CSM and sales rep.
"""
