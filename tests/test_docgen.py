"""The generated reference documents are committed and current."""

from __future__ import annotations

from pathlib import Path

from tandem.docgen import DOCS, DOCUMENTS, main, render_data_model, stale
from tandem.schema import TABLES


def test_committed_documents_are_current() -> None:
    assert stale() == [], "regenerate with: python -m tandem.docgen"


def test_data_model_lists_every_table_column_and_rule() -> None:
    text = render_data_model()
    for table in TABLES:
        assert f"## `{table.name}`" in text
        for column in table.columns:
            assert f"| `{column.name}` | {column.type.value} |" in text
        for rule in table.rules:
            assert rule.describe() in text
    assert "`marketing`, `sales`, `customer_success`, `support`, `onboarding`" in text


def test_main_writes_and_checks(tmp_path: Path) -> None:
    assert main(["--check", "--out", str(tmp_path)]) == 1
    assert main(["--out", str(tmp_path)]) == 0
    assert main(["--check", "--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(DOCUMENTS)
    assert DOCS.name == "docs"


def test_metrics_document_lists_every_metric_knob_and_component() -> None:
    from tandem.docgen import render_metrics
    from tandem.semantic.catalog import default_catalog
    from tandem.settings import MetricSettings

    text = render_metrics()
    for m in default_catalog():
        assert f"### `{m.slug}` — {m.name}" in text
        assert m.description in text
        for name in m.measures:
            assert f"| `{name}` |" in text
    for knob in MetricSettings.model_fields:
        assert f"| `{knob}` |" in text
