"""Opening hours per line (the number called), set by admins and used from the next call on:
they replace the menu's own `hours:` for that line (`default` for every line without its own),
with public holidays from the `holidays` package and closures on given days. Stored in Redis,
read with the caller's other facts in the same round trip."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import orjson
import redis

from core import hours, keys
from core.errors import InvalidInput
from core.opening_hours import OpeningHours
from core.process_cache import ProcessCache
from core.redis_values import text, text_map

DEFAULT_LINE = "default"
"""The line whose hours apply to every number called that has none of its own."""
MAX_CLOSURES = 366
PARSED_CACHED = 256
"""Stored hours (by their text) kept parsed per process."""
FIELDS = {"timezone", "open", "days", "holidays", "closures"}


def parse(body: Mapping[str, Any]) -> OpeningHours:
    """Opening hours from an admin's JSON (`timezone`, `open` like 08:00-20:00, `days` like
    mon-fri, `holidays` like US-NY or none, `closures` as ISO dates); InvalidInput naming
    the field else."""
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise InvalidInput(unknown[0], "unknown field; opening hours have " +
                           ", ".join(sorted(FIELDS)))
    zone = _read("timezone", hours.parse_zone, body.get("timezone"))
    opens, closes = _read("open", hours.parse_range, body.get("open"))
    days = _read("days", hours.parse_days, body.get("days", "mon-fri"))
    country = _read("holidays", hours.parse_holidays, body.get("holidays", "none"))
    return OpeningHours(zone, opens, closes, days, country, _closures(body.get("closures", [])))


def to_json(body: Mapping[str, Any]) -> dict[str, Any]:
    """The admin's fields as stored and shown (after `parse` accepted them)."""
    return {"timezone": body["timezone"], "open": body["open"],
            "days": body.get("days", "mon-fri"), "holidays": body.get("holidays", "none"),
            "closures": sorted(set(body.get("closures", [])))}


def store(client: redis.Redis, line: str, body: Mapping[str, Any]) -> dict[str, Any]:
    parse(body)
    stored = to_json(body)
    client.hset(keys.line_hours(), line, orjson.dumps(stored))
    return stored


def remove(client: redis.Redis, line: str) -> bool:
    return bool(client.hdel(keys.line_hours(), line))


def every_line(client: redis.Redis) -> dict[str, dict[str, Any]]:
    return {line: orjson.loads(raw)
            for line, raw in sorted(text_map(client.hgetall(keys.line_hours())).items())}


def read(client: redis.Redis, called: str) -> OpeningHours | None:
    """The hours that apply to line `called` (its own, else the default; None: neither)."""
    return from_reply(client.hmget(keys.line_hours(), called or DEFAULT_LINE, DEFAULT_LINE))


def queue_read(pipe: redis.client.Pipeline, called: str) -> None:
    """Queue on `pipe` the read of the hours of line `called` and of the default line."""
    pipe.hmget(keys.line_hours(), called or DEFAULT_LINE, DEFAULT_LINE)


def from_reply(reply: Sequence[bytes | str | None]) -> OpeningHours | None:
    """The hours that apply, from the reply to `queue_read`: the line's own, else the
    default; None when admins set neither (the menu's hours apply)."""
    raw = next((found for found in reply if found is not None), None)
    if raw is None:
        return None
    return _parsed.get(text(raw), lambda stored: parse(orjson.loads(stored)))


# Every call of a line reads the same stored text; parsing it (zone, ranges, dates) each time
# would cost more than the read.
_parsed: ProcessCache[str, OpeningHours] = ProcessCache(PARSED_CACHED)


def _read(field: str, reader: Any, value: Any) -> Any:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(field, "is required as text")
    try:
        return reader(value)
    except ValueError as why:
        raise InvalidInput(field, str(why)) from None


def _closures(value: Any) -> tuple[date, ...]:
    if not isinstance(value, list) or len(value) > MAX_CLOSURES:
        raise InvalidInput("closures", f"must be a list of at most {MAX_CLOSURES} dates")
    try:
        return tuple(sorted(date.fromisoformat(day) for day in value))
    except (TypeError, ValueError):
        raise InvalidInput("closures", "each closure is a date like 2026-12-24") from None
