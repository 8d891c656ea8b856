"""Reading the settings from ``tandem.toml`` and the environment, naming each source.

A bad value is reported with where it came from: ``tandem.toml line 12``, the
environment variable ``TANDEM__SECTION__KEY``, or (for ``init``) the flag. The
file must be UTF-8 TOML and must not hold a password (``PASSWORD_ADVICE``).
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import typing
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from tandem.errors import ConfigError, did_you_mean
from tandem.private import mask_secrets, url_password
from tandem.settings.sections import (
    PASSWORD_ADVICE,
    SECTIONS,
    SETTINGS_FILE,
    URL_VARIABLE,
    Settings,
    check_url,
)

ENV_PREFIX = "TANDEM__"
Loc = tuple[str, ...]


def load_settings(workspace: Path) -> Settings:
    """Read ``tandem.toml`` in ``workspace`` (if any) under the environment's overrides."""
    path = workspace / SETTINGS_FILE
    text = read_text(path) if path.exists() else ""
    data = parse_toml(text, path)
    refuse_plain_password(data, text, path)
    env, env_names = environment(os.environ, referenced=references(data))
    merged = {key: dict(value) if isinstance(value, dict) else value for key, value in data.items()}
    for section, values in env.items():
        if isinstance(values, dict) and isinstance(merged.get(section), dict):
            merged[section] = {**merged[section], **values}
        else:
            merged[section] = values
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(explain(exc, text, path, env_names)) from None


def read_text(path: Path) -> str:
    """The file as UTF-8 text; a bad byte is reported by line and position."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"{path} line {line}, column {column}: byte 0x{raw[exc.start]:02x} (at byte "
            f"{exc.start}) is not UTF-8; save the file as UTF-8"
        ) from None


def parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def refuse_plain_password(data: dict[str, Any], text: str, path: Path) -> None:
    """A URL with a password in the file is refused (the password is never repeated)."""
    backend = data.get("backend")
    url = backend.get("url") if isinstance(backend, dict) else None
    if not isinstance(url, str) or url_password(url) is None:
        return
    where = where_in_file(path, text, ("backend", "url"))
    try:
        check_url(url)  # a duckdb:// URL with parameters is wrong in another way first
    except ValueError as exc:
        raise ConfigError(f"{where}: backend.url: {exc}") from None
    raise ConfigError(f"{where}: {PASSWORD_ADVICE}")


def references(data: Any) -> set[str]:
    """Environment variables the file names in ``env:NAME`` values."""
    if isinstance(data, dict):
        return set().union(*(references(v) for v in data.values()))
    if isinstance(data, list):
        return set().union(*(references(v) for v in data))
    if isinstance(data, str) and data.startswith("env:"):
        return {data.removeprefix("env:")}
    return set()


def environment(
    environ: typing.Mapping[str, str],
    referenced: set[str] = frozenset(),  # type: ignore[assignment]
) -> tuple[dict[str, Any], dict[Loc, str]]:
    """Overrides from ``TANDEM__SECTION__KEY`` (or ``TANDEM__SECTION`` as JSON), and the
    variable each one came from. Unknown names and bad JSON are refused, naming the variable."""
    out: dict[str, Any] = {}
    names: dict[Loc, str] = {}
    for name in sorted(environ):
        upper = name.upper()
        if not upper.startswith(ENV_PREFIX):
            if name not in referenced and name != URL_VARIABLE:
                _misspelt(name)
            continue
        parts = [p.lower() for p in upper.removeprefix(ENV_PREFIX).split("__")]
        section = parts[0]
        if section not in SECTIONS:
            hint = did_you_mean(section, list(SECTIONS))
            raise ConfigError(f"environment variable {name}: no settings section {section!r}{hint}")
        model = SECTIONS[section]
        value = environ[name]
        if len(parts) == 1:
            decoded = _json(name, value)
            if not isinstance(decoded, dict):
                raise ConfigError(f"environment variable {name}: expected a JSON object")
            out.setdefault(section, {}).update(decoded)
            names[(section,)] = name
            for key in decoded:
                names[(section, str(key))] = name
            continue
        key = "__".join(parts[1:])
        if len(parts) != 2 or key not in model.model_fields:
            hint = did_you_mean(key, list(model.model_fields))
            raise ConfigError(f"environment variable {name}: no setting {section}.{key}{hint}")
        annotation = model.model_fields[key].annotation
        complex_value = typing.get_origin(annotation) in (dict, tuple, list)
        target = out.setdefault(section, {})
        if not isinstance(target, dict):
            continue
        target[key] = _json(name, value) if complex_value else value
        names[(section, key)] = name
    return out, names


_SINGLE = re.compile(r"TANDEM_([A-Z0-9_]+)")


def _misspelt(name: str) -> None:
    """``TANDEM_MEMORY_LIMIT`` is not read: say which variable would be."""
    found = _SINGLE.fullmatch(name.upper())
    if not found or found.group(1).startswith("_"):
        return
    key = found.group(1).lower()
    for section, model in SECTIONS.items():
        if key in model.model_fields or key.removeprefix(f"{section}_") in model.model_fields:
            field = key.removeprefix(f"{section}_") if key not in model.model_fields else key
            raise ConfigError(
                f"environment variable {name} is not read by Tandem; to set {section}.{field} "
                f"write {ENV_PREFIX}{section.upper()}__{field.upper()}"
            )


def _json(name: str, value: str) -> Any:
    try:
        return json.loads(value)
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"environment variable {name}: not valid JSON ({exc.msg} at character {exc.pos + 1})"
        ) from None


def where_in_file(path: Path, text: str, loc: Loc) -> str:
    """``path line N`` for the line setting ``loc`` (section, key), or just ``path``."""
    section = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.fullmatch(r"\[\s*([A-Za-z0-9_.\"-]+)\s*\]\s*(#.*)?", stripped)
        if header:
            section = header.group(1).strip('"')
            continue
        if len(loc) >= 2 and section == loc[0]:
            if re.match(rf"[\"']?{re.escape(loc[1])}[\"']?\s*=", stripped):
                return f"{path} line {number}"
        elif (
            len(loc) >= 2
            and section is None
            and re.match(rf"{re.escape(loc[0])}\s*\.\s*{re.escape(loc[1])}\s*=", stripped)
        ):
            return f"{path} line {number}"
        if len(loc) == 1 and header is None and section == loc[0]:
            return f"{path} [{loc[0]}]"
    return str(path)


def explain(exc: ValidationError, text: str, path: Path, env_names: dict[Loc, str]) -> str:
    """One line naming each bad setting, its source and the reason."""
    problems = []
    for error in exc.errors():
        loc = tuple(str(p) for p in error["loc"])
        setting = ".".join(loc) if loc else "settings"
        source = env_names.get(loc[:2]) or env_names.get(loc[:1])
        if source is not None:
            where = f"environment variable {source}"
        else:
            where = where_in_file(path, text, loc[:2]) if text else "default"
        value = error.get("input")
        reason = error["msg"].removeprefix("Value error, ")
        if not isinstance(value, dict) and len(loc) >= 2 and repr(value) not in reason:
            reason += f" (got {value!r})"
        problems.append(f"{where}: {setting}: {reason}")
    return mask_secrets("; ".join(problems))
