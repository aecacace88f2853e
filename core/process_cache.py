"""Values a process derives from immutable inputs (a menu version is its content's hash), kept
so that every webhook step need not derive them again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar, cast

K = TypeVar("K")
V = TypeVar("V")


class ProcessCache(Generic[K, V]):
    """A bounded table of derived values, emptied whole when full: its keys repeat from caller to
    caller, so a full table is rare and refills at once. Safe to share between threads: every
    operation is one dictionary call."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._values: dict[K, V] = {}

    def find(self, key: K) -> V | None:
        return self._values.get(key)

    def get(self, key: K, derive: Callable[[K], V]) -> V:
        """The value kept under `key`, else `derive(key)`, kept (a value may be None; an
        exception keeps nothing)."""
        found = self._values.get(key, _MISSING)
        return self.keep(key, derive(key)) if found is _MISSING else cast(V, found)

    def keep(self, key: K, value: V) -> V:
        """Keep `value` under `key` and return it."""
        if len(self._values) >= self.size:
            self._values.clear()
        self._values[key] = value
        return value


_MISSING = object()
