"""The scorecard as a PDF for the meeting: the HTML report laid out by WeasyPrint.

WeasyPrint is a CSS layout engine written for paged media: it reads the report's
print stylesheet (A4 landscape, page numbers) and its inline SVG charts, and
needs no browser and no network (it uses Debian's Pango for text).
"""

from __future__ import annotations

from tandem.scorecards.model import Scorecard
from tandem.scorecards.render_html import render_html


def render_pdf(card: Scorecard) -> bytes:
    import logging

    from weasyprint import HTML

    # WeasyPrint logs every CSS property it skips (the screen-only ones) as a warning.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    pdf = HTML(string=render_html(card), base_url=None).write_pdf()
    assert pdf is not None
    return bytes(pdf)
