"""Workspaces for the model tests: hand-made ones, and the CDNOW sample as published.

The CDNOW 1/10th sample (Fader, Hardie & Lee 2005) is read in place from the
``lifetimes`` package, installed by the test extra for its data only (none of
its code runs): ``CDNOW_sample.txt`` holds customer id, sample id (1-2357),
date (YYYYMMDD), CDs bought and dollars, one line per purchase. It becomes an
``orders`` file (account = sample id, one order per line) and loads through
``Workspace.load`` like any user's file.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib.metadata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tandem import Workspace

TODAY = dt.date(2030, 1, 1)


@dataclass(frozen=True)
class Tables:
    orders: Any
    subscriptions: Any
    accounts: Any


def tables(ws: Workspace) -> Tables:
    """The Ibis tables a model reads, from a read session (the one place tests get them)."""
    with ws.read() as session:
        return Tables(*(session.table(n) for n in ("orders", "subscriptions", "accounts")))


def lifetimes_file(name: str) -> Path:
    """A data file shipped in the ``lifetimes`` package (``pip install lifetimes``)."""
    path = importlib.metadata.distribution("lifetimes").locate_file(f"lifetimes/datasets/{name}")
    return Path(str(path))


def cdnow_purchases() -> list[tuple[str, dt.date, float]]:
    """(sample id, date, dollars) of every line of CDNOW_sample.txt."""
    out = []
    for line in lifetimes_file("CDNOW_sample.txt").read_text().splitlines():
        _, sample, day, _, dollars = line.split()
        out.append((str(int(sample)), dt.datetime.strptime(day, "%Y%m%d").date(), float(dollars)))
    return out


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def make_workspace(
    folder: Path, rows: dict[str, list[dict[str, Any]]], **settings: Any
) -> Workspace:
    """A workspace loaded (through ``Workspace.load``) with ``rows`` per table.

    Accounts named by other tables are added when ``rows`` has none for them.
    ``settings`` are ``section={knob: value}`` overrides written to tandem.toml.
    """
    Workspace.init(folder).close()
    if settings:
        toml = folder / "tandem.toml"
        toml.write_text(_merge(toml.read_text(), settings))
    named = {r["account_id"] for r in rows.get("accounts", [])}
    referenced = sorted({r["account_id"] for rs in rows.values() for r in rs} - named)
    accounts = list(rows.get("accounts", [])) + [
        {"account_id": a, "name": f"Account {a}", "created_at": "2020-01-01"} for a in referenced
    ]
    files = [write_csv(folder / "in" / "accounts.csv", accounts)]
    files += [
        write_csv(folder / "in" / f"{t}.csv", rs)
        for t, rs in rows.items()
        if t != "accounts" and rs
    ]
    ws = Workspace(folder, today=lambda: TODAY)
    ws.load(files)
    return ws


def _merge(text: str, settings: dict[str, dict[str, Any]]) -> str:
    """tandem.toml with the given knobs replaced in their sections."""
    out, section = [], ""
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        key = line.split("=", 1)[0].strip()
        if "=" in line and not line.startswith("#") and key in settings.get(section, {}):
            value = settings[section][key]
            line = f"{key} = {value!r}"
        out.append(line)
    return "\n".join(out) + "\n"


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Callable[..., Workspace]]:
    made: list[Workspace] = []

    def make(rows: dict[str, list[dict[str, Any]]], **settings: Any) -> Workspace:
        ws = make_workspace(tmp_path / f"ws{len(made)}", rows, **settings)
        made.append(ws)
        return ws

    yield make
    for ws in made:
        ws.close()


def make_cdnow(folder: Path) -> Workspace:
    """A workspace holding the CDNOW sample as ``orders`` (6,919 orders, 2,357 accounts)."""
    orders = [
        {"order_id": f"o{i}", "account_id": a, "ordered_at": d.isoformat(), "amount": v}
        for i, (a, d, v) in enumerate(cdnow_purchases())
    ]
    return make_workspace(folder, {"orders": orders})


@pytest.fixture(scope="session")
def cdnow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    ws = make_cdnow(tmp_path_factory.mktemp("cdnow"))
    yield ws
    ws.close()
