"""Typed workspace settings: the knobs of the metric definitions and the backend.

Precedence, lowest to highest: the defaults below < ``tandem.toml`` in the
workspace < environment variables ``TANDEM__SECTION__KEY`` (for example
``TANDEM__METRICS__CHURN_GRACE_DAYS=7``). The settings are part of the metric
definitions: every metric output carries a fingerprint of the knobs in force.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from tandem.errors import ConfigError
from tandem.schema import COST_CATEGORIES

SETTINGS_FILE = "tandem.toml"


_SIZE = r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)"


class BackendSettings(BaseModel):
    """Where the workspace's tables live and where metrics are computed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str = Field(
        "",
        description="Database URL (postgres://..., pyspark://...); empty = embedded DuckDB file",
    )
    database_file: str = Field(
        "tandem.duckdb", description="Embedded DuckDB file, relative to the workspace"
    )
    memory_limit: str = Field(
        "auto",
        description="Memory the embedded database may use before spilling to disk, e.g. "
        "'4GB'; auto = half the machine's memory, at most 6GB",
    )

    @field_validator("memory_limit")
    @classmethod
    def _memory(cls, value: str) -> str:
        value = value.strip()
        if value != "auto" and not re.fullmatch(
            r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value
        ):
            raise ValueError(f"{value!r} is not a size like '4GB' or 'auto'")
        return value

    def duckdb_memory_limit(self) -> str:
        """The DuckDB ``memory_limit`` the setting stands for."""
        if self.memory_limit != "auto":
            return self.memory_limit
        import os

        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        return f"{min(total / 2, 6 * 1024**3) / 1024**2:.0f}MiB"

    def redacted_url(self) -> str:
        """The URL with any password replaced, safe to print."""
        if not self.url:
            return ""
        parts = urlsplit(self.url)
        if parts.password is None:
            return self.url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))


class MetricSettings(BaseModel):
    """Knobs of the shared definitions (SPEC.md); defaults as the spec gives them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    churn_grace_days: int = Field(
        0, ge=0, description="A gap in paid coverage this many days or shorter counts as covered"
    )
    csat_scale_min: int = Field(1, description="Lowest CSAT score")
    csat_scale_max: int = Field(5, description="Highest CSAT score")
    csat_threshold: int = Field(4, description="A CSAT score at or above this is satisfied")
    ces_easy_threshold: int = Field(
        5, ge=1, le=7, description="A CES score at or above this counts as easy (1-7 scale)"
    )
    onboarding_target_days: int = Field(
        30, ge=0, description="Days to go live when neither the onboarding nor its segment says"
    )
    onboarding_target_days_by_segment: dict[str, int] = Field(
        default_factory=dict,
        description="Days to go live per account segment, e.g. {Enterprise = 60}",
    )
    value_event: str = Field(
        "session", description="Usage event that marks first value for time to value"
    )
    adoption_min_days: int = Field(
        1, ge=1, description="Days with usage in the period for a customer to count as adopted"
    )
    conversion_window_days: int = Field(
        30, ge=0, description="Days after a free trial or freemium start a conversion still counts"
    )
    gross_margin: float = Field(
        1.0, gt=0, le=1, description="Gross margin applied to revenue in CLV and CAC payback"
    )
    ltv_churn_window_months: int = Field(
        12, ge=1, description="Months of customer churn averaged for customer lifetime value"
    )
    acquisition_cost_categories: tuple[str, ...] = Field(
        COST_CATEGORIES, description="Cost categories whose acquisition-purpose costs count in CAC"
    )
    retention_cost_categories: tuple[str, ...] = Field(
        COST_CATEGORIES,
        description="Cost categories whose retention-purpose costs count in retention cost",
    )
    min_survey_responses: int = Field(
        30, ge=0, description="Fewer survey responses than this in a row raise a warning"
    )

    @field_validator("acquisition_cost_categories", "retention_cost_categories")
    @classmethod
    def _known_categories(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(v) - set(COST_CATEGORIES))
        if unknown:
            raise ValueError(f"unknown cost categories {unknown}; allowed: {list(COST_CATEGORIES)}")
        return tuple(v)

    @model_validator(mode="after")
    def _csat_scale(self) -> MetricSettings:
        if not self.csat_scale_min < self.csat_scale_max:
            raise ValueError("csat_scale_min must be below csat_scale_max")
        if not self.csat_scale_min <= self.csat_threshold <= self.csat_scale_max:
            raise ValueError("csat_threshold must lie within the CSAT scale")
        return self

    def onboarding_target_for(self, segment: str | None) -> int:
        if segment is not None and segment in self.onboarding_target_days_by_segment:
            return self.onboarding_target_days_by_segment[segment]
        return self.onboarding_target_days


class LoadSettings(BaseModel):
    """How imports behave."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_issues_per_file: int = Field(
        100, ge=1, description="Issues listed per refused file before the rest are only counted"
    )
    discounts: Literal["apply", "ignore"] = Field(
        "apply",
        description="Subscription history from billing data: MRR net of discounts (apply) "
        "or at list price (ignore)",
    )


class CacheSettings(BaseModel):
    """Keeping per-period results between requests (recompute only what a load changed)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    mode: Literal["auto", "on", "off"] = Field(
        "auto",
        description="auto = on for the embedded database, off for a URL that other tools "
        "may write to",
    )
    folder: str = Field(".tandem/cache", description="Where results are kept, in the workspace")


class Settings(BaseSettings):
    """All settings of one workspace."""

    model_config = SettingsConfigDict(
        frozen=True, extra="forbid", env_prefix="TANDEM__", env_nested_delimiter="__"
    )

    backend: BackendSettings = Field(default_factory=BackendSettings)
    metrics: MetricSettings = Field(default_factory=MetricSettings)
    load: LoadSettings = Field(default_factory=LoadSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment overrides the file, which arrives as init arguments.
        return env_settings, init_settings


SECTIONS: dict[str, type[BaseModel]] = {
    "backend": BackendSettings,
    "metrics": MetricSettings,
    "load": LoadSettings,
    "cache": CacheSettings,
}


def load_settings(workspace: Path) -> Settings:
    """Read ``tandem.toml`` in ``workspace`` (if any) under the environment's overrides."""
    path = workspace / SETTINGS_FILE
    data: dict[str, Any] = {}
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return Settings(**data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"{path}: {problems}") from exc


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_toml_value(v)}' for k, v in value.items()) + "}"
    return repr(value)


def render_toml(settings: Settings | None = None) -> str:
    """``tandem.toml`` with every setting, its value and a one-line description."""
    settings = settings or Settings()
    lines = [
        "# Tandem workspace settings. Every knob is part of the metric definitions:",
        "# metric outputs carry a fingerprint of the values in force.",
        "# Environment variables TANDEM__SECTION__KEY override this file.",
    ]
    for section, model in SECTIONS.items():
        lines += ["", f"[{section}]"]
        if model.__doc__:
            lines.append(f"# {model.__doc__.strip()}")
        current = getattr(settings, section)
        for name, info in model.model_fields.items():
            lines.append(f"# {info.description}")
            lines.append(f"{name} = {_toml_value(getattr(current, name))}")
    return "\n".join(lines) + "\n"
