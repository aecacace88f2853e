"""Keeps tickets in step with calls: consumes the call-event stream and projects each call's
new events onto its ticket, exactly once in effect.

Entries are acknowledged only after the database commit; entries a dead consumer left pending
are claimed again after `CLAIM_IDLE_MS`. Because each event is stored under its position in the
call's log, re-projecting anything is harmless.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import redis
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import keys
from core.caller_record import remember_open_ticket
from core.clock import Clock, isoformat
from core.redis_values import text
from core.routing import Routing
from core.session import CallSession, SessionStore, read_logged
from tickets_bridge import outbox
from tickets_bridge.store import Entry, TicketStore, parse_at

GROUP = "tickets"
CLAIM_IDLE_MS = 30_000
"""A pending stream entry untouched this long belonged to a consumer that died: take it over."""

DEFAULT_ATTACH_WINDOW = 7 * 24 * 3600
"""Seconds within which a repeat call about the same issue joins the caller's open ticket."""

STORY_WORDS = 60
"""Words of what the caller told earlier kept in the IVR's open-ticket record, for the whisper."""


@dataclass(frozen=True)
class Projected:
    """What projecting one call did, for the work that follows the commit."""

    ticket_id: int
    caller: str | None
    routed: Routing | None
    assignee: str | None
    queued: bool
    story: list[tuple[str, str]]
    status: str = "open"
    opened_at: datetime | None = None
    language: str = ""
    call: str = ""
    menu_version: str = ""
    called: str = ""


