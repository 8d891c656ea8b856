"""Rule files: the defaults, and every problem named with its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.alerts.rules import DEFAULT_RULES, KINDS, load_rules, write_default_rules
from tandem.errors import ConfigError


def test_the_defaults_cover_every_kind(tmp_path: Path) -> None:
    assert write_default_rules(tmp_path) == tmp_path / "alerts.yml"
    rules = load_rules(tmp_path)
    assert sorted(r.kind for r in rules) == sorted(KINDS)
    assert write_default_rules(tmp_path) is None  # never overwrites
    (tmp_path / "alerts.yml").write_text("rules: []\n")
    assert write_default_rules(tmp_path) is None
    assert load_rules(tmp_path) == []


def test_every_problem_with_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "alerts.yml"
    path.write_text(
        "rules:\n"  # 1
        "  - id: drop\n"  # 2
        "    kind: usage_drop\n"  # 3
        "    severity: hgh\n"  # 4
        "    owner: csm\n"  # 5
        "    drop_pct: 150\n"  # 6
        "  - id: x\n"  # 7
        "    kind: nope\n"  # 8
        "    severity: low\n"  # 9
        "    owner: csm\n"  # 10
        "  - id: y\n"  # 11
        "    kind: detractor_response\n"  # 12
        "    severity: low\n"  # 13
        "    owner: boss\n"  # 14
        "    colour: red\n"  # 15
    )
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path)
    assert str(caught.value).splitlines() == [
        "invalid alert rules:",
        f"{path} line 4, rules[0].severity: Input should be 'low', 'medium', 'high' or 'critical'",
        f"{path} line 6, rules[0].drop_pct: Input should be less than or equal to 100",
        f"{path} line 7, rules[1]: unknown kind 'nope'; choose one of "
        "usage_drop, detractor_response, escalated_ticket, onboarding_past_due, renewal_risk, "
        "missing_handoff_field",
        f"{path} line 14, rules[2].owner: Input should be 'csm', 'sales_rep' or 'manager'",
        f"{path} line 15, rules[2].colour: unknown field",
    ]


def test_ids_are_unique_across_files_and_yaml_errors_have_lines(tmp_path: Path) -> None:
    (tmp_path / "alerts.yml").write_text(DEFAULT_RULES)
    (tmp_path / "alerts").mkdir()
    (tmp_path / "alerts" / "extra.yml").write_text(
        "rules:\n  - {id: detractor, kind: detractor_response, severity: low, owner: csm}\n"
    )
    (tmp_path / "alerts" / "broken.yml").write_text("rules:\n  - id: [unclosed\n")
    with pytest.raises(ConfigError) as caught:
        load_rules(tmp_path)
    lines = str(caught.value).splitlines()
    assert lines[1].startswith(f"{tmp_path / 'alerts' / 'broken.yml'} line 3: not valid YAML")
    assert lines[2] == (
        f"{tmp_path / 'alerts' / 'extra.yml'} line 2, rules[0].id: 'detractor' is already "
        f"used in {tmp_path / 'alerts.yml'} line 14"
    )
