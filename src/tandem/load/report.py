"""What a load tells its user: rows per table and file, and a progress bar meanwhile."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tandem.store import TableCounts


@dataclass(frozen=True)
class FileRead:
    """Rows a file gave a table; ``source`` is what a mapping recognised the file as."""

    name: str
    table: str
    rows: int
    source: str | None = None


@dataclass(frozen=True)
class LoadReport:
    """The outcome of a load that landed.

    ``tables`` counts, per table, the distinct rows loaded and how they compare
    with what was stored: ``new`` keys, ``updated`` rows (same key, some value
    differs), ``unchanged`` ones and, for a replaced table, ``deleted`` rows.
    ``skipped`` names the files of a folder that were not loaded, with the reason.
    """

    tables: tuple[TableCounts, ...]
    files: tuple[FileRead, ...]
    skipped: tuple[str, ...]
    seconds: float
    #: The counts are what the load would have done; nothing was changed.
    dry_run: bool = False
    #: Tables the load made its files the whole truth for.
    replaced: tuple[str, ...] = ()

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0

    def counts(self, table: str) -> TableCounts:
        """The counts of one table (all zero when the load had no file for it)."""
        for t in self.tables:
            if t.table == table:
                return t
        return TableCounts(table, 0, 0, 0, 0)


Step = Callable[[str], None]


@contextmanager
def progress_bar(enabled: bool, steps: int) -> Iterator[Step]:
    """A rich progress bar over the steps of a load; ``step(text)`` starts the next one."""
    if not enabled:
        yield lambda _text: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("loading", total=steps)
        started = False

        def step(text: str) -> None:
            nonlocal started
            progress.update(task, description=text, advance=1 if started else 0)
            started = True

        yield step
        progress.update(task, completed=steps)
