"""End to end on a small generated company: the default shared scorecard, compared
across CSMs, adds up and renders in every format."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tandem.scorecards import scorecard, write_default
from tandem.scorecards.build import ScorecardRequest
from tandem.scorecards.defaults import default_text
from tandem.scorecards.definition import parse
from tandem.scorecards.model import Scorecard
from tandem.scorecards.render_csv import render_csv
from tandem.scorecards.render_html import render_html
from tandem.scorecards.render_pdf import render_pdf
from tandem.scorecards.render_xlsx import render_xlsx
from tandem.semantic.catalog import default_catalog
from tandem.semantic.types import Agg
from tandem.service.workspace import Workspace
from tandem.synth import SynthConfig, generate
from tests.scorecards.conftest import need

PERIOD = dt.date(2026, 9, 1)


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scorecard]:
    root = tmp_path_factory.mktemp("e2e")
    generate(SynthConfig(accounts=400, months=15, seed=5, end="2026-09-30"), root / "data")
    ws = Workspace.init(root / "ws")
    write_default(ws.path)
    ws.load([root / "data"])
    yield scorecard(ws, None, ScorecardRequest(period=PERIOD, compare="csm"))
    ws.close()


def test_every_default_metric_has_a_line(card: Scorecard) -> None:
    expected = parse(default_text(), "shared.yml", default_catalog().metrics)
    assert [line.slug for line in card.lines] == [e.metric for e in expected.entries]
    assert [s.title for s in card.sections] == [
        "Revenue",
        "Customers",
        "Onboarding and adoption",
        "Handoff",
        "Acquisition",
    ]
    assert len(card.lines) == 27
    assert sum(line.value is not None for line in card.lines) >= 20
    assert card.waterfall is not None and card.waterfall.balanced


def test_per_csm_counts_and_sums_add_up_to_the_company(card: Scorecard) -> None:
    """Every count or sum component of every metric, summed over the CSMs (no CSM being
    a group of its own), equals the company's. Left out: costs, which belong to no
    account, and sources that arrive already grouped (the CLV churn window counts
    months, not accounts)."""
    assert card.comparison is not None
    lines = {line.slug: line for line in card.lines}
    checked = 0
    for league in card.comparison.leagues:
        company = lines[league.slug].components
        for name, total in company.items():
            measure = default_catalog().measures.get(name)
            if measure is None or measure.agg not in (Agg.COUNT, Agg.SUM):
                continue
            if measure.source == "costs" or default_catalog().sources[measure.source].grouped:
                continue
            parts = [e.components.get(name) for e in league.entries]
            assert sum(p or 0 for p in parts) == pytest.approx(total), (league.slug, name)
            checked += 1
    assert checked > 40


def test_every_format_renders(card: Scorecard, tmp_path: Path) -> None:
    assert json.loads(json.dumps(card.to_json()))["name"] == "shared"
    assert render_csv(card).count("\n") > 27
    html = render_html(card)
    pdf = tmp_path / "card.pdf"
    pdf.write_bytes(render_pdf(card))
    assert render_xlsx(card)[:2] == b"PK"
    text = subprocess.run(
        [need("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for line in card.lines:
        assert f'id="metric-{line.slug}"' in html
        assert line.name in flat, line.name


def test_lifetime_value_shows_the_catalog_and_the_model_side_by_side(card: Scorecard) -> None:
    """The simple CLV is the scorecard's own customer_lifetime_value line; the predicted
    CLV is the mean over the accounts that ordered, or the model's reason for none."""
    lv = card.lifetime
    assert lv is not None
    line = next(x for x in card.lines if x.slug == "customer_lifetime_value")
    assert lv.simple_clv == line.value
    assert "ARPC × gross margin" in lv.note and "BG/NBD" in lv.note
    if lv.refused is None:
        assert lv.accounts_scored > 0 and lv.predicted_clv is not None and lv.predicted_clv > 0
    else:
        assert lv.predicted_clv is None and lv.accounts_scored == 0
