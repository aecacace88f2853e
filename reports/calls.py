"""What one call leg's stored events say about it, as plain facts the KPIs count (pure).

A leg is an inbound call or a callback leg Hotline placed; its events are the ones the
tickets bridge stored under its CallSid (a callback's own progress is copied onto the log of
the call that asked for it, so it appears there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

T = TypeVar("T")

NOT_MENU_NODES = frozenset({"hold", "survey", "callback-offer"})
"""Prompt nodes that are not questions of the menu tree."""


@dataclass(frozen=True)
class CallbackFacts:
    """One promised callback: when it was promised, first connected, and where it ended."""

    id: str
    promised_at: datetime
    connected_at: datetime | None
    state: str


@dataclass(frozen=True)
class CallFacts:
    call_sid: str
    ticket_id: int
    leg: str
    """`inbound` or `callback`."""
    started_at: datetime
    issue: str = ""
    queue: str = ""
    tier: str = ""
    outcome: str | None = None
    """The menu's decision (route, callback, voicemail, transfer, message...), if reached."""
    menu_nodes: tuple[str, ...] = ()
    """Menu questions the caller heard, each once, in order."""
    hung_up_at: str | None = None
    """The menu node where the caller hung up, if they did so in the menu."""
    zeroed_at: str | None = None
    """The menu node where the caller asked for a person (0 or words), if they did."""
    queued_at: datetime | None = None
    answered_at: datetime | None = None
    agent: str = ""
    abandoned_on_hold: bool = False
    talk_seconds: int | None = None
    csat: int | None = None
    callbacks: tuple[CallbackFacts, ...] = field(default=())

    @property
    def wait(self) -> float | None:
        """Seconds from joining the line to an agent answering (answered calls only)."""
        if self.queued_at is None or self.answered_at is None:
            return None
        return (self.answered_at - self.queued_at).total_seconds()

    @property
    def offered(self) -> bool:
        """The call reached the queue and ended answered or abandoned there."""
        return self.queued_at is not None and (self.answered or self.abandoned_on_hold)

    @property
    def answered(self) -> bool:
        return self.answered_at is not None


def call_facts(call_sid: str, ticket_id: int, leg: str, started_at: datetime,
               events: Sequence[tuple[datetime, Mapping[str, Any]]],
               ticket: Mapping[str, str]) -> CallFacts:
    """The facts of one leg from its events (time order); `ticket` gives issue, queue and tier
    for a leg whose own events name none (a callback's leg)."""
    decision = _last(e for _, e in events if e["kind"] == "decision")
    ended = _last(e for _, e in events if e["kind"] == "call" and e.get("event") == "ended")
    hung_up = ended.get("node") if ended and ended.get("hung_up_in_menu") else None
    answered = _first(at for at, e in events if _agent(e, "connected"))
    return CallFacts(
        call_sid=call_sid, ticket_id=ticket_id, leg=leg, started_at=started_at,
        issue=str((decision or {}).get("issue") or (ended or {}).get("issue")
                  or ticket.get("issue", "")),
        queue=str((decision or {}).get("queue") or ticket.get("queue", "")) if not hung_up else "",
        tier=str((decision or {}).get("tier") or ticket.get("tier", "")) if not hung_up else "",
        outcome=str(decision["outcome"]) if decision and decision.get("outcome") else None,
        menu_nodes=_menu_nodes(e for _, e in events),
        hung_up_at=str(hung_up) if hung_up else None,
        zeroed_at=_first(str(e.get("node")) for _, e in events
                         if e["kind"] in ("dtmf", "speech") and e.get("meaning") == "human"),
        queued_at=_first(at for at, e in events
                         if (e["kind"] == "queue" and "tier" in e) or _agent(e, "ringing")),
        answered_at=answered,
        agent=str(_first(e.get("agent") for _, e in events if _agent(e, "connected")) or ""),
        abandoned_on_hold=any(e["kind"] == "queue" and e.get("abandoned") for _, e in events)
        and answered is None,
        talk_seconds=_talk(e for _, e in events if _agent(e, "ended")),
        csat=_last(e["csat"] for _, e in events if isinstance(e.get("csat"), int)),
        callbacks=callbacks_of(events),
    )


def callbacks_of(events: Sequence[tuple[datetime, Mapping[str, Any]]]) -> tuple[CallbackFacts, ...]:
    """Every callback whose progress is in `events`: promised (first `scheduled`), first
    connected, and its latest state."""
    seen: dict[str, CallbackFacts] = {}
    for at, event in events:
        if event["kind"] != "callback" or not event.get("callback_id"):
            continue
        id_, state = str(event["callback_id"]), str(event.get("state", ""))
        was = seen.get(id_, CallbackFacts(id_, at, None, state))
        connected = was.connected_at or (at if state == "connected" else None)
        seen[id_] = CallbackFacts(id_, was.promised_at, connected, state)
    return tuple(seen.values())


def _agent(event: Mapping[str, Any], state: str) -> bool:
    return event["kind"] == "agent" and event.get("state") == state


def _menu_nodes(events: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    nodes = (str(e["node"]) for e in events if e["kind"] == "prompt" and e.get("node")
             and e["node"] not in NOT_MENU_NODES)
    return tuple(dict.fromkeys(nodes))


def _talk(ended: Iterable[Mapping[str, Any]]) -> int | None:
    seconds = [int(e["talk_seconds"]) for e in ended if isinstance(e.get("talk_seconds"), int)]
    return sum(seconds) if seconds else None


def _first(values: Iterable[T]) -> T | None:
    return next(iter(values), None)


def _last(values: Iterable[T]) -> T | None:
    found = None
    for value in values:
        found = value
    return found
