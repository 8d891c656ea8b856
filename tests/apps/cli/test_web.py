"""``tandem serve`` and ``tandem users``, as a user runs them (real processes for serve)."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx2 as httpx
import pytest
from typer.testing import CliRunner

from tandem.apps.cli import app
from tandem.state.users import Users
from tests.company import make_workspace

TANDEM = [sys.executable, "-m", "tandem.apps.cli"]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path)


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*TANDEM, *args], input=stdin, capture_output=True, text=True, timeout=120
    )


def test_users_add_list_token_remove(workspace: Path) -> None:
    runner = CliRunner()
    ws = ["--workspace", str(workspace)]
    added = runner.invoke(
        app,
        ["users", "add", "cara", "--role", "member", "--member-id", "E1", "--password-stdin", *ws],
        input="a long password\n",
    )
    assert added.exit_code == 0, added.output
    assert "Added cara (member, team member E1)." in added.output
    token = runner.invoke(app, ["users", "token", "cara", "--label", "export", *ws])
    assert token.exit_code == 0
    text = token.stdout.strip().splitlines()[0]
    assert text.startswith("tdm_")
    listed = json.loads(runner.invoke(app, ["users", "list", "--format", "json", *ws]).stdout)
    assert listed[0]["username"] == "cara" and listed[0]["member_id"] == "E1"
    assert listed[0]["tokens"][0]["label"] == "export"
    assert text not in json.dumps(listed)  # never the token's text again
    assert Users(workspace).by_token(text) is not None
    removed = runner.invoke(app, ["users", "remove", "cara", *ws])
    assert removed.exit_code == 0 and Users(workspace).by_token(text) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["users", "add", "x", "--role", "boss", "--password-stdin"],
            "--role 'boss': choose admin",
        ),
        (
            ["users", "add", "x", "--role", "member", "--member-id", "E7", "--password-stdin"],
            "no team member 'E7'",
        ),
        (["users", "add", "x", "--role", "leader", "--password-stdin"], "password: at least 10"),
        (["users", "remove", "ghost"], "no user 'ghost'"),
        (["users", "token", "ghost"], "no user 'ghost'"),
        (["users", "list", "--format", "csv"], "--format 'csv': choose table or json"),
        (["serve"], "no session secret: set TANDEM_WEB_SECRET"),
    ],
)
def test_mistakes_exit_2_with_one_line(workspace: Path, args: list[str], message: str) -> None:
    env_free = {k: v for k, v in os.environ.items() if k != "TANDEM_WEB_SECRET"}
    done = subprocess.run(
        [*TANDEM, *args, "--workspace", str(workspace)],
        input="short\n",
        capture_output=True,
        text=True,
        timeout=120,
        env=env_free,
    )
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def demo_server(workspace: Path) -> Iterator[tuple[str, dict[str, str], Path]]:
    port = _free_port()
    proc = subprocess.Popen(
        [*TANDEM, "serve", "--demo", "--port", str(port), "--workspace", str(workspace)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        while len(lines) < 5:
            line = proc.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)
        for _ in range(100):
            try:
                httpx.get(base + "/login", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        logins = dict(re.findall(r"^  (\w+)\s+(\S+)\s+\(", "".join(lines), re.M))
        yield base, logins, workspace
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        if proc.stdout is not None:
            proc.stdout.close()
    assert lines[0].startswith(f"Tandem serves {workspace.resolve()} at {base}/")


def _log_in(base: str, username: str, password: str) -> httpx.Client:
    c = httpx.Client(base_url=base, timeout=30)
    form = c.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token
    r = c.post(
        "/login", data={"username": username, "password": password, "csrf_token": token.group(1)}
    )
    assert r.status_code == 303, r.text
    return c


def test_serve_demo_prints_logins_that_work(demo_server: tuple[str, dict[str, str], Path]) -> None:
    base, logins, _ = demo_server
    assert set(logins) == {"admin", "leader", "csm"}
    with closing(_log_in(base, "csm", logins["csm"])) as c:
        me = c.get("/api/me").json()
        # The CSM with most customers on 2026-12 (the real clock): E1 and E2 have two
        # each at most; ties go to the greater id, E2 (A3, A4).
        assert me["role"] == "member" and me["member_id"] in ("E1", "E2")


def test_a_load_while_serving_is_seen_without_a_restart(
    demo_server: tuple[str, dict[str, str], Path], tmp_path: Path
) -> None:
    """A November NPS response from A3 (a promoter) arrives: November's NPS goes from no
    value to 100, and the status shows the second load."""
    base, logins, workspace = demo_server
    with closing(_log_in(base, "leader", logins["leader"])) as c:
        first = c.get("/api/status").json()["last_loaded_at"]
        assert first is not None
        before = c.get("/api/metrics/nps", params={"from": "2026-11", "to": "2026-11"}).json()
        assert before["rows"][0]["value"] is None
        extra = tmp_path / "more"
        extra.mkdir()
        (extra / "survey_responses.csv").write_text(
            "response_id,account_id,survey,score,responded_at\nV99,A3,nps,10,2026-11-02T10:00:00Z\n"
        )
        # The server holds its workspaces open (requested a moment ago): the load does
        # not wait for it, and the next request sees the new data.
        loaded = _run("load", str(extra), "--workspace", str(workspace))
        assert loaded.returncode == 0, loaded.stderr
        status = c.get("/api/status").json()
        assert status["last_loaded_at"] > first
        after = c.get("/api/metrics/nps", params={"from": "2026-11", "to": "2026-11"}).json()
        assert after["rows"][0]["value"] == 100.0
