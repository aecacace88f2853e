"""What the next new call will most likely read: the active menu version, with no outage on.

An incoming call decided on that guess is committed in one round trip instead of two; the commit
checks the guess in Redis, so a wrong one (a menu just published, an outage just declared) only
costs the ordinary read. Nothing is decided from what a process remembers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core import keys
from core.redis_values import text
from core.session import Guard


@dataclass(frozen=True)
class Expected:
    """The replies a new call's reads are expected to get, and the guards making them true."""

    replies: list[Any]
    guards: list[Guard]

    def plus(self, reply: Any, guard: Guard) -> Expected:
        """Also expect `reply` to one more read, true while `guard` holds."""
        return Expected([*self.replies, reply], [*self.guards, guard])


class StartGuess:
    """The last active menu version seen by an incoming call of this process while no outage was
    on; None when there was one (the guess would only fail)."""

    def __init__(self) -> None:
        self._version: bytes | str | None = None

    def saw(self, version: bytes | str | None, outages: Mapping[bytes, bytes] | Sequence[bytes],
            ) -> None:
        """Remember what an incoming call read (or was committed on)."""
        self._version = None if outages else version

    def expected(self) -> Expected | None:
        """Replies for `[MenuStore.active_read(), outages_read()]` and the guards making them
        true, or None before any incoming call has read them."""
        version = self._version
        if version is None:
            return None
        return Expected(replies=[version, []],
                        guards=[(keys.active_menu(), text(version)), (keys.outages(), None)])
