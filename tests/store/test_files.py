"""The embedded database's generations: published whole, or not at all."""

from __future__ import annotations

import os
from pathlib import Path

import ibis
import pytest

from tandem.service.workspace import Workspace
from tandem.store.duckdb import DuckDBStore
from tandem.store.files import DuckDBFiles, WorkspaceBusy


def _accounts(ws: Workspace) -> int:
    return ws.row_counts()["accounts"]


def _insert(store: object, account: str) -> None:
    store.raw.execute(  # type: ignore[attr-defined]
        "INSERT INTO accounts (account_id, name, created_at) VALUES (?, ?, TIMESTAMP '2024-01-01')",
        [account, account],
    )


def test_a_write_publishes_a_new_generation_and_keeps_the_one_before(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    link = tmp_path / "ws" / "tandem.duckdb"
    first = os.readlink(link)
    for account in ("A", "B", "C"):
        with ws.writer() as store:
            _insert(store, account)
    assert os.readlink(link) != first
    kept = sorted(p.name for p in (tmp_path / "ws" / "tandem.duckdb.d").glob("g*.duckdb"))
    assert kept == ["g000003.duckdb", "g000004.duckdb"], "the current and the one before"
    assert _accounts(ws) == 3


def test_a_failed_write_leaves_the_workspace_as_it_was(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    link = tmp_path / "ws" / "tandem.duckdb"
    before = os.readlink(link)
    with pytest.raises(RuntimeError, match="half way"), ws.writer() as store:
        _insert(store, "A")
        raise RuntimeError("half way")
    assert os.readlink(link) == before
    assert _accounts(ws) == 0
    assert sorted(p.name for p in link.with_name("tandem.duckdb.d").iterdir()) == [
        Path(before).name
    ]


def test_a_rehearsal_publishes_nothing(tmp_path: Path) -> None:
    ws = Workspace.init(tmp_path / "ws")
    before = os.readlink(tmp_path / "ws" / "tandem.duckdb")
    with ws.writer(publish=False) as store:
        _insert(store, "A")
    assert os.readlink(tmp_path / "ws" / "tandem.duckdb") == before
    assert _accounts(ws) == 0


def test_a_workspace_made_before_generations_moves_on_at_its_first_write(tmp_path: Path) -> None:
    """A plain tandem.duckdb file is generation 0; the first write replaces it by a link."""
    ws = Workspace.init(tmp_path / "ws")
    link = tmp_path / "ws" / "tandem.duckdb"
    plain = link.with_name("plain.duckdb")
    os.replace(link.resolve(), plain)
    link.unlink()
    os.replace(plain, link)
    assert not link.is_symlink()
    ws = Workspace(tmp_path / "ws")
    with ws.writer() as store:
        _insert(store, "A")
    assert link.is_symlink() and os.readlink(link).endswith("g000001.duckdb")
    assert _accounts(ws) == 1


def test_a_reader_keeps_its_generation_until_it_asks_again(tmp_path: Path) -> None:
    """A store opened on one generation reads it whole while another is published."""
    ws = Workspace.init(tmp_path / "ws")
    files = DuckDBFiles(tmp_path / "ws" / "tandem.duckdb")
    current = files.current()
    assert current is not None
    old = DuckDBStore(str(current), read_only=True)
    with ws.writer() as store:
        _insert(store, "A")
    count = old.run(old.table("accounts").aggregate(n=ibis._.count()))["n"][0].as_py()
    assert count == 0
    assert _accounts(ws) == 1
    old.close()


def test_the_lock_names_its_holder(tmp_path: Path) -> None:
    files = DuckDBFiles(tmp_path / "tandem.duckdb")
    with (
        files.writing(1, "load", publish=False),
        pytest.raises(WorkspaceBusy, match=rf"a load started at .* by pid {os.getpid()}"),
        files.writing(0.2, "load"),
    ):
        pass


def test_memtables_built_elsewhere_are_registered_where_they_run(tmp_path: Path) -> None:
    """An ``ibis.memtable`` in an expression runs on the store's cursor (this reads Ibis'
    InMemoryTable name, data and schema: it fails if Ibis changes them)."""
    ws = Workspace.init(tmp_path / "ws")
    store = ws.store
    people = ibis.memtable({"account_id": ["A", "B"], "n": [1, 2]})
    accounts = store.table("accounts")
    joined = people.left_join(accounts, "account_id").select(people.n)
    assert sorted(store.run(joined)["n"].to_pylist()) == [1, 2]


def test_generations_and_their_folder_are_the_owners_only(tmp_path: Path) -> None:
    import stat

    old = os.umask(0o022)
    try:
        ws = Workspace.init(tmp_path / "ws")
        with ws.writer() as store:
            _insert(store, "A")
    finally:
        os.umask(old)
    folder = tmp_path / "ws" / "tandem.duckdb.d"
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.iterdir()]}
    assert modes == {"tandem.duckdb.d": 0o700, "g000001.duckdb": 0o600, "g000002.duckdb": 0o600}
    assert stat.S_IMODE((tmp_path / "ws" / "tandem.toml").stat().st_mode) == 0o600


