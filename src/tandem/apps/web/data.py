"""The server's one way into the workspace, and what it keeps between requests.

Every route gets its :class:`~tandem.Workspace` from :meth:`Data.workspace`. A
request borrows an open workspace from a small pool (one per concurrent
request: a workspace's connection serves one thread at a time) and gives it
back. Each read session takes the newest generation of the data, so a ``tandem
load`` from another process (which never waits for the server, nor the server
for it) is seen by the next request, without a restart. When no request has
run for :data:`IDLE_CLOSE_SECONDS` the pooled workspaces are closed, which lets
go of retired generations; a pooled workspace is dropped when ``tandem.toml``
changes.

Kept between requests, keyed by the last load (``ReadSession.last_loaded_at``,
read on every request) so that a load makes them stale at once:

- the book of accounts (:class:`tandem.accounts.Book`), built once per load
  (and at start-up, in the background), health scores attached once computed;
- answers of the read-only API routes (``[web] response_cache``), keyed by the
  route, its parameters, whose book they are for, the last load and the
  settings file; concurrent identical requests compute once.
"""

from __future__ import annotations

import atexit
import datetime as dt
import gc
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from tandem.apps.web.config import WebConfig

if TYPE_CHECKING:
    from tandem import Workspace
    from tandem.accounts import Book
    from tandem.service.session import ReadSession

log = logging.getLogger("tandem.web")
T = TypeVar("T")

#: An idle server closes its workspaces after this long without a request.
IDLE_CLOSE_SECONDS = 1.0
#: Answers kept (least recently used dropped first).
ANSWERS_KEPT = 512


@dataclass(frozen=True)
class LoadStamp:
    """Which load the data reflects: when the last load that changed something committed
    (UTC; None when nothing has been loaded)."""

    loaded_at: dt.datetime | None


def last_load(s: ReadSession) -> LoadStamp:
    """The latest load, as the read session's generation of the data sees it."""
    loaded_at = s.last_loaded_at()
    if loaded_at is not None and loaded_at.tzinfo is None:
        loaded_at = loaded_at.replace(tzinfo=dt.UTC)
    return LoadStamp(loaded_at)


def _health(ws: Workspace) -> Any:
    """Each customer's health score and band (as of the health package's default day)."""
    import pyarrow as pa

    from tandem.health import scores

    rows = scores(ws).rows
    kept = rows[["account_id", "health_score", "band"]].rename(columns={"band": "health_band"})
    table = pa.Table.from_pandas(kept, preserve_index=False)
    bands = table["health_band"].to_pylist()
    return table.set_column(
        2, "health_band", pa.array([b if b in ("red", "amber", "green") else None for b in bands])
    )


