"""Every load that changes something says, in its own transaction, what and from when."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tandem.errors import InputError
from tandem.service.workspace import Workspace
from tandem.store import EVERYTHING


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    ws = Workspace.init(tmp_path / "ws")
    ws.load([_write(tmp_path / "accounts.csv", "account_id,name,created_at\nA,Acme,2024-01-01\n")])
    yield ws
    ws.close()


def _log(ws: Workspace) -> list[tuple[int, str, dt.date]]:
    return [(e.load_id, e.table, e.changed_from) for e in ws.store.loads_since(0)]


def test_changed_from_is_the_earliest_date_touched_old_or_new(ws: Workspace, tmp_path: Path):
    """Load 2 adds two tickets (earliest 3 March). Load 3 moves ticket t1 from 3 March to
    20 March and adds nothing else: the change touches 3 March (the replaced version).
    Load 4 repeats load 3: nothing changes, nothing is logged."""
    head = "ticket_id,account_id,created_at,contacts,escalated\n"
    ws.load(
        [_write(tmp_path / "tickets.csv", head + "t1,A,2024-03-03,1,no\nt2,A,2024-03-09,1,no\n")]
    )
    ws.load(
        [_write(tmp_path / "tickets.csv", head + "t1,A,2024-03-20,1,no\nt2,A,2024-03-09,1,no\n")]
    )
    ws.load([tmp_path / "tickets.csv"])
    assert _log(ws) == [
        (1, "accounts", EVERYTHING),
        (2, "tickets", dt.date(2024, 3, 3)),
        (3, "tickets", dt.date(2024, 3, 3)),
    ]
    assert ws.store.last_load() == 3


def test_a_refused_load_logs_nothing(ws: Workspace, tmp_path: Path):
    bad = _write(
        tmp_path / "tickets.csv",
        "ticket_id,account_id,created_at,contacts,escalated\nt1,A,2024-03-03,1,maybe\n",
    )
    with pytest.raises(InputError):
        ws.load([bad])
    assert _log(ws) == [(1, "accounts", EVERYTHING)]
