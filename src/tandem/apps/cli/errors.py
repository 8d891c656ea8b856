"""The CLI's one error boundary."""

from __future__ import annotations

import os
import sys
import warnings

import typer

from tandem.apps.cli.app import app


def _err(message: str) -> None:
    typer.echo(message, err=True)


def main() -> None:
    """Entry point. Typer reports usage errors itself (exit 2); user errors land here."""
    from tandem.errors import TandemError

    def show(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
        _err(f"warning: {message}")

    warnings.showwarning = show
    try:
        app()
    except TandemError as exc:
        if os.environ.get("TANDEM_DEBUG") == "1":
            raise
        _err(f"error: {exc}")
        sys.exit(exc.exit_code)
