"""What Redis knows about a caller that can change their priority, and the admin switches
behind it: the VIP list, outage flags, and the caller's recent issues."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import redis

from core import keys, line_hours
from core.caller_record import OpenTicket, open_tickets_from, read_open_tickets
from core.opening_hours import OpeningHours
from core.redis_values import text, text_map
from core.redis_wire import Command, as_map
from ivr.outage_notice import category_of_flag, flag

ALL_ISSUES = "*"
"""Outage category that covers every issue."""


@dataclass(frozen=True)
class CallerFacts:
    vip: bool = False
    outages: dict[str, str] = field(default_factory=dict)
    last_call_at: dict[str, float] = field(default_factory=dict)
    open_tickets: dict[str, OpenTicket] = field(default_factory=dict)
    """The caller's open tickets by issue (`core.caller_record`)."""
    line_hours: OpeningHours | None = None
    """The opening hours admins set for the line called (`core.line_hours`), if any."""

    def outage_for(self, issue: str) -> str | None:
        """The message of an outage that covers `issue` (by category prefix), if any."""
        for field_name, message in self.outages.items():
            category = category_of_flag(field_name)
            if category == ALL_ISSUES or issue == category or issue.startswith(category + "/"):
                return message
        return None


def read_facts(client: redis.Redis, caller: str | None, called: str = "") -> CallerFacts:
    """Everything priority rules need about `caller`, and the hours of the line `called`, in
    one round trip."""
    pipe = client.pipeline(transaction=False)
    pipe.hgetall(keys.outages())
    line_hours.queue_read(pipe, called)
    if caller:
        pipe.sismember(keys.vip_numbers(), caller)
        pipe.hgetall(keys.caller_issues(caller))
        read_open_tickets(pipe, caller)
    found = pipe.execute()
    outages, hours = text_map(found[0]), line_hours.from_reply(found[1])
    if not caller:
        return CallerFacts(outages=outages, line_hours=hours)
    return CallerFacts(
        vip=bool(found[2]),
        outages=outages,
        last_call_at={k: float(v) for k, v in text_map(found[3]).items()},
        open_tickets=open_tickets_from(found[4]),
        line_hours=hours,
    )


def remember_issue(client: redis.Redis, caller: str, category: str, at: float, ttl: int) -> None:
    """Note that `caller` was routed about `category` at epoch `at` (for repeat-call checks)."""
    pipe = client.pipeline(transaction=False)
    pipe.hset(keys.caller_issues(caller), category, str(at))
    pipe.expire(keys.caller_issues(caller), ttl)
    pipe.execute()


def active_outages(client: redis.Redis) -> dict[str, str]:
    return text_map(client.hgetall(keys.outages()))


def outages_read() -> Command:
    """The read of active outages, to share a round trip; its reply goes to `outages_from`."""
    return ("HGETALL", keys.outages())


def outages_from(reply: Mapping[bytes, bytes] | Sequence[bytes]) -> dict[str, str]:
    """Active outages (category -> message) from the reply to `outages_read`."""
    return text_map(as_map(reply))


def set_outage(client: redis.Redis, category: str, message: str,
               language: str | None = None) -> None:
    """Flag `category` with a notice (in `language`; without one, the menu's default)."""
    client.hset(keys.outages(), flag(category, language), message)


def clear_outage(client: redis.Redis, category: str, language: str | None = None) -> bool:
    """Clear the notice in `language`, or without one the category's flag in every language."""
    fields = [flag(category, language)] if language else \
        [f for f in active_outages(client) if category_of_flag(f) == category]
    return bool(fields) and bool(client.hdel(keys.outages(), *fields))


def add_vip(client: redis.Redis, e164: str) -> None:
    client.sadd(keys.vip_numbers(), e164)


def remove_vip(client: redis.Redis, e164: str) -> bool:
    return bool(client.srem(keys.vip_numbers(), e164))


def vip_numbers(client: redis.Redis) -> list[str]:
    return sorted(text(member) for member in client.smembers(keys.vip_numbers()))
