"""``tandem metric``: CSV and JSON output and usage errors, on a workspace seeded by hand.

The CLI opens the workspace from its tandem.toml, so the fixture's knobs do not apply
there: these tests use metrics that need only the defaults, or write knobs into the file.
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from tandem.apps.cli import app

TANDEM = Path(sys.executable).parent / "tandem"

TICKETS = {
    "accounts": [
        {"account_id": "E", "name": "E", "segment": "Enterprise", "created_at": "2020-01-01"},
        {"account_id": "S", "name": "S", "segment": "SMB", "created_at": "2020-01-01"},
    ],
    "tickets": [
        {
            "ticket_id": t,
            "account_id": a,
            "created_at": "2024-03-01",
            "resolved_at": at,
            "contacts": n,
            "escalated": False,
        }
        for t, a, at, n in [
            ("t1", "E", "2024-03-02", 1),
            ("t2", "E", "2024-03-05", 3),
            ("t3", "S", "2024-03-07", 1),
            ("t4", "S", "2024-04-09", 2),
        ]
    ],
}
ARGS = ["--from", "2024-03", "--to", "2024-04", "--by", "segment"]


def workspace(seeded, rows) -> str:
    ws = seeded(rows)
    ws.close()  # the CLI opens the database file itself
    return str(ws.path)


def run(*args: str) -> str:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.stdout


def test_metric_csv_has_period_dimension_value_components_fingerprint(seeded):
    """First contact resolution by segment, March and April 2024 (by resolved_at):

    March, Enterprise: t1 (1 contact), t2 (3) → 1 of 2 → 50.  March, SMB: t3 (1) → 100.
    April, Enterprise: nothing resolved → empty value, counts 0.  April, SMB: t4 (2) → 0.
    """
    path = workspace(seeded, TICKETS)
    out = run("metric", "first_contact_resolution", "--workspace", path, *ARGS, "--format", "csv")
    lines = out.splitlines()
    assert lines[0] == (
        "period,segment,value,resolved_on_first_contact,resolved_tickets,fingerprint"
    )
    records = list(csv.DictReader(io.StringIO(out)))
    got = [
        (
            r["period"],
            r["segment"],
            r["value"],
            int(r["resolved_on_first_contact"]),
            int(r["resolved_tickets"]),
        )
        for r in records
    ]
    assert [(p, s, float(v) if v else None, a, b) for p, s, v, a, b in got] == [
        ("2024-03-01", "Enterprise", 50, 1, 2),
        ("2024-03-01", "SMB", 100, 1, 1),
        ("2024-04-01", "Enterprise", None, 0, 0),
        ("2024-04-01", "SMB", 0, 0, 1),
    ]
    fingerprints = {r["fingerprint"] for r in records}
    assert len(fingerprints) == 1
    assert re.fullmatch(r"[0-9a-f]{10}", fingerprints.pop())


def test_metric_json_carries_rows_and_definition(seeded):
    """The same numbers as JSON: no value is null; the header names the metric, grain,
    dimensions and the fingerprint also printed in CSV."""
    path = workspace(seeded, TICKETS)
    doc = json.loads(
        run("metric", "first_contact_resolution", "--workspace", path, *ARGS, "--format", "json")
    )
    assert (doc["metric"], doc["grain"], doc["dimensions"]) == (
        "first_contact_resolution",
        "month",
        ["segment"],
    )
    assert [(r["period"], r["segment"], r["value"]) for r in doc["rows"]] == [
        ("2024-03-01", "Enterprise", 50),
        ("2024-03-01", "SMB", 100),
        ("2024-04-01", "Enterprise", None),
        ("2024-04-01", "SMB", 0),
    ]
    csv_out = run(
        "metric", "first_contact_resolution", "--workspace", path, *ARGS, "--format", "csv"
    )
    assert doc["fingerprint"] in csv_out


def test_metric_reads_knobs_from_tandem_toml(seeded):
    """csat_threshold = 5 and min_survey_responses = 0 written into tandem.toml.
    CSAT scores in March 2024: 5, 5, 4, 3 → satisfied (≥ 5) = 2 of 4 → 50 (the default
    threshold 4 would give 75). The knobs are in the JSON header, and the fingerprint
    differs from the default workspace's."""
    rows = {
        "survey_responses": [
            {
                "response_id": f"r{i}",
                "account_id": "A",
                "survey": "csat",
                "score": s,
                "responded_at": "2024-03-10",
            }
            for i, s in enumerate([5, 5, 4, 3])
        ]
    }
    path = workspace(seeded, rows)
    toml = Path(path) / "tandem.toml"
    text = toml.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^csat_threshold = \d+$", "csat_threshold = 5", text)
    text = re.sub(r"(?m)^min_survey_responses = \d+$", "min_survey_responses = 0", text)
    toml.write_text(text, encoding="utf-8")
    args = [
        "metric",
        "csat",
        "--workspace",
        path,
        "--from",
        "2024-03",
        "--to",
        "2024-03",
        "--format",
        "json",
    ]
    doc = json.loads(run(*args))
    assert doc["knobs"]["csat_threshold"] == 5
    assert [(r["value"], r["satisfied"], r["csat_responses"]) for r in doc["rows"]] == [(50, 2, 4)]
    default = workspace(seeded, {})
    assert (
        json.loads(run(*[default if a == path else a for a in args]))["fingerprint"]
        != (doc["fingerprint"])
    )


def test_unknown_metric_exits_2_with_a_suggestion(seeded):
    """A misspelt slug is a usage error: exit status 2, one line on stderr naming the
    closest slug, nothing on stdout."""
    path = workspace(seeded, TICKETS)
    done = subprocess.run(
        [str(TANDEM), "metric", "first_contact_resolutin", "--workspace", path, "--format", "csv"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "did you mean 'first_contact_resolution'" in done.stderr
    assert done.stdout == ""
