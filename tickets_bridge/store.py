"""The ticket store: one ticket per caller and issue, joined by every leg of its calls, and its
transcript.

Every write is idempotent, so replays of the call-event stream, worker retries and two
projectors racing never make a second ticket or a duplicate transcript entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from core.caller_words import told
from core.clock import isoformat
from core.routing import Routing, category_of
from tickets_bridge.models import TicketCallRow, TicketRow, TranscriptRow
from tickets_bridge.sla import due_times, earlier, higher
from tickets_bridge.ticket import Ticket


@dataclass(frozen=True)
class Entry:
    """One event of a call's log at position `seq`."""

    seq: int
    event: dict[str, Any]


class TicketStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def open_for_call(self, db: Session, call_sid: str, phone: str | None, at: datetime) -> int:
        """The ticket holding `call_sid`, opened now if the call has none yet."""
        link = db.get(TicketCallRow, call_sid)
        if link is not None:
            return link.ticket_id
        ticket = TicketRow(phone=phone, subject="", issue="", category="", priority="", tier="",
                           queue="", status="new", tags=[], created_at=at, updated_at=at)
        db.add(ticket)
        db.flush()
        db.add(TicketCallRow(call_sid=call_sid, ticket_id=ticket.id, started_at=at))
        db.flush()
        return ticket.id

    def join(self, db: Session, call_sid: str, ticket_id: int, at: datetime, kind: str) -> int:
        """The ticket holding `call_sid`; a call without one joins `ticket_id` as a leg of
        `kind` (a callback, say) instead of opening a ticket of its own."""
        link = db.get(TicketCallRow, call_sid)
        if link is not None:
            return link.ticket_id
        db.add(TicketCallRow(call_sid=call_sid, ticket_id=ticket_id, started_at=at, kind=kind))
        db.flush()
        return ticket_id

    def append(self, db: Session, ticket_id: int, call_sid: str, entries: Sequence[Entry]) -> None:
        """Add transcript entries; ones already stored (same call and seq) are skipped."""
        if not entries:
            return
        rows = [_row(ticket_id, call_sid, entry) for entry in entries]
        insert = postgresql.insert if db.bind and db.bind.dialect.name == "postgresql" \
            else sqlite.insert
        db.execute(insert(TranscriptRow).values(rows).on_conflict_do_nothing(
            index_elements=["call_sid", "seq"]))

    def find_open(self, db: Session, phone: str, issue: str, since: datetime,
                  other_than: int) -> int | None:
        """The caller's most recent unsolved ticket about `issue` touched since `since`."""
        return db.scalar(
            select(TicketRow.id)
            .where(TicketRow.phone == phone, TicketRow.issue == issue,
                   TicketRow.status != "solved", TicketRow.updated_at >= since,
                   TicketRow.id != other_than)
            .order_by(TicketRow.updated_at.desc()).limit(1)
        )

    def move_call(self, db: Session, call_sid: str, from_id: int, to_id: int) -> None:
        """Attach a call (and its entries) to another ticket; drop the one it leaves if empty.
        A ticket not routed yet holds only this call and its legs (a callback's leg projected
        before the call's decision): they all move with it."""
        leaving = db.get(TicketRow, from_id)
        calls = [call_sid] if leaving is None or leaving.issue else list(db.scalars(
            select(TicketCallRow.call_sid).where(TicketCallRow.ticket_id == from_id)))
        db.execute(update(TicketCallRow).where(TicketCallRow.call_sid.in_(calls))
                   .values(ticket_id=to_id))
        db.execute(update(TranscriptRow).where(TranscriptRow.call_sid.in_(calls))
                   .values(ticket_id=to_id))
        if leaving is not None and not leaving.issue and leaving.assignee:
            self.assign(db, to_id, leaving.assignee)  # a leg's agent, connected meanwhile
        remaining = db.scalar(select(func.count()).select_from(TicketCallRow)
                              .where(TicketCallRow.ticket_id == from_id))
        if not remaining:
            db.execute(delete(TicketRow).where(TicketRow.id == from_id))

    def route(self, db: Session, ticket_id: int, routing: Routing, subject: str,
              tags: Sequence[str], at: datetime) -> None:
        """Record a routing decision on the ticket: issue, tier, queue, tags; its priority only
        rises and its SLA due times only move earlier (a later call never relaxes them)."""
        ticket = db.get(TicketRow, ticket_id)
        assert ticket is not None
        ticket.issue, ticket.category = routing.issue, routing.category
        ticket.priority = higher(ticket.priority, routing.priority)
        ticket.tier = routing.tier
        ticket.queue = routing.queue
        ticket.subject = subject[:500]
        ticket.tags = sorted(set(ticket.tags) | set(tags))
        if ticket.status == "solved":
            ticket.status = "open"
        first, resolution = due_times(ticket.priority, _utc(ticket.created_at))
        ticket.sla_first_response_due = earlier(_maybe_utc(ticket.sla_first_response_due), first)
        ticket.sla_resolution_due = earlier(_maybe_utc(ticket.sla_resolution_due), resolution)
        ticket.updated_at = at

    def name_issue(self, db: Session, ticket_id: int, issue: str, subject: str,
                   tags: Sequence[str]) -> None:
        """Give a ticket that was never routed the issue known of its call."""
        ticket = db.get(TicketRow, ticket_id)
        assert ticket is not None
        if ticket.issue:
            return
        ticket.issue, ticket.category = issue, category_of(issue)
        ticket.subject = subject[:500]
        ticket.tags = sorted(set(ticket.tags) | set(tags))

    def caller_words(self, db: Session, ticket_id: int) -> list[tuple[str, str]]:
        """What the caller told about their problem on the ticket's calls: (call, words), in
        time order."""
        rows = db.execute(
            select(TranscriptRow.call_sid, TranscriptRow.kind, TranscriptRow.text,
                   TranscriptRow.details)
            .where(TranscriptRow.ticket_id == ticket_id,
                   TranscriptRow.kind.in_(("speech", "transcription")))
            .order_by(TranscriptRow.at, TranscriptRow.call_sid, TranscriptRow.seq)).all()
        return [(call_sid or "", text) for call_sid, kind, text, details in rows
                if told([{**details, "kind": kind, "text": text}])]

    def assignee(self, db: Session, ticket_id: int) -> str | None:
        return db.scalar(select(TicketRow.assignee).where(TicketRow.id == ticket_id))

    def standing(self, db: Session, ticket_id: int) -> tuple[str | None, str, datetime]:
        """The ticket's agent, status and when it was opened."""
        row = db.execute(select(TicketRow.assignee, TicketRow.status, TicketRow.created_at)
                         .where(TicketRow.id == ticket_id)).one()
        return row[0], row[1], _utc(row[2])

    def assign(self, db: Session, ticket_id: int, agent: str) -> None:
        """The agent who took the ticket's latest call owns it (until a wrap-up says else)."""
        db.execute(update(TicketRow).where(TicketRow.id == ticket_id).values(assignee=agent))

    def rate(self, db: Session, ticket_id: int, score: int) -> None:
        """Keep the caller's satisfaction answer (1 to 5)."""
        db.execute(update(TicketRow).where(TicketRow.id == ticket_id).values(csat=score))

    def touch(self, db: Session, ticket_id: int, at: datetime) -> None:
        db.execute(update(TicketRow).where(TicketRow.id == ticket_id).values(updated_at=at))

    def view(self, db: Session, ticket_id: int) -> Ticket:
        """The ticket as stored within the transaction `db` is in."""
        row = db.get(TicketRow, ticket_id)
        assert row is not None
        return _ticket(db, row)

    def get(self, ticket_id: int) -> Ticket | None:
        with Session(self.engine) as db:
            row = db.get(TicketRow, ticket_id)
            return _ticket(db, row) if row is not None else None

    def for_phone(self, phone: str) -> list[Ticket]:
        """The number's tickets, newest first."""
        return self.search({"phone": phone})

    def search(self, equal: Mapping[str, str], limit: int = 100) -> list[Ticket]:
        """Tickets whose fields (phone, status, queue, assignee) equal the given values,
        newest first."""
        query = select(TicketRow).order_by(TicketRow.id.desc()).limit(limit)
        for name, value in equal.items():
            query = query.where(getattr(TicketRow, name) == value)
        with Session(self.engine) as db:
            return [_ticket(db, row) for row in db.scalars(query).all()]

    def ticket_id_for_call(self, call_sid: str) -> int | None:
        with Session(self.engine) as db:
            link = db.get(TicketCallRow, call_sid)
            return link.ticket_id if link is not None else None


