"""What features share about a caller's number, each record written by one feature and read by
the others only through these functions, never by key: the caller's open tickets by issue
(the tickets bridge writes them; the IVR attaches a repeat caller with them, the queues pick the
ticket's agent and repeat the caller's story in the whisper) and the callbacks still owed to the
number (callbacks write them; the IVR asks a caller who has one)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import redis

from core import keys
from core.redis_values import text, text_map
from core.redis_wire import Command
from core.session import Guard

OpenTicket = dict[str, Any]
"""{ticket_id, issue, assignee, updated_at, story: [{call, said}]} of one open ticket, and
what the caller is told of it: opened_at, status (new, open: waiting on us; pending: waiting
on the caller), language, and the line it waits in (queue, tier, skills, priority); its
latest call, the number it called and its menu version (texts about the ticket come from that
number and are noted on that call's log)."""


def remember_open_ticket(pipe: redis.client.Pipeline, caller: str, issue: str,
                         ticket: OpenTicket, ttl: int) -> None:
    """Queue on `pipe` that `caller`'s open ticket about `issue` is `ticket`, for `ttl` s."""
    pipe.hset(keys.caller_open_tickets(caller), issue, json.dumps(ticket))
    pipe.expire(keys.caller_open_tickets(caller), ttl)


def forget_open_ticket(client: redis.Redis, caller: str, issue: str) -> None:
    """`caller` has no open ticket about `issue` any more (it was solved)."""
    client.hdel(keys.caller_open_tickets(caller), issue)


def note_open_ticket_change(client: redis.Redis, caller: str, issue: str, status: str,
                            assignee: str | None) -> None:
    """An agent set `caller`'s open ticket about `issue` to `status` (not solved) and
    `assignee`."""
    found = open_ticket(client, caller, issue)
    if found is not None:
        changed = {**found, "status": status, "assignee": assignee}
        client.hset(keys.caller_open_tickets(caller), issue, json.dumps(changed))


def open_ticket(client: redis.Redis, caller: str, issue: str) -> OpenTicket | None:
    """`caller`'s open ticket about `issue`, if the tickets bridge knows one."""
    raw = client.hget(keys.caller_open_tickets(caller), issue)
    return json.loads(text(raw)) if raw else None


def read_open_tickets(pipe: redis.client.Pipeline, caller: str) -> None:
    """Queue on `pipe` the read of `caller`'s open tickets; its reply goes to
    `open_tickets_from`, so the read shares the pipeline's round trip."""
    pipe.hgetall(keys.caller_open_tickets(caller))


def open_tickets_from(reply: Mapping[Any, Any]) -> dict[str, OpenTicket]:
    """The open tickets by issue from the reply to `read_open_tickets`."""
    return {issue: json.loads(value) for issue, value in text_map(reply).items()}


def open_tickets_read(e164: str) -> Command:
    """The read of whether `e164` has an open ticket, to share a webhook's round trip; its
    reply goes to `has_open_tickets`."""
    return ("EXISTS", keys.caller_open_tickets(e164))


def no_open_tickets(e164: str) -> Guard:
    """The guard of a step decided on `e164` having no open ticket."""
    return (keys.caller_open_tickets(e164), None)


def has_open_tickets(reply: object) -> bool:
    """Whether the reply to `open_tickets_read` says the caller has an open ticket."""
    return bool(reply)


def pending_callbacks_key(e164: str) -> str:
    """The set of `e164`'s callbacks not yet finished, for the callbacks store's scripts (its
    only writer) to name."""
    return keys.callbacks_pending_phone(e164)


def pending_callback_ids(client: redis.Redis, e164: str) -> list[str]:
    """Ids of `e164`'s callbacks not yet finished."""
    return [text(member) for member in client.smembers(keys.callbacks_pending_phone(e164))]


def pending_callbacks_read(e164: str) -> Command:
    """The read of whether `e164` is owed a callback, to share a webhook's round trip; its
    reply goes to `has_pending_callback`."""
    return ("SCARD", keys.callbacks_pending_phone(e164))


def no_pending_callback(e164: str) -> Guard:
    """The guard of a step decided on `e164` being owed no callback."""
    return (keys.callbacks_pending_phone(e164), None)


def has_pending_callback(reply: object) -> bool:
    """Whether the reply to `pending_callbacks_read` says a callback is owed."""
    return bool(reply)

