"""Who hears of an alert: the account's CSM, its sales rep, or their manager.

``manager`` means the manager (``team_members.manager_id``) of the account's
CSM, or of its sales rep when it has no CSM. When the person a rule names is
missing (no CSM on the account, an id not in ``team_members``), the alert is
raised all the same, unowned: it shows on the dashboard and the webhook, and no
one is e-mailed. Escalation goes to the owner's manager.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tandem.alerts.rules import Owner

if TYPE_CHECKING:
    from tandem.service.session import ReadSession


@dataclass(frozen=True)
class Person:
    member_id: str
    name: str
    email: str | None
    manager_id: str | None


@dataclass(frozen=True)
class AccountRef:
    account_id: str
    name: str
    csm_id: str | None
    sales_rep_id: str | None


@dataclass(frozen=True)
class People:
    accounts: dict[str, AccountRef]
    members: dict[str, Person]

    def owner(self, account_id: str, role: Owner) -> Person | None:
        a = self.accounts.get(account_id)
        if a is None:
            return None
        match role:
            case Owner.CSM:
                return self.members.get(a.csm_id or "")
            case Owner.SALES_REP:
                return self.members.get(a.sales_rep_id or "")
            case Owner.MANAGER:
                first = self.members.get(a.csm_id or "") or self.members.get(a.sales_rep_id or "")
                return self.manager_of(first.member_id) if first else None

    def manager_of(self, member_id: str | None) -> Person | None:
        person = self.members.get(member_id or "")
        if person is None or not person.manager_id:
            return None
        return self.members.get(person.manager_id)

    def account_name(self, account_id: str) -> str:
        a = self.accounts.get(account_id)
        return a.name if a else account_id


def load_people(session: ReadSession, account_ids: set[str]) -> People:
    """The named accounts and every team member."""
    a = session.table("accounts")
    a = a.filter(a.account_id.isin(sorted(account_ids))) if account_ids else a.limit(0)
    accounts = {
        r["account_id"]: AccountRef(r["account_id"], r["name"], r["csm_id"], r["sales_rep_id"])
        for r in session.run(a.select("account_id", "name", "csm_id", "sales_rep_id")).to_pylist()
    }
    t = session.table("team_members").select("member_id", "name", "email", "manager_id")
    members = {
        r["member_id"]: Person(r["member_id"], r["name"], r["email"], r["manager_id"])
        for r in session.run(t).to_pylist()
    }
    return People(accounts, members)
