"""Files the pages load that are not ours: Plotly's JavaScript, from the installed package."""

from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path


@cache
def plotly_js() -> tuple[bytes, bytes]:
    """plotly.min.js from the installed plotly package, and its gzip, read once."""
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    text = path.read_bytes()
    return text, gzip.compress(text, compresslevel=6)


def plotly_version() -> str:
    import plotly

    return str(plotly.__version__)
