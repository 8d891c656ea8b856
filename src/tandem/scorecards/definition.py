"""Scorecard definitions: YAML files in ``<workspace>/scorecards/``, validated into models.

A definition names sections of catalog metrics, each with an optional target, a
red / amber / green rule, the accountable teams (the catalog's by default), a
baseline and a note::

    title: Shared scorecard
    grain: month
    baseline: {mean_of: 3}            # default for every metric
    sections:
      - title: Customers
        metrics:
          - metric: nps
            target: 30
            status: {tolerance: 10}   # or {green: 30, red: 20}, or {tolerance: 10%}
            baseline: same_period_last_year
            teams: [marketing, sales, service]
            note: Relationship survey, sent quarterly.

Every problem of a file is collected before it is refused, each with the file, the
line and the field (``sections[0].metrics[2].target``); unknown metric slugs and
unknown keys come with the nearest valid name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from tandem.errors import ConfigError, did_you_mean
from tandem.semantic.calendar import Grain
from tandem.semantic.types import Direction, Team

if TYPE_CHECKING:
    from tandem.semantic.types import Metric

#: Issues reported per file at most; the rest are counted.
MAX_ISSUES = 50


def parse_day(value: object) -> dt.date:
    """A day from ``2026-03-15``, ``2026-03`` (its first day) or ``2026`` (1 January)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for fmt, size in (("%Y-%m-%d", 10), ("%Y-%m", 7), ("%Y", 4)):
        if len(text) == size:
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                break
    raise ValueError(f"{value!r} is not a date like 2026-03-15, 2026-03 or 2026")


def _day(value: object) -> dt.date:
    try:
        return parse_day(value)
    except ValueError as exc:
        raise _fail(str(exc)) from None


def _fail(reason: str, field: str | None = None) -> PydanticCustomError:
    """A validation error with our own wording; ``field`` refines where it points."""
    return PydanticCustomError("scorecard", "{reason}", {"reason": reason, "field": field})


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Rule(_Model):
    """Red / amber / green: two thresholds, or a tolerance around the target.

    Thresholds: green from ``green`` on (at or better), red from ``red`` on (at or
    worse), amber between; "better" follows the metric's direction. Tolerance:
    green at or better than the target, amber when worse by at most the tolerance
    (a number in the metric's unit, or a percentage of the target: ``10%``), red
    beyond.
    """

    green: float | None = None
    red: float | None = None
    tolerance: float | None = Field(None, ge=0)
    relative: bool = False

    @model_validator(mode="before")
    @classmethod
    def _percent(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("tolerance"), str):
            text = data["tolerance"].strip()
            if text.endswith("%"):
                try:
                    number = float(text[:-1])
                except ValueError:
                    raise _fail(
                        f"tolerance {text!r} is not a number or a percentage like 10%",
                        "tolerance",
                    ) from None
                return {**data, "tolerance": number, "relative": True}
        return data

    @model_validator(mode="after")
    def _one_kind(self) -> Rule:
        thresholds = self.green is not None or self.red is not None
        if thresholds and self.tolerance is not None:
            raise _fail("give either thresholds (green, red) or a tolerance, not both")
        if thresholds and (self.green is None or self.red is None):
            missing = "red" if self.red is None else "green"
            raise _fail(f"thresholds need both green and red ({missing} is missing)", missing)
        if not thresholds and self.tolerance is None:
            raise _fail("give thresholds (green, red) or a tolerance")
        return self


