"""The reliability probe of issue 11, case by case, through the CLI's one error boundary.

Every case is something a user can do wrong (a file, a flag, a setting, the
environment, the workspace on disk). Each must end with exit status 2, one line
on standard error naming what is wrong and where, no traceback, and the
workspace exactly as it was: the database generation the link points to, its
bytes, and tandem.toml's bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.apps.cli.errors import run

ACCOUNTS = (
    '"account_id","name","segment","region","industry","csm_id","sales_rep_id","created_at",'
    '"acquisition_channel"'
)
ACCOUNT = '"A9","Acme","SMB","APAC","Education",,,"2025-01-01T00:00:00Z","partner"'
SUBSCRIPTIONS = '"subscription_id","account_id","plan","mrr","seats","valid_from","valid_to"'


def _subscription(mrr: str) -> str:
    return f'"S9","A0000001","Scale",{mrr},15,2025-01-01,2025-06-01'


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A loaded demo workspace ``ws`` (50 accounts, 6 months) and the bad files beside it."""
    base = tmp_path_factory.mktemp("refusals")
    cwd = os.getcwd()
    os.chdir(base)
    try:
        assert run(["synth", "--out", "data", "--accounts", "50", "--months", "6"]) == 0
        assert run(["init", "--workspace", "ws"]) == 0
        assert run(["load", "data", "--workspace", "ws"]) == 0
    finally:
        os.chdir(cwd)
    bad = base / "bad"

    def put(name: str, data: bytes | str) -> None:
        path = bad / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)

    put("quote/accounts.csv", f'{ACCOUNTS}\n{ACCOUNT}\n"A8","Ac"me,"SMB",,,,,"2025-01-01",\n')
    put(
        "latin1/accounts.csv",
        f"{ACCOUNTS}\n{ACCOUNT}\n".encode() + b'"A8","Caf\xe9",,,,,,2025-01-01,\n',
    )
    put("utf16/accounts.csv", f"{ACCOUNTS}\n{ACCOUNT}\n".encode("utf-16"))
    put("field/accounts.csv", f'{ACCOUNTS}\n{ACCOUNT}\n"A8","{"x" * 3_000_000}",,,,,,2025-01-01,\n')
    put("line/accounts.csv", f"{ACCOUNTS}\n{ACCOUNT}\n{ACCOUNT * 30_000}\n")
    nul_id, nul_name = ACCOUNT.replace("A9", "A\x009"), ACCOUNT.replace("Acme", "Ac\x00me")
    put("nul_id/accounts.csv", f"{ACCOUNTS}\n{nul_id}\n")
    put("nul_name/accounts.csv", f"{ACCOUNTS}\n{nul_name}\n")
    put("offset/accounts.csv", f"{ACCOUNTS}\n{ACCOUNT.replace('00Z', '00+25:00')}\n")
    put("rowid/accounts.csv", f"{ACCOUNTS},rowid\n{ACCOUNT},1\n")
    put("collide/subscriptions.csv", f'{SUBSCRIPTIONS},"MRR "\n{_subscription("5")},6\n')
    for name, mrr in (("huge", "1e308"), ("inf", "inf"), ("nan", "nan")):
        put(f"{name}/subscriptions.csv", f"{SUBSCRIPTIONS}\n{_subscription(mrr)}\n")
    (bad / "loop").mkdir()
    os.symlink("accounts.csv", bad / "loop" / "accounts.csv")
    (bad / "fifo").mkdir()
    os.mkfifo(bad / "fifo" / "accounts.csv")
    return base


def snapshot(ws: Path) -> tuple[str, str, str]:
    """The generation the link points to, a hash of its bytes, a hash of tandem.toml."""
    link = ws / "tandem.duckdb"
    target = os.readlink(link)
    return (
        target,
        hashlib.sha256((ws / target).read_bytes()).hexdigest(),
        hashlib.sha256((ws / "tandem.toml").read_bytes()).hexdigest(),
    )


