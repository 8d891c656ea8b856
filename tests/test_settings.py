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


# -- where a bad value came from (tandem.settings.sources) ----------------------------------


def test_a_bad_knob_in_the_file_names_its_line(tmp_path: Path) -> None:
    (tmp_path / "tandem.toml").write_text(
        "# knobs\n[metrics]\nchurn_grace_days = 3\nadoption_min_days = 400\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'tandem.toml'} line 4: metrics.adoption_min_days: "
        "Input should be less than or equal to 366 (got 400)"
    )


@pytest.mark.parametrize(
    ("knob", "value"),
    [
        ("onboarding_target_days", "-1"),
        ("onboarding_target_days_by_segment", "{SMB = -1}"),
        ("value_event", '" "'),
        ("conversion_window_days", "99999"),
        ("csat_scale_max", "1000"),
    ],
)
def test_every_knob_has_a_range(tmp_path: Path, knob: str, value: str) -> None:
    (tmp_path / "tandem.toml").write_text(f"[metrics]\n{knob} = {value}\n")
    with pytest.raises(ConfigError, match=rf"tandem\.toml line 2: metrics\.{knob}"):
        load_settings(tmp_path)


def test_a_bad_environment_value_names_the_variable_not_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tandem.toml").write_text("[metrics]\nchurn_grace_days = 3\n")
    monkeypatch.setenv("TANDEM__METRICS__CHURN_GRACE_DAYS", "-2")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert str(caught.value) == (
        "environment variable TANDEM__METRICS__CHURN_GRACE_DAYS: metrics.churn_grace_days: "
        "Input should be greater than or equal to 0 (got '-2')"
    )


def test_the_environment_overrides_the_file_section_by_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tandem.toml").write_text(
        "[metrics]\nchurn_grace_days = 3\nadoption_min_days = 2\n"
    )
    monkeypatch.setenv("TANDEM__METRICS__CHURN_GRACE_DAYS", "7")
    monkeypatch.setenv("TANDEM__HEALTH__KEY_FEATURES", '["export", "api"]')
    settings = load_settings(tmp_path)
    assert settings.metrics.churn_grace_days == 7
    assert settings.metrics.adoption_min_days == 2
    assert settings.health.key_features == ("export", "api")


def test_a_url_variable_named_by_the_file_is_not_taken_for_a_misspelt_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tandem.toml").write_text('[backend]\nurl = "env:TANDEM_BACKEND_URL"\n')
    monkeypatch.setenv("TANDEM_BACKEND_URL", "duckdb://elsewhere.duckdb")
    settings = load_settings(tmp_path)
    assert settings.backend.url == "env:TANDEM_BACKEND_URL"
    assert settings.backend.resolved_url() == "duckdb://elsewhere.duckdb"
    assert settings.backend.redacted_url() == "env:TANDEM_BACKEND_URL"


def test_an_unset_url_variable_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PG_URL", raising=False)
    (tmp_path / "tandem.toml").write_text('[backend]\nurl = "env:PG_URL"\n')
    with pytest.raises(ConfigError, match="environment variable PG_URL is not set"):
        load_settings(tmp_path).backend.resolved_url()


def test_a_password_in_the_file_is_refused_and_not_repeated(tmp_path: Path) -> None:
    (tmp_path / "tandem.toml").write_text('[backend]\nurl = "postgresql://u:hunter2@h/db"\n')
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    assert "line 2" in str(caught.value)
    assert 'url = "env:TANDEM_BACKEND_URL"' in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_a_byte_that_is_not_utf8_is_located(tmp_path: Path) -> None:
    (tmp_path / "tandem.toml").write_bytes(b"[metrics]\n# caf\xe9\n")
    with pytest.raises(ConfigError) as caught:
        load_settings(tmp_path)
    # "[metrics]\n" is 10 bytes, "# caf" 5 more: the byte is at offset 15, column 6.
    assert str(caught.value) == (
        f"{tmp_path / 'tandem.toml'} line 2, column 6: byte 0xe9 (at byte 15) is not UTF-8; "
        "save the file as UTF-8"
    )
