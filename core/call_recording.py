"""Whether a live call is being recorded, and whether that recording is paused: started by
recordings (after the caller's consent), paused and resumed by the IVR around sensitive menu
nodes. Both reach the record through these functions, never by key."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from core import keys
from core.redis_values import text_map


@dataclass(frozen=True)
class CallRecording:
    sid: str
    paused: bool


def claim(client: redis.Redis, call_sid: str, ttl: int) -> bool:
    """True once per call: the caller of this starts its recording (a retried webhook not)."""
    key = keys.call_recording(call_sid)
    if not client.hsetnx(key, "sid", ""):
        return False
    client.expire(key, ttl)
    return True


def started(client: redis.Redis, call_sid: str, recording_sid: str) -> None:
    client.hset(keys.call_recording(call_sid), mapping={"sid": recording_sid, "paused": "0"})


def current(client: redis.Redis, call_sid: str) -> CallRecording | None:
    """The call's recording, if one was started (None: not recorded, or not yet started)."""
    found = text_map(client.hgetall(keys.call_recording(call_sid)))
    sid = found.get("sid", "")
    return CallRecording(sid, found.get("paused") == "1") if sid else None


def set_paused(client: redis.Redis, call_sid: str, paused: bool) -> None:
    client.hset(keys.call_recording(call_sid), "paused", "1" if paused else "0")


def stopped(client: redis.Redis, call_sid: str) -> None:
    """The call's recording has ended for good: nothing to pause or resume any more (and no
    second one is started: the claim stays)."""
    client.hset(keys.call_recording(call_sid), mapping={"sid": "", "paused": "0"})
