"""The Arrow column builders: fixed-width ids, ISO instants, sequences within accounts."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from tandem.synth import columns as col


def test_fixed_text_joins_literals_digits_and_matrices() -> None:
    numbers = np.array([0, 7, 1234567])
    text = col.fixed_text(3, [b"S", (numbers, 7), b"-", col.digits(np.array([1, 2, 30]), 2)])
    assert text.to_pylist() == ["S0000000-01", "S0000007-02", "S1234567-30"]
    assert col.ids("A", np.array([12]), 7).to_pylist() == ["A0000012"]
    assert col.fixed_text(0, [b"A", (numbers[:0], 7)]).to_pylist() == []


def test_digits_of_large_numbers() -> None:
    big = np.array([2**40 + 5, 99])
    assert col.fixed_text(2, [(big, 13)]).to_pylist() == ["1099511627781", "0000000000099"]


def test_iso_utc_keeps_nulls_and_whole_seconds() -> None:
    seconds = np.array([0, 1_741_083_300, 951_782_400])
    stamps = col.timestamps(seconds, mask=np.array([False, False, True]))
    text = col.iso_utc(pa.chunked_array([stamps]))
    assert text.to_pylist() == ["1970-01-01T00:00:00Z", "2025-03-04T10:15:00Z", None]
    leap = col.iso_utc(col.timestamps(np.array([951_782_400 + 86_399])))
    assert leap.to_pylist() == ["2000-02-29T23:59:59Z"]


def test_sequence_restarts_with_each_group() -> None:
    groups = np.array([3, 3, 3, 5, 8, 8])
    assert col.sequence(groups).tolist() == [1, 2, 3, 1, 1, 2]
    assert col.sequence(np.array([], np.int64)).tolist() == []


def test_labels_and_dates() -> None:
    names = col.labels(("a", "b"), np.array([1, 0, 1]), mask=np.array([False, True, False]))
    assert names.to_pylist() == ["b", None, "b"]
    assert str(col.dates(np.array([20_000])).to_pylist()[0]) == "2024-10-04"
