"""Many readers and one writer on one workspace, as real processes.

Readers open the newest generation read-only and never block a load; a load
never blocks them; every answer is all of the old data or all of the new.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tandem.service.workspace import Workspace

TANDEM = Path(sys.executable).parent / "tandem"

#: A reader like a server: one Workspace held open, asked again and again.
READER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from tandem import Workspace

    ws = Workspace(sys.argv[1])
    stop = Path(sys.argv[2])
    seen = []
    while not stop.exists():
        rows = ws.compute(["customers"], start="2024-03", end="2024-03")["customers"].rows
        seen.append(int(rows["value"][0]))
    print(json.dumps(seen))
    """
)


def _accounts(n: int, first: int = 0) -> str:
    lines = ["account_id,name,created_at"]
    lines += [f"A{i},Account {i},2023-01-01" for i in range(first, first + n)]
    return "\n".join(lines) + "\n"


def _subscriptions(n: int, first: int = 0) -> str:
    lines = ["subscription_id,account_id,mrr,valid_from"]
    lines += [f"S{i},A{i},100,2024-01-01" for i in range(first, first + n)]
    return "\n".join(lines) + "\n"


def _batch(folder: Path, n: int, first: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accounts.csv").write_text(_accounts(n, first))
    (folder / "subscriptions.csv").write_text(_subscriptions(n, first))
    return folder


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """10 customers in March 2024 (each pays 100 from 1 January)."""
    folder = tmp_path / "ws"
    with Workspace.init(folder) as ws:
        ws.load([_batch(tmp_path / "old", 10)])
    return folder


def test_eight_readers_and_a_load_see_old_or_new_never_an_error(
    workspace: Path, tmp_path: Path
) -> None:
    """Old data: 10 customers; the load adds 1,000 more. Every reader's every answer is
    10 or 1,010, none fails, the load is not blocked, and each reader, holding its
    workspace open, sees the new data after the load without reopening."""
    stop = tmp_path / "stop"
    script = tmp_path / "reader.py"
    script.write_text(READER)
    readers = [
        subprocess.Popen(
            [sys.executable, str(script), str(workspace), str(stop)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    try:
        time.sleep(3)  # every reader is reading
        started = time.monotonic()
        load = subprocess.run(
            [str(TANDEM), "load", str(_batch(tmp_path / "new", 1000, 10)), "-w", str(workspace)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        loaded_in = time.monotonic() - started
        assert load.returncode == 0, load.stderr
        time.sleep(3)  # every reader has asked again since
    finally:
        stop.touch()
    answers = []
    for r in readers:
        out, err = r.communicate(timeout=120)
        assert r.returncode == 0, err
        seen = json.loads(out)
        assert seen, "a reader answered nothing"
        answers.append(seen)
    assert {v for seen in answers for v in seen} <= {10, 1010}
    assert all(seen[0] == 10 and seen[-1] == 1010 for seen in answers)
    assert loaded_in < 60


def test_a_second_writer_waits_then_says_who_holds_the_workspace(
    workspace: Path, tmp_path: Path
) -> None:
    """While one process holds the writer, a load waits backend.lock_timeout seconds and
    exits 2 with the holder's pid; nothing of it lands."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from tandem import Workspace\n"
            "with Workspace(sys.argv[1]).writer('load'):\n"
            "    print('holding', flush=True)\n"
            "    time.sleep(30)\n",
            str(workspace),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        env = {**os.environ, "TANDEM__BACKEND__LOCK_TIMEOUT": "0.5"}
        done = subprocess.run(
            [str(TANDEM), "load", str(_batch(tmp_path / "more", 5, 50)), "-w", str(workspace)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
    finally:
        holder.kill()
        holder.wait()
        if holder.stdout is not None:
            holder.stdout.close()
    assert done.returncode == 2
    line = done.stderr.strip()
    assert line.startswith("error: workspace busy: a load started at ")
    assert f"by pid {holder.pid} is running" in line
    assert len(line.splitlines()) == 1
    with Workspace(workspace) as ws:
        assert ws.row_counts()["accounts"] == 10


def test_a_read_changes_no_file_of_the_database(workspace: Path) -> None:
    """Readers open the database read-only: the generation files, the link and the lock
    are byte for byte the same after a read, and no write-ahead log appears (the result
    cache, outside the database, may be written)."""
    import hashlib

    def snapshot() -> dict[str, str]:
        return {
            str(p.relative_to(workspace)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(workspace.rglob("*"))
            if p.is_file() and ".tandem" not in p.parts
        }

    before = snapshot()
    done = subprocess.run(
        [str(TANDEM), "metric", "customers", "--from", "2024-03", "--to", "2024-03",
         "-w", str(workspace), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["rows"][0]["value"] == 10
    assert snapshot() == before
    assert not list(workspace.rglob("*.wal"))
