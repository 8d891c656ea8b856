"""The scorecard as one self-contained HTML file: inline CSS, inline SVG charts, no network.

The template lives in package data (``templates/scorecard.html.j2``); jinja2
escapes every value. The same HTML, with its print stylesheet (A4 landscape),
is what the PDF is made from.
"""

from __future__ import annotations

from typing import Any

from tandem.scorecards import charts
from tandem.scorecards.build import status_counts
from tandem.scorecards.figures import (
    arrow,
    change_verdict,
    component_text,
    delta,
    figure,
    good_news,
    interval_text,
)
from tandem.scorecards.model import Line, Scorecard
from tandem.scorecards.scopes import TITLE
from tandem.scorecards.status import Status
from tandem.version import __version__

STATUS_WORDS = {
    Status.GREEN: "green",
    Status.AMBER: "amber",
    Status.RED: "red",
    Status.NONE: "no target",
    Status.NO_VALUE: "no value",
}
#: Sort order of statuses in league tables (best first).
STATUS_RANK = {Status.GREEN: 0, Status.AMBER: 1, Status.RED: 2, Status.NONE: 3, Status.NO_VALUE: 4}


def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("tandem.scorecards", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _news_class(line: Line) -> str:
    news = good_news(line.change, line.higher_is_better)
    return "" if news is None else ("good" if news else "bad")


def _spark(line: Line) -> str:
    return charts.sparkline(
        [p.value for p in line.trend],
        target=line.target,
        title=f"{line.name}, {line.trend[0].label} – {line.trend[-1].label}" if line.trend else "",
    )


def render_html(card: Scorecard) -> str:
    """The whole report as one HTML document."""
    template = _environment().get_template("scorecard.html.j2")
    counts = [(s, n) for s, n in status_counts(card).items() if n]
    return str(
        template.render(
            card=card,
            version=__version__,
            counts=counts,
            status_words=STATUS_WORDS,
            status_rank=STATUS_RANK,
            trend_n=len(card.lines[0].trend) if card.lines else 0,
            figure=figure,
            delta=delta,
            arrow=arrow,
            component_text=component_text,
            interval_text=interval_text,
            change_verdict=change_verdict,
            news_class=_news_class,
            spark=_spark,
            heat=charts.heat,
            waterfall_svg=charts.waterfall(card.waterfall.steps) if card.waterfall else "",
            dimension_title=TITLE[card.comparison.dimension] if card.comparison else "",
        )
    )
