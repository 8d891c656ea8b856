"""Why a CSV file cannot be read (tandem.load.diagnosis), on the line a user sees."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tandem.load.diagnosis import MAX_LINE_BYTES, csv_problem

HEADER = b"account_id,name,created_at\n"


def _file(tmp_path: Path, data: bytes, name: str = "accounts.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    return path


def test_a_readable_file_has_no_problem(tmp_path: Path) -> None:
    # A two-byte character falling across the 1 MiB read boundary is still UTF-8.
    filler = b"A-1,x,2024-01-01\n" * ((2**20 - len(HEADER) - 1) // 17)
    pad = b"a" * (2**20 - len(HEADER) - len(filler) - 1)
    data = HEADER + filler + b"A-2," + pad[4:] + "é".encode() + b",2024-01-01\n"
    assert data.index("é".encode()) == 2**20 - 1
    assert csv_problem(_file(tmp_path, data)) is None


@pytest.mark.parametrize("name", ["accounts.csv", "accounts.csv.gz"])
def test_latin1_is_found_on_its_line(tmp_path: Path, name: str) -> None:
    data = HEADER + b"A-1,ok,2024-01-01\nA-2,Caf\xe9,2024-01-01\n"
    problem = csv_problem(_file(tmp_path, data, name))
    assert problem is not None
    assert problem[1] == 3
    assert problem[0].startswith("byte 0xe9 is not UTF-8")


def test_utf16_is_named(tmp_path: Path) -> None:
    problem = csv_problem(_file(tmp_path, HEADER.decode().encode("utf-16")))
    assert problem is not None and problem[1] == 1 and "UTF-16" in problem[0]


def test_a_line_too_long_is_found_without_reading_it_whole(tmp_path: Path) -> None:
    data = HEADER + b"A-1,ok,2024-01-01\n" + b"A-2," + b"x" * (MAX_LINE_BYTES + 1) + b"\n"
    problem = csv_problem(_file(tmp_path, data))
    assert problem is not None and problem[1] == 3 and "longer than 2 MB" in problem[0]


def test_a_quote_closed_mid_field(tmp_path: Path) -> None:
    data = HEADER + b'A-1,ok,2024-01-01\n"A-2","Ac"me,2024-01-01\n'
    assert csv_problem(_file(tmp_path, data)) == (
        "a quote closes in the middle of a field (a quote inside a quoted field is written "
        'twice: "")',
        3,
    )


def test_a_quote_never_closed_is_reported_where_it_opens(tmp_path: Path) -> None:
    data = HEADER + b'A-1,ok,2024-01-01\nA-2,"Acme,2024-01-01\nA-3,x,2024-01-01\n'
    assert csv_problem(_file(tmp_path, data)) == (
        "a quote opened on this line is never closed (unbalanced quote)",
        3,
    )
