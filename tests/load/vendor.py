"""Real vendor exports, read in place from ``../shared/vendor-samples`` (never copied here).

The folder sits next to the repository (CI clones the repository beside
``shared/``); ``TANDEM_SHARED`` may point elsewhere. A missing folder fails the
test that needs it, with what to do, rather than skipping it.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def sample(relative: str) -> Path:
    """``vendor-samples/<relative>``; fails the test when the shared folder is absent."""
    shared = Path(os.environ.get("TANDEM_SHARED", ROOT.parent / "shared"))
    path = shared / "vendor-samples" / relative
    if not path.exists():
        pytest.fail(
            f"vendor sample {path} is missing: clone the repository next to shared/ "
            "(as CI does) or set TANDEM_SHARED to the shared folder",
            pytrace=False,
        )
    return path
