"""The package version, in one place (below every layer)."""

from __future__ import annotations

__version__ = "0.1.0"
