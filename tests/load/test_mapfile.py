"""Mapping files in the full form: every mistake names the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.errors import UsageError
from tandem.load.expressions import ExpressionError, parse
from tandem.load.mapping import read_any, read_mapping_file
from tandem.load.presets import catalog, names, path_of
from tests.load.files import write

GOOD = """
sources:
  deals:
    match: {columns: [Deal]}
    tables:
      deals:
        columns:
          deal_id: Deal
          account_id: Company
          type: {value: new_business}
          created_at: {from: Created, parse: date, format: "%d/%m/%Y"}
          outcome: {from: Stage, map: {Won: won, "*": open}}
          qualified: {value: true}
"""


def _error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path / "map.yaml", text)
    with pytest.raises(UsageError) as caught:
        read_any(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    return message[len(str(path)) :]


def test_a_good_mapping_parses(tmp_path: Path) -> None:
    parsed = read_mapping_file(write(tmp_path / "map.yaml", GOOD))
    assert parsed is not None
    [source] = parsed.sources
    [part] = source.parts
    outcome = next(c for c in part.columns if c.name == "outcome")
    assert (outcome.mapping, outcome.otherwise, outcome.has_otherwise) == (
        (("Won", "won"),),
        "open",
        True,
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            (
                '          outcome: {from: Stage, map: {Won: won, "*": open}}\n',
                "          outcom: Stage\n",
            ),
            " line 11, key 'outcom': not a column of deals (did you mean 'outcome'?); columns: "
            "deal_id, account_id, owner_id, type, created_at, closed_at, outcome, amount, "
            "qualified (put other columns under 'extras')",
        ),
        (
            ("parse: date", "parse: dat"),
            " line 10, key 'parse': 'dat' is not a parse type (did you mean 'date'?); choose "
            "text, number, integer, boolean, date, timestamp, epoch_s, epoch_ms",
        ),
        (
            ('format: "%d/%m/%Y"', 'format: "DD/MM/YYYY"'),
            " line 10, key 'format': 'DD/MM/YYYY': write formats with % codes, e.g. %d/%m/%Y "
            "(day first) or %m/%d/%Y (month first)",
        ),
        (
            ("      deals:\n        columns:", "      deal:\n        columns:"),
            " line 5, key 'deal': unknown table (did you mean 'deals'?); tables: ",
        ),
        (
            ("          deal_id: Deal\n", ""),
            " line 6, key 'columns': deals needs deal_id",
        ),
        (
            ("{value: new_business}", "{value: new_business, from: Type}"),
            " line 9, key 'type': give exactly one of 'from' (a field), 'value' or 'expr'",
        ),
        (
            ("    match: {columns: [Deal]}", "    matches: {columns: [Deal]}"),
            " line 3, key 'matches': unknown key (did you mean 'match'?); allowed: ",
        ),
        (
            ("{value: true}", '{expr: "1 +"}'),
            " line 12, key 'expr': cannot parse '1 +': ",
        ),
    ],
)
def test_mistakes_name_file_line_and_key(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = GOOD.replace(*change)  # line numbers count from "sources:", the file's first line
    assert text != GOOD
    assert _error(tmp_path, text).startswith(message)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("(SELECT 1)", "is not allowed"),
        ("read_csv('/etc/passwd')", "is not allowed"),
        ("shell('ls')", "unknown function 'shell'"),
        ("amount::VARCHAR", "is not allowed"),
        ("months()", "months takes 1 or 2 arguments"),
        ("t.amount * 2", "quote a field name holding a dot"),
    ],
)
def test_expressions_cannot_run_arbitrary_sql(text: str, reason: str) -> None:
    with pytest.raises(ExpressionError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        parse(text)


def test_several_sources_need_a_way_to_recognise_files(tmp_path: Path) -> None:
    second = "  more:\n    tables:\n      accounts:\n        columns: {account_id: A, name: B, created_at: C}\n"  # noqa: E501
    assert " line 13, key 'more': several sources: each needs 'match'" in _error(
        tmp_path, GOOD + second
    )


def test_every_preset_parses_and_lists_its_files() -> None:
    assert names() == [
        "delighted",
        "hubspot",
        "qualtrics",
        "salesforce",
        "stripe",
        "surveymonkey",
        "typeform",
        "zendesk",
    ]
    presets = {p.name: p for p in catalog()}
    stripe = presets["stripe"]
    assert stripe.path == path_of("stripe")
    assert [(f.source, f.tables) for f in stripe.files] == [
        ("customers", ("accounts",)),
        ("subscriptions", ("subscriptions",)),
        ("invoices", ("subscriptions",)),
        ("dashboard customers", ("accounts",)),
        ("dashboard subscriptions", ("subscriptions",)),
    ]
    assert presets["zendesk"].files[0].tables == ("tickets", "survey_responses")


def test_an_unknown_preset_lists_the_presets() -> None:
    with pytest.raises(
        UsageError, match="--preset 'strip': no such preset \\(did you mean 'stripe'"
    ):
        path_of("strip")
