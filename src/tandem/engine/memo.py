"""What one workspace keeps between requests: compiled SQL and fingerprints."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar, cast

from cachetools import LRUCache

_V = TypeVar("_V")


class Memo:
    """What one workspace keeps between requests: compiled SQL and fingerprints.

    Bounded (least recently used forgotten first) and locked, so the threads of a
    server share it. Keys hold the definitions' identity, never names alone.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: LRUCache[Hashable, Any] = LRUCache(maxsize=8192)

    def get(self, key: Hashable, make: Callable[[], _V]) -> _V:
        """The value kept under ``key``, made (outside the lock) when missing."""
        with self._lock:
            if key in self._kept:
                return cast(_V, self._kept[key])
        value = make()
        with self._lock:
            self._kept[key] = value
        return value
