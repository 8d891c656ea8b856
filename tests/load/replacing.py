"""A full refresh of every table, for --replace and --dry-run on each backend.

For each table, a first export holds keys K1 and K2; the refreshed export
drops K1, changes a value of K2 and adds K3. Replacing the table must delete
K1 (the earliest row, so the load log's ``changed_from`` is K1's date, or the
beginning of time for accounts and team members), update K2 and insert K3;
a dry run must report exactly that and change nothing, the load log included.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from tandem.schema import TABLE_NAMES
from tandem.service.workspace import Workspace
from tandem.store import EVERYTHING

HEADERS = {
    "team_members": "member_id,name,team",
    "accounts": "account_id,name,created_at",
    "subscriptions": "subscription_id,account_id,mrr,valid_from",
    "deals": "deal_id,account_id,type,created_at,outcome,qualified",
    "orders": "order_id,account_id,ordered_at,amount",
    "trials": "trial_id,account_id,kind,started_at",
    "handoffs": "handoff_id,account_id,handed_off_at,fields_required,fields_completed,errors_found",
    "onboardings": "onboarding_id,account_id,started_at",
    "usage_events": "account_id,user_id,ts,event",
    "survey_responses": "response_id,account_id,survey,score,responded_at",
    "tickets": "ticket_id,account_id,created_at,contacts,escalated",
    "costs": "month,category,purpose,amount",
}
#: Per table: K1 (dropped by the refresh, dated 2024-01-05), K2, K2 changed, K3.
ROWS: dict[str, tuple[str, str, str, str]] = {
    "team_members": ("M1,Ann,sales", "M2,Bob,sales", "M2,Bob,support", "M3,Cy,sales"),
    "accounts": ("K1,One,2024-01-05", "A-1,Acme,2024-03-01", "A-1,Acme Inc,2024-03-01",
                 "K3,Three,2024-04-01"),
    "subscriptions": ("S1,A-1,10,2024-01-05", "S2,A-1,20,2024-03-01", "S2,A-1,25,2024-03-01",
                      "S3,A-1,30,2024-04-01"),
    "deals": ("D1,A-1,upsell,2024-01-05,open,true", "D2,A-1,upsell,2024-03-01,open,true",
              "D2,A-1,upsell,2024-03-01,open,false", "D3,A-1,upsell,2024-04-01,open,true"),
    "orders": ("O1,A-1,2024-01-05,1", "O2,A-1,2024-03-01,2", "O2,A-1,2024-03-01,3",
               "O3,A-1,2024-04-01,4"),
    "trials": ("T1,A-1,pilot,2024-01-05", "T2,A-1,pilot,2024-03-01", "T2,A-1,freemium,2024-03-01",
               "T3,A-1,pilot,2024-04-01"),
    "handoffs": ("H1,A-1,2024-01-05,3,3,0", "H2,A-1,2024-03-01,3,2,0", "H2,A-1,2024-03-01,3,3,0",
                 "H3,A-1,2024-04-01,3,3,1"),
    "onboardings": ("N1,A-1,2024-01-05", "N2,A-1,2024-03-01", "N2,A-2,2024-03-01",
                    "N3,A-1,2024-04-01"),
    "usage_events": ("A-1,,2024-01-05,session", "A-1,u1,2024-03-01,session",
                     "A-1,u1,2024-03-01,session", "A-1,,2024-04-01,session"),
    "survey_responses": ("R1,A-1,nps,9,2024-01-05", "R2,A-1,nps,7,2024-03-01",
                         "R2,A-1,nps,8,2024-03-01", "R3,A-1,csat,5,2024-04-01"),
    "tickets": ("K1,A-1,2024-01-05,1,false", "K2,A-1,2024-03-01,1,false",
                "K2,A-1,2024-03-01,2,false", "K3,A-1,2024-04-01,1,true"),
    "costs": ("2024-01-01,sales,acquisition,5", "2024-03-01,sales,acquisition,6",
              "2024-03-01,sales,acquisition,7", "2024-04-01,sales,acquisition,8"),
}  # fmt: skip
#: usage_events has no value column to change: its K2 row stays unchanged.
UPDATED = {t: (0 if t == "usage_events" else 1) for t in TABLE_NAMES}
FIRST_DAY = {
    t: EVERYTHING if t in ("accounts", "team_members") else dt.date(2024, 1, 5) for t in TABLE_NAMES
} | {"costs": dt.date(2024, 1, 1)}


def exports(folder: Path, refreshed: bool) -> Path:
    """Every table as a CSV named after it: the first export, or the refreshed one."""
    folder.mkdir(parents=True, exist_ok=True)
    for table in TABLE_NAMES:
        k1, k2, k2_changed, k3 = ROWS[table]
        lines = [k2_changed, k3] if refreshed else [k1, k2]
        if table == "accounts":  # A-2 stays, for the rows that name it
            lines.append("A-2,Beta,2024-03-01")
        (folder / f"{table}.csv").write_text("\n".join([HEADERS[table], *lines]) + "\n")
    return folder


def counts(report: Any) -> dict[str, tuple[int, int, int, int]]:
    return {t.table: (t.new, t.updated, t.unchanged, t.deleted) for t in report.tables}


EXPECTED = {
    t: (1, UPDATED[t], 1 - UPDATED[t] + (1 if t == "accounts" else 0), 1) for t in TABLE_NAMES
}


def check_replace_every_table(ws: Workspace, tmp_path: Path) -> None:
    """A dry run reports the refresh and changes nothing; the refresh then does the same."""
    ws.load([exports(tmp_path / "first", refreshed=False)])
    before = ws.row_counts()
    last = ws.store.last_load()
    refreshed = exports(tmp_path / "refreshed", refreshed=True)
    dry = ws.load([refreshed], replace=TABLE_NAMES, dry_run=True)
    assert dry.dry_run
    assert counts(dry) == EXPECTED
    assert ws.row_counts() == before
    assert ws.store.last_load() == last
    done = ws.load([refreshed], replace=TABLE_NAMES)
    assert counts(done) == EXPECTED
    assert ws.row_counts() == before  # one row deleted and one inserted in each table
    logged = {e.table: e.changed_from for e in ws.store.loads_since(last)}
    assert logged == FIRST_DAY