class Projector:
    def __init__(self, client: redis.Redis, store: TicketStore, sessions: SessionStore,
                 clock: Clock, attach_window: int = DEFAULT_ATTACH_WINDOW,
                 claim_idle_ms: int = CLAIM_IDLE_MS, bridges: Sequence[str] = (),
                 on_outbox: Callable[[int], None] | None = None) -> None:
        self.redis = client
        self.store = store
        self.sessions = sessions
        self.clock = clock
        self.attach_window = attach_window
        self.claim_idle_ms = claim_idle_ms
        self.bridges = list(bridges)
        self.on_outbox = on_outbox

    def ensure_group(self) -> None:
        try:
            self.redis.xgroup_create(keys.call_event_stream(), GROUP, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def project_once(self, consumer: str, count: int = 500, block_ms: int | None = None) -> int:
        """Project one batch of stream entries (stale pending ones first); how many were done."""
        stream = keys.call_event_stream()
        claimed = self.redis.xautoclaim(stream, GROUP, consumer, self.claim_idle_ms, "0-0",
                                        count=count)[1]
        # This consumer's own entries whose pass failed (the ticket store was unreachable)
        # come first, at once: leaving them to the claim above would keep them half a minute late.
        own = self._read_group(consumer, "0", count, None)
        fresh = self._read_group(consumer, ">", count, block_ms) if not own else []
        entries = [*claimed, *own, *fresh]
        spans: dict[str, tuple[int, int]] = {}
        for _, fields in entries:
            if not fields:  # trimmed from the stream while pending: nothing left to project
                continue
            call = text(fields[b"call"])
            first = int(fields[b"first"])
            end = first + int(fields[b"count"])
            low, high = spans.get(call, (first, end))
            spans[call] = (min(low, first), max(high, end))
        self.project(spans)
        if entries:
            self.redis.xack(stream, GROUP, *[entry_id for entry_id, _ in entries])
        return len(entries)

    def _read_group(self, consumer: str, start: str, count: int, block_ms: int | None
                    ) -> list[Any]:
        found: Any = self.redis.xreadgroup(GROUP, consumer, {keys.call_event_stream(): start},
                                           count=count, block=block_ms)
        # RESP2 answers [[stream, entries]], RESP3 {stream: entries}.
        batches = found.values() if isinstance(found, dict) else [b for _, b in found or []]
        return [entry for batch in batches for entry in batch]

    def project(self, spans: dict[str, tuple[int, int]]) -> None:
        """Put each call's events [first, end) onto its ticket, in one transaction for all."""
        work = self._read(spans)
        try:
            done = self._write(work)
        except IntegrityError:
            # Another projector opened one of these tickets at the same moment: redo the
            # calls one by one, each then finding the ticket that won.
            done = [result for item in work for result in self._write([item])]
        self._after_commit(done)

    def project_call(self, call_sid: str, first: int, end: int) -> None:
        self.project({call_sid: (first, end)})

    def _read(self, spans: dict[str, tuple[int, int]]
              ) -> list[tuple[CallSession, list[Entry]]]:
        """Sessions and new events of all calls in the batch, in one round trip."""
        return [(session, [Entry(first + i, event) for i, event in enumerate(events)])
                for session, first, events in read_logged(self.redis, spans)]

    def _write(self, work: Sequence[tuple[CallSession, list[Entry]]]) -> list[Projected]:
        with Session(self.store.engine) as db, db.begin():
            return [self._write_call(db, session, entries) for session, entries in work]

    def _write_call(self, db: Session, session: CallSession, entries: Sequence[Entry]
                    ) -> Projected:
        started = parse_at(session.started_at) if session.started_at else self.clock.now()
        routed: Routing | None = None
        now = self.clock.now()
        ticket_id = self._ticket_of(db, session, started)
        self.store.append(db, ticket_id, session.call_sid, entries)
        for entry in entries:
            if entry.event["kind"] == "decision":
                routed = Routing.from_dict(entry.event)
                ticket_id = self._route(db, ticket_id, session, routed,
                                        parse_at(str(entry.event["at"])))
            elif entry.event["kind"] == "agent" and entry.event.get("state") == "connected":
                self.store.assign(db, ticket_id, str(entry.event["agent"]))
                routed = routed or session.routing
            elif isinstance(entry.event.get("csat"), int):
                self.store.rate(db, ticket_id, entry.event["csat"])
            elif entry.event.get("hung_up_in_menu") and entry.event.get("issue"):
                ticket_id = self._abandoned(db, ticket_id, session, str(entry.event["issue"]))
        self.store.touch(db, ticket_id, now)
        ended = any(e.event.get("event") == "ended" for e in entries)
        view = self.store.view(db, ticket_id).to_dict() if self.bridges else {}
        queued = outbox.record(db, self.bridges, ticket_id, session.call_sid,
                               routed is not None, ended, now, view)
        # A recording transcribed after the call was routed refreshes the IVR's record too,
        # so the caller's recorded words reach the next whisper.
        if routed is None and any(e.event["kind"] == "transcription" for e in entries):
            routed = session.routing
        if routed is None:
            return Projected(ticket_id, session.caller, routed, None, queued, [])
        assignee, status, opened_at = self.store.standing(db, ticket_id)
        story = self.store.caller_words(db, ticket_id)
        return Projected(ticket_id, session.caller, routed, assignee, queued, story, status,
                         opened_at, session.language, session.call_sid, session.menu_version,
                         session.called or "")

    def _ticket_of(self, db: Session, session: CallSession, started: datetime) -> int:
        """The call's ticket: a callback's leg joins the ticket of the call that asked for it
        (opened for that call if the bridge has not seen it yet); any other call opens one."""
        leg = session.routing.callback if session.routing is not None else None
        origin = leg.origin_call if leg is not None else ""
        if not origin or origin == session.call_sid:
            return self.store.open_for_call(db, session.call_sid, session.caller, started)
        ticket_id = self.store.open_for_call(db, origin, session.caller, started)
        return self.store.join(db, session.call_sid, ticket_id, started, "callback")

    def _after_commit(self, done: Sequence[Projected]) -> None:
        pipe = self.redis.pipeline(transaction=False)
        for item in done:
            if item.routed is not None and item.caller:
                self._remember_open(pipe, item)
        pipe.execute()
        if self.on_outbox is not None:
            for ticket_id in dict.fromkeys(i.ticket_id for i in done if i.queued):
                self.on_outbox(ticket_id)

    def _route(self, db: Session, ticket_id: int, session: CallSession, routing: Routing,
               at: datetime) -> int:
        """Route the call's ticket; a call about an issue the caller has an open ticket on
        joins that ticket instead (a call about another issue keeps its own)."""
        target = self._repeat_target(db, ticket_id, session, routing.issue)
        if target is not None:
            self.store.move_call(db, session.call_sid, ticket_id, target)
            ticket_id = target
        words = [said for _, said in self.store.caller_words(db, ticket_id)]
        self.store.route(db, ticket_id, routing, subject(routing.issue, words), tags(routing),
                         at)
        return ticket_id

    def _abandoned(self, db: Session, ticket_id: int, session: CallSession, issue: str) -> int:
        """A caller who hung up in the menu: the call joins their open ticket about the issue
        of the deepest menu they reached, else its own ticket gets that issue (so none is left
        without one), tagged, with nothing routed."""
        target = self._repeat_target(db, ticket_id, session, issue)
        if target is not None:
            self.store.move_call(db, session.call_sid, ticket_id, target)
            return target
        words = [said for _, said in self.store.caller_words(db, ticket_id)]
        self.store.name_issue(db, ticket_id, issue, subject(issue, words),
                              ["abandoned-in-menu"])
        return ticket_id

    def _repeat_target(self, db: Session, ticket_id: int, session: CallSession,
                       issue: str) -> int | None:
        if not session.caller or not issue:
            return None
        since = self.clock.now() - timedelta(seconds=self.attach_window)
        return self.store.find_open(db, session.caller, issue, since, other_than=ticket_id)

    def _remember_open(self, pipe: redis.client.Pipeline, item: Projected) -> None:
        """The IVR's record of the caller's open ticket on this issue: its number, agent and
        the caller's latest words on it (per call), so the whisper needs no SQL."""
        assert item.routed is not None and item.caller is not None
        routed = item.routed
        ticket = {"ticket_id": item.ticket_id, "issue": routed.issue,
                  "assignee": item.assignee, "updated_at": isoformat(self.clock.now()),
                  "story": _latest_words(item.story), "status": item.status,
                  "opened_at": isoformat(item.opened_at or self.clock.now()),
                  "language": item.language, "queue": routed.line_queue, "tier": routed.tier,
                  "skills": list(routed.skills), "priority": routed.priority,
                  "call": item.call, "menu_version": item.menu_version,
                  "called": item.called}
        remember_open_ticket(pipe, item.caller, item.routed.issue, ticket, self.attach_window)


def _latest_words(story: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    """The last words the caller told, at most STORY_WORDS of them, with the call of each."""
    kept: list[dict[str, str]] = []
    budget = STORY_WORDS
    for call_sid, said in reversed(story):
        words = said.split()
        if budget <= 0:
            break
        kept.insert(0, {"call": call_sid, "said": " ".join(words[-budget:])})
        budget -= len(words)
    return kept


def subject(issue: str, words: Sequence[str]) -> str:
    """The ticket's subject: the issue, then what the caller told about the problem."""
    said = " / ".join(w for w in words if w)
    return f"{issue}: {said}" if said else issue


def tags(routing: Routing) -> list[str]:
    """Tags from the call's routing: category, how it ended, and why its priority rose."""
    found = {routing.category}
    outcome = routing.outcome
    if outcome == "callback":
        found.add("callback-requested")
    elif outcome in ("voicemail", "transfer"):
        found.add(outcome)
    found.update(r.replace("_", "-") for r in routing.reasons)
    if routing.queue == "outage":
        found.add("outage")
    return sorted(t for t in found if t)
