"""The book of accounts (filter, sort, search, pages) and one account's story.

A member sees only their own book: another account is a 404, exactly as an
account that does not exist, so the answer does not reveal that it does.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from tandem.accounts import AccountQuery, SortKey, Status
from tandem.apps.web.api.common import WS, data_of, dict_plain
from tandem.apps.web.auth import ApiUser
from tandem.apps.web.errors import ERROR_RESPONSES, ApiError
from tandem.service.workspace import Workspace

router = APIRouter(tags=["accounts"], responses=ERROR_RESPONSES)

Text = Annotated[str | None, Query(max_length=200)]


class AccountRow(BaseModel):
    account_id: str
    name: str | None
    segment: str | None
    region: str | None
    industry: str | None
    plan: str | None = Field(description="Plan of the latest subscription row started by today")
    csm_id: str | None
    csm_name: str | None
    sales_rep_id: str | None
    sales_rep_name: str | None
    created_at: str | None
    mrr: float = Field(description="MRR on the as-of day: the rows covering it")
    seats: int | None
    first_paid: str | None
    status: str = Field(description="customer, churned or prospect")
    health_score: float | None = Field(None, description="0-100, when health is computed")
    health_band: str | None = Field(None, description="red, amber or green")


class Person(BaseModel):
    id: str
    name: str | None


class Facets(BaseModel):
    segment: list[str] = []
    region: list[str] = []
    industry: list[str] = []
    plan: list[str] = []
    health_band: list[str] = []
    csm: list[Person] = []
    sales_rep: list[Person] = []


class AccountList(BaseModel):
    as_of: str = Field(description="The day MRR and status are taken on")
    total: int = Field(description="Accounts matching the filters")
    total_mrr: float = Field(description="Their MRR on the as-of day")
    page: int
    per_page: int
    pages: int
    sort: str
    order: str
    rows: list[AccountRow]
    facets: Facets | None = Field(None, description="Values to filter by (with facets=true)")


class Event(BaseModel):
    day: str
    kind: str = Field(
        description="new, expansion, contraction, churn, reactivation, renewal, "
        "survey, ticket, escalation or onboarding"
    )
    title: str
    detail: str
    tone: str = Field(description="good, bad or neutral")


class AccountDetail(BaseModel):
    as_of: str
    account: AccountRow
    events: list[Event]
    subscriptions: list[dict[str, Any]]
    surveys: list[dict[str, Any]]
    tickets: list[dict[str, Any]]
    onboardings: list[dict[str, Any]]
    usage: list[dict[str, Any]] = Field(description="Per ISO week: sessions, minutes, users")


def _check_value(values: list[str], given: str | None, parameter: str) -> None:
    from tandem.errors import did_you_mean

    if given is not None and given not in values:
        same = [v for v in values if v.lower() == given.lower()]
        hint = f" (did you mean {same[0]!r}?)" if same else did_you_mean(given, values)
        raise ApiError(422, f"{parameter}: no {parameter} {given!r}{hint}", parameter=parameter)


@router.get("/api/accounts", response_model=AccountList, summary="Accounts: filter, sort, search")
def accounts(
    principal: ApiUser,
    request: Request,
    ws: WS,
    q: Annotated[str | None, Query(max_length=100, description="Part of a name or id")] = None,
    segment: Text = None,
    region: Text = None,
    industry: Text = None,
    plan: Text = None,
    csm: Annotated[str | None, Query(max_length=100, description="CSM's member id")] = None,
    sales_rep: Annotated[str | None, Query(max_length=100, description="Rep's member id")] = None,
    status: Status | None = None,
    band: Annotated[str | None, Query(pattern="^(red|amber|green)$")] = None,
    min_mrr: Annotated[float | None, Query(ge=0, le=1e12)] = None,
    max_mrr: Annotated[float | None, Query(ge=0, le=1e12)] = None,
    sort: SortKey = SortKey.MRR,
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "desc",
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
    facets: bool = False,
) -> AccountList:
    book = data_of(request).book(ws)
    for parameter, given in (
        ("segment", segment),
        ("region", region),
        ("industry", industry),
        ("plan", plan),
    ):
        if given is not None:
            _check_value(book.values(parameter), given, parameter)
    for parameter, member in (("csm", csm), ("sales_rep", sales_rep)):
        if member is not None and book.person(member) is None:
            raise ApiError(422, f"{parameter}: no team member {member!r}", parameter=parameter)
    query = AccountQuery(
        search=q or None,
        segment=segment,
        region=region,
        industry=industry,
        plan=plan,
        csm_id=csm,
        sales_rep_id=sales_rep,
        status=status,
        band=band,
        min_mrr=min_mrr,
        max_mrr=max_mrr,
        owner=principal.owner,
        sort=sort,
        descending=order == "desc",
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    return data_of(request).answer(
        ws,
        ("accounts", book.version, query, facets),
        lambda: _listing(book, query, facets, page, per_page, sort, order),
    )


def _listing(
    book: Any,
    query: AccountQuery,
    facets: bool,
    page: int,
    per_page: int,
    sort: SortKey,
    order: str,
) -> AccountList:
    found = book.query(query, facets=facets)
    return AccountList(
        as_of=found.as_of.isoformat(),
        total=found.total,
        total_mrr=found.total_mrr,
        page=page,
        per_page=per_page,
        pages=max(1, -(-found.total // per_page)),
        sort=sort.value,
        order=order,
        rows=[AccountRow(**dict_plain(r)) for r in found.rows],
        facets=Facets(**found.facets) if facets else None,
    )


@router.get(
    "/api/accounts/{account_id}",
    response_model=AccountDetail,
    summary="One account: timeline, surveys, tickets, onboarding, usage",
)
def account(
    principal: ApiUser,
    request: Request,
    ws: WS,
    account_id: Annotated[str, Path(max_length=200)],
) -> AccountDetail:

    book = data_of(request).book(ws)
    row = book.get(account_id, owner=principal.owner)
    if row is None:
        raise ApiError(404, f"no account {account_id!r}", parameter="account_id")
    return data_of(request).answer(
        ws, ("account", row["account_id"], book.as_of), lambda: _detail(ws, row, book.as_of)
    )


def _detail(ws: Workspace, row: dict[str, Any], as_of: dt.date) -> AccountDetail:
    from tandem.accounts import account_story

    with ws.read() as s:
        # The id is a stored one (found in the book above), never raw request text.
        story = account_story(s, row["account_id"], as_of)
    return AccountDetail(
        as_of=as_of.isoformat(),
        account=AccountRow(**dict_plain(row)),
        events=[
            Event(day=e.day.isoformat(), kind=e.kind, title=e.title, detail=e.detail, tone=e.tone)
            for e in story.events
        ],
        subscriptions=[dict_plain(r) for r in story.subscriptions],
        surveys=[dict_plain(r) for r in story.surveys],
        tickets=[dict_plain(r) for r in story.tickets],
        onboardings=[dict_plain(r) for r in story.onboardings],
        usage=[dict_plain(r) for r in story.usage],
    )
