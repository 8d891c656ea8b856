"""The go-to-market teams: heads, managers and the people who carry accounts.

Sizes follow the number of accounts: one CSM per ~80 accounts, one sales rep
per ~200, then smaller marketing, support and onboarding teams. Each team has
a head (no manager) and managers of about eight people each. CSMs and reps
get a hidden ``quality``; it is written only to the truth folder
(``member_quality``) so that tests and model evaluations can check what the
data promises.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from tandem.schema import TEAMS
from tandem.synth import columns as col
from tandem.synth.company import Staff
from tandem.synth.names import FIRST_NAMES, LAST_NAMES

ACCOUNTS_PER = {
    "marketing": 1_000,
    "sales": 200,
    "customer_success": 80,
    "support": 250,
    "onboarding": 400,
}
SPAN = 8


def _team_sizes(accounts: int) -> dict[str, int]:
    return {t: max(2, math.ceil(accounts / ACCOUNTS_PER[t])) for t in TEAMS}


def make_team(
    rng: np.random.Generator, accounts: int
) -> tuple[dict[str, pa.Array], dict[str, pa.Array], Staff]:
    """``team_members`` columns, the hidden-quality side table, and the staff to assign."""
    team_idx, manager, is_ic = [], [], []
    start = 1
    for t, size in enumerate(_team_sizes(accounts).values()):
        managers = math.ceil(size / SPAN)
        head = start
        first_manager = head + 1
        first_ic = first_manager + managers
        team_idx.append(np.full(1 + managers + size, t))
        manager.append(
            np.r_[0, np.full(managers, head), first_manager + np.arange(size) % managers]
        )
        is_ic.append(np.r_[np.zeros(1 + managers, bool), np.ones(size, bool)])
        start = first_ic + size
    teams = np.concatenate(team_idx)
    managers_of = np.concatenate(manager)
    ic = np.concatenate(is_ic)
    numbers = np.arange(1, len(teams) + 1)
    width = col.width_for(len(numbers), 5)
    first = col.labels(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), len(numbers)))
    last = col.labels(LAST_NAMES, rng.integers(0, len(LAST_NAMES), len(numbers)))
    local = pc.utf8_lower(pc.binary_join_element_wise(first, last, "."))
    email = pc.binary_join_element_wise(
        local, pc.cast(pa.array(numbers), pa.string()), pa.scalar("@tandem-demo.example"), ""
    )
    quality = rng.normal(0.0, 1.0, len(numbers))
    members = {
        "member_id": col.ids("E", numbers, width),
        "name": pc.binary_join_element_wise(first, last, " "),
        "team": col.labels(TEAMS, teams),
        "manager_id": col.null_where(col.ids("E", managers_of, width), managers_of == 0),
        "email": email,
    }
    carries = ic & np.isin(teams, [TEAMS.index("customer_success"), TEAMS.index("sales")])
    hidden = {
        "member_id": col.ids("E", numbers[carries], width),
        "team": col.labels(TEAMS, teams[carries]),
        "quality": pa.array(np.round(quality[carries], 4)),
    }
    csm = ic & (teams == TEAMS.index("customer_success"))
    rep = ic & (teams == TEAMS.index("sales"))
    staff = Staff(
        csm_number=numbers[csm],
        csm_quality=quality[csm],
        rep_number=numbers[rep],
        rep_quality=quality[rep],
        width=width,
    )
    return members, hidden, staff
