"""Arrow columns from integer arrays, without a Python loop over rows.

Ids and CSV timestamps are fixed-width text, so they are built as a byte
matrix (one row per value) and handed to Arrow as a string buffer: that is
what makes 100 million rows affordable. Labels (segments, event names) are
small tuples taken by index.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tandem.synth.config import DAY, Array

#: A piece of fixed-width text: literal bytes, ``(integers, width)`` digits, or a byte matrix.
Part = bytes | tuple[Array, int] | Array


def digits(values: Array, width: int) -> Array:
    """Zero-padded decimal digits of non-negative ``values`` as an (n, width) byte matrix."""
    out = np.empty((len(values), width), np.uint8)
    _fill_digits(out, values)
    return out


def _fill_digits(out: Array, values: Array) -> None:
    small = len(values) == 0 or int(values.max()) < 2**32
    rest: Array = values.astype(np.uint32 if small else np.int64, copy=True)
    for j in range(out.shape[1] - 1, -1, -1):
        quotient = rest // 10
        out[:, j] = rest - quotient * 10
        out[:, j] += 48
        rest = quotient


def width_for(largest: int, minimum: int = 1) -> int:
    return max(minimum, len(str(max(int(largest), 0))))


def _width(part: Part) -> int:
    if isinstance(part, bytes):
        return len(part)
    if isinstance(part, tuple):
        return part[1]
    return int(part.shape[1])


def fixed_text(n: int, parts: Sequence[Part]) -> pa.Array:
    """Strings made of literal ``bytes``, ``(integers, width)`` digits and byte matrices."""
    width = sum(_width(p) for p in parts)
    matrix = np.empty((n, width), np.uint8)
    at = 0
    for part in parts:
        w = _width(part)
        if isinstance(part, bytes):
            matrix[:, at : at + w] = np.frombuffer(part, np.uint8)
        elif isinstance(part, tuple):
            _fill_digits(matrix[:, at : at + w], part[0])
        else:
            matrix[:, at : at + w] = part
        at += w
    large = n * width >= 2**31
    offsets = np.arange(n + 1, dtype=np.int64 if large else np.int32) * width
    kind = pa.large_string() if large else pa.string()
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(matrix)]
    array = pa.Array.from_buffers(kind, n, buffers)
    return array.cast(pa.string()) if large else array


def ids(prefix: str, numbers: Array, width: int) -> pa.Array:
    """``prefix`` and zero-padded ``numbers``: ``ids("A", [12], 7)`` is ``A0000012``."""
    return fixed_text(len(numbers), [prefix.encode(), (numbers, width)])


def sequence(groups: Array) -> Array:
    """1-based position of each row within its run of equal, sorted ``groups``."""
    n = len(groups)
    if n == 0:
        return np.zeros(0, np.int64)
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    lengths = np.diff(np.r_[starts, n])
    return np.arange(n, dtype=np.int64) - np.repeat(starts, lengths) + 1


def labels(names: Sequence[str], index: Array, mask: Array | None = None) -> pa.Array:
    """``names[index]`` as strings; null where ``mask`` is true."""
    positions = pa.array(index.astype(np.int32), mask=mask)
    return pc.take(pa.array(list(names), pa.string()), positions)


def null_where(array: pa.Array, mask: Array) -> pa.Array:
    """``array`` with nulls where ``mask`` is true."""
    return pc.if_else(pa.array(mask), pa.scalar(None, array.type), array)


def timestamps(seconds: Array, mask: Array | None = None) -> pa.Array:
    """Seconds since the epoch as timestamp[us] (UTC, stored without a zone)."""
    micros = seconds.astype(np.int64) * 1_000_000
    return pa.array(micros.view("datetime64[us]"), pa.timestamp("us"), mask=mask)


def dates(days: Array, mask: Array | None = None) -> pa.Array:
    return pa.array(days.astype(np.int32), pa.int32(), mask=mask).view(pa.date32())


def iso_utc(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """timestamp[us] as ``2025-03-04T10:15:00Z`` text (whole seconds), nulls kept."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    valid = np.asarray(array.is_valid())
    micros = np.asarray(array.cast(pa.int64()).fill_null(0))
    seconds = micros // 1_000_000
    day = (seconds // DAY).astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    year = month.astype("datetime64[Y]").astype(np.int64) + 1970
    mon = month.astype(np.int64) % 12 + 1
    dom = (day - month.astype("datetime64[D]")).astype(np.int64) + 1
    tod = seconds % DAY
    text = fixed_text(
        len(seconds),
        [
            (year, 4),
            b"-",
            (mon, 2),
            b"-",
            (dom, 2),
            b"T",
            (tod // 3600, 2),
            b":",
            (tod // 60 % 60, 2),
            b":",
            (tod % 60, 2),
            b"Z",
        ],
    )
    return text if valid.all() else null_where(text, ~valid)


def money(values: Array) -> Array:
    return np.round(values.astype(np.float64), 2)
