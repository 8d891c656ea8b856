"""Every problem in a typed file, found by SQL over its staging table.

Each schema rule (``tandem.schema``: NonNegative, NotBefore, AtMost,
FirstOfMonth, RequiredWhen, SurveyScale), each type, each required column,
the key's uniqueness inside the file and the account reference becomes a
``Check``: a predicate over the typed table and the words that explain it. All
checks of a file run as one UNION ALL query that returns the first issues in
row order and the total count, so a file with a million bad rows costs one
scan per check and a short answer, never a Python loop over rows.

A rule compares typed values, so a row whose value did not parse is reported
once, for its type, and not again by the rules that value takes part in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, assert_never

from tandem.errors import Issue
from tandem.load.sql import ident, literal, literals
from tandem.load.tables import spec as table_spec
from tandem.schema import (
    CES_SCALE,
    CONTROL_CHARACTERS,
    KEY_CONTROL_CHARACTERS,
    NPS_SCALE,
    NUMBER_BOUND,
    AtMost,
    Column,
    ColumnType,
    FirstOfMonth,
    NonNegative,
    NotBefore,
    RequiredWhen,
    Rule,
    SurveyScale,
)

if TYPE_CHECKING:
    import duckdb

    from tandem.load.staging import TypedFile
    from tandem.settings import MetricSettings

T = "t"


@dataclass(frozen=True)
class Check:
    """One way a row can be wrong. ``reason`` may hold ``{other}``: a second value.

    ``where``, ``shown`` and ``other`` are SQL over the typed table's alias; a
    check that needs more than the typed table gives its own ``source``.
    """

    position: int
    column: str
    where: str
    reason: str
    shown: str | None
    other: str | None = None
    quote_other: bool = True
    source: str | None = None


@dataclass(frozen=True)
class Findings:
    issues: list[Issue]
    more: int


def find_issues(
    con: duckdb.DuckDBPyConnection,
    typed: TypedFile,
    metrics: MetricSettings,
    known_accounts: str | None,
    cap: int,
) -> Findings:
    """The first ``cap`` issues of the file in row order, and how many more there are."""
    checks = checks_for(typed, metrics, known_accounts)
    if not checks:
        return Findings([], 0)
    selects = []
    for order, check in enumerate(checks):
        source = check.source or f"{ident(typed.relation)} {T}"
        selects.append(
            f"SELECT {_at(typed.row)} AS row, {order} AS check_no, "
            f"CAST({_at(check.shown) if check.shown else 'NULL'} AS VARCHAR) AS shown, "
            f"CAST({_at(check.other) if check.other else 'NULL'} AS VARCHAR) AS other "
            f"FROM {source} WHERE ({_at(check.where)})"
        )
    found = con.execute(
        "SELECT row, check_no, shown, other, count(*) OVER () AS total "
        f"FROM ({' UNION ALL '.join(selects)}) "
        f"ORDER BY row, check_no LIMIT {int(cap)}"
    ).fetchall()
    issues = [_issue(typed, checks[no], row, shown, other) for row, no, shown, other, _ in found]
    total = int(found[0][4]) if found else 0
    return Findings(issues, total - len(issues))


def _at(template: str) -> str:
    return template.replace("{t}", T)


def _issue(typed: TypedFile, check: Check, row: int, shown: str | None, other: str | None) -> Issue:
    reason = check.reason
    if other is not None:
        reason = reason.replace("{other}", repr(other) if check.quote_other else other)
    return Issue(typed.source.name, reason, int(row), check.column, shown)


def checks_for(
    typed: TypedFile, metrics: MetricSettings, known_accounts: str | None
) -> list[Check]:
    """Every check of the file, ordered by column so issues read left to right."""
    spec = table_spec(typed.source.table)
    position = {c.name: i for i, c in enumerate(typed.columns)}
    checks: list[Check] = []
    for c in typed.columns:
        if c.bad is not None:
            checks.append(Check(position[c.name], c.name, c.bad, c.reason, c.bad_shown))
        if c.name in spec.required_columns:
            checks.append(
                Check(position[c.name], c.name, c.empty, "is empty; a value is required", None)
            )
    for column in spec.columns:
        checks += _value_bounds(typed, column, column.name in spec.key, position)
    for rule in spec.rules:
        checks += _rule(typed, rule, metrics, position)
    checks.append(_duplicates(typed, position))
    if spec.references_account and known_accounts is not None:
        checks.append(_reference(typed, known_accounts, position))
    labels = dict(typed.labels)
    checks = [
        replace(_unless_hidden(c, dict(typed.suppress)), column=labels.get(c.column, c.column))
        for c in checks
    ]
    return sorted([*checks, *typed.checks], key=lambda c: c.position)


def _value_bounds(
    typed: TypedFile, column: Column, in_key: bool, position: dict[str, int]
) -> list[Check]:
    """Text without control characters; numbers within ``NUMBER_BOUND``."""
    col = f"{{t}}.{ident(column.name)}"
    at = position[column.name]
    if column.type is ColumnType.STRING and not column.enum:
        pattern = KEY_CONTROL_CHARACTERS if in_key else CONTROL_CHARACTERS
        allowed = "" if in_key else " (tab and line breaks are allowed outside keys)"
        return [
            Check(
                at,
                column.name,
                f"regexp_matches({col}, {literal(pattern)})",
                f"holds a control character (such as NUL){allowed}",
                # The value itself could break a terminal: shown with the characters escaped.
                f"regexp_replace({col}, {literal(pattern)}, '?', 'g')",
            )
        ]
    if column.type is ColumnType.FLOAT:
        return [
            Check(
                at,
                column.name,
                f"abs({col}) > {NUMBER_BOUND!r}",
                f"is beyond ±{NUMBER_BOUND:.0e}, the largest number Tandem accepts "
                "(see docs/data-model.md)",
                f"CAST({col} AS VARCHAR)",
            )
        ]
    return []


def _unless_hidden(check: Check, suppress: dict[str, str]) -> Check:
    """A column's check, skipped on rows where a mapping already reported its source."""
    if check.column not in suppress:
        return check
    return replace(check, where=f"({check.where}) AND {suppress[check.column]}")