def refused(
    root: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    *expected: str,
    ws: str = "ws",
) -> str:
    """Run ``tandem ARGS`` in ``root``: exit 2, one ``error:`` line matching every pattern
    in ``expected``, and ``ws`` unchanged. The error line."""
    before = snapshot(root / ws) if (root / ws / "tandem.duckdb").exists() else None
    cwd = os.getcwd()
    os.chdir(root)
    try:
        capsys.readouterr()
        code = run(args)
        err = capsys.readouterr().err
    finally:
        os.chdir(cwd)
    errors = [line for line in err.splitlines() if not line.startswith("warning:")]
    assert code == 2, err
    assert "Traceback" not in err
    if errors[-1:] == ["Nothing was loaded."]:
        errors = errors[:-1]
    assert len(errors) == 1, err
    assert errors[0].startswith("error: "), err
    for pattern in expected:
        assert re.search(pattern, errors[0]), (pattern, errors[0])
    if before is not None:
        assert snapshot(root / ws) == before
    return errors[0]


# -- the command line -----------------------------------------------------------------


def test_several_dimensions_at_once(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Formerly a traceback (the two team-member joins shared an alias).
    code = run(
        ["metric", "net_revenue_retention", "-w", str(root / "ws"), "--by", "csm,sales_rep",
         "-f", "csv"]
    )  # fmt: skip
    header = capsys.readouterr().out.splitlines()[0].split(",")
    assert code == 0
    assert {"csm", "sales_rep"} <= {h.split(".")[-1] for h in header} or (
        "csm_id" in header and "sales_rep_id" in header
    ), header


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["metric", "nps", "--grain", "year", "--to", "9999-12-31"],
            [r"--to 9999-12-31", r"between 1900-01-01 and 2999-12-31"],
        ),
        (["metric", "nps", "-f", "csv", "--output", "bad"], [r"--output bad", "folder"]),
        (
            ["metric", "nps", "-f", "csv", "--output", "missing/out.csv"],
            [r"--output missing/out\.csv", r"missing does not exist"],
        ),
        (["explain", "nps", "-p", "2025-01", "--limit", "-5"], [r"--limit -5"]),
        (
            ["explain", "nps", "-p", "2025-01", "--limit", "99999999999999999999"],
            [r"--limit 99999999999999999999: expected 0 \(all rows\) or a positive number"],
        ),
    ],
    ids=["year-9999", "output-folder", "output-missing-folder", "limit-negative", "limit-huge"],
)
def test_hostile_arguments(
    root: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: list[str]
) -> None:
    refused(root, capsys, [*args, "-w", "ws"], *expected)


