"""The book of accounts: one row per account as of a day, and the queries over it.

:func:`build_book` reads the workspace once (accounts, their owners, the
subscription rows covering the day) into an Arrow table: account_id, name,
segment, region, industry, plan, csm and sales rep (id and name), created_at,
mrr and seats on the day, the first paid day, and a status:

- ``customer``: MRR > 0 on the day (SPEC: a customer on day d);
- ``churned``: paid before the day but not on it;
- ``prospect``: never paid by the day.

MRR on the day is the sum of the rows covering it (``valid_from <= d <
valid_to``), as in the shared definitions. The ``churn_grace_days`` knob
bridges short gaps for the revenue metrics; a single day's status here does
not, so an account inside a recovered payment gap shows as churned until it
pays again.

A :class:`Book` holds that table in an in-memory DuckDB database and answers
:class:`AccountQuery` with one constant SQL statement: every filter and search
value is a bound parameter, and the sort key picks one of a fixed set of
ORDER BY clauses, so nothing a user types ever becomes SQL text. Health (or
any per-account columns) can be attached by :meth:`Book.attach`.
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

    from tandem.service.session import ReadSession


class Status(enum.StrEnum):
    CUSTOMER = "customer"
    CHURNED = "churned"
    PROSPECT = "prospect"


class SortKey(enum.StrEnum):
    NAME = "name"
    MRR = "mrr"
    HEALTH = "health"
    SEGMENT = "segment"
    PLAN = "plan"
    CSM = "csm"
    SALES_REP = "sales_rep"
    CREATED = "created"
    STATUS = "status"


#: Each sort key's ORDER BY (a fixed text per key); ties broken by account id.
_ORDER: dict[SortKey, str] = {
    SortKey.NAME: "lower(name) {d}",
    SortKey.MRR: "mrr {d}",
    SortKey.HEALTH: "health_score {d}",
    SortKey.SEGMENT: "segment {d}, mrr DESC",
    SortKey.PLAN: "plan {d}, mrr DESC",
    SortKey.CSM: "csm_name {d}, mrr DESC",
    SortKey.SALES_REP: "sales_rep_name {d}, mrr DESC",
    SortKey.CREATED: "created_at {d}",
    SortKey.STATUS: "status {d}, mrr DESC",
}

#: Health columns every book has (empty until :meth:`Book.attach` fills them).
HEALTH_COLUMNS = ("health_score", "health_band")

_WHERE = """
    ($search IS NULL OR name ILIKE $search ESCAPE '\\' OR account_id ILIKE $search ESCAPE '\\')
    AND ($segment IS NULL OR segment = $segment)
    AND ($region IS NULL OR region = $region)
    AND ($industry IS NULL OR industry = $industry)
    AND ($plan IS NULL OR plan = $plan)
    AND ($csm_id IS NULL OR csm_id = $csm_id)
    AND ($sales_rep_id IS NULL OR sales_rep_id = $sales_rep_id)
    AND ($status IS NULL OR status = $status)
    AND ($band IS NULL OR health_band = $band)
    AND ($min_mrr IS NULL OR mrr >= $min_mrr)
    AND ($max_mrr IS NULL OR mrr <= $max_mrr)
    AND ($owner IS NULL OR csm_id = $owner OR sales_rep_id = $owner)
