"""The Zendesk preset, on a ticket export written in Zendesk's CSV layout.

No genuine export could be stored; the columns are the legacy CSV ticket
export's, in the order documented in ``../shared/vendor-samples/zendesk/
columns.md`` (Exporting data: https://support.zendesk.com/hc/en-us/articles/4408886165402),
with its awkward parts: an empty "Summation column", organizations named
instead of identified, the channel in "Via", times in local time with their
offset, satisfaction as words (Good, Bad, Offered, Unoffered, and the older
GoodWithComment), "-" in an empty custom list field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from tandem.service.workspace import Workspace
from tests.load.files import refused, rows, write

COLUMNS = [
    "Summation column", "Id", "Requester", "Requester id", "Requester external id",
    "Requester email", "Requester domain", "Submitter", "Assignee", "Group", "Subject", "Tags",
    "Status", "Priority", "Via", "Ticket type", "Created at", "Updated at", "Assigned at",
    "Organization", "Due date", "Initially assigned at", "Solved at", "Resolution time",
    "Satisfaction Score", "Group stations", "Assignee stations", "Reopens", "Replies",
    "First reply time in minutes", "First reply time in minutes within business hours",
    "First resolution time in minutes", "First resolution time in minutes within business hours",
    "Full resolution time in minutes", "Full resolution time in minutes within business hours",
    "Agent wait time in minutes", "Agent wait time in minutes within business hours",
    "Requester wait time in minutes", "Requester wait time in minutes within business hours",
    "On hold time in minutes", "On hold time in minutes within business hours",
    "Ticket Category [list]",
]  # fmt: skip

TICKETS = [
    # id, org, tags, status, priority, via, created, solved, rating, replies, 1st reply
    ("1", "Acme", "billing", "Closed", "Normal", "Email", "2024-03-01 09:00:00 +0100",
     "2024-03-01 11:30:00 +0100", "Good", "1", "35"),
    ("2", "Acme", "escalated bug", "Solved", "High", "Web Widget", "2024-03-04 22:30:00 -0500",
     "2024-03-06 10:00:00 -0500", "Bad", "3", "120"),
    ("3", "Beta", "", "Solved", "Low", "Chat", "2024-03-10 08:00:00 +0000",
     "2024-03-10 09:00:00 +0000", "Offered", "0", ""),
    ("4", "Beta", "escalated", "Open", "Urgent", "Phone", "2024-03-20 12:00:00 +0100",
     "", "Unoffered", "2", "5"),
    ("5", "Beta", "", "Closed", "Normal", "Email", "2024-02-28 10:00:00 +0000",
     "2024-03-02 10:00:00 +0000", "GoodWithComment", "1", "600"),
]  # fmt: skip


def _export(path: Path, tickets: list[tuple[str, ...]] = TICKETS) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for t in tickets:
        tid, org, tags, status, priority, via, created, solved, rating, replies, first = t
        row = dict.fromkeys(COLUMNS, "")
        row.update(
            {
                "Id": tid,
                "Requester": f"Requester {tid}",
                "Requester email": f"user{tid}@{org.lower()}.example",
                "Requester domain": f"{org.lower()}.example",
                "Subject": f"Ticket {tid}",
                "Tags": tags,
                "Status": status,
                "Priority": priority,
                "Via": via,
                "Ticket type": "Question",
                "Created at": created,
                "Updated at": solved or created,
                "Organization": org,
                "Solved at": solved,
                "Satisfaction Score": rating,
                "Reopens": "0",
                "Replies": replies,
                "First reply time in minutes": first,
                "Ticket Category [list]": "-",
            }
        )
        writer.writerow(row.values())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def _accounts(ws: Workspace, folder: Path) -> None:
    ws.load(
        [
            write(
                folder / "accounts.csv",
                "account_id,name,created_at\nA-1,Acme,2023-01-01\nA-2,Beta,2023-01-01\n",
            )
        ]
    )


def test_tickets_and_their_ratings(ws: Workspace, tmp_path: Path) -> None:
    """Offsets applied (09:00 +0100 is 08:00 UTC); contacts = replies, at least 1;
    the tag 'escalated' escalates; Good and GoodWithComment are 5, Bad 1, Offered and
    Unoffered no response."""
    _accounts(ws, tmp_path / "seed")
    report = ws.load([_export(tmp_path / "export-2024-04-01.csv")], preset="zendesk")
    assert [(f.table, f.rows) for f in report.files] == [
        ("survey_responses", 3),
        ("tickets", 5),
    ]
    t = dt.datetime
    assert rows(ws, "tickets", "ticket_id, account_id, created_at, resolved_at, contacts, "
                "escalated, priority, channel, first_reply_minutes") == [
        ("1", "A-1", t(2024, 3, 1, 8), t(2024, 3, 1, 10, 30), 1, False, "Normal", "Email", 35.0),
        ("2", "A-1", t(2024, 3, 5, 3, 30), t(2024, 3, 6, 15), 3, True, "High", "Web Widget", 120.0),
        ("3", "A-2", t(2024, 3, 10, 8), t(2024, 3, 10, 9), 1, False, "Low", "Chat", None),
        ("4", "A-2", t(2024, 3, 20, 11), None, 2, True, "Urgent", "Phone", 5.0),
        ("5", "A-2", t(2024, 2, 28, 10), t(2024, 3, 2, 10), 1, False, "Normal", "Email", 600.0),
    ]  # fmt: skip
    assert rows(ws, "survey_responses", "response_id, account_id, survey, score, responded_at") == [
        ("zendesk-1", "A-1", "csat", 5, t(2024, 3, 1, 10, 30)),
        ("zendesk-2", "A-1", "csat", 1, t(2024, 3, 6, 15)),
        ("zendesk-5", "A-2", "csat", 5, t(2024, 3, 2, 10)),
    ]


def test_support_metrics_by_hand(survey_ws: Workspace, tmp_path: Path) -> None:
    """March 2024. Resolved: 1 (1 contact), 2 (3), 3 (1), 5 (1, solved 2 Mar):
    first contact resolution 100 × 3 / 4 = 75. CSAT: 5, 1, 5: 100 × 2 / 3."""
    ws = survey_ws
    _accounts(ws, tmp_path / "seed")
    ws.load([_export(tmp_path / "export.csv")], preset="zendesk")
    got = ws.compute(["first_contact_resolution", "csat"], start="2024-03", end="2024-03")
    fcr = got["first_contact_resolution"].rows.iloc[0]
    assert (fcr["resolved_on_first_contact"], fcr["resolved_tickets"], fcr["value"]) == (3, 4, 75)
    csat = got["csat"].rows.iloc[0]
    assert (csat["satisfied"], csat["csat_responses"]) == (2, 3)


def test_an_unknown_organization_is_refused_on_its_row(ws: Workspace, tmp_path: Path) -> None:
    _accounts(ws, tmp_path / "seed")
    tickets = [*TICKETS[:2], ("6", "Gamma", "", "Open", "Low", "Email", "2024-03-02 10:00", "",
                              "Good", "1", "")]  # fmt: skip
    path = _export(tmp_path / "export.csv", tickets)
    assert refused(ws, [path], preset="zendesk") == [
        f"{path} row 4, column Organization: 'Gamma' matches no account by name "
        "(load the accounts first or in the same load)",
        f"{path} row 4, column Organization: 'Gamma' matches no account by name "
        "(load the accounts first or in the same load)",
        "Nothing was loaded.",
    ]