def _rule(
    typed: TypedFile, rule: Rule, metrics: MetricSettings, position: dict[str, int]
) -> list[Check]:
    col = f"{{t}}.{ident(rule.column)}"
    at = position[rule.column]
    shown = typed.column(rule.column).shown
    if isinstance(rule, NonNegative):
        return [Check(at, rule.column, f"{col} < 0", "must be ≥ 0", shown)]
    if isinstance(rule, NotBefore):
        earlier = f"{{t}}.{ident(rule.earlier)}"
        op, words = ("<=", "must be after") if rule.strict else ("<", "must not be before")
        return [
            Check(
                at,
                rule.column,
                f"{col} {op} {earlier}",
                f"{words} {rule.earlier} ({{other}})",
                shown,
                typed.column(rule.earlier).shown,
            )
        ]
    if isinstance(rule, AtMost):
        bound = f"{{t}}.{ident(rule.bound)}"
        return [
            Check(
                at,
                rule.column,
                f"{col} > {bound}",
                f"must be ≤ {rule.bound} ({{other}})",
                shown,
                typed.column(rule.bound).shown,
            )
        ]
    if isinstance(rule, FirstOfMonth):
        return [
            Check(at, rule.column, f"day({col}) <> 1", "must be the first day of a month", shown)
        ]
    if isinstance(rule, RequiredWhen):
        when = f"{{t}}.{ident(rule.when)}"
        return [
            Check(
                at,
                rule.column,
                f"{typed.column(rule.column).empty} AND {when} IN ({literals(rule.values)})",
                f"is empty; required when {rule.when} is {' or '.join(rule.values)}",
                None,
            )
        ]
    if isinstance(rule, SurveyScale):
        scales = {
            "nps": NPS_SCALE,
            "csat": (metrics.csat_scale_min, metrics.csat_scale_max),
            "ces": CES_SCALE,
        }
        survey = f"{{t}}.{ident(rule.survey)}"
        return [
            Check(
                at,
                rule.column,
                f"{survey} = {literal(name)} AND {col} NOT BETWEEN {low} AND {high}",
                f"is outside the {name} scale {low}–{high}",
                shown,
            )
            for name, (low, high) in scales.items()
        ]
    assert_never(rule)


def _duplicates(typed: TypedFile, position: dict[str, int]) -> Check:
    """Rows repeating an earlier row's key; NULLs in an optional key column are equal."""
    spec = table_spec(typed.source.table)
    keys = [ident(k) for k in spec.key]
    required = [ident(k) for k in spec.key if k in spec.required_columns]
    present = " AND ".join(f"{{t}}.{k} IS NOT NULL" for k in required) or "true"
    first = (
        f"(SELECT {', '.join(keys)}, min({typed.row}) AS first_row FROM "
        f"{ident(typed.relation)} {{t}} WHERE {present} GROUP BY ALL HAVING count(*) > 1) d"
    )
    join = " AND ".join(f"{{t}}.{k} IS NOT DISTINCT FROM d.{k}" for k in keys)
    shown = [typed.column(k).shown for k in spec.key]
    value = (
        shown[0]
        if len(shown) == 1
        else ("concat_ws(', ', " + ", ".join(f"coalesce({s}, '')" for s in shown) + ")")
    )
    return Check(
        position[spec.key[0]],
        ", ".join(spec.key),
        f"{typed.row} > d.first_row",
        "duplicates row {other}",
        value,
        "d.first_row",
        quote_other=False,
        source=_at(f"{ident(typed.relation)} {{t}} JOIN {first} ON {join}"),
    )


def _reference(typed: TypedFile, known_accounts: str, position: dict[str, int]) -> Check:
    account = "{t}.account_id"
    return Check(
        position["account_id"],
        "account_id",
        f"{account} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {ident(known_accounts)} k WHERE k.account_id = {account})",
        "is not a known account (load it in accounts first or in the same load)",
        typed.column("account_id").shown,
    )