class Data:
    def __init__(self, config: WebConfig) -> None:
        from cachetools import LRUCache

        self.config = config
        self._lock = threading.Lock()
        self._pool: list[tuple[Workspace, float]] = []
        self._in_flight = 0
        self._last_release = time.monotonic()
        self._books: dict[tuple[dt.datetime | None, dt.date, str], Book] = {}
        self._answers: LRUCache[tuple[Any, ...], Any] = LRUCache(maxsize=ANSWERS_KEPT)
        self._computing: dict[tuple[Any, ...], threading.Lock] = {}
        self._stop = threading.Event()
        self._thresholds: tuple[int, int, int] | None = None
        self._background: list[threading.Thread] = []
        self._reaper = threading.Thread(target=self._reap, name="tandem-idle-close", daemon=True)
        self._reaper.start()
        # Open database connections must close before the interpreter tears down the
        # modules under them (DuckDB crashes otherwise), even when no one called close().
        atexit.register(self.close)

    # -- workspaces --------------------------------------------------------------

    def _settings_mtime(self) -> float:
        from tandem.settings import SETTINGS_FILE

        try:
            return (self.config.workspace / SETTINGS_FILE).stat().st_mtime
        except OSError:
            return 0.0

    def _open(self) -> Workspace:
        from tandem import Workspace

        kwargs: dict[str, Any] = {}
        if self.config.today is not None:
            kwargs["today"] = self.config.today
        return Workspace(self.config.workspace, **kwargs)

    @contextmanager
    def workspace(self) -> Iterator[Workspace]:
        """An open workspace for the length of one request."""
        mtime = self._settings_mtime()
        with self._lock:
            self._in_flight += 1
            found = self._pool.pop() if self._pool else None
        stale = None
        if found is not None and found[1] != mtime:
            stale, found = found[0], None
        if stale is not None:
            self._closed([stale])
        ws = found[0] if found is not None else None
        ok = False
        try:
            if ws is None:
                ws = self._open()
            yield ws
            ok = True
        finally:
            with self._lock:
                self._in_flight -= 1
                self._last_release = time.monotonic()
                if ok and ws is not None:
                    self._pool.append((ws, mtime))
            if not ok and ws is not None:
                self._closed([ws])

    def _reap(self) -> None:
        while not self._stop.wait(IDLE_CLOSE_SECONDS / 4):
            self.close_idle()

    def close_idle(self, *, now: float | None = None) -> int:
        """Close the pooled workspaces if no request ran lately; returns how many."""
        moment = time.monotonic() if now is None else now
        with self._lock:
            if self._in_flight or moment - self._last_release < IDLE_CLOSE_SECONDS:
                return 0
            idle, self._pool = self._pool, []
        self._closed(ws for ws, _ in idle)
        if idle:
            gc.collect()
        return len(idle)

    def _closed(self, workspaces: Iterator[Workspace] | list[Workspace]) -> None:
        for ws in workspaces:
            ws.close()

    def close(self) -> None:
        self._stop.set()
        for thread in [*self._background, self._reaper]:
            if thread is not threading.current_thread():
                thread.join(timeout=60)
        if self._thresholds is not None:
            gc.set_threshold(*self._thresholds)
        with self._lock:
            idle, self._pool = self._pool, []
        self._closed(ws for ws, _ in idle)

    def forget_workspaces(self) -> None:
        """Drop pooled workspaces (after this server changed the settings)."""
        with self._lock:
            idle, self._pool = self._pool, []
            self._answers.clear()
        self._closed(ws for ws, _ in idle)

    # -- what is kept per load -------------------------------------------------------

    def stamp(self, ws: Workspace) -> LoadStamp:
        """The last load, read afresh: a load publishes a new generation at any time."""
        with ws.read() as s:
            return last_load(s)

    def answer(self, ws: Workspace, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """``compute()``'s value, kept for this load and settings under ``key``."""
        if not self.config.web.response_cache:
            return compute()
        full = (self.stamp(ws).loaded_at, self._settings_mtime(), *key)
        with self._lock:
            if full in self._answers:
                return self._answers[full]  # type: ignore[no-any-return]
            gate = self._computing.setdefault(full, threading.Lock())
        with gate:  # one request computes; identical ones wait for it
            with self._lock:
                if full in self._answers:
                    return self._answers[full]  # type: ignore[no-any-return]
            value = compute()
            with self._lock:
                self._answers[full] = value
                self._computing.pop(full, None)
            return value

    def book(self, ws: Workspace, extra: str = "") -> Book:
        """The book of accounts as of today, built once per load (and ``extra`` variant)."""
        from tandem.accounts import Book, build_book

        stamp = self.stamp(ws)
        with ws.read() as s:
            key = (stamp.loaded_at, s.today, extra)
            with self._lock:
                found = self._books.get(key)
                gate = self._computing.setdefault(("book", *key), threading.Lock())
            if found is not None:
                return found
            with gate:  # one request builds it; others asking meanwhile wait for it
                with self._lock:
                    found = self._books.get(key)
                if found is not None:
                    return found
                accounts, people = build_book(s, s.today)
                book = Book(accounts, people, s.today)
                with self._lock:
                    # Older books are dropped, not closed: a request may still read one.
                    for k in [k for k in self._books if k != key]:
                        del self._books[k]
                    self._books[key] = book
                    self._computing.pop(("book", *key), None)
                self._score_later(book)
                return book

    def _score_later(self, book: Book) -> None:
        """Attach health scores to ``book`` in the background (scoring takes a while)."""

        def run() -> None:
            try:
                with self.workspace() as ws:
                    book.attach(_health(ws))
            except Exception:
                log.warning("scoring the book's health failed", exc_info=True)

        self._start(run, "tandem-health")

    def _start(self, run: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=run, name=name, daemon=True)
        with self._lock:
            self._background = [t for t in self._background if t.is_alive()] + [thread]
        thread.start()

    def warm_up(self) -> None:
        """Build the book in the background, so the first visitor does not wait for it.

        Then move everything alive so far (the imported libraries, the book) out of
        the garbage collector's sight, and leave full collections to quiet moments:
        under load one took 150-400 ms, stalling every request at once.
        """

        def run() -> None:
            try:
                with self.workspace() as ws:
                    self.book(ws)
            except Exception:  # a broken workspace shows on the first request instead
                log.warning("warming up the book of accounts failed", exc_info=True)
            gc.collect()
            gc.freeze()

        # Full collections wait for a quiet moment (see close_idle), not a busy one.
        self._thresholds = gc.get_threshold()
        gc.set_threshold(self._thresholds[0], self._thresholds[1], 1_000_000)

        self._start(run, "tandem-warm-up")
