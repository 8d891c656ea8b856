"""The HTML report: every metric present with its status, nothing fetched from outside,
and the page rendered by a real browser (Debian's Chromium, headless, no network)."""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

from tandem.bench.web import CHROMIUM_ARGS
from tandem.scorecards.model import Scorecard
from tandem.scorecards.render_html import render_html
from tests.scorecards.conftest import need


class Rows(HTMLParser):
    """Collects each metric row's status and text, and every URL the page would fetch."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[str, dict[str, str]] = {}
        self.fetches: list[str] = []
        self._current: str | None = None
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key):
                self.fetches.append(str(a[key]))
        if tag == "link":
            self.fetches.append(str(a.get("href")))
        if tag == "tr" and (a.get("id") or "").startswith("metric-"):
            self._current = str(a["id"])[len("metric-") :]
            self.rows[self._current] = {"status": str(a.get("data-status")), "text": ""}
            self._depth = 0
        elif tag == "tr" and self._current:
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr" and self._current:
            if self._depth == 0:
                self._current = None
            else:
                self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._current:
            self.rows[self._current]["text"] += data


def test_every_metric_is_in_the_report_with_its_status(compared: Scorecard) -> None:
    page = Rows()
    page.feed(render_html(compared))
    assert set(page.rows) == {line.slug for line in compared.lines}
    for line in compared.lines:
        if line.slug == "nps":
            continue  # listed four times with different baselines; checked below
        row = page.rows[line.slug]
        assert row["status"] == line.status.value, line.slug
        assert line.name in row["text"], line.slug
    nps = " ".join(page.rows["nps"]["text"].split())
    assert "40.0" in nps and "n = 5" in nps and "low confidence" in nps
    assert "promoters 3 · passives 1 · detractors 1 · nps_responses 5" in nps
    assert page.fetches == []


def test_the_report_is_self_contained(compared: Scorecard) -> None:
    html = render_html(compared)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert "<link" not in html and "@import" not in html
    with_trend = [ln for ln in compared.lines if any(p.value is not None for p in ln.trend)]
    assert len(with_trend) == len(compared.lines) == 13
    assert html.count('<svg xmlns="http://www.w3.org/2000/svg" class="spark"') == 13
    assert 'class="waterfall"' in html
    for league in compared.comparison.leagues if compared.comparison else []:
        assert f'id="league-{league.slug}"' in html
    assert "Logo retention by signup month" in html and "Revenue retention" in html


def test_a_browser_renders_every_metric(compared: Scorecard, tmp_path: Path) -> None:
    """Chromium loads the file with networking off; the DOM after scripts have run holds
    every metric row, and the screenshot is a page with content, not a blank one."""
    from PIL import Image

    chromium = need("chromium")
    page = tmp_path / "scorecard.html"
    page.write_text(render_html(compared), encoding="utf-8")
    args = [chromium, *CHROMIUM_ARGS, f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run(
        [*args, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120
    ).stdout
    for line in compared.lines:
        assert f'id="metric-{line.slug}"' in dom, line.slug
    shot = tmp_path / "shot.png"
    subprocess.run(
        [*args, "--window-size=1280,1600", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50  # text, pills and charts, not blank
