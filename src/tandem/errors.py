"""One exception root; the CLI turns any TandemError into one line on stderr and exit 2."""

from __future__ import annotations

from dataclasses import dataclass


class TandemError(Exception):
    """A problem the user can act on (bad input, bad usage, bad settings)."""

    exit_code = 2


class ConfigError(TandemError):
    """The workspace settings are invalid."""


class UsageError(TandemError):
    """A command or call was given arguments that cannot work."""


class WorkspaceError(TandemError):
    """The workspace is missing or cannot be opened."""


class UnsupportedOperation(TandemError):
    """A backend cannot run an operation a metric needs."""


@dataclass(frozen=True)
class Issue:
    """One problem in one input file, located as precisely as possible."""

    file: str
    reason: str
    row: int | None = None
    column: str | None = None
    value: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f" row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        if self.value is not None:
            return f"{where}: {self.value!r} {self.reason}"
        return f"{where}: {self.reason}"


class InputError(TandemError):
    """Input files were refused; nothing was changed."""

    def __init__(self, issues: list[Issue], more: int = 0) -> None:
        self.issues = issues
        self.more = more
        lines = [str(i) for i in issues]
        if more:
            lines.append(f"... and {more} more issues")
        lines.append("Nothing was loaded.")
        super().__init__("\n".join(lines))


def did_you_mean(name: str, choices: list[str] | tuple[str, ...]) -> str:
    """A ' (did you mean X?)' suffix when a choice is close to ``name``."""
    import difflib

    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""
