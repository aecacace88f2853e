"""A caller's open tickets as they stand, read from the records other features keep: the
tickets bridge's open tickets (`core.caller_record`), the queues' agents (their display name)
and the callbacks still owed to the number (a booked one is the ticket's next step)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import redis

from callbacks.record import Callback
from core.caller_record import OpenTicket, open_tickets_from, read_open_tickets
from core.phrases import Phrases
from queues.agents import AgentRegistry
from standing.status import MOST_TOLD, Standing, stage_of


@dataclass(frozen=True)
class Told:
    """An open ticket's record and how the caller hears of it."""

    record: OpenTicket
    standing: Standing


def open_tickets(client: redis.Redis, caller: str) -> list[OpenTicket]:
    """`caller`'s open tickets, the most recently changed first, at most MOST_TOLD."""
    pipe = client.pipeline(transaction=False)
    read_open_tickets(pipe, caller)
    found = list(open_tickets_from(pipe.execute()[0]).values())
    found.sort(key=lambda t: str(t.get("updated_at") or ""), reverse=True)
    return found[:MOST_TOLD]


def standings(client: redis.Redis, records: list[OpenTicket], owed: list[Callback],
              words: Phrases, now: datetime,
              booked_when: Callable[[Callback], str]) -> list[Told]:
    """Each record as the caller hears of it, in `words`' language (`booked_when`: when a
    callback owed comes, said in them)."""
    agents = AgentRegistry(client)
    told = []
    for record in records:
        issue = str(record.get("issue") or "")
        agent = agents.get(str(record["assignee"])) if record.get("assignee") else None
        callback = next((c for c in owed if c.issue == issue), None)
        opened = record.get("opened_at") or record.get("updated_at")
        told.append(Told(record, Standing(
            issue=issue, topic=words.issue(issue),
            opened_at=_at(str(opened)) if opened else now,
            agent=agent.name if agent is not None else "",
            stage=stage_of(str(record.get("status") or ""), callback is not None),
            callback_when=booked_when(callback) if callback is not None else "")))
    return told


def _at(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
