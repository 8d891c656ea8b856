"""Settings: everyone reads them (they are part of the definitions); admins change knobs.

Only the metric knobs (``[metrics]``) can be changed from the web; the backend,
cache and web sections stay in ``tandem.toml`` and the environment, where the
people who run the server set them. A change is validated as a whole, written
to ``tandem.toml`` keeping its comments, and takes effect on the next request.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from pydantic import BaseModel, Field

from tandem.apps.web.api.common import WS, data_of, plain
from tandem.apps.web.auth import Admin, ApiUser
from tandem.apps.web.errors import CONFLICT, ERROR_RESPONSES, ApiError

router = APIRouter(tags=["settings"], responses=ERROR_RESPONSES)


class Setting(BaseModel):
    name: str
    value: Any
    description: str
    editable: bool = Field(description="Whether an admin can change it here")


class Section(BaseModel):
    name: str
    description: str
    settings: list[Setting]


class SettingsView(BaseModel):
    file: str = Field(description="The settings file, relative to the workspace")
    sections: list[Section]


EDITABLE = ("metrics",)
CHANGES = Body(
    description='Sections and values, e.g. {"metrics": {"churn_grace_days": 7}}',
    examples=[{"metrics": {"churn_grace_days": 7}}],
)


def settings_view(ws: Any) -> SettingsView:
    from tandem.settings import SECTIONS, SETTINGS_FILE

    out = []
    for name, model in SECTIONS.items():
        current = getattr(ws.settings, name)
        items = []
        for field, info in model.model_fields.items():
            value = getattr(current, field)
            if name == "backend" and field == "url":
                value = current.redacted_url()
            items.append(
                Setting(
                    name=field,
                    value=plain(value),
                    description=info.description or "",
                    editable=name in EDITABLE,
                )
            )
        out.append(Section(name=name, description=(model.__doc__ or "").strip(), settings=items))
    return SettingsView(file=SETTINGS_FILE, sections=out)


@router.get("/api/settings", response_model=SettingsView, summary="Settings in force")
def read_settings(principal: ApiUser, ws: WS) -> SettingsView:
    return settings_view(ws)


@router.patch(
    "/api/settings",
    response_model=SettingsView,
    summary="Change metric knobs (admin)",
    responses=CONFLICT,
)
def change_settings(
    principal: Admin,
    request: Request,
    ws: WS,
    changes: Annotated[dict[str, dict[str, Any]], CHANGES],
) -> SettingsView:
    from pydantic import ValidationError

    from tandem.settings import SECTIONS, load_settings

    for section, values in changes.items():
        if section not in EDITABLE:
            raise ApiError(
                422,
                f"{section}: only {', '.join(EDITABLE)} can be changed here; edit tandem.toml",
                parameter=section,
            )
        model = SECTIONS[section]
        for key in values:
            if key not in model.model_fields:
                from tandem.errors import did_you_mean

                hint = did_you_mean(key, list(model.model_fields))
                raise ApiError(
                    422,
                    f"{section}.{key}: no such setting{hint}",
                    parameter=f"{section}.{key}",
                )
            env = f"TANDEM__{section.upper()}__{key.upper()}"
            if env in os.environ:
                raise ApiError(
                    409,
                    f"{section}.{key} is set by the environment variable {env}",
                    parameter=f"{section}.{key}",
                )
        current = getattr(ws.settings, section).model_dump()
        try:
            model(**(current | values))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or next(iter(values))
            raise ApiError(
                422, f"{section}.{where}: {first['msg']}", parameter=f"{section}.{where}"
            ) from None
    _write(ws.path, changes)
    ws.settings = load_settings(ws.path)
    data_of(request).forget_workspaces()
    return settings_view(ws)


def _write(workspace: Any, changes: dict[str, dict[str, Any]]) -> None:
    """Update tandem.toml in place, keeping its comments; atomic (a temporary file replaced)."""
    import tomlkit

    from tandem.private import write_private
    from tandem.settings import SETTINGS_FILE

    path = workspace / SETTINGS_FILE
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    for section, values in changes.items():
        table = doc.setdefault(section, tomlkit.table())
        for key, value in values.items():
            table[key] = value
    write_private(path, tomlkit.dumps(doc))  # 0600, atomic
