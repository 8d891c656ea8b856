"""The scorecard as CSV: one row per metric, or with ``--compare`` one row per metric
and person (or segment). Empty cells are no value; numbers are plain (no units)."""

from __future__ import annotations

import csv
import io
from typing import Any

from tandem.scorecards.model import Scorecard

LINE_COLUMNS = [
    "section",
    "metric",
    "name",
    "unit",
    "direction",
    "teams",
    "period",
    "scope",
    "value",
    "previous",
    "change",
    "baseline",
    "baseline_is",
    "target",
    "rule",
    "status",
    "responses",
    "ci_low",
    "ci_high",
    "low_confidence",
    "change_p_value",
    "change_significant",
    "note",
    "fingerprint",
]
LEAGUE_COLUMNS = [
    "metric",
    "name",
    "unit",
    "period",
    "dimension",
    "rank",
    "key",
    "label",
    "value",
    "previous",
    "status",
    "responses",
    "low_confidence",
    "reference",
    "reference_label",
]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def render_csv(card: Scorecard) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if card.comparison is None:
        writer.writerow(LINE_COLUMNS)
        for section in card.sections:
            for line in section.lines:
                ci, test = line.interval, line.change_test
                row = [
                    section.title,
                    line.slug,
                    line.name,
                    line.unit,
                    line.direction,
                    ";".join(line.teams),
                    card.period.start.isoformat(),
                    card.scope.label,
                    line.value,
                    line.previous,
                    line.change,
                    line.baseline.value if line.baseline else None,
                    line.baseline.label if line.baseline else None,
                    line.target,
                    line.rule,
                    line.status.value,
                    line.responses,
                    ci.low if ci else None,
                    ci.high if ci else None,
                    line.low_confidence if line.responses is not None else None,
                    test.p_value if test else None,
                    test.significant if test else None,
                    line.note,
                    line.fingerprint,
                ]
                writer.writerow([_cell(v) for v in row])
        return out.getvalue()
    writer.writerow(LEAGUE_COLUMNS)
    for league in card.comparison.leagues:
        for rank, e in enumerate(league.entries, 1):
            row = [
                league.slug,
                league.name,
                league.unit,
                card.period.start.isoformat(),
                card.comparison.dimension,
                rank if e.value is not None else None,
                e.key,
                e.label,
                e.value,
                e.previous,
                e.status.value,
                e.responses,
                e.low_confidence if e.responses is not None else None,
                league.reference,
                league.reference_label,
            ]
            writer.writerow([_cell(v) for v in row])
    return out.getvalue()