def test_synth_into_a_folder_that_cannot_be_made(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused(root, capsys, ["synth", "--out", "/proc/tandem", "-n", "5"], r"--out /proc/tandem")


# -- files given to load ----------------------------------------------------------------

LOADS = {
    "quote": [r"bad/quote/accounts\.csv row 3", r"quote closes in the middle of a field"],
    "latin1": [r"bad/latin1/accounts\.csv row 3", r"byte 0xe9 is not UTF-8", "Latin-1"],
    "utf16": [r"bad/utf16/accounts\.csv row 1", r"UTF-16"],
    "field": [r"bad/field/accounts\.csv row 3", r"longer than 2 MB"],
    "line": [r"bad/line/accounts\.csv row 3", r"longer than 2 MB"],
    "nul_id": [r"row 2, column account_id", r"control character"],
    "nul_name": [r"row 2, column name", r"control character"],
    "offset": [r"row 2, column created_at: '2025-01-01T00:00:00\+25:00'"],
    "rowid": [r"bad/rowid/accounts\.csv", r"'rowid' is a name the database reserves"],
    "collide": [r"bad/collide/subscriptions\.csv", r"columns 'mrr' and 'MRR ' both give mrr"],
    "huge": [r"row 2, column mrr: '1e\+308' is beyond ±1e\+12"],
    "inf": [r"row 2, column mrr: 'inf' is not a number"],
    "nan": [r"row 2, column mrr: 'nan' is not a number"],
    "loop": [r"bad/loop/accounts\.csv", r"symbolic link that loops"],
    "fifo": [r"bad/fifo/accounts\.csv", r"named pipe \(FIFO\)"],
}


@pytest.mark.parametrize("case", list(LOADS))
def test_bad_files_are_refused_with_their_reason(
    root: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    target = f"bad/{case}/accounts.csv" if case in ("loop", "fifo") else f"bad/{case}"
    line = refused(root, capsys, ["load", target, "-w", "ws"], *LOADS[case])
    if case == "loop":
        assert "did you mean" not in line


# -- settings from the file and the environment -------------------------------------------


@pytest.fixture
def edited(root: Path) -> Iterator[Path]:
    """ws's tandem.toml, restored after the test."""
    path = root / "ws" / "tandem.toml"
    before = path.read_bytes()
    yield path
    path.write_bytes(before)


def test_a_byte_that_is_not_utf8_in_tandem_toml(
    root: Path, capsys: pytest.CaptureFixture[str], edited: Path
) -> None:
    text = edited.read_bytes()
    lines = text.count(b"\n")
    edited.write_bytes(text + b"# caf\xe9\n")
    refused(root, capsys, ["status", "-w", "ws"], rf"ws/tandem\.toml line {lines + 1}", "0xe9")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "onboarding_target_days = 30",
            "onboarding_target_days = -5",
            [r"tandem\.toml line \d+: metrics\.onboarding_target_days", "greater than or equal"],
        ),
        (
            "adoption_min_days = 1",
            "adoption_min_days = 400",
            [r"tandem\.toml line \d+: metrics\.adoption_min_days", "less than or equal to 366"],
        ),
        (
            'value_event = "session"',
            'value_event = ""',
            [r"tandem\.toml line \d+: metrics\.value_event"],
        ),
        (
            'database_file = "tandem.duckdb"',
            'database_file = "nowhere/tandem.duckdb"',
            [r"ws/nowhere/tandem\.duckdb", r"folder ws/nowhere does not exist"],
        ),
        (
            'url = ""',
            'url = "postgresql://u@127.0.0.1:1/db?password=hunter2"',
            [r"tandem\.toml line \d+: a password must not be written", "env:TANDEM_BACKEND_URL"],
        ),
        (
            'url = ""',
            'url = "duckdb://x.db?password=abc"',
            [r"tandem\.toml line \d+: backend\.url", "takes no parameters"],
        ),
    ],
    ids=["negative-target", "adoption-400", "empty-value-event", "db-folder", "pw-query", "duckdb"],
)
def test_bad_settings_in_the_file(
    root: Path,
    capsys: pytest.CaptureFixture[str],
    edited: Path,
    old: str,
    new: str,
    expected: list[str],
) -> None:
    text = edited.read_text()
    assert old in text
    edited.write_text(text.replace(old, new, 1))
    line = refused(root, capsys, ["status", "-w", "ws"], *expected)
    assert "hunter2" not in line


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        (
            "TANDEM__BACKEND__MEMORY_LIMIT",
            "foo",
            [r"environment variable TANDEM__BACKEND__MEMORY_LIMIT"],
        ),
        ("TANDEM__METRICS", "{bad", [r"environment variable TANDEM__METRICS: not valid JSON"]),
        ("TANDEM_MEMORY_LIMIT", "foo", [r"TANDEM_MEMORY_LIMIT", "TANDEM__BACKEND__MEMORY_LIMIT"]),
        (
            "TANDEM__METRICS__ADOPTION_MIN_DAYS",
            "400",
            [r"variable TANDEM__METRICS__ADOPTION_MIN_DAYS"],
        ),
        ("TANDEM__METRICS__NO_SUCH_KNOB", "1", [r"no setting metrics\.no_such_knob"]),
    ],
    ids=["memory-limit", "json", "single-underscore", "knob-range", "unknown-knob"],
)
def test_bad_environment_values_name_the_variable(
    root: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    value: str,
    expected: list[str],
) -> None:
    monkeypatch.setenv(name, value)
    line = refused(root, capsys, ["status", "-w", "ws"], *expected)
    assert "tandem.toml" not in line


