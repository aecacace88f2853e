"""One outbound-call pace for every worker together: Twilio's calls-per-second limit.

Each dial reserves the next free slot in Redis (one Lua script, Redis's own clock, so workers
on different hosts agree) and waits for it; slots are `1 / cps` apart, so however many workers
dial, calls leave no faster than the limit and no slower than the workers can go.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import redis

from core import keys

# ARGV: seconds between calls. Returns {slot, now} as strings (seconds, microsecond precision).
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, free)
redis.call('SET', KEYS[1], string.format('%.6f', slot + tonumber(ARGV[1])), 'EX', 3600)
return {string.format('%.6f', slot), string.format('%.6f', now)}
"""


class Pacer:
    """Hands out outbound-call slots at `cps` calls per second across all processes."""

    def __init__(self, client: redis.Redis, cps: float,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._reserve = client.register_script(_RESERVE)
        self.interval = 1.0 / cps
        self._sleep = sleep

    def reserve(self) -> tuple[float, float]:
        """The next free slot and Redis's time now (epoch seconds); the slot is taken."""
        slot, now = self._reserve(keys=[keys.callback_pacing()], args=[self.interval])
        return float(slot), float(now)

    def wait_turn(self) -> float:
        """Reserve a slot and sleep until it comes; the slot (epoch seconds)."""
        slot, now = self.reserve()
        if slot > now:
            self._sleep(slot - now)
        return slot
