"""tandem.toml and the environment: the backend's memory limit."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tandem.errors import ConfigError
from tandem.service.workspace import Workspace
from tandem.settings import load_settings


def test_memory_limit_reaches_duckdb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    Workspace.init(tmp_path).close()
    monkeypatch.setenv("TANDEM__BACKEND__MEMORY_LIMIT", "1500MB")
    with Workspace(tmp_path) as ws:
        limit = ws.store.raw.execute("SELECT current_setting('memory_limit')").fetchone()  # type: ignore[attr-defined]
    # DuckDB shows 1500 MB (10^6 bytes) in binary units, truncated: 1500e6 / 2^30 = 1.397.
    assert limit == ("1.3 GiB",)


def test_auto_is_half_the_memory_at_most_6_gb(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.backend.memory_limit == "auto"
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    expected = min(total / 2, 6 * 2**30) / 2**20
    assert settings.backend.duckdb_memory_limit() == f"{expected:.0f}MiB"


def test_a_bad_size_names_the_setting(tmp_path: Path) -> None:
    (tmp_path / "tandem.toml").write_text('[backend]\nmemory_limit = "lots"\n')
    with pytest.raises(ConfigError, match=r"backend\.memory_limit: .*'lots' is not a size"):
        load_settings(tmp_path)