def test_a_password_from_the_environment_is_never_printed(
    root: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    edited: Path,
) -> None:
    edited.write_text(edited.read_text().replace('url = ""', 'url = "env:PROBE_URL"', 1))
    monkeypatch.setenv("PROBE_URL", "postgresql://u:hunter2@127.0.0.1:1/db?password=hunter3")
    line = refused(root, capsys, ["status", "-w", "ws"], r"127\.0\.0\.1:1/db")
    assert "hunter" not in line


# -- the workspace on disk --------------------------------------------------------------------


def test_a_truncated_database(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    copy = root / "truncated"
    shutil.copytree(root / "ws", copy, symlinks=True)
    generation = copy / os.readlink(copy / "tandem.duckdb")
    with generation.open("r+b") as f:
        f.truncate(generation.stat().st_size // 3)
    for args in (["status"], ["metric", "nps"], ["load", "data"]):
        line = refused(
            root, capsys, [*args, "-w", "truncated"], r"truncated/tandem\.duckdb: .*damaged",
            ws="truncated",
        )  # fmt: skip
        assert ".duckdb.d/" not in line and str(root) not in line


def test_a_load_on_a_read_only_workspace(root: Path) -> None:
    """Reads work, a load says the workspace is read-only; as root, run as nobody."""
    shared = Path(tempfile.mkdtemp(prefix="tandem-ro-"))
    try:
        shutil.copytree(root / "ws", shared / "ws", symlinks=True)
        shutil.copytree(root / "data", shared / "data")
        os.chmod(shared, 0o755)
        for path in [shared / "ws", shared / "data", *(shared / "ws").rglob("*"),
                     *(shared / "data").rglob("*")]:  # fmt: skip
            if not path.is_symlink():
                os.chmod(path, 0o555 if path.is_dir() else 0o444)
        before = snapshot(shared / "ws")
        prefix: list[str] = []
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("running as root without setpriv: cannot drop the right to write")
            prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        command = [*prefix, sys.executable, "-m", "tandem.apps.cli"]
        env = {**os.environ, "HOME": str(shared)}
        read = subprocess.run(
            [*command, "status", "-w", "ws"], cwd=shared, capture_output=True, text=True, env=env
        )
        load = subprocess.run(
            [*command, "load", "data", "-w", "ws"],
            cwd=shared,
            capture_output=True,
            text=True,
            env=env,
        )
        assert read.returncode == 0, read.stderr
        assert load.returncode == 2, load.stderr
        assert load.stderr.strip().splitlines() == [
            "error: ws: the workspace is read-only for you (cannot write tandem.duckdb.lock); "
            "loads need write access, reads do not"
        ]
        assert snapshot(shared / "ws") == before
    finally:
        for path in [shared, *shared.rglob("*")]:
            if not path.is_symlink():
                os.chmod(path, stat.S_IRWXU)
        shutil.rmtree(shared)


# -- init ------------------------------------------------------------------------------------


def test_init_with_a_password_writes_nothing(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for url in (
        "postgresql://u:secret@127.0.0.1:1/db",
        "postgresql://u@127.0.0.1:1/db?password=secret",
    ):
        line = refused(
            root, capsys, ["init", "-w", "fresh", "--backend-url", url],
            r"--backend-url", "env:TANDEM_BACKEND_URL", ws="fresh",
        )  # fmt: skip
        assert "secret" not in line
        assert not (root / "fresh").exists()


def test_init_that_cannot_reach_its_database_writes_nothing(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROBE_URL", "postgresql://u:hunter2@127.0.0.1:1/db")
    line = refused(
        root, capsys, ["init", "-w", "deep/fresh", "--backend-url-env", "PROBE_URL"],
        r"cannot connect to PostgreSQL at 127\.0\.0\.1:1/db", ws="deep/fresh",
    )  # fmt: skip
    assert "hunter2" not in line
    assert not (root / "deep").exists()


def test_init_on_a_workspace_with_other_options(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused(
        root, capsys, ["init", "-w", "ws", "--backend-url", "duckdb://other.duckdb"],
        r"ws/tandem\.toml: the workspace exists with backend\.url '\(embedded DuckDB\)', "
        r"not 'duckdb://other\.duckdb'", "--force",
    )  # fmt: skip
