"""Risk rules: declared in YAML, validated with the file, line and field of every problem.

Rules live in ``<workspace>/alerts.yml`` and in ``<workspace>/alerts/*.yml``
(read in name order), each file a mapping with a ``rules`` list. Every rule has
an ``id`` (unique across files), a ``kind``, a ``severity`` and an ``owner``
(``csm``, ``sales_rep`` or ``manager``: the account's CSM's manager, or its sales
rep's when it has no CSM), optionally ``escalate_after_hours`` and
``enabled``, and the parameters of its kind (see ``KINDS`` and docs/alerts.md).
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from tandem.errors import ConfigError

RULES_FILE = "alerts.yml"
RULES_FOLDER = "alerts"


class Severity(enum.StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Owner(enum.StrEnum):
    CSM = "csm"
    SALES_REP = "sales_rep"
    MANAGER = "manager"


class _Rule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)
    severity: Severity
    owner: Owner
    escalate_after_hours: float | None = Field(None, gt=0, le=2160)
    enabled: bool = True
    description: str = ""


class UsageDrop(_Rule):
    """Sessions in the last ``window_days`` at least ``drop_pct`` % below the window before."""

    kind: Literal["usage_drop"]
    drop_pct: float = Field(50, gt=0, le=100)
    window_days: int = Field(30, ge=7, le=180)
    min_sessions_before: int = Field(4, ge=1, le=100_000)


class DetractorResponse(_Rule):
    """An NPS answer of 0–6 given in the last ``within_days``."""

    kind: Literal["detractor_response"]
    within_days: int = Field(7, ge=1, le=365)


class EscalatedTicket(_Rule):
    """A ticket escalated and created in the last ``within_days``."""

    kind: Literal["escalated_ticket"]
    within_days: int = Field(7, ge=1, le=365)


class OnboardingPastDue(_Rule):
    """An onboarding not live ``grace_days`` after its due day (start + target days)."""

    kind: Literal["onboarding_past_due"]
    grace_days: int = Field(0, ge=0, le=365)


class RenewalRisk(_Rule):
    """A renewal within ``within_days`` while the health score is below ``health_below``."""

    kind: Literal["renewal_risk"]
    within_days: int = Field(60, ge=1, le=730)
    health_below: float = Field(50, gt=0, le=100)


class MissingHandoffField(_Rule):
    """A handoff in the last ``within_days`` with fewer fields completed than required."""

    kind: Literal["missing_handoff_field"]
    within_days: int = Field(30, ge=1, le=365)


Rule = Annotated[
    UsageDrop
    | DetractorResponse
    | EscalatedTicket
    | OnboardingPastDue
    | RenewalRisk
    | MissingHandoffField,
    Field(discriminator="kind"),
]
KINDS: dict[str, type[_Rule]] = {
    "usage_drop": UsageDrop,
    "detractor_response": DetractorResponse,
    "escalated_ticket": EscalatedTicket,
    "onboarding_past_due": OnboardingPastDue,
    "renewal_risk": RenewalRisk,
    "missing_handoff_field": MissingHandoffField,
}


class _File(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: list[Rule] = Field(default_factory=list)


_FILE = TypeAdapter(_File)

DEFAULT_RULES = """\
# Tandem risk rules: evaluated by `tandem alerts run [--as-of DATE]`.
# Each rule: id, kind, severity (low, medium, high, critical), owner (csm,
# sales_rep, manager), optional escalate_after_hours (default: [alerts] in
# tandem.toml) and enabled, and its kind's parameters. See docs/alerts.md.
rules:
  - id: usage-drop
    kind: usage_drop
    severity: high
    owner: csm
    drop_pct: 50            # sessions in the last window at least 50 % below the one before
    window_days: 30
    min_sessions_before: 4  # quieter accounts are not judged on their trend

  - id: detractor
    kind: detractor_response
    severity: high
    owner: csm
    within_days: 7

  - id: escalated-ticket
    kind: escalated_ticket
    severity: high
    owner: csm
    within_days: 7

  - id: onboarding-late
    kind: onboarding_past_due
    severity: medium
    owner: csm
    grace_days: 0

  - id: renewal-at-risk
    kind: renewal_risk
    severity: critical
    owner: manager
    within_days: 60
    health_below: 50

  - id: handoff-incomplete
    kind: missing_handoff_field
    severity: low
    owner: sales_rep
    within_days: 30
"""


def rule_files(workspace: Path) -> list[Path]:
    files = [workspace / RULES_FILE] if (workspace / RULES_FILE).is_file() else []
    folder = workspace / RULES_FOLDER
    if folder.is_dir():
        files += sorted(p for p in folder.glob("*.yml") if p.is_file())
        files += sorted(p for p in folder.glob("*.yaml") if p.is_file())
    return files


def write_default_rules(workspace: Path) -> Path | None:
    """Write ``alerts.yml`` with the default rules unless rules exist; the file written."""
    if rule_files(workspace):
        return None
    target = workspace / RULES_FILE
    target.write_text(DEFAULT_RULES, encoding="utf-8")
    return target


def load_rules(workspace: Path) -> list[Rule]:
    """Every rule of the workspace's rule files, or ConfigError listing every problem."""
    problems: list[str] = []
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for path in rule_files(workspace):
        loaded, lines = _read(path, problems)
        if loaded is None:
            continue
        try:
            parsed = _FILE.validate_python(loaded)
        except ValidationError as exc:
            problems += [_located(path, lines, e) for e in exc.errors()]
            continue
        for i, rule in enumerate(parsed.rules):
            where = f"{path} line {lines.get(('rules', i, 'id'), '?')}"
            if rule.id in seen:
                problems.append(
                    f"{where}, rules[{i}].id: {rule.id!r} is already used in {seen[rule.id]}"
                )
                continue
            seen[rule.id] = where
            rules.append(rule)
    if problems:
        raise ConfigError("invalid alert rules:\n" + "\n".join(problems))
    return rules


def _read(path: Path, problems: list[str]) -> tuple[Any, dict[tuple[Any, ...], int]]:
    import yaml

    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        problems.append(f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}")
        return None, {}
    if data is None:
        return {"rules": []}, {}
    lines: dict[tuple[Any, ...], int] = {}
    _lines(node, (), lines)
    return data, lines


def _lines(node: Any, path: tuple[Any, ...], out: dict[tuple[Any, ...], int]) -> None:
    """Map each key path (``('rules', 2, 'drop_pct')``) to its 1-based line."""
    import yaml

    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            out[(*path, key.value)] = key.start_mark.line + 1
            _lines(value, (*path, key.value), out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _lines(item, (*path, i), out)


def _located(path: Path, lines: dict[tuple[Any, ...], int], error: Any) -> str:
    loc = tuple(p for p in error["loc"] if p not in KINDS)  # drop the union's tag
    line = None
    for n in range(len(loc), -1, -1):
        line = lines.get(loc[:n])
        if line is not None:
            break
    field = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")
    where = f"{path} line {line}" if line else str(path)
    return f"{where}, {field or 'file'}: {_message(error)}"


def _message(error: Any) -> str:
    kind = error["type"]
    if kind == "union_tag_invalid":
        return f"unknown kind {error['input'].get('kind')!r}; choose one of {', '.join(KINDS)}"
    if kind == "union_tag_not_found":
        return f"missing kind; choose one of {', '.join(KINDS)}"
    if kind == "extra_forbidden":
        return "unknown field"
    return str(error["msg"])
