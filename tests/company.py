"""A small company worked by hand, loaded through ``tandem load``: the web and accounts tests.

As of 2026-10-15 (the injected today):

| id | name             | segment    | CSM | rep | MRR rows (from → to)                | today    |
|----|------------------|------------|-----|-----|-------------------------------------|----------|
| A1 | Alpha Corp       | SMB        | E1  | R1  | 100 2025-01-01 → 2026-03-01; 150 →   | 150 cust |
| A2 | Beta LLC         | SMB        | E1  | R1  | 50 2025-06-01 → 2026-09-01          | 0 churn  |
| A3 | Gamma Inc        | Enterprise | E2  | R1  | 1000 2025-01-01 →                   | 1000     |
| A4 | Delta 100% Ltd   | Enterprise | E2  |     | 400 2025-02-01 → 2026-05-01; 300 →   | 300      |
| A5 | Epsilon_Prospect | SMB        |     | R1  | none                                | 0 prosp. |

(→ with no date: still running.)

NPS responses: September 2026 A1 10, A2 3, A3 9, A4 7 → 2 promoters, 1 passive, 1
detractor: NPS = 100 × (2 − 1) / 4 = 25; SMB (10, 3) = 0; Enterprise (9, 7) = 50.
August 2026: A1 6, A3 10 → NPS 100 × (1 − 1) / 2 = 0.
Team: E1 Cara Stone and E2 Dan Ortiz (customer_success, managed by M1 Maya Lead), R1
Rita Reyes (sales).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

TODAY = dt.date(2026, 10, 15)

TABLES = {
    "team_members": """member_id,name,team,manager_id,email
M1,Maya Lead,customer_success,,maya@example.com
E1,Cara Stone,customer_success,M1,cara@example.com
E2,Dan Ortiz,customer_success,M1,dan@example.com
R1,Rita Reyes,sales,,rita@example.com
""",
    "accounts": """account_id,name,segment,region,industry,csm_id,sales_rep_id,created_at
A1,Alpha Corp,SMB,EMEA,Retail,E1,R1,2024-12-01
A2,Beta LLC,SMB,EMEA,Retail,E1,R1,2025-05-01
A3,Gamma Inc,Enterprise,North America,Software,E2,R1,2024-12-15
A4,Delta 100% Ltd,Enterprise,North America,Software,E2,,2025-01-10
A5,Epsilon_Prospect,SMB,EMEA,Education,,R1,2026-06-01
""",
    "subscriptions": """subscription_id,account_id,plan,mrr,seats,valid_from,valid_to
S1,A1,Growth,100,10,2025-01-01,2026-03-01
S1b,A1,Growth,150,15,2026-03-01,
S2,A2,Starter,50,5,2025-06-01,2026-09-01
S3,A3,Enterprise,1000,80,2025-01-01,
S4,A4,Enterprise,400,40,2025-02-01,2026-05-01
S4b,A4,Enterprise,300,30,2026-05-01,
""",
    "survey_responses": """response_id,account_id,contact_id,survey,score,responded_at,\
touchpoint,comment
V1,A1,c1,nps,10,2026-09-03T10:00:00Z,relationship,Love it
V2,A2,c2,nps,3,2026-09-10T10:00:00Z,relationship,Too expensive
V3,A3,c3,nps,9,2026-09-12T10:00:00Z,relationship,
V4,A4,c4,nps,7,2026-09-20T10:00:00Z,relationship,
V5,A1,c1,nps,6,2026-08-05T10:00:00Z,relationship,
V6,A3,c3,nps,10,2026-08-06T10:00:00Z,relationship,
V7,A1,c1,csat,5,2026-09-04T10:00:00Z,support_ticket,
""",
    "tickets": """ticket_id,account_id,created_at,resolved_at,contacts,escalated,priority,channel
K1,A1,2026-09-01T09:00:00Z,2026-09-02T09:00:00Z,1,false,normal,email
K2,A2,2026-08-20T09:00:00Z,2026-08-25T09:00:00Z,3,true,high,chat
""",
    "onboardings": """onboarding_id,account_id,started_at,target_days,go_live_at,status
B1,A1,2025-01-01T00:00:00Z,30,2025-01-21T00:00:00Z,live
B3,A3,2025-01-01T00:00:00Z,30,2025-02-15T00:00:00Z,live
""",
    "usage_events": """account_id,user_id,ts,event,duration_s
A1,u1,2026-10-05T09:00:00Z,session,600
A1,u2,2026-10-06T09:00:00Z,session,1200
A1,u1,2026-10-06T10:00:00Z,export,
A1,u1,2026-09-29T09:00:00Z,session,300
A3,u9,2026-10-07T09:00:00Z,session,60
""",
}


def write_company(folder: Path) -> Path:
    """The tables as CSV files in ``folder`` (created)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in TABLES.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def make_workspace(root: Path) -> Path:
    """A workspace at ``root / 'ws'`` with the company loaded through the real loader."""
    from tandem.service.workspace import Workspace

    data = write_company(root / "data")
    ws = Workspace.init(root / "ws")
    try:
        ws.load([data])
    finally:
        ws.close()
    return root / "ws"
