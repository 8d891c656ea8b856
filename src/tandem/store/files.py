"""The embedded database on disk: immutable generations behind a link, and one writer.

``tandem.duckdb`` in the workspace is a symbolic link to the current generation,
``tandem.duckdb.d/g000042.duckdb``. Readers resolve the link and open that
file read-only; DuckDB lets any number of processes do so at once. A load takes
the writer's lock, copies the current generation to the next one, writes
there, and publishes it by replacing the link (``os.replace``: atomic). So:

- a reader never waits for a load and never sees half of one: it reads the
  generation it opened until it opens the link again (the service does at the
  start of every request), and then it sees all of the load;
- a load never waits for readers: it writes a file no reader has open;
- two writers queue on the lock; one that cannot get it within the timeout
  says who holds it.

A generation is never changed once published; the one before the current is
kept for readers still on it, older ones are deleted. A workspace made before
generations (a plain ``tandem.duckdb`` file) becomes generation 0 and is
replaced by the link at its first load.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from tandem.errors import TandemError, WorkspaceError
from tandem.private import private

_GENERATION = re.compile(r"g(\d{6,})\.duckdb")


class WorkspaceBusy(TandemError):
    """Another process holds the workspace's writer lock past the wait allowed."""


class DuckDBFiles:
    """Generations and the writer's lock of one embedded database."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.folder = link.with_name(link.name + ".d")
        self.lock_file = link.with_name(link.name + ".lock")

    def label(self) -> str:
        """The database as messages name it: the link as the workspace path gives it
        (``ws/tandem.duckdb``), never the generation file behind it."""
        return str(self.link)

    def current(self) -> Path | None:
        """The file readers open now: the link's target, or a pre-generation plain file."""
        try:
            target = os.readlink(self.link)
        except FileNotFoundError:
            return None
        except OSError as exc:
            if exc.errno != errno.EINVAL:
                raise
            return self.link  # a plain file: generation 0
        return (self.link.parent / target).resolve()

    def generation(self, path: Path | None) -> int:
        if path is None or path == self.link:
            return 0
        found = _GENERATION.fullmatch(path.name)
        return int(found.group(1)) if found else 0

    @contextlib.contextmanager
    def writing(self, timeout: float, what: str, *, publish: bool = True) -> Iterator[Path]:
        """Hold the writer's lock and yield the next generation's file to write.

        The file starts as a copy of the current generation (or does not exist
        for a new workspace). When the block ends without an error the new
        generation is published; otherwise it is deleted and nothing changed.
        """
        with self._locked(timeout, what), private():
            current = self.current()
            following = self.folder / f"g{self.generation(current) + 1:06d}.duckdb"
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                _remove(following)
                if current is not None:
                    shutil.copyfile(current, following)
            except OSError as exc:
                _remove(following)
                raise self._read_only(exc, following) from None
            try:
                yield following
            except BaseException:
                _remove(following)
                raise
            if not publish:
                _remove(following)
                return
            self._publish(following)
            self._prune(keep={following, current})

    def _publish(self, following: Path) -> None:
        with open(following, "rb") as handle:
            os.fsync(handle.fileno())
        tmp = self.link.with_name(f".{self.link.name}.{os.getpid()}.tmp")
        _remove(tmp)
        os.symlink(os.path.relpath(following, self.link.parent), tmp)
        os.replace(tmp, self.link)
        directory = os.open(self.link.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _prune(self, keep: set[Path | None]) -> None:
        """Delete generations older than the previous one (readers may still be on that)."""
        kept = {p.resolve() for p in keep if p is not None}
        for path in self.folder.glob("g*.duckdb"):
            if path.resolve() not in kept and _GENERATION.fullmatch(path.name):
                _remove(path)

    @contextlib.contextmanager
    def _locked(self, timeout: float, what: str) -> Iterator[None]:
        if what == "init":
            with private():
                self.lock_file.parent.mkdir(parents=True, exist_ok=True)
        if not self.lock_file.parent.is_dir():
            raise WorkspaceError(
                f"{self.link}: the folder {self.lock_file.parent} for the database "
                "(backend.database_file) does not exist; create it or change the setting"
            )
        try:
            fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise self._read_only(exc, self.lock_file) from None
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise WorkspaceBusy(self._holder(fd, timeout)) from None
                    time.sleep(0.05)
            holder = {
                "pid": os.getpid(),
                "started_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
                "what": what,
            }
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(holder).encode(), 0)
            try:
                yield
            finally:
                os.ftruncate(fd, 0)
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    def _read_only(self, exc: OSError, path: Path) -> TandemError:
        """A write refused by the system, as one line (or the error itself if not that)."""
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            base = self.link.parent
            shown = path.relative_to(base) if path.is_relative_to(base) else path
            return WorkspaceError(
                f"{base}: the workspace is read-only for you (cannot write {shown}); "
                "loads need write access, reads do not"
            )
        if exc.errno == errno.ENOSPC:
            return WorkspaceError(f"{self.link.parent}: no space left on the device")
        raise exc

    @staticmethod
    def _holder(fd: int, timeout: float) -> str:
        try:
            info = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
        except (OSError, ValueError):
            info = {}
        who = (
            f"a {info.get('what', 'write')} started at {info.get('started_at', '?')} "
            f"by pid {info.get('pid', '?')} is running"
        )
        return f"workspace busy: {who}; waited {timeout:g} s (setting backend.lock_timeout)"


def _remove(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        with contextlib.suppress(FileNotFoundError):
            p.unlink()


def require(files: DuckDBFiles) -> Path:
    """The current generation, or a clear error for a workspace without a database."""
    current = files.current()
    if current is None:
        if not files.link.parent.is_dir():
            raise WorkspaceError(
                f"{files.link}: the folder {files.link.parent} does not exist "
                "(setting backend.database_file); create it and run 'tandem init'"
            )
        raise WorkspaceError(f"{files.link}: the workspace has no database yet; run 'tandem init'")
    if not current.exists():
        raise WorkspaceError(
            f"{files.link}: the database file it points to is missing; restore it from a backup"
        )
    return current
