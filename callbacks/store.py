"""Callback records in Redis, created and moved between states only by atomic Lua scripts.

One number and one issue have at most one pending callback: a second request updates the
first, even when both arrive at once on different processes. Every move is checked against
the record's `version` (optimistic concurrency), so two workers acting on the same callback
never both succeed; each move appends its event to the callback's own log in the same script.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import redis

from callbacks.record import FINAL, MOVES, Callback, State, decode, encode
from core import keys
from core.caller_record import pending_callback_ids, pending_callbacks_key
from core.errors import HotlineError
from core.events import Event
from core.redis_values import text, text_map

RECORD_TTL = 30 * 24 * 3600
"""Seconds a finished callback stays readable (API, KPIs) after its last change."""

# KEYS: dedupe, new hash, all zset, phone set, pending-phone set, new log, due zset.
# ARGV: hash prefix, new id, created_at, event json, update pairs count, update pairs...,
#       arrived_at, then the new record's field pairs.
_REQUEST = """
local existing = redis.call('GET', KEYS[1])
local nupdate = tonumber(ARGV[5])
local after = 6 + 2 * nupdate
if existing then
  local hkey = ARGV[1] .. existing
  local state = redis.call('HGET', hkey, 'state')
  if state == 'scheduled' or state == 'retry_wait' then
    if nupdate > 0 then redis.call('HSET', hkey, unpack(ARGV, 6, after - 1)) end
    redis.call('ZADD', KEYS[7], redis.call('HGET', hkey, 'due_at'), existing)
    local arrived = tonumber(redis.call('HGET', hkey, 'arrived_at'))
    if tonumber(ARGV[after]) < arrived then redis.call('HSET', hkey, 'arrived_at', ARGV[after]) end
    redis.call('HINCRBY', hkey, 'version', 1)
    redis.call('RPUSH', hkey .. ':log', ARGV[4])
    return {existing, 0}
  elseif state == 'dialing' or state == 'connected' then
    return {existing, 0}
  end
