"""The CLI's one error boundary.

A mistake the user can fix ends in one line on standard error and exit status 2:
a bad option or argument (Click's usage errors, shown without the help box), and
every TandemError (bad input, settings, a busy or unreadable workspace). Anything
else is a bug: its traceback, then a line asking to report it. ``TANDEM_DEBUG=1``
shows the traceback of user errors too.
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from collections.abc import Sequence

import typer

# Typer carries its own copy of Click; its exceptions are reached here and only here
# (tests/apps/cli/test_formats.py fails if Typer moves them).
from typer._click import exceptions as click_errors

from tandem.apps.cli.app import app

REPORT = (
    "This is a bug in Tandem, not in your data: please report it with the command you ran "
    "and the traceback above (https://github.com/tandem-metrics/tandem/issues)."
)


def _err(message: str) -> None:
    typer.echo(message, err=True)


def run(argv: Sequence[str]) -> int:
    """Run the ``tandem`` command with ``argv``; the exit status."""
    from tandem.errors import TandemError
    from tandem.private import mask_secrets

    def show(message: Warning | str, category: type[Warning], *_: object, **__: object) -> None:
        _err(f"warning: {mask_secrets(str(message))}")

    warnings.showwarning = show
    debug = os.environ.get("TANDEM_DEBUG") == "1"
    try:
        result = app(args=list(argv), prog_name="tandem", standalone_mode=False)
    except click_errors.NoArgsIsHelpError as exc:
        typer.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
        return 2
    except click_errors.UsageError as exc:
        command = exc.ctx.command_path if exc.ctx is not None else "tandem"
        _err(f"error: {exc.format_message()} (see '{command} -h')")
        return 2
    except click_errors.ClickException as exc:
        _err(f"error: {exc.format_message()}")
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except typer.Abort:
        _err("aborted")
        return 130
    except TandemError as exc:
        if debug:
            raise
        _err(f"error: {mask_secrets(str(exc))}")
        return exc.exit_code
    except KeyboardInterrupt:
        _err("interrupted")
        return 130
    except Exception:
        traceback.print_exc()
        _err(REPORT)
        return 1
    return result if isinstance(result, int) else 0


def main() -> None:
    """Entry point of the ``tandem`` command."""
    sys.exit(run(sys.argv[1:]))
