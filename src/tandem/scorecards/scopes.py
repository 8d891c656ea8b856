"""Scopes and comparisons: whose numbers a scorecard shows, and across whom it compares.

``--for csm:ID`` keeps the accounts whose ``csm_id`` is ID, ``--for rep:ID`` those
whose ``sales_rep_id`` is ID, ``--for segment:VALUE`` one segment. ``--compare
csm|rep|segment`` cuts every metric by that dimension in one computation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from tandem.errors import UsageError, did_you_mean
from tandem.scorecards.model import Scope

if TYPE_CHECKING:
    from tandem.service.workspace import Workspace

Kind = Literal["csm", "rep", "segment"]
KINDS: tuple[Kind, ...] = ("csm", "rep", "segment")
#: The account column behind each kind.
COLUMN: dict[Kind, str] = {"csm": "csm_id", "rep": "sales_rep_id", "segment": "segment"}
#: The dimension name ``ws.compute(by=...)`` takes, and the label column it adds.
DIMENSION: dict[Kind, str] = {"csm": "csm", "rep": "sales_rep", "segment": "segment"}
LABEL_COLUMN: dict[Kind, str | None] = {"csm": "csm_name", "rep": "sales_rep_name", "segment": None}
TITLE: dict[Kind, str] = {"csm": "CSM", "rep": "Sales rep", "segment": "Segment"}
COMPARE_TITLE: dict[Kind, str] = {"csm": "By CSM", "rep": "By sales rep", "segment": "By segment"}


def parse_kind(text: str, option: str = "--compare", given: str | None = None) -> Kind:
    kind = text.strip().lower()
    if kind == "sales_rep":
        kind = "rep"
    if kind not in KINDS:
        raise UsageError(
            f"{option} {given or repr(text)}: {text!r} is not csm, rep or segment"
            f"{did_you_mean(kind, list(KINDS))}"
        )
    return kind


def parse_scope(text: str | None) -> Scope:
    """``csm:ID``, ``rep:ID`` or ``segment:VALUE`` (None or ``company``: the whole company)."""
    if text is None or text.strip().lower() in ("", "company"):
        return Scope()
    kind_text, sep, value = text.partition(":")
    if not sep or not value.strip():
        raise UsageError(f"--for {text!r}: write csm:ID, rep:ID or segment:VALUE")
    kind = parse_kind(kind_text, "--for", repr(text))
    return Scope(kind=kind, value=value.strip(), label=f"{TITLE[kind]} {value.strip()}")


def resolve_scope(ws: Workspace, scope: Scope) -> Scope:
    """Check the scope's value names accounts, and label it with the person's name."""
    if scope.kind == "company" or scope.value is None:
        return scope
    kind = scope.kind
    column = COLUMN[kind]
    with ws.read() as s:
        accounts = s.table("accounts")
        if column not in accounts.columns:
            raise UsageError(f"--for {kind}:{scope.value}: the accounts have no {column} column")
        present = s.run(accounts.select(accounts[column].cast("string").name("v")).distinct())
        values = sorted(v for v in present.column("v").to_pylist() if v is not None)
        if scope.value not in values:
            shown = ", ".join(values[:12]) + (" ..." if len(values) > 12 else "")
            raise UsageError(
                f"--for {kind}:{scope.value}: no account has {column} = {scope.value!r}"
                f"{did_you_mean(scope.value, values)}; values: {shown or 'none'}"
            )
        name = None
        if kind in ("csm", "rep"):
            people = s.table("team_members")
            found = s.run(people.filter(people.member_id == scope.value).select("name"))
            names = found.column("name").to_pylist()
            name = names[0] if names else None
    label = f"{TITLE[kind]} {name} ({scope.value})" if name else f"{TITLE[kind]} {scope.value}"
    return scope.model_copy(update={"label": label})
