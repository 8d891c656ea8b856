"""The PDF for the meeting: read back with poppler, every metric on its pages."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tandem.scorecards.model import Scorecard
from tandem.scorecards.render_pdf import render_pdf
from tests.scorecards.conftest import need


def test_every_metric_is_in_the_pdf(compared: Scorecard, tmp_path: Path) -> None:
    pdftotext = need("pdftotext")
    pdf = tmp_path / "scorecard.pdf"
    pdf.write_bytes(render_pdf(compared))
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    for line in compared.lines:
        assert line.name in flat, line.name
        assert line.slug in flat, line.slug
    assert "Review" in flat and "2026-03" in flat
    assert "Opening MRR" in flat and "Closing MRR" in flat
    assert "Logo retention by signup month" in flat
    assert "By CSM, 2026-03" in flat and "Ada" in flat and "Bo" in flat


def test_the_first_page_renders_to_an_image(compared: Scorecard, tmp_path: Path) -> None:
    """pdftoppm draws page 1 (A4 landscape: wider than tall) as a PNG with content."""
    from PIL import Image

    pdftoppm = need("pdftoppm")
    pdf = tmp_path / "scorecard.pdf"
    pdf.write_bytes(render_pdf(compared))
    subprocess.run(
        [pdftoppm, "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    (png,) = tmp_path.glob("page*.png")
    with Image.open(png) as image:
        assert image.width > image.height
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20
