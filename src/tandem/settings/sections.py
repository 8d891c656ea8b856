"""The settings sections: every knob with its type, range, default and description."""

from __future__ import annotations

import os
import re
from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from tandem.errors import ConfigError
from tandem.private import mask_url
from tandem.schema import COST_CATEGORIES

SETTINGS_FILE = "tandem.toml"


_SIZE = r"\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)"
#: The longest span in days a day-count knob may take (ten years).
DAYS_MAX = 3650
#: Where a URL with a password goes instead of tandem.toml.
URL_VARIABLE = "TANDEM_BACKEND_URL"
PASSWORD_ADVICE = (
    "a password must not be written in tandem.toml: put the URL in an environment variable "
    f'and write url = "env:{URL_VARIABLE}" under [backend] '
    f"(tandem init --backend-url-env {URL_VARIABLE})"
)


def check_url(url: str) -> str:
    """``url`` if it has a form some backend reads; ValueError (password masked) if not."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    shown = mask_url(url)
    if "://" not in url or not scheme:
        raise ValueError(
            f"{shown!r} is not a URL like postgresql://user@host/db, duckdb://file.duckdb "
            'or pyspark:///folder, nor "env:VARIABLE"'
        )
    if scheme == "duckdb":
        if parts.query or parts.fragment:
            keys = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
            raise ValueError(
                f"{shown!r}: a duckdb:// URL is a file path and takes no parameters "
                f"(got {', '.join(keys) or parts.fragment!r}); a DuckDB file has no password"
            )
        if not url.removeprefix(f"{parts.scheme}://"):
            raise ValueError(f"{shown!r}: expected duckdb://path/to/file.duckdb")
    return url


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
    lock_timeout: float = Field(
        10.0,
        ge=0,
        le=3600,
        description="Seconds a load waits for another load on the same workspace to finish "
        "before giving up",
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
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        return f"{min(total / 2, 6 * 1024**3) / 1024**2:.0f}MiB"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        value = value.strip()
        if not value or _ENV_REF.fullmatch(value):
            return value
        return check_url(value)

    @field_validator("database_file")
    @classmethod
    def _database_file(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("expected a file name, e.g. 'tandem.duckdb', or ':memory:'")
        return value

    def resolved_url(self) -> str:
        """The URL in force: ``env:NAME`` read from the environment, now."""
        if not self.url.startswith("env:"):
            return self.url
        name = self.url.removeprefix("env:")
        value = os.environ.get(name, "").strip()
        if not value:
            raise ConfigError(
                f"backend.url is {self.url!r} but the environment variable {name} is not set"
            )
        try:
            return check_url(value)
        except ValueError as exc:
            raise ConfigError(f"environment variable {name} (backend.url): {exc}") from None

    def redacted_url(self) -> str:
        """The URL with any password replaced, safe to print (an env: reference as is)."""
        return mask_url(self.url)


class MetricSettings(BaseModel):
    """Knobs of the shared definitions (SPEC.md); defaults as the spec gives them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    churn_grace_days: int = Field(
        0,
        ge=0,
        le=3650,
        description="A gap in paid coverage this many days or shorter counts as covered",
    )
    csat_scale_min: int = Field(1, ge=0, le=100, description="Lowest CSAT score")
    csat_scale_max: int = Field(5, ge=1, le=100, description="Highest CSAT score")
    csat_threshold: int = Field(
        4, ge=0, le=100, description="A CSAT score at or above this is satisfied"
    )
    ces_easy_threshold: int = Field(
        5, ge=1, le=7, description="A CES score at or above this counts as easy (1-7 scale)"
    )
    onboarding_target_days: int = Field(
        30,
        ge=0,
        le=DAYS_MAX,
        description="Days to go live when neither the onboarding nor its segment says",
    )
    onboarding_target_days_by_segment: dict[str, Annotated[int, Field(ge=0, le=DAYS_MAX)]] = Field(
        default_factory=dict,
        description="Days to go live per account segment, e.g. {Enterprise = 60}",
    )
    value_event: str = Field(
        "session",
        min_length=1,
        pattern=r"^\S(.*\S)?$",
        description="Usage event that marks first value for time to value",
    )
    adoption_min_days: int = Field(
        1,
        ge=1,
        le=366,
        description="Days with usage in the period for a customer to count as adopted",
    )
    conversion_window_days: int = Field(
        30,
        ge=0,
        le=DAYS_MAX,
        description="Days after a free trial or freemium start a conversion still counts",
    )
    gross_margin: float = Field(
        1.0, gt=0, le=1, description="Gross margin applied to revenue in CLV and CAC payback"
    )
    ltv_churn_window_months: int = Field(
        12,
        ge=1,
        le=120,
        description="Months of customer churn averaged for customer lifetime value",
    )
    acquisition_cost_categories: tuple[str, ...] = Field(
        COST_CATEGORIES, description="Cost categories whose acquisition-purpose costs count in CAC"
    )
    retention_cost_categories: tuple[str, ...] = Field(
        COST_CATEGORIES,
        description="Cost categories whose retention-purpose costs count in retention cost",
    )
    min_survey_responses: int = Field(
        30,
        ge=0,
        le=1_000_000,
        description="Fewer survey responses than this in a row raise a warning",
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


class ModelSettings(BaseModel):
    """Knobs of the purchase and survival models (tandem clv, tandem survival)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    time_unit_days: float = Field(
        7.0, gt=0, le=366, description="Days in one time unit of the purchase models (7 = weeks)"
    )
    discount_rate: float = Field(
        0.10, ge=0, le=1, description="Yearly rate discounting future purchases in predicted CLV"
    )
    min_repeat_customers: int = Field(
        30,
        ge=1,
        le=1_000_000,
        description="Fewer customers with a repeat purchase than this: no fit",
    )
    max_value_frequency_correlation: float = Field(
        0.3,
        gt=0,
        le=1,
        description="Refuse the value model when |corr(repeat purchases, mean value)| is above",
    )


class LoadSettings(BaseModel):
    """How imports behave."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_issues_per_file: int = Field(
        100,
        ge=1,
        le=100_000,
        description="Issues listed per refused file before the rest are only counted",
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
    folder: str = Field(
        ".tandem/cache", min_length=1, description="Where results are kept, in the workspace"
    )


class WebSettings(BaseModel):
    """The dashboard and JSON API (tandem serve). The session secret is never stored here."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    secret_file: str = Field(
        ".tandem/web-secret",
        min_length=1,
        description="File (mode 0600) holding the session secret, relative to the workspace; "
        "the environment variable TANDEM_WEB_SECRET takes precedence",
    )
    session_hours: float = Field(12, gt=0, le=24 * 90, description="Hours a login lasts")
    secure_cookies: bool = Field(
        False, description="Send cookies over HTTPS only (set true behind an HTTPS proxy)"
    )
    login_attempts: int = Field(
        5, ge=1, le=1000, description="Failed logins allowed per user and address within the window"
    )
    login_window_minutes: float = Field(
        15, gt=0, le=10080, description="Minutes over which failed logins are counted"
    )
    response_cache: bool = Field(
        True,
        description="Keep API answers until the next load or settings change (off: compute "
        "every request)",
    )


class HealthSettings(BaseModel):
    """Account health: component weights, bands and windows (see docs/health.md)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    weight_usage_trend: float = Field(
        5, ge=0, le=100, description="Weight of usage trend (sessions, last window / one before)"
    )
    weight_activity: float = Field(
        20, ge=0, le=100, description="Weight of activity (days with any usage in the last window)"
    )
    weight_adoption: float = Field(
        20, ge=0, le=100, description="Weight of adoption (seats used, key features used)"
    )
    weight_nps: float = Field(10, ge=0, le=100, description="Weight of the latest NPS category")
    weight_csat: float = Field(5, ge=0, le=100, description="Weight of recent CSAT")
    weight_tickets: float = Field(
        5, ge=0, le=100, description="Weight of tickets in the ticket window"
    )
    weight_escalations: float = Field(
        5, ge=0, le=100, description="Weight of escalated tickets in the escalation window"
    )
    weight_onboarding: float = Field(
        5, ge=0, le=100, description="Weight of onboarding past its due date"
    )
    weight_contraction: float = Field(
        5, ge=0, le=100, description="Weight of MRR lost since the contraction window began"
    )
    weight_renewal: float = Field(
        15, ge=0, le=100, description="Weight of renewal proximity (near renewal = lower)"
    )
    weight_purchases: float = Field(
        0,
        ge=0,
        le=100,
        description="Weight of P(alive) of one-off purchases (BG/NBD on orders; 0 = not used)",
    )
    red_below: float = Field(40, ge=0, le=100, description="A score below this is red")
    green_from: float = Field(70, ge=0, le=100, description="A score at or above this is green")
    usage_window_days: int = Field(
        30, ge=7, le=180, description="Days in each of the two usage windows compared"
    )
    active_days_target: int = Field(
        10, ge=1, le=180, description="Days with usage in the last window that score activity 100"
    )
    key_features: tuple[Annotated[str, Field(min_length=1)], ...] = Field(
        (), description="Usage events that count as key features; empty = every non-session event"
    )
    nps_lookback_days: int = Field(
        365, ge=1, le=1095, description="Days back the latest NPS response may date from"
    )
    csat_lookback_days: int = Field(
        90, ge=1, le=730, description="Days of CSAT responses that count as recent"
    )
    ticket_window_days: int = Field(
        30, ge=1, le=365, description="Days back a ticket counts (or any ticket still open)"
    )
    tickets_zero_at: int = Field(
        5, ge=1, le=1000, description="Tickets in the window at which the tickets component is 0"
    )
    escalation_window_days: int = Field(
        90, ge=1, le=730, description="Days back an escalated ticket counts"
    )
    escalations_zero_at: int = Field(
        2, ge=1, le=100, description="Escalations in the window at which the component is 0"
    )
    onboarding_overdue_zero_days: int = Field(
        30, ge=1, le=365, description="Days past due at which the onboarding component is 0"
    )
    contraction_window_days: int = Field(
        90, ge=1, le=730, description="Days back MRR is compared with, for contraction"
    )
    renewal_term_months: int = Field(
        12, ge=1, le=60, description="Contract term: renewals fall on these anniversaries"
    )
    renewal_window_days: int = Field(
        90, ge=1, le=365, description="Days before a renewal from which the renewal component falls"
    )

    @model_validator(mode="after")
    def _bands(self) -> HealthSettings:
        if self.red_below > self.green_from:
            raise ValueError("red_below must not be above green_from")
        return self

    def weights(self) -> dict[str, float]:
        """Component name → weight, in the order components are shown."""
        prefix = "weight_"
        return {
            name.removeprefix(prefix): float(getattr(self, name))
            for name in type(self).model_fields
            if name.startswith(prefix)
        }


class AlertSettings(BaseModel):
    """Alert escalation and delivery (see docs/alerts.md). Secrets: write "env:VARIABLE"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    escalate_after_hours: float = Field(
        48, gt=0, le=2160, description="Hours an alert may stay unacknowledged before escalation"
    )
    webhook_url: str = Field(
        "", description='Webhook receiving every alert; a URL with a token must be "env:NAME"'
    )
    send_timeout_seconds: float = Field(
        10, gt=0, le=120, description="Seconds to wait for the webhook or SMTP server to answer"
    )
    smtp_host: str = Field("", description="SMTP server for e-mail alerts; empty = no e-mail")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP server port")
    smtp_security: Literal["none", "starttls", "ssl"] = Field(
        "none", description="none, starttls or ssl (implicit TLS)"
    )
    smtp_user: str = Field("", description="SMTP login; empty = no login")
    smtp_password: str = Field(
        "", description='SMTP password, only as "env:VARIABLE" (never in this file)'
    )
    smtp_from: str = Field("tandem@localhost", description="Sender address of alert e-mails")
    retry_base_seconds: float = Field(
        60, gt=0, le=86400, description="Wait before the first retry; doubles after each failure"
    )
    retry_max_seconds: float = Field(
        3600, gt=0, le=604800, description="Longest wait between retries (deliveries never expire)"
    )

    @field_validator("smtp_password")
    @classmethod
    def _secret(cls, value: str) -> str:
        if value and not _ENV_REF.fullmatch(value):
            raise ValueError('write the password as "env:VARIABLE", never in plain text')
        return value

    @field_validator("webhook_url")
    @classmethod
    def _webhook(cls, value: str) -> str:
        if not value or _ENV_REF.fullmatch(value):
            return value
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError('expected an http(s) URL or "env:VARIABLE"')
        if parts.password or parts.username or parts.query or parts.hostname in _TOKEN_HOSTS:
            raise ValueError(
                "this URL carries a secret: put it in an environment variable and write "
                '"env:VARIABLE"'
            )
        return value


_ENV_REF = re.compile(r"env:[A-Za-z_][A-Za-z0-9_]*")
#: Webhook hosts whose URLs are themselves the secret (the token is in the path).
_TOKEN_HOSTS = frozenset({"hooks.slack.com", "discord.com", "discordapp.com", "outlook.office.com"})


class Settings(BaseSettings):
    """All settings of one workspace."""

    model_config = SettingsConfigDict(
        frozen=True, extra="forbid", env_prefix="TANDEM__", env_nested_delimiter="__"
    )

    backend: BackendSettings = Field(default_factory=BackendSettings)
    metrics: MetricSettings = Field(default_factory=MetricSettings)
    load: LoadSettings = Field(default_factory=LoadSettings)
    models: ModelSettings = Field(default_factory=ModelSettings)
    cache: CacheSettings = Field(default_factory=CacheSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    alerts: AlertSettings = Field(default_factory=AlertSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # tandem.settings.sources reads the file and the environment itself (to name
        # the source of a bad value); the values arrive here as init arguments only.
        return (init_settings,)


SECTIONS: dict[str, type[BaseModel]] = {
    "backend": BackendSettings,
    "metrics": MetricSettings,
    "load": LoadSettings,
    "models": ModelSettings,
    "cache": CacheSettings,
    "web": WebSettings,
    "health": HealthSettings,
    "alerts": AlertSettings,
}


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
