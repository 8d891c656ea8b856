"""Read-only stores shared by the threads of one process, on the newest generation.

Every request takes the store of the current generation for its duration
(``Readers.acquire``). When a load has published a newer generation since, the
next request opens it; the older store is closed once the last request still
reading it ends. So a server holding a workspace open never blocks a load, and
sees each load whole, at its next request, without a restart.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tandem.settings import Settings
    from tandem.store import Store


@dataclass
class _Generation:
    store: Store
    path: Path | None
    users: int = 0
    retired: bool = False


class Readers:
    """The read stores of one workspace in one process."""

    def __init__(self, settings: Settings, workspace: Path) -> None:
        from tandem.store import embedded_files

        self._settings = settings
        self._workspace = workspace
        self._files = embedded_files(settings, workspace)
        self._lock = threading.Lock()
        self._current: _Generation | None = None

    @contextlib.contextmanager
    def acquire(self) -> Iterator[Store]:
        """The current generation's store, held for the block."""
        with self._lock:
            generation = self._fresh()
            generation.users += 1
        try:
            yield generation.store
        finally:
            with self._lock:
                generation.users -= 1
                if generation.retired and generation.users == 0:
                    generation.store.close()

    def peek(self) -> Store:
        """The current store without holding it (for one-off reads in one thread)."""
        with self._lock:
            return self._fresh().store

    def _fresh(self) -> _Generation:
        from tandem.store import open_reader

        path = self._files.current() if self._files is not None else None
        current = self._current
        if current is not None and (self._files is None or path == current.path):
            return current
        store = open_reader(self._settings, self._workspace)
        self._current = _Generation(store, path)
        if current is not None:
            current.retired = True
            if current.users == 0:
                current.store.close()
        return self._current

    def close(self) -> None:
        with self._lock:
            if self._current is not None:
                self._current.retired = True
                if self._current.users == 0:
                    self._current.store.close()
                self._current = None
