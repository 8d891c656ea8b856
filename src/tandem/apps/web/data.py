"""The server's one way into the workspace, and what it keeps between requests.

Every route gets its :class:`~tandem.Workspace` from :meth:`Data.workspace`, a
context opened per request and closed after it, so the server holds no
database open between requests and a ``tandem load`` from another process is
seen by the next request, without a restart. When the core's read sessions
allow a long-lived reader (issue 11), this is the one place to change.

Kept between requests, keyed by the workspace's last load (so a load makes
them stale at once): the book of accounts (:class:`tandem.accounts.Book`).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tandem.apps.web.config import WebConfig

if TYPE_CHECKING:
    from tandem import Workspace
    from tandem.accounts import Book
    from tandem.service.session import ReadSession

#: The load log every load appends to in the same transaction as its rows.
LOAD_LOG = "_tandem_loads"


@dataclass(frozen=True)
class LoadStamp:
    """Which load the data reflects: its id (0 = nothing loaded) and when it ran (UTC)."""

    load_id: int
    loaded_at: dt.datetime | None


def last_load(s: ReadSession) -> LoadStamp:
    """The latest load, read from the load log (until the facade exposes it)."""
    log = s.table(LOAD_LOG)
    row = s.run(log.aggregate(load_id=log.load_id.max(), loaded_at=log.loaded_at.max())).to_pylist()
    found = row[0] if row else {}
    loaded_at = found.get("loaded_at")
    if loaded_at is not None and loaded_at.tzinfo is None:
        loaded_at = loaded_at.replace(tzinfo=dt.UTC)
    return LoadStamp(int(found.get("load_id") or 0), loaded_at)


class Data:
    def __init__(self, config: WebConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._books: dict[tuple[int, dt.date, str], Book] = {}
        self._building: dict[tuple[int, dt.date, str], threading.Lock] = {}

    @contextmanager
    def workspace(self) -> Iterator[Workspace]:
        from tandem import Workspace

        kwargs: dict[str, Any] = {}
        if self.config.today is not None:
            kwargs["today"] = self.config.today
        ws = Workspace(self.config.workspace, **kwargs)
        try:
            yield ws
        finally:
            ws.close()

    def stamp(self, ws: Workspace) -> LoadStamp:
        with ws.read() as s:
            return last_load(s)

    def book(self, ws: Workspace, extra: str = "") -> Book:
        """The book of accounts as of today, built once per load (and ``extra`` variant)."""
        from tandem.accounts import Book, build_book

        with ws.read() as s:
            stamp = last_load(s)
            key = (stamp.load_id, s.today, extra)
            with self._lock:
                found = self._books.get(key)
                building = self._building.setdefault(key, threading.Lock())
            if found is not None:
                return found
            # One request builds it; others asking meanwhile wait for that one.
            with building:
                with self._lock:
                    found = self._books.get(key)
                if found is not None:
                    return found
                accounts, people = build_book(s, s.today)
                book = Book(accounts, people, s.today)
                with self._lock:
                    # Older books are dropped, not closed: a request may still be reading one.
                    for k in [k for k in self._books if k != key]:
                        del self._books[k]
                        self._building.pop(k, None)
                    self._books[key] = book
                return book