def _row(ticket_id: int, call_sid: str, entry: Entry) -> dict[str, Any]:
    event = entry.event
    details = {k: v for k, v in event.items() if k not in ("at", "kind", "text")}
    return {"ticket_id": ticket_id, "call_sid": call_sid, "seq": entry.seq,
            "at": parse_at(str(event["at"])), "kind": str(event["kind"]),
            "text": str(event.get("text", "")), "details": details}


def parse_at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _utc(at: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything Hotline stores is UTC.
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _ticket(db: Session, row: TicketRow) -> Ticket:
    calls = db.scalars(select(TicketCallRow).where(TicketCallRow.ticket_id == row.id)
                       .order_by(TicketCallRow.started_at)).all()
    entries = db.scalars(select(TranscriptRow).where(TranscriptRow.ticket_id == row.id)
                         .order_by(TranscriptRow.at, TranscriptRow.call_sid,
                                   TranscriptRow.seq)).all()
    return Ticket(
        id=row.id, phone=row.phone, subject=row.subject, issue=row.issue,
        priority=row.priority, tier=row.tier, queue=row.queue, status=row.status,
        assignee=row.assignee, tags=list(row.tags), created_at=_utc(row.created_at),
        updated_at=_utc(row.updated_at),
        sla_first_response_due=_maybe_utc(row.sla_first_response_due),
        sla_resolution_due=_maybe_utc(row.sla_resolution_due),
        disposition=row.disposition, resolved_first_contact=row.resolved_first_contact,
        csat=row.csat,
        calls=[{"call_sid": c.call_sid, "started_at": isoformat(_utc(c.started_at)),
                "kind": c.kind} for c in calls],
        transcript=[{"at": isoformat(_utc(e.at)), "kind": e.kind, "text": e.text,
                     "call_sid": e.call_sid, **e.details} for e in entries],
        linked_tickets=_other_open(db, row),
    )


def _other_open(db: Session, row: TicketRow) -> list[dict[str, Any]]:
    """The caller's other unsolved tickets (each about another issue), newest first."""
    if not row.phone:
        return []
    others = db.execute(
        select(TicketRow.id, TicketRow.issue, TicketRow.status, TicketRow.created_at)
        .where(TicketRow.phone == row.phone, TicketRow.id != row.id,
               TicketRow.status != "solved", TicketRow.issue != "")
        .order_by(TicketRow.id.desc()).limit(20)).all()
    return [{"id": id_, "issue": issue, "status": status,
             "created_at": isoformat(_utc(created))} for id_, issue, status, created in others]


def _maybe_utc(at: datetime | None) -> datetime | None:
    return _utc(at) if at is not None else None
