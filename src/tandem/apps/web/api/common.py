"""What the API routes share: the workspace per request, parameters and JSON values."""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from tandem.apps.web.errors import ApiError
from tandem.service.workspace import Workspace

if TYPE_CHECKING:
    import pandas as pd

    from tandem.accounts import Book
    from tandem.apps.web.auth import Principal
    from tandem.apps.web.data import Data


class Grain(enum.StrEnum):
    """The calendar grains a request may ask for."""

    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


#: A day, a month or a year: 2026-10-31, 2026-10 or 2026.
DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
FIRST_YEAR, LAST_YEAR = 1900, 2200
#: Dimensions naming a person: a member may not cut by them (league tables are for leaders).
PEOPLE = {"csm", "csm_id", "sales_rep", "sales_rep_id", "rep"}


def _workspace(request: Request) -> Iterator[Workspace]:
    data: Data = request.app.state.data
    with data.workspace() as ws:
        yield ws


WS = Annotated[Workspace, Depends(_workspace)]


def data_of(request: Request) -> Data:
    return request.app.state.data  # type: ignore[no-any-return]


def parse_day(value: str | None, parameter: str, *, end: bool = False) -> dt.date | None:
    """A day from 2026-10-31, 2026-10 or 2026 (the last day of it when ``end``)."""
    if value is None or value == "":
        return None
    if not re.fullmatch(DATE_PATTERN, value):
        raise ApiError(
            422, f"{parameter} {value!r}: expected 2026-10-31, 2026-10 or 2026", parameter=parameter
        )
    parts = [int(p) for p in value.split("-")]
    if not FIRST_YEAR <= parts[0] <= LAST_YEAR:
        raise ApiError(
            422,
            f"{parameter} {value!r}: the year must be within {FIRST_YEAR}-{LAST_YEAR}",
            parameter=parameter,
        )
    try:
        if len(parts) == 3:
            return dt.date(*parts)
        if len(parts) == 2:
            first = dt.date(parts[0], parts[1], 1)
            if not end:
                return first
            following = dt.date(parts[0] + (parts[1] == 12), parts[1] % 12 + 1, 1)
            return following - dt.timedelta(days=1)
    except ValueError as exc:
        raise ApiError(422, f"{parameter} {value!r}: {exc}", parameter=parameter) from None
    return dt.date(parts[0], 12, 31) if end else dt.date(parts[0], 1, 1)


def parse_where(items: list[str] | None, parameter: str = "where") -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ApiError(
                422, f"{parameter} {item!r}: expected DIMENSION=VALUE", parameter=parameter
            )
        out[key.strip()] = value.strip()
    return out


def split(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def check_dimensions(ws: Workspace, names: list[str], parameter: str) -> None:
    """Unknown dimension names are the caller's mistake: 422 naming the parameter."""
    from tandem.errors import UsageError
    from tandem.semantic.dimensions import resolve_name

    if not names:
        return
    with ws.read() as s:
        columns = list(s.table("accounts").columns)
    for name in names:
        try:
            resolve_name(name, columns)
        except UsageError as exc:
            raise ApiError(422, f"{parameter}: {exc}", parameter=parameter) from None


def book_dimension(book: Book, member_id: str | None) -> str | None:
    """The account column a team member's book is kept by: sales_rep_id for sales, else csm_id."""
    if member_id is None:
        return None
    person = book.person(member_id)
    if person is None:
        return None
    return "sales_rep_id" if person["team"] == "sales" else "csm_id"


def scope_for(
    principal: Principal, book_dimension: str | None, by: list[str], where: dict[str, str]
) -> dict[str, str]:
    """A member's filters: no cut by person, and only their own book in the rows.

    Returns ``where`` with the member's book added (their CSM or sales-rep id),
    or unchanged for admins and leaders.
    """
    owner = principal.owner
    if owner is None:
        return where
    people = [b for b in by if b in PEOPLE]
    if people:
        raise ApiError(
            403, f"by={people[0]}: members see their own book, not other people's", parameter="by"
        )
    for key, value in where.items():
        if key in PEOPLE and value != owner:
            raise ApiError(
                403, f"where={key}={value}: members see only their own book", parameter="where"
            )
    if book_dimension is None:
        raise ApiError(403, f"team member {owner!r} owns no book in this workspace")
    return {k: v for k, v in where.items() if k not in PEOPLE} | {book_dimension: owner}


def plain(value: Any) -> Any:
    """A JSON-ready value: NaN and NA as None, dates as ISO text, numpy scalars as Python."""
    if value is None:
        return None
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    item = getattr(value, "item", None)
    if callable(item):
        return plain(item())
    if isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def records(rows: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): plain(v) for k, v in rec.items()} for rec in rows.to_dict("records")]


def dict_plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(v) for k, v in row.items()}