def test_a_reader_outlives_the_deletion_of_its_generation(tmp_path: Path) -> None:
    """Why deleting old generations is safe for readers in other processes: on Linux an
    unlinked file stays readable through the handles already open on it."""
    ws = Workspace.init(tmp_path / "ws")
    with ws.writer() as store:
        _insert(store, "A")
    generation = (tmp_path / "ws" / os.readlink(tmp_path / "ws" / "tandem.duckdb")).resolve()
    reader = DuckDBStore(str(generation), read_only=True)
    try:
        generation.unlink()
        assert reader.execute("SELECT account_id FROM accounts") == [("A",)]
    finally:
        reader.close()


def test_a_damaged_generation_is_named_by_the_workspace_link(tmp_path: Path) -> None:
    from tandem.errors import WorkspaceError

    Workspace.init(tmp_path / "ws").close()
    link = tmp_path / "ws" / "tandem.duckdb"
    (tmp_path / "ws" / os.readlink(link)).write_bytes(b"not a database")
    with pytest.raises(WorkspaceError) as caught, Workspace(tmp_path / "ws") as ws:
        ws.row_counts()
    assert str(caught.value).startswith(f"{link}: the database file is damaged or truncated")
    assert "g000001" not in str(caught.value)


def test_a_database_file_in_a_missing_folder(tmp_path: Path) -> None:
    from tandem.errors import WorkspaceError

    (tmp_path / "tandem.toml").write_text('[backend]\ndatabase_file = "no/such/db.duckdb"\n')
    with pytest.raises(WorkspaceError, match=r"the folder .*no/such does not exist"):
        Workspace(tmp_path).row_counts()
    with pytest.raises(WorkspaceError, match=r"the folder .*no/such .*does not exist"):
        Workspace(tmp_path).load([])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tandem.toml"]


def test_a_long_reader_sees_each_loads_time_once_it_is_published(tmp_path: Path) -> None:
    """A generation's last load time is read once per generation store (a server asks on
    every request); a workspace held open sees a newer one as soon as a load publishes."""
    from tests.company import write_company

    data = write_company(tmp_path / "data")
    ws = Workspace.init(tmp_path / "ws")
    with ws.read() as s:
        assert s.last_loaded_at() is None
    ws.load([data])
    with ws.read() as s:
        first = s.last_loaded_at()
    (tmp_path / "more").mkdir()
    (tmp_path / "more" / "accounts.csv").write_text(
        "account_id,name,segment,region,industry,csm_id,sales_rep_id,created_at\n"
        "A9,Zeta,SMB,EMEA,Retail,,,2026-01-01\n",
        encoding="utf-8",
    )
    ws.load([tmp_path / "more"])
    with ws.read() as s:
        second = s.last_loaded_at()
    assert first is not None and second is not None and second > first
    ws.close()
