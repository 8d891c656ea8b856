"""docs/health.md and docs/alerts.md name every component, setting and rule kind."""

from __future__ import annotations

from pathlib import Path

from tandem.alerts.rules import KINDS
from tandem.health import COMPONENTS
from tandem.settings import AlertSettings, HealthSettings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_health_doc_names_every_component_and_setting() -> None:
    text = (DOCS / "health.md").read_text(encoding="utf-8")
    for c in COMPONENTS:
        assert f"| `{c.name}` |" in text, c.name
    for name in HealthSettings.model_fields:
        shown = name.removeprefix("weight_") if name.startswith("weight_") else name
        assert f"`{shown}`" in text, name


def test_alerts_doc_names_every_kind_and_setting() -> None:
    text = (DOCS / "alerts.md").read_text(encoding="utf-8")
    for kind in KINDS:
        assert f"| `{kind}` |" in text, kind
    for name in AlertSettings.model_fields:
        assert f"| `{name}` |" in text, name
