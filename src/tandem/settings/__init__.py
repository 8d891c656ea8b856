"""Typed workspace settings: the knobs of the metric definitions and the backend.

Precedence, lowest to highest: the defaults (``sections``) < ``tandem.toml`` in
the workspace < environment variables ``TANDEM__SECTION__KEY`` (for example
``TANDEM__METRICS__CHURN_GRACE_DAYS=7``), read by ``sources``, which names the
source of any bad value. The settings are part of the metric definitions: every
metric output carries a fingerprint of the knobs in force.
"""

from __future__ import annotations

from tandem.settings.sections import (
    DAYS_MAX,
    PASSWORD_ADVICE,
    SECTIONS,
    SETTINGS_FILE,
    URL_VARIABLE,
    AlertSettings,
    BackendSettings,
    CacheSettings,
    HealthSettings,
    LoadSettings,
    MetricSettings,
    ModelSettings,
    Settings,
    WebSettings,
    check_url,
    render_toml,
)
from tandem.settings.sources import load_settings, where_in_file

__all__ = [
    "DAYS_MAX",
    "PASSWORD_ADVICE",
    "SECTIONS",
    "SETTINGS_FILE",
    "URL_VARIABLE",
    "AlertSettings",
    "BackendSettings",
    "CacheSettings",
    "HealthSettings",
    "LoadSettings",
    "MetricSettings",
    "ModelSettings",
    "Settings",
    "WebSettings",
    "check_url",
    "load_settings",
    "render_toml",
    "where_in_file",
]
