"""The ``tandem`` command: thin Typer commands over the service.

Each module registers its commands on one application (``app``); a command
parses its arguments, calls the service and formats what comes back. One error
boundary (``main``): a problem the user can fix (a TandemError, a file or
permission problem) is one line on standard error and exit status 2; anything
else is a bug, shown with its traceback and a request to report it
(``TANDEM_DEBUG=1`` shows the traceback for user errors too).
"""

from __future__ import annotations

from tandem.apps.cli.app import app
from tandem.apps.cli.errors import main

# Each module registers its commands on ``app``, in the order help lists them.
from tandem.apps.cli import workspace  # isort: skip
from tandem.apps.cli import imports  # isort: skip
from tandem.apps.cli import metrics  # isort: skip
from tandem.apps.cli import scorecards  # isort: skip
from tandem.apps.cli import health  # isort: skip
from tandem.apps.cli import alerts  # isort: skip
from tandem.apps.cli import models  # isort: skip
from tandem.apps.cli import tools  # isort: skip
from tandem.apps.cli import web  # isort: skip

__all__ = [
    "alerts",
    "app",
    "health",
    "imports",
    "main",
    "metrics",
    "models",
    "scorecards",
    "tools",
    "web",
    "workspace",
]