class Baseline(_Model):
    """What a metric is compared with besides its target.

    ``period``: one fixed period (the one holding the date); ``mean``: the mean of
    the values of the ``mean_of`` periods before the period holding ``before`` (by
    default, before the period shown); ``last_year``: the same period a year earlier.
    """

    kind: Literal["period", "mean", "last_year"]
    period: dt.date | None = None
    mean_of: int | None = Field(None, ge=1, le=120)
    before: dt.date | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            if data.strip() in ("same_period_last_year", "last_year"):
                return {"kind": "last_year"}
            raise _fail(
                f"baseline {data!r}: write same_period_last_year, {{period: 2026-01}} or "
                "{mean_of: 3} (optionally with before: DATE)"
            )
        if isinstance(data, dict) and "kind" not in data:
            if "period" in data:
                return {"kind": "period", **data}
            if "mean_of" in data:
                return {"kind": "mean", **data}
            if data.get("same_period_last_year") is True and len(data) == 1:
                return {"kind": "last_year"}
            raise _fail(
                "give period: DATE, mean_of: N (with before: DATE or not), or same_period_last_year"
            )
        return data

    @field_validator("period", "before", mode="before")
    @classmethod
    def _days(cls, value: object) -> dt.date | None:
        return None if value is None else _day(value)

    @model_validator(mode="after")
    def _complete(self) -> Baseline:
        if self.kind == "period" and (self.mean_of is not None or self.before is not None):
            raise _fail("a fixed-period baseline takes only period")
        if self.kind == "mean" and (self.mean_of is None or self.period is not None):
            raise _fail("a mean baseline takes mean_of and before, not period")
        if self.kind == "last_year" and (self.period or self.mean_of or self.before):
            raise _fail("same_period_last_year takes nothing else")
        return self


class MetricEntry(_Model):
    metric: str
    target: float | None = None
    status: Rule | None = None
    teams: list[Team] | None = None
    baseline: Baseline | None = None
    note: str | None = None

    @field_validator("metric")
    @classmethod
    def _known(cls, slug: str, info: ValidationInfo) -> str:
        catalog = _catalog(info)
        if catalog is not None and slug not in catalog:
            hint = did_you_mean(slug, sorted(catalog))
            raise _fail(f"unknown metric {slug!r}{hint}; 'tandem metrics' lists them")
        return slug

    @field_validator("teams")
    @classmethod
    def _some_team(cls, teams: list[Team] | None) -> list[Team] | None:
        if teams is not None and not teams:
            raise _fail("name at least one team, or leave teams out")
        return teams

    @model_validator(mode="after")
    def _rule_fits(self, info: ValidationInfo) -> MetricEntry:
        rule = self.status
        if rule is None:
            return self
        if rule.tolerance is not None and self.target is None:
            raise _fail("a tolerance needs a target", "status.tolerance")
        if rule.relative and self.target == 0:
            raise _fail(
                "a tolerance in % of a target of 0 is always 0; give a number",
                "status.tolerance",
            )
        catalog = _catalog(info)
        if catalog is None or rule.green is None or rule.red is None:
            return self
        higher = catalog[self.metric].direction is Direction.HIGHER
        if (rule.green <= rule.red) if higher else (rule.green >= rule.red):
            better = "higher" if higher else "lower"
            raise _fail(
                f"{self.metric}: {better} is better, so green ({rule.green:g}) must be "
                f"{better} than red ({rule.red:g})",
                "status",
            )
        return self


class Section(_Model):
    title: str = Field(min_length=1)
    metrics: list[MetricEntry] = Field(min_length=1)
    note: str | None = None


class ScorecardDefinition(_Model):
    """A validated scorecard file."""

    title: str = Field(min_length=1)
    description: str | None = None
    grain: Grain = Grain.MONTH
    baseline: Baseline = Baseline(kind="mean", mean_of=3)
    sections: list[Section] = Field(min_length=1)

    @field_validator("grain")
    @classmethod
    def _calendar(cls, grain: Grain) -> Grain:
        if grain is Grain.SPAN:
            raise _fail("choose week, month, quarter or year")
        return grain

    @property
    def entries(self) -> list[MetricEntry]:
        return [e for s in self.sections for e in s.metrics]

    @property
    def slugs(self) -> list[str]:
        return list(dict.fromkeys(e.metric for e in self.entries))


def _catalog(info: ValidationInfo) -> Mapping[str, Metric] | None:
    context = info.context
    return context.get("catalog") if isinstance(context, dict) else None


_FIELDS = sorted(
    {
        name
        for model in (Rule, Baseline, MetricEntry, Section, ScorecardDefinition)
        for name in model.model_fields
        if name not in ("kind", "relative")
    }
    | {"same_period_last_year"}
)


# -- reading YAML with line numbers ------------------------------------------------


@dataclass(frozen=True)
class DefinitionIssue:
    file: str
    line: int | None
    field: str
    reason: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}, line {self.line}"
        return f"{where}, {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


