"""Figures behind the wait estimate, in Redis: recent handle times per queue, and every
caller's predicted wait set against the wait they actually had, so the estimate's error is
measured all the time."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from core import keys
from core.redis_values import text_map

HANDLE_HISTORY = 100
"""Recent calls per queue whose handle times make the mean."""

PREDICTION_TTL = 24 * 3600

# KEYS: prediction hash, totals hash. ARGV: assigned at. Settles a prediction once.
_SETTLE = """
local p = redis.call('HMGET', KEYS[1], 'predicted', 'at')
if not p[1] then return false end
redis.call('DEL', KEYS[1])
local actual = tonumber(ARGV[1]) - tonumber(p[2])
if actual < 0 then actual = 0 end
local err = tonumber(p[1]) - actual
redis.call('HINCRBY', KEYS[2], 'callers', 1)
redis.call('HINCRBYFLOAT', KEYS[2], 'abs_error', math.abs(err))
redis.call('HINCRBYFLOAT', KEYS[2], 'error', err)
redis.call('HINCRBYFLOAT', KEYS[2], 'actual', actual)
return tostring(actual)
"""


@dataclass(frozen=True)
class Accuracy:
    """Predicted against actual waits over every settled caller."""

    callers: int
    mean_absolute_error: float
    mean_error: float
    """Positive: the estimate was longer than the wait (Hotline errs long on purpose)."""
    mean_actual_wait: float


class WaitStats:
    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._settle = client.register_script(_SETTLE)

    def record_handle_time(self, queue: str, seconds: float) -> None:
        pipe = self.redis.pipeline(transaction=False)
        pipe.lpush(keys.handle_times(queue), round(seconds, 1))
        pipe.ltrim(keys.handle_times(queue), 0, HANDLE_HISTORY - 1)
        pipe.execute()

    def handle_times(self, queue: str) -> list[float]:
        return [float(v) for v in self.redis.lrange(keys.handle_times(queue), 0, -1)]

    def predict(self, task: str, seconds: float, at: float) -> None:
        """Remember the first estimate given to a waiting task (later ones don't count)."""
        key = keys.wait_prediction(task)
        pipe = self.redis.pipeline(transaction=True)
        pipe.hsetnx(key, "predicted", round(seconds, 1))
        pipe.hsetnx(key, "at", at)
        pipe.expire(key, PREDICTION_TTL)
        pipe.execute()

    def settle(self, task: str, assigned_at: float) -> float | None:
        """The task reached an agent: count its error once; its actual wait, if predicted."""
        answer = self._settle(keys=[keys.wait_prediction(task), keys.wait_accuracy()],
                              args=[assigned_at])
        return float(answer) if answer else None

    def forget(self, task: str) -> None:
        """The caller left without reaching an agent: there is no actual wait to compare."""
        self.redis.delete(keys.wait_prediction(task))

    def accuracy(self) -> Accuracy:
        raw = text_map(self.redis.hgetall(keys.wait_accuracy()))
        callers = int(raw.get("callers", 0))
        if not callers:
            return Accuracy(0, 0.0, 0.0, 0.0)
        return Accuracy(callers, float(raw["abs_error"]) / callers,
                        float(raw["error"]) / callers, float(raw["actual"]) / callers)
