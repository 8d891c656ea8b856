"""The canonical tables of the import contract, declared once.

This declaration drives validation (``tandem.load``), the database tables
(``tandem.store``) and ``docs/data-model.md`` (``tandem.docgen``). It imports no
database code: types and rules are plain data that other layers interpret.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class ColumnType(enum.Enum):
    STRING = "string"
    TIMESTAMP = "timestamp"
    DATE = "date"
    FLOAT = "float"
    INTEGER = "integer"
    BOOLEAN = "boolean"

    @property
    def described(self) -> str:
        return _TYPE_TEXT[self]


_TYPE_TEXT = {
    ColumnType.STRING: "text without control characters",
    ColumnType.TIMESTAMP: "ISO-8601 instant (a bare date is midnight UTC; stored in UTC; "
    "a UTC offset within ±14:00)",
    ColumnType.DATE: "ISO-8601 date (an instant is reduced to its UTC date)",
    ColumnType.FLOAT: "finite number, at most 10^12 in magnitude",
    ColumnType.INTEGER: "whole number",
    ColumnType.BOOLEAN: "boolean (true/false, yes/no, 1/0)",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    required: bool = True
    description: str = ""
    enum: tuple[str, ...] = ()


# -- row rules --------------------------------------------------------------
# Each rule is data; tandem.load.validate turns it into SQL and tandem.docgen into prose.


@dataclass(frozen=True)
class NonNegative:
    column: str

    def describe(self) -> str:
        return f"`{self.column}` ≥ 0"


@dataclass(frozen=True)
class NotBefore:
    """``column`` must not be before ``earlier`` (strictly after when ``strict``)."""

    column: str
    earlier: str
    strict: bool = False

    def describe(self) -> str:
        op = "after" if self.strict else "on or after"
        return f"`{self.column}`, when set, is {op} `{self.earlier}`"


@dataclass(frozen=True)
class AtMost:
    column: str
    bound: str

    def describe(self) -> str:
        return f"`{self.column}` ≤ `{self.bound}`"


@dataclass(frozen=True)
class FirstOfMonth:
    column: str

    def describe(self) -> str:
        return f"`{self.column}` is the first day of a month"


@dataclass(frozen=True)
class RequiredWhen:
    """``column`` must be set when ``when`` holds one of ``values``."""

    column: str
    when: str
    values: tuple[str, ...]

    def describe(self) -> str:
        return f"`{self.column}` is required when `{self.when}` is {' or '.join(self.values)}"


@dataclass(frozen=True)
class SurveyScale:
    """``score`` within the scale of the row's ``survey`` (CSAT's scale is a knob)."""

    column: str = "score"
    survey: str = "survey"

    def describe(self) -> str:
        return "`score` within the survey's scale: nps 0–10, csat 1–5 (knob), ces 1–7"


Rule = NonNegative | NotBefore | AtMost | FirstOfMonth | RequiredWhen | SurveyScale


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    references_account: bool = True
    time_column: str | None = None

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


S, TS, D, F, I, B = (  # noqa: E741 - short names keep the table declarations legible
    ColumnType.STRING,
    ColumnType.TIMESTAMP,
    ColumnType.DATE,
    ColumnType.FLOAT,
    ColumnType.INTEGER,
    ColumnType.BOOLEAN,
)

TEAMS = ("marketing", "sales", "customer_success", "support", "onboarding")
DEAL_TYPES = ("new_business", "upsell", "cross_sell", "renewal")
DEAL_OUTCOMES = ("won", "lost", "open")
TRIAL_KINDS = ("pilot", "free_trial", "freemium")
SURVEYS = ("nps", "csat", "ces")
COST_CATEGORIES = ("marketing", "sales", "implementation", "customer_success", "support")
COST_PURPOSES = ("acquisition", "retention")

#: The largest magnitude a number column accepts: an amount beyond a trillion is a
#: typo or a unit mix-up, and sums of such values lose the cents (or overflow).
NUMBER_BOUND = 1e12
#: The widest UTC offset a timestamp may carry (real zones lie within -12:00..+14:00).
OFFSET_BOUND_HOURS = 14
#: Column names the stores keep for themselves (DuckDB's and PostgreSQL's system
#: columns); names starting with a reserved prefix are Tandem's own.
RESERVED_NAMES = ("rowid", "oid", "tableoid", "ctid", "xmin", "xmax", "cmin", "cmax")
RESERVED_PREFIXES = ("_tandem", "__")
#: Characters no text value may hold: control characters (tab, newline and carriage
#: return are allowed in text that is not part of a key).
CONTROL_CHARACTERS = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]"
KEY_CONTROL_CHARACTERS = "[\\x00-\\x1f\\x7f]"

#: Fixed survey scales; CSAT's comes from the workspace settings.
NPS_SCALE = (0, 10)
CES_SCALE = (1, 7)


def _c(
    name: str,
    type_: ColumnType,
    description: str,
    *,
    required: bool = True,
    enum: tuple[str, ...] = (),
) -> Column:
    return Column(name, type_, required, description, enum)


TABLES: tuple[Table, ...] = (
    Table(
        "team_members",
        "People in the go-to-market teams; accounts and deals refer to them by id.",
        (
            _c("member_id", S, "Unique id of the person."),
            _c("name", S, "Display name."),
            _c("team", S, "The team the person belongs to.", enum=TEAMS),
            _c("manager_id", S, "member_id of their manager.", required=False),
            _c("email", S, "Where alerts for this person are sent.", required=False),
        ),
        key=("member_id",),
        references_account=False,
    ),
    Table(
        "accounts",
        "One row per customer or prospect company. Extra columns become dimensions.",
        (
            _c("account_id", S, "Unique id of the account."),
            _c("name", S, "Company name."),
            _c("segment", S, "Customer segment, e.g. SMB, Mid-Market, Enterprise.", required=False),
            _c("region", S, "Sales region.", required=False),
            _c("industry", S, "Industry.", required=False),
            _c("csm_id", S, "member_id of the customer success manager.", required=False),
            _c("sales_rep_id", S, "member_id of the account executive.", required=False),
            _c("created_at", TS, "When the account was created in the CRM."),
            _c("acquisition_channel", S, "How the account was acquired.", required=False),
        ),
        key=("account_id",),
        references_account=False,
        time_column="created_at",
    ),
    Table(
        "subscriptions",
        "One row per period of constant MRR. A customer on day d has MRR > 0 on d.",
        (
            _c("subscription_id", S, "Unique id of the row."),
            _c("account_id", S, "The account billed."),
            _c("plan", S, "Plan name.", required=False),
            _c("mrr", F, "Monthly recurring revenue while the row is valid."),
            _c("seats", I, "Seats bought.", required=False),
            _c("valid_from", D, "First day the row is valid."),
            _c(
                "valid_to",
                D,
                "First day it is no longer valid (exclusive); empty = still running.",
                required=False,
            ),
        ),
        key=("subscription_id",),
        rules=(
            NonNegative("mrr"),
            NonNegative("seats"),
            NotBefore("valid_to", "valid_from", strict=True),
        ),
        time_column="valid_from",
    ),
    Table(
        "deals",
        "CRM opportunities: new business, upsell, cross-sell and renewal.",
        (
            _c("deal_id", S, "Unique id of the deal."),
            _c("account_id", S, "The account the deal is with."),
            _c("owner_id", S, "member_id of the deal owner.", required=False),
            _c("type", S, "Kind of deal.", enum=DEAL_TYPES),
            _c("created_at", TS, "When the deal was created."),
            _c("closed_at", TS, "When the deal was won or lost.", required=False),
            _c("outcome", S, "Where the deal stands.", enum=DEAL_OUTCOMES),
            _c("amount", F, "Deal value.", required=False),
            _c("qualified", B, "Whether the deal was qualified."),
        ),
        key=("deal_id",),
        rules=(
            NonNegative("amount"),
            NotBefore("closed_at", "created_at"),
            RequiredWhen("closed_at", "outcome", ("won", "lost")),
        ),
        time_column="created_at",
    ),
    Table(
        "orders",
        "One-off purchases.",
        (
            _c("order_id", S, "Unique id of the order."),
            _c("account_id", S, "The account that ordered."),
            _c("ordered_at", TS, "When the order was placed."),
            _c("amount", F, "Order value."),
        ),
        key=("order_id",),
        rules=(NonNegative("amount"),),
        time_column="ordered_at",
    ),
    Table(
        "trials",
        "Pilots, free trials and freemium sign-ups.",
        (
            _c("trial_id", S, "Unique id of the trial."),
            _c("account_id", S, "The account on trial."),
            _c("kind", S, "Kind of trial.", enum=TRIAL_KINDS),
            _c("started_at", TS, "When the trial started."),
            _c("ended_at", TS, "When the trial ended.", required=False),
            _c("converted_at", TS, "When the account became a paying customer.", required=False),
        ),
        key=("trial_id",),
        rules=(NotBefore("ended_at", "started_at"), NotBefore("converted_at", "started_at")),
        time_column="started_at",
    ),
    Table(
        "handoffs",
        "Sales-to-post-sales handoffs and the quality of the record handed over.",
        (
            _c("handoff_id", S, "Unique id of the handoff."),
            _c("account_id", S, "The account handed off."),
            _c("deal_id", S, "The deal that triggered it.", required=False),
            _c("handed_off_at", TS, "When the handoff happened."),
            _c("fields_required", I, "Fields the handoff template requires."),
            _c("fields_completed", I, "Of those, fields filled in."),
            _c("errors_found", I, "Errors found in the handed-off record."),
        ),
        key=("handoff_id",),
        rules=(
            NonNegative("fields_required"),
            NonNegative("fields_completed"),
            NonNegative("errors_found"),
            AtMost("fields_completed", "fields_required"),
        ),
        time_column="handed_off_at",
    ),
    Table(
        "onboardings",
        "Implementation projects from contract signature to go-live.",
        (
            _c("onboarding_id", S, "Unique id of the onboarding."),
            _c("account_id", S, "The account onboarded."),
            _c("started_at", TS, "When the contract was signed."),
            _c(
                "target_days",
                I,
                "Days allowed to go live; empty = the segment's knob.",
                required=False,
            ),
            _c("go_live_at", TS, "When the customer went live.", required=False),
            _c("status", S, "Free-text status from the project tool.", required=False),
        ),
        key=("onboarding_id",),
        rules=(NonNegative("target_days"), NotBefore("go_live_at", "started_at")),
        time_column="started_at",
    ),
    Table(
        "usage_events",
        "Product analytics events; a `session` event is one login or session.",
        (
            _c("account_id", S, "The account whose user acted."),
            _c("user_id", S, "The user.", required=False),
            _c("ts", TS, "When the event happened."),
            _c("event", S, "Event name, e.g. session, report_created."),
            _c("duration_s", F, "Duration in seconds (sessions).", required=False),
        ),
        key=("account_id", "user_id", "ts", "event"),
        rules=(NonNegative("duration_s"),),
        time_column="ts",
    ),
    Table(
        "survey_responses",
        "NPS, CSAT and CES survey answers.",
        (
            _c("response_id", S, "Unique id of the response."),
            _c("account_id", S, "The account of the respondent."),
            _c("contact_id", S, "The respondent.", required=False),
            _c("survey", S, "Which survey.", enum=SURVEYS),
            _c("score", I, "The answer on the survey's scale."),
            _c("responded_at", TS, "When the answer was given."),
            _c(
                "touchpoint",
                S,
                "What prompted the survey (onboarding, ticket, QBR...).",
                required=False,
            ),
            _c("comment", S, "Free-text comment.", required=False),
        ),
        key=("response_id",),
        rules=(SurveyScale(),),
        time_column="responded_at",
    ),
    Table(
        "tickets",
        "Support tickets.",
        (
            _c("ticket_id", S, "Unique id of the ticket."),
            _c("account_id", S, "The account that raised it."),
            _c("created_at", TS, "When it was opened."),
            _c("resolved_at", TS, "When it was resolved; empty = still open.", required=False),
            _c("contacts", I, "Interactions until resolved."),
            _c("escalated", B, "Whether it was escalated beyond first-line support."),
            _c("priority", S, "Priority.", required=False),
            _c("channel", S, "Channel (email, chat, phone...).", required=False),
        ),
        key=("ticket_id",),
        rules=(NonNegative("contacts"), NotBefore("resolved_at", "created_at")),
        time_column="created_at",
    ),
    Table(
        "costs",
        "Monthly go-to-market costs; company-wide, they belong to no account.",
        (
            _c("month", D, "First day of the month the cost belongs to."),
            _c("category", S, "Where the money went.", enum=COST_CATEGORIES),
            _c(
                "purpose",
                S,
                "Whether it buys new customers or keeps existing ones.",
                enum=COST_PURPOSES,
            ),
            _c("amount", F, "Amount spent."),
        ),
        key=("month", "category", "purpose"),
        rules=(NonNegative("amount"), FirstOfMonth("month")),
        references_account=False,
        time_column="month",
    ),
)

TABLE_NAMES: tuple[str, ...] = tuple(t.name for t in TABLES)
_BY_NAME = {t.name: t for t in TABLES}


def table(name: str) -> Table:
    """The table called ``name``; raises KeyError for an unknown name."""
    return _BY_NAME[name]


#: Tables are declared in load order: referenced tables come first.
LOAD_ORDER: tuple[str, ...] = TABLE_NAMES