class DefinitionError(ConfigError):
    """A scorecard file was refused; every issue names file, line and field."""

    def __init__(self, issues: list[DefinitionIssue], more: int = 0) -> None:
        self.issues = issues
        lines = [str(i) for i in issues]
        if more:
            lines.append(f"... and {more} more issues")
        super().__init__("\n".join(lines))


Path_ = tuple[str | int, ...]


def _compose(text: str, file: str) -> tuple[Any, dict[Path_, int], list[DefinitionIssue]]:
    """The YAML document as plain values, the line of each key or item, and issues."""
    loader = yaml.SafeLoader(text)
    lines: dict[Path_, int] = {}
    issues: list[DefinitionIssue] = []

    def walk(node: yaml.Node, path: Path_) -> Any:
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = loader.construct_object(key_node, deep=True)
                here = (*path, key)
                if key in out:
                    issues.append(
                        DefinitionIssue(
                            file, key_node.start_mark.line + 1, _dotted(here), "duplicate key"
                        )
                    )
                lines[here] = key_node.start_mark.line + 1
                out[key] = walk(value_node, here)
            return out
        if isinstance(node, yaml.SequenceNode):
            items = []
            for i, item in enumerate(node.value):
                lines[(*path, i)] = item.start_mark.line + 1
                items.append(walk(item, (*path, i)))
            return items
        return loader.construct_object(node, deep=True)

    try:
        root = loader.get_single_node()
        data = None if root is None else walk(root, ())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = f"not valid YAML: {exc.problem or exc.context}"
        return None, lines, [DefinitionIssue(file, line, "", reason)]
    except yaml.YAMLError as exc:
        return None, lines, [DefinitionIssue(file, None, "", f"not valid YAML: {exc}")]
    finally:
        loader.dispose()
    return data, lines, issues


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _line(lines: dict[Path_, int], path: Path_) -> int | None:
    for n in range(len(path), 0, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return 1 if lines else None


def _issue(error: Any, file: str, lines: dict[Path_, int]) -> DefinitionIssue:
    loc: Path_ = tuple(p for p in error["loc"] if not isinstance(p, str) or p[:1] != "_")
    ctx = error.get("ctx") or {}
    if isinstance(ctx.get("field"), str):
        loc = (*loc, *ctx["field"].split("."))
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        reason = f"unknown key {key!r}{did_you_mean(key, _FIELDS)}"
    elif kind == "missing":
        reason = "required, missing"
    elif kind in ("float_parsing", "float_type", "int_parsing", "int_type", "string_type"):
        reason = f"{error['msg'][0].lower()}{error['msg'][1:]} (got {error['input']!r})"
    elif kind == "enum":
        reason = f"{error['input']!r}: {error['msg'][0].lower()}{error['msg'][1:]}"
    else:
        reason = error["msg"]
    return DefinitionIssue(file, _line(lines, loc), _dotted(loc), reason)


def parse(text: str, file: str, catalog: Mapping[str, Metric]) -> ScorecardDefinition:
    """Validate a scorecard's YAML text; raise DefinitionError listing every issue."""
    data, lines, issues = _compose(text, file)
    if data is None and not issues:
        issues.append(DefinitionIssue(file, None, "", "empty file; a scorecard needs a title"))
    elif data is not None and not isinstance(data, dict):
        issues.append(DefinitionIssue(file, 1, "", "a scorecard is a mapping (title, sections)"))
    if issues and (data is None or not isinstance(data, dict)):
        raise DefinitionError(issues)
    try:
        definition = ScorecardDefinition.model_validate(data, context={"catalog": catalog})
    except ValidationError as exc:
        issues += [_issue(e, file, lines) for e in exc.errors()]
        issues.sort(key=lambda i: i.line or 0)
    if issues:
        raise DefinitionError(issues[:MAX_ISSUES], max(0, len(issues) - MAX_ISSUES))
    return definition


def load(
    path: Path, catalog: Mapping[str, Metric], *, shown_as: str | None = None
) -> ScorecardDefinition:
    """Read and validate one scorecard file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{shown_as or path}: cannot read the scorecard ({exc})") from None
    return parse(text, shown_as or str(path), catalog)
