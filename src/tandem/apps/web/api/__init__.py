"""The JSON API: one module per resource, every route a thin shell over the facade."""

from __future__ import annotations

from fastapi import APIRouter


def routers() -> list[APIRouter]:
    from tandem.apps.web.api import (
        accounts,
        alerts,
        catalog,
        health,
        metrics,
        scorecards,
        session,
        settings,
        users,
    )

    return [
        session.router,
        catalog.router,
        scorecards.router,
        metrics.router,
        health.router,
        accounts.router,
        alerts.router,
        settings.router,
        users.router,
    ]
