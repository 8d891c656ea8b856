"""Loading twice equals loading once; a second load upserts by key.

The property tests write random files with Python's csv module (so quoting is
an independent route) and compare the store against a model kept in a dict.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tandem.service.workspace import Workspace
from tandem.settings import BackendSettings, Settings
from tests.load.files import rows, snapshot, write

IDS = st.sampled_from([f"A-{i}" for i in range(6)])
NAMES = st.text(alphabet='abcXYZ ,"é', min_size=1, max_size=8).filter(lambda s: s.strip() == s)
EVENTS = st.tuples(
    IDS,
    st.sampled_from([None, "U-1", "U-2"]),
    st.sampled_from([dt.datetime(2024, 1, d, h) for d in (1, 2) for h in (0, 9)]),
    st.sampled_from(["session", "export"]),
    st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False)),
)
ACCOUNTS = st.dictionaries(IDS, NAMES, min_size=1)
USAGE = st.lists(EVENTS, max_size=12).map(lambda es: list({e[:4]: e for e in es}.values()))


@contextmanager
def memory_workspace() -> Iterator[tuple[Workspace, Path]]:
    """A workspace on an in-memory database (fast enough for many examples)."""
    with tempfile.TemporaryDirectory() as folder:
        backend = BackendSettings(database_file=":memory:")
        ws = Workspace(Path(folder), settings=Settings(backend=backend))
        try:
            yield ws, Path(folder)
        finally:
            ws.close()


def _write(path: Path, header: list[str], records: list[tuple[Any, ...]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for record in records:
            writer.writerow(["" if v is None else _text(v) for v in record])
    return path


def _text(value: Any) -> str:
    return value.isoformat() + "Z" if isinstance(value, dt.datetime) else str(value)


def _batch(folder: Path, accounts: dict[str, str], usage: list[tuple[Any, ...]]) -> Path:
    _write(
        folder / "accounts.csv",
        ["account_id", "name", "created_at"],
        [(a, n, "2024-01-01") for a, n in accounts.items()],
    )
    known = [e for e in usage if e[0] in accounts]
    _write(
        folder / "usage_events.csv", ["account_id", "user_id", "ts", "event", "duration_s"], known
    )
    return folder


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(accounts=ACCOUNTS, usage=USAGE)
def test_loading_twice_equals_loading_once(
    accounts: dict[str, str], usage: list[tuple[Any, ...]]
) -> None:
    with memory_workspace() as (ws, folder):
        batch = _batch(folder / "in", accounts, usage)
        ws.load([batch])
        once = snapshot(ws)
        again = ws.load([batch])
        assert snapshot(ws) == once
        assert all(t.new == t.updated == 0 and t.unchanged == t.rows for t in again.tables)
        assert rows(ws, "accounts", "account_id, name") == sorted(accounts.items())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=ACCOUNTS, second=ACCOUNTS)
def test_a_second_load_upserts_by_key(first: dict[str, str], second: dict[str, str]) -> None:
    with memory_workspace() as (ws, folder):
        ws.load([_batch(folder / "one", first, [])])
        report = ws.load([_batch(folder / "two", second, [])])
        assert rows(ws, "accounts", "account_id, name") == sorted((first | second).items())
        counts = report.counts("accounts")
        assert counts.new == len(second.keys() - first.keys())
        assert counts.updated == sum(1 for k in second if k in first and first[k] != second[k])
        assert counts.unchanged == sum(1 for k in second if first.get(k) == second[k])


def test_a_folder_of_every_kind_of_row_loads_idempotently(ws: Workspace, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write(folder / "team_members.csv", "member_id,name,team\nM-1,Ann,Sales\n")
    write(
        folder / "accounts.csv",
        "account_id,name,created_at,csm_id,tier\nA-1,Acme,2024-01-01,M-1,gold\n",
    )
    write(
        folder / "usage_events.csv",
        "account_id,user_id,ts,event,duration_s\n"
        "A-1,,2024-01-01T10:00:00Z,session,30\nA-1,U-1,2024-01-01T10:00:00Z,session,\n",
    )
    write(
        folder / "costs.csv",
        "month,category,purpose,amount\n2024-01-01,sales,acquisition,10\n"
        "2024-01-01,sales,retention,3\n",
    )
    ws.load([folder])
    once = snapshot(ws)
    report = ws.load([folder])
    assert snapshot(ws) == once
    assert {t.table: t.unchanged for t in report.tables} == {
        "team_members": 1,
        "accounts": 1,
        "usage_events": 2,
        "costs": 2,
    }
