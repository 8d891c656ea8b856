"""Recompute only what changed: per-period source aggregates kept between requests.

What is kept is each source's aggregate per period (and dimension group): the
small table the formulas are applied to. An entry is keyed by the SQL that
computes it (``tandem.engine.fingerprint.source_key``: the workspace's id, the
source's query with its measures, grain, dimensions and knobs compiled for the
backend, the package version) and remembers the last load it has seen.

Every load logs, per changed table, the earliest date its change touches
(``Store.apply``). A change at day d can only alter periods ending on or after
d: every source places rows by a date no earlier than its table's time column,
revenue at day t depends on subscription rows starting by t (and grace bridges,
which reach back ``churn_grace_days``), and CLV's churn window looks back, never
forward. So after a load, only the periods ending on or after the earliest
touched date are recomputed; the others are read back. A change to accounts or
team members (attributes behind every dimension) makes everything stale.

The cache is on for the embedded database, where every change goes through
``tandem load``; for a database URL other tools may write too, so it is off
unless ``[cache] mode = "on"``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
import threading
from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cachetools import LRUCache

from tandem.engine.fingerprint import Blueprint, source_key
from tandem.semantic.calendar import Period, period
from tandem.store import EVERYTHING, LoadEntry, Store

if TYPE_CHECKING:
    import pyarrow as pa

    from tandem.engine.frame import Frame
    from tandem.engine.query import MetricResult
    from tandem.semantic.types import Measure

DIMENSION_TABLES = ("accounts", "team_members", "subscriptions")
#: Cells (rows × columns) of whole answers kept in memory per workspace.
ANSWER_CELLS = 5_000_000


@dataclass(frozen=True)
class Entry:
    rows: pa.Table
    periods: frozenset[int]
    watermark: int


class ResultCache:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        #: The workspace tables each source reads, by (catalog token, source).
        self._reads_of: LRUCache[tuple[str, str], frozenset[str]] = LRUCache(maxsize=256)
        #: Whole answers of this process, by request and data version (``recall``).
        self._answers: LRUCache[Hashable, dict[str, MetricResult]] = LRUCache(
            maxsize=ANSWER_CELLS, getsizeof=_cells
        )

    def recall(self, key: Hashable) -> dict[str, MetricResult] | None:
        """The answer kept under ``key`` (a copy the caller may change), if any.

        The key holds everything an answer depends on: the definitions' identity,
        the knobs, the backend, the metrics, the periods resolved, dimensions and
        filters, and the data's version (the workspace's id and last load), so a
        hit builds no expression and runs no query but that version's.
        """
        with self._lock:
            kept = self._answers.get(key)
        if kept is None:
            return None
        return {slug: _copy(result) for slug, result in kept.items()}

    def keep(self, key: Hashable, answer: dict[str, MetricResult]) -> None:
        """Keep a copy of ``answer`` under ``key`` (an answer too large is not kept)."""
        copied = {slug: _copy(result) for slug, result in answer.items()}
        with self._lock, contextlib.suppress(ValueError):
            self._answers[key] = copied

    def aggregates(
        self,
        frame: Frame,
        by_source: dict[str, list[Measure]],
        compute: AggregateFn,
    ) -> dict[str, pa.Table | None]:
        """Each source's aggregates for the frame's periods, computing only stale periods."""
        from tandem.engine.frame import Frame

        store = frame.store
        assert isinstance(store, Store), "the result cache keeps what a store computed"
        loads = store.loads_since(0)  # afresh: a load may have run since the last request
        watermark = max((e.load_id for e in loads), default=0)
        wanted = {p.key: p for p in frame.periods}
        plans: dict[str, tuple[str, Entry | None, frozenset[int]]] = {}
        blueprint = Blueprint(store.name, store.schemas())
        identity = store.identity()
        for name, items in by_source.items():
            key = source_key(
                frame.memo,
                identity,
                blueprint,
                frame.catalog,
                frame.knobs,
                frame.grain,
                frame.dims,
                name,
                items,
            )
            entry = self._read(key)
            fresh = self._fresh(entry, frame, name, loads) if entry else frozenset()
            plans[name] = (key, entry, fresh)
        out: dict[str, pa.Table | None] = {}
        groups: dict[frozenset[int], list[str]] = {}
        for name, (_, _, fresh) in plans.items():
            groups.setdefault(frozenset(wanted) - fresh, []).append(name)
        for stale, names in groups.items():
            sub = None
            if stale:
                periods = [wanted[k] for k in sorted(stale)]
                sub = Frame(
                    store,
                    frame.catalog,
                    frame.knobs,
                    frame.grain,
                    periods,
                    frame.dims,
                    materialize=frame.materialize,
                    memo=frame.memo,
                )
            try:
                for name in names:
                    key, entry, fresh = plans[name]
                    part = compute(sub, name, by_source[name]) if sub is not None else None
                    out[name] = self._merge(key, entry, fresh, stale, part, watermark, wanted)
            finally:
                if sub is not None:
                    sub.close()
        return out

    def _merge(
        self,
        key: str,
        entry: Entry | None,
        fresh: frozenset[int],
        stale: frozenset[int],
        part: pa.Table | None,
        watermark: int,
        wanted: dict[int, Period],
    ) -> pa.Table | None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if part is None and stale:
            return None  # nothing to keep (a company-wide source cut by a dimension)
        kept = entry.rows if entry is not None else None
        if kept is not None:
            keep = pc.is_in(kept["period_key"], pa.array(sorted(fresh), pa.int64()))
            kept = kept.filter(keep)
        pieces = [t for t in (kept, part) if t is not None]
        rows = (
            pa.concat_tables(pieces, promote_options="permissive")
            if len(pieces) > 1
            else (pieces[0])
        )
        if stale:
            self._write(key, rows, fresh | stale, watermark)
        mask = pc.is_in(rows["period_key"], pa.array(sorted(wanted), pa.int64()))
        return rows.filter(mask)

    def _fresh(
        self, entry: Entry, frame: Frame, source: str, loads: list[LoadEntry]
    ) -> frozenset[int]:
        """The entry's periods that no later load can have touched."""
        later = [e for e in loads if e.load_id > entry.watermark]
        stale_from = self._dirty_from(later, frame, source)
        if stale_from is None:
            return entry.periods
        return frozenset(k for k in entry.periods if period(k, frame.grain).end < stale_from)

    def _dirty_from(self, loads: list[LoadEntry], frame: Frame, source: str) -> dt.date | None:
        reads = self._reads(frame, source)
        cutting = bool(frame.dims.needed or frame.dims.own)
        first: dt.date | None = None
        for load in loads:
            if cutting and load.table in DIMENSION_TABLES:
                return EVERYTHING
            if load.table not in reads:
                continue
            day = load.changed_from
            if load.table == "subscriptions" and day > EVERYTHING:
                day = max(EVERYTHING, day - dt.timedelta(days=frame.knobs.churn_grace_days))
            first = day if first is None else min(first, day)
        return first

    def _reads(self, frame: Frame, source: str) -> frozenset[str]:
        """The workspace tables a source reads, found in its (unmaterialised) expression."""
        key = (frame.catalog.token, source)
        with self._lock:
            known = self._reads_of.get(key)
        if known is None:
            import ibis.expr.operations as ops

            from tandem.engine.frame import Frame
            from tandem.semantic.dimensions import DimensionSet

            probe = Frame(
                frame.store,
                frame.catalog,
                frame.knobs,
                frame.grain,
                frame.periods[:1],
                DimensionSet(),
                materialize=False,
                memo=frame.memo,
            )
            expr = probe.source(source)
            tables = expr.op().find((ops.DatabaseTable, ops.UnboundTable))
            known = frozenset(t.name for t in tables)
            with self._lock:
                self._reads_of[key] = known
        return known

    def _read(self, key: str) -> Entry | None:
        import pyarrow.parquet as pq

        path = self.folder / f"{key}.parquet"
        if not path.exists():
            return None
        try:
            table = pq.read_table(path)
            meta = json.loads(table.schema.metadata[b"tandem"])
        except (OSError, KeyError, ValueError):
            return None  # unreadable: recompute and overwrite
        return Entry(
            table.replace_schema_metadata(None), frozenset(meta["periods"]), int(meta["watermark"])
        )

    def _write(self, key: str, rows: pa.Table, periods: frozenset[int], watermark: int) -> None:
        import pyarrow.parquet as pq

        self.folder.mkdir(parents=True, exist_ok=True)
        meta = {"periods": sorted(periods), "watermark": watermark}
        target = self.folder / f"{key}.parquet"
        # A name of its own per writer (threads of one server, processes): never shared.
        fd, name = tempfile.mkstemp(dir=self.folder, prefix=f".{key}.", suffix=".tmp")
        os.close(fd)
        tmp = Path(name)
        try:
            pq.write_table(rows.replace_schema_metadata({"tandem": json.dumps(meta)}), tmp)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)


def _cells(answer: dict[str, MetricResult]) -> int:
    return max(1, sum(r.rows.size for r in answer.values()))


def _copy(result: MetricResult) -> MetricResult:
    import dataclasses

    return dataclasses.replace(result, rows=result.rows.copy(), knobs=dict(result.knobs))


if TYPE_CHECKING:
    from collections.abc import Callable

    AggregateFn = Callable[[Frame, str, list[Measure]], pa.Table | None]