end
redis.call('HSET', KEYS[2], unpack(ARGV, after + 1, #ARGV))
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[2])
redis.call('SADD', KEYS[5], ARGV[2])
redis.call('RPUSH', KEYS[6], ARGV[4])
redis.call('ZADD', KEYS[7], redis.call('HGET', KEYS[2], 'due_at'), ARGV[2])
return {ARGV[2], 1}
"""

# KEYS: hash, log, due zset, dialing zset, dedupe, pending-phone set.
# ARGV: id, expected version, field pair count, due score or '', lease score or '', final flag,
#       ttl, field pairs..., event jsons...
_MOVE = """
local version = redis.call('HGET', KEYS[1], 'version')
if version ~= ARGV[2] then return false end
local after = 8 + 2 * tonumber(ARGV[3])
redis.call('HSET', KEYS[1], unpack(ARGV, 8, after - 1))
local new = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('RPUSH', KEYS[2], unpack(ARGV, after, #ARGV))
if ARGV[4] ~= '' then redis.call('ZADD', KEYS[3], ARGV[4], ARGV[1])
else redis.call('ZREM', KEYS[3], ARGV[1]) end
if ARGV[5] ~= '' then redis.call('ZADD', KEYS[4], ARGV[5], ARGV[1])
else redis.call('ZREM', KEYS[4], ARGV[1]) end
if ARGV[6] == '1' then
  if redis.call('GET', KEYS[5]) == ARGV[1] then redis.call('DEL', KEYS[5]) end
  redis.call('SREM', KEYS[6], ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[7])
  redis.call('EXPIRE', KEYS[2], ARGV[7])
end
return new
"""

_MARK = """
local copied = tonumber(redis.call('HGET', KEYS[1], 'copied') or '0')
if tonumber(ARGV[1]) > copied and redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'copied', ARGV[1])
end
"""


class InvalidMove(HotlineError):
    """A state change the state machine does not allow."""


@dataclass(frozen=True)
class Requested:
    """The outcome of a request: the callback now owed, and whether it is a new one."""

    callback: Callback
    created: bool


class CallbackStore:
    """Reads and atomically changes callback records."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client
        self._request = client.register_script(_REQUEST)
        self._move = client.register_script(_MOVE)

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex[:16]

    def request(self, wanted: Callback, event: Event) -> Requested:
        """Promise `wanted`, or update the pending callback for the same number and issue
        (its time, mode and language; it keeps the earlier place in line)."""
        update = {"mode": wanted.mode.value, "due_at": str(wanted.due_at),
                  "language": wanted.language}
        args: list[Any] = [keys.callback(""), wanted.id, wanted.created_at, event.to_json(),
                           len(update)]
        for name, value in update.items():
            args += [name, value]
        args.append(wanted.arrived_at)
        for name, value in encode(wanted).items():
            args += [name, value]
        found_id, created = self._request(
            keys=[keys.callback_dedupe(wanted.phone, wanted.issue), keys.callback(wanted.id),
                  keys.callbacks_all(), keys.callbacks_for_phone(wanted.phone),
                  pending_callbacks_key(wanted.phone), keys.callback_log(wanted.id),
                  keys.callbacks_due()],
            args=args)
        record = self.get(text(found_id))
        assert record is not None
        return Requested(record, bool(created))

    def get(self, callback_id: str) -> Callback | None:
        raw = self.redis.hgetall(keys.callback(callback_id))
        return decode(callback_id, text_map(raw)) if raw else None

    def move(self, record: Callback, target: State, events: list[Event],
             due: float | None = None, lease: float | None = None,
             **changes: Any) -> Callback | None:
        """`record` (as read) moved to `target` with `changes`; None when it changed meanwhile
        (re-read and decide again). `due` keeps it in the sweep's due set, `lease` in the
        dialing set until then."""
        if target not in MOVES[record.state]:
            raise InvalidMove(f"callback {record.id}: {record.state} -> {target} not allowed")
        moved = record.evolve(state=target, **changes)
        fields = {k: v for k, v in encode(moved).items() if k in changes or k == "state"}
        args: list[Any] = [record.id, record.version, len(fields),
                           "" if due is None else due, "" if lease is None else lease,
                           "1" if target in FINAL else "0", RECORD_TTL]
        for name, value in fields.items():
            args += [name, value]
        args += [event.to_json() for event in events]
        version = self._move(
            keys=[keys.callback(record.id), keys.callback_log(record.id), keys.callbacks_due(),
                  keys.callbacks_dialing(), keys.callback_dedupe(record.phone, record.issue),
                  pending_callbacks_key(record.phone)],
            args=args)
        return moved.evolve(version=int(version)) if version else None

    def rearm(self, callback_id: str, at: float) -> None:
        """Have the sweep look at the callback again at `at` (no change of state)."""
        self.redis.zadd(keys.callbacks_due(), {callback_id: at})

    def log(self, callback_id: str, start: int = 0) -> list[dict[str, Any]]:
        """The callback's state changes from position `start`, oldest first."""
        return [json.loads(item) for item in self.redis.lrange(keys.callback_log(callback_id),
                                                                start, -1)]

    def copied(self, callback_id: str) -> int:
        """How many log entries are already on the original call's log."""
        return int(self.redis.hget(keys.callback(callback_id), "copied") or 0)

    def mark_copied(self, callback_id: str, count: int) -> None:
        self.redis.eval(_MARK, 1, keys.callback(callback_id), count)

    def for_phone(self, phone: str) -> list[Callback]:
        return self._many(text(i) for i in self.redis.smembers(keys.callbacks_for_phone(phone)))

    def pending_for_phone(self, phone: str) -> list[Callback]:
        return [c for c in self._many(pending_callback_ids(self.redis, phone)) if c.pending]

    def all(self, limit: int = 1000) -> list[Callback]:
        """The newest `limit` callbacks, newest first."""
        ids: list[bytes] = self.redis.zrevrange(keys.callbacks_all(), 0, limit - 1)  # type: ignore[assignment]
        return self._many(text(i) for i in ids)

    def due(self, until: float, limit: int = 500) -> list[str]:
        """Ids of callbacks Hotline must act on by `until` (the sweep's view)."""
        return _ids(self.redis.zrangebyscore(keys.callbacks_due(), "-inf", until, start=0,
                                             num=limit))

    def expired_leases(self, now: float, limit: int = 500) -> list[str]:
        """Ids of callbacks whose dialing attempt has outlived its lease."""
        return _ids(self.redis.zrangebyscore(keys.callbacks_dialing(), "-inf", now, start=0,
                                             num=limit))

    def many(self, ids: Iterable[str]) -> list[Callback]:
        """The records of `ids` that exist, newest first."""
        return self._many(ids)

    def _many(self, ids: Iterable[str]) -> list[Callback]:
        wanted = list(ids)
        pipe = self.redis.pipeline(transaction=False)
        for callback_id in wanted:
            pipe.hgetall(keys.callback(callback_id))
        found = [decode(i, text_map(raw)) for i, raw in zip(wanted, pipe.execute(), strict=True)
                 if raw]
        return sorted(found, key=lambda c: c.created_at, reverse=True)



def _ids(found: object) -> list[str]:
    return [text(i) for i in found]  # type: ignore[attr-defined]