"""


@dataclass(frozen=True)
class AccountQuery:
    """Which accounts, in which order, which page. None = no filter."""

    search: str | None = None
    segment: str | None = None
    region: str | None = None
    industry: str | None = None
    plan: str | None = None
    csm_id: str | None = None
    sales_rep_id: str | None = None
    status: Status | None = None
    band: str | None = None
    min_mrr: float | None = None
    max_mrr: float | None = None
    #: Only accounts this team member owns (as CSM or sales rep): a member's book.
    owner: str | None = None
    sort: SortKey = SortKey.MRR
    descending: bool = True
    offset: int = 0
    limit: int = 50

    def params(self) -> dict[str, Any]:
        search = None
        if self.search:
            escaped = self.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            search = f"%{escaped}%"
        return {
            "search": search,
            "segment": self.segment,
            "region": self.region,
            "industry": self.industry,
            "plan": self.plan,
            "csm_id": self.csm_id,
            "sales_rep_id": self.sales_rep_id,
            "status": self.status.value if self.status else None,
            "band": self.band,
            "min_mrr": self.min_mrr,
            "max_mrr": self.max_mrr,
            "owner": self.owner,
        }


@dataclass(frozen=True)
class AccountPage:
    total: int
    total_mrr: float
    rows: list[dict[str, Any]]
    as_of: dt.date
    offset: int
    limit: int
    facets: dict[str, list[Any]] = field(default_factory=dict)


def build_book(s: ReadSession, as_of: dt.date) -> tuple[pa.Table, pa.Table]:
    """The book as of ``as_of`` and the team members (member_id, name, team, manager_id)."""
    import ibis

    accounts = s.table("accounts")
    subs = s.table("subscriptions")
    people = s.table("team_members").select("member_id", "name", "team", "manager_id")
    day = ibis.date(as_of)
    covering = subs.filter(
        (subs.valid_from <= day) & (subs.valid_to.isnull() | (subs.valid_to > day))
    )
    now = covering.group_by("account_id").aggregate(
        mrr=covering.mrr.sum(), seats=covering.seats.sum()
    )
    paid = subs.filter((subs.mrr > 0) & (subs.valid_from <= day))
    first = paid.group_by("account_id").aggregate(first_paid=paid.valid_from.min())
    started = subs.filter(subs.valid_from <= day)
    latest = started.mutate(
        n=ibis.row_number().over(
            group_by=started.account_id,
            order_by=[ibis.desc(started.valid_from), ibis.desc(started.subscription_id)],
        )
    )
    plan = latest.filter(latest.n == 0).select("account_id", "plan")
    csm = people.select(csm_key="member_id", csm_name="name")
    rep = people.select(rep_key="member_id", sales_rep_name="name")
    t = (
        accounts.left_join(now, "account_id")
        .left_join(first, "account_id")
        .left_join(plan, "account_id")
        .left_join(csm, accounts.csm_id == csm.csm_key)
        .left_join(rep, accounts.sales_rep_id == rep.rep_key)
    )
    mrr = t.mrr.fill_null(0.0)
    status = ibis.cases(
        (mrr > 0, Status.CUSTOMER.value),
        (t.first_paid.notnull(), Status.CHURNED.value),
        else_=Status.PROSPECT.value,
    )
    book = t.select(
        "account_id",
        "name",
        "segment",
        "region",
        "industry",
        "plan",
        "csm_id",
        "csm_name",
        "sales_rep_id",
        "sales_rep_name",
        created_at=t.created_at,
        mrr=mrr,
        seats=t.seats,
        first_paid=t.first_paid,
        status=status,
    )
    return s.run(book), s.run(people)


class Book:
    """A book snapshot, queried with bound parameters (thread-safe: a cursor per query)."""

    def __init__(self, accounts: pa.Table, people: pa.Table, as_of: dt.date) -> None:
        import duckdb
        import pyarrow as pa

        self.as_of = as_of
        #: Moves on with every attach: answers built from the book name the version they saw.
        self.version = 0
        self._db = duckdb.connect(":memory:")
        self._lock = threading.Lock()
        self._values: dict[str, list[str]] = {}
        for name in HEALTH_COLUMNS:
            if name not in accounts.column_names:
                kind = pa.float64() if name == "health_score" else pa.string()
                accounts = accounts.append_column(name, pa.nulls(len(accounts), kind))
        self._db.register("incoming_book", accounts)
        self._db.register("incoming_people", people)
        self._db.execute("CREATE TABLE book AS SELECT * FROM incoming_book")
        self._db.execute("CREATE TABLE people AS SELECT * FROM incoming_people")
        self._db.unregister("incoming_book")
        self._db.unregister("incoming_people")

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            return self._db.cursor()

    def attach(self, extra: pa.Table) -> None:
        """Fill the health columns (or add others) from ``extra`` (one row per account_id)."""
        cur = self._cursor()
        try:
            cur.register("incoming_extra", extra)
            keep = [c for c in extra.column_names if c != "account_id"]
            drop = [c for c in keep if c in self.columns()]
            picked = f"b.* EXCLUDE ({', '.join(_q(c) for c in drop)})" if drop else "b.*"
            cols = ", ".join(f"e.{_q(c)}" for c in keep)
            cur.execute(
                f"CREATE OR REPLACE TABLE book AS SELECT {picked}, {cols} "
                "FROM book b LEFT JOIN incoming_extra e USING (account_id)"
            )
            cur.unregister("incoming_extra")
        finally:
            cur.close()
        self.version += 1

    def columns(self) -> list[str]:
        cur = self._cursor()
        try:
            return [r[0] for r in cur.execute("DESCRIBE book").fetchall()]
        finally:
            cur.close()

    def query(self, q: AccountQuery, *, facets: bool = False) -> AccountPage:
        params = q.params()
        order = _ORDER[q.sort].format(d="DESC" if q.descending else "ASC")
        cur = self._cursor()
        try:
            total, total_mrr = cur.execute(
                f"SELECT count(*), coalesce(sum(mrr), 0) FROM book WHERE {_WHERE}", params
            ).fetchone() or (0, 0.0)
            rel = cur.execute(
                f"SELECT * FROM book WHERE {_WHERE} "
                f"ORDER BY {order} NULLS LAST, account_id LIMIT $limit OFFSET $offset",
                params | {"limit": q.limit, "offset": q.offset},
            )
            rows = _records(rel)
            found = self._facets(cur, q.owner) if facets else {}
        finally:
            cur.close()
        return AccountPage(int(total), float(total_mrr), rows, self.as_of, q.offset, q.limit, found)

    def get(self, account_id: str, *, owner: str | None = None) -> dict[str, Any] | None:
        """One account's row, or None when it does not exist or is not in ``owner``'s book."""
        cur = self._cursor()
        try:
            rel = cur.execute(
                "SELECT * FROM book WHERE account_id = $id "
                "AND ($owner IS NULL OR csm_id = $owner OR sales_rep_id = $owner)",
                {"id": account_id, "owner": owner},
            )
            rows = _records(rel)
        finally:
            cur.close()
        return rows[0] if rows else None

    def person(self, member_id: str) -> dict[str, Any] | None:
        cur = self._cursor()
        try:
            rows = _records(
                cur.execute("SELECT * FROM people WHERE member_id = $id", {"id": member_id})
            )
        finally:
            cur.close()
        return rows[0] if rows else None

    def people(self) -> list[dict[str, Any]]:
        cur = self._cursor()
        try:
            return _records(cur.execute("SELECT * FROM people ORDER BY name, member_id"))
        finally:
            cur.close()

    def values(self, column: str) -> list[str]:
        """The distinct values of a dimension column of the book (for "did you mean")."""
        if column not in ("segment", "region", "industry", "plan"):
            raise ValueError(column)
        with self._lock:
            known = self._values.get(column)
        if known is not None:
            return known
        cur = self._cursor()
        try:
            rows = cur.execute(
                f"SELECT DISTINCT {column} FROM book WHERE {column} IS NOT NULL ORDER BY 1"
            ).fetchall()
        finally:
            cur.close()
        found = [r[0] for r in rows]
        with self._lock:
            self._values[column] = found
        return found

    def _facets(self, cur: duckdb.DuckDBPyConnection, owner: str | None) -> dict[str, list[Any]]:
        mine = "($owner IS NULL OR csm_id = $owner OR sales_rep_id = $owner)"
        out: dict[str, list[Any]] = {}
        for column in ("segment", "region", "industry", "plan", "health_band"):
            rows = cur.execute(
                f"SELECT DISTINCT {column} FROM book WHERE {mine} AND {column} IS NOT NULL "
                "ORDER BY 1",
                {"owner": owner},
            ).fetchall()
            out[column] = [r[0] for r in rows]
        for key, label, name in (
            ("csm_id", "csm_name", "csm"),
            ("sales_rep_id", "sales_rep_name", "sales_rep"),
        ):
            rows = cur.execute(
                f"SELECT DISTINCT {key}, {label} FROM book WHERE {mine} AND {key} IS NOT NULL "
                f"ORDER BY {label}, {key}",
                {"owner": owner},
            ).fetchall()
            out[name] = [{"id": r[0], "name": r[1]} for r in rows]
        return out

    def close(self) -> None:
        self._db.close()


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _records(rel: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cols = [d[0] for d in rel.description or []]
    return [dict(zip(cols, row, strict=True)) for row in rel.fetchall()]
