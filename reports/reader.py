"""Reads a period's call legs and tickets out of the ticket store as the facts the KPIs count.

A leg belongs to the period it started in; a ticket to the period it was opened in (its later
legs and wrap-ups count towards its first response and resolution all the same)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session

from reports.calls import CallFacts, call_facts
from reports.sla import TicketFacts
from tickets_bridge.models import TicketCallRow, TicketRow, TranscriptRow


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime
    """Exclusive."""


@dataclass(frozen=True)
class Dataset:
    calls: list[CallFacts]
    tickets: list[TicketFacts]


def read(engine: Engine, period: Period) -> Dataset:
    with Session(engine) as db:
        return Dataset(_calls(db, period), _tickets(db, period))


def read_tickets(engine: Engine, period: Period) -> list[TicketFacts]:
    """Only the tickets opened in `period` (what the SLA needs), without the calls."""
    with Session(engine) as db:
        return _tickets(db, period)


def _calls(db: Session, period: Period) -> list[CallFacts]:
    legs = db.execute(select(TicketCallRow, TicketRow.issue, TicketRow.queue, TicketRow.tier)
                      .join(TicketRow, TicketRow.id == TicketCallRow.ticket_id)
                      .where(TicketCallRow.started_at >= period.start,
                             TicketCallRow.started_at < period.end)
                      .order_by(TicketCallRow.started_at, TicketCallRow.call_sid)).all()
    events = _events(db, select(TranscriptRow).join(
        TicketCallRow, TicketCallRow.call_sid == TranscriptRow.call_sid).where(
        TicketCallRow.started_at >= period.start, TicketCallRow.started_at < period.end))
    return [call_facts(leg.call_sid, leg.ticket_id, leg.kind, utc(leg.started_at),
                       events.get(leg.call_sid, []),
                       {"issue": issue, "queue": queue, "tier": tier})
            for leg, issue, queue, tier in legs]


def _events(db: Session, query: Select[Any]
            ) -> dict[str, list[tuple[datetime, dict[str, Any]]]]:
    by_call: dict[str, list[tuple[datetime, dict[str, Any]]]] = defaultdict(list)
    for row in db.scalars(query.order_by(TranscriptRow.call_sid, TranscriptRow.seq)):
        by_call[row.call_sid or ""].append(
            (utc(row.at), {**row.details, "kind": row.kind, "text": row.text}))
    return by_call


def _tickets(db: Session, period: Period) -> list[TicketFacts]:
    opened = select(TicketRow.id).where(TicketRow.created_at >= period.start,
                                        TicketRow.created_at < period.end)
    answered = _first_times(db.execute(
        select(TranscriptRow.ticket_id, TranscriptRow.at, TranscriptRow.details)
        .where(TranscriptRow.ticket_id.in_(opened), TranscriptRow.kind == "agent")).all(),
        lambda d: d.get("state") == "connected")
    solved = _first_times(db.execute(
        select(TranscriptRow.ticket_id, TranscriptRow.at, TranscriptRow.details)
        .where(TranscriptRow.ticket_id.in_(opened), TranscriptRow.kind == "note",
               TranscriptRow.call_sid.is_(None))).all(),
        lambda d: d.get("status") == "solved")
    inbound = {ticket_id: count for ticket_id, count in db.execute(
        select(TicketCallRow.ticket_id, func.count())
        .where(TicketCallRow.ticket_id.in_(opened), TicketCallRow.kind == "inbound")
        .group_by(TicketCallRow.ticket_id)).all()}
    rows = db.scalars(select(TicketRow).where(TicketRow.id.in_(opened))
                      .order_by(TicketRow.id)).all()
    return [_ticket(row, answered.get(row.id), solved.get(row.id), inbound.get(row.id, 0))
            for row in rows]


def _first_times(rows: Sequence[Any], wanted: Any) -> dict[int, datetime]:
    first: dict[int, datetime] = {}
    for ticket_id, at, details in rows:
        if wanted(details) and (ticket_id not in first or utc(at) < first[ticket_id]):
            first[ticket_id] = utc(at)
    return first


def _ticket(row: TicketRow, answered: datetime | None, solved: datetime | None,
            inbound: int) -> TicketFacts:
    if solved is None and row.status == "solved":
        solved = utc(row.updated_at)  # solved before wrap-ups named their status
    return TicketFacts(
        id=row.id, issue=row.issue, queue=row.queue, tier=row.tier, priority=row.priority,
        status=row.status, assignee=row.assignee or "", created_at=utc(row.created_at),
        first_response_due=_maybe_utc(row.sla_first_response_due),
        resolution_due=_maybe_utc(row.sla_resolution_due), first_response_at=answered,
        resolved_at=solved, resolved_first_contact=row.resolved_first_contact,
        inbound_calls=inbound)


def utc(at: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything Hotline stores is UTC.
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def _maybe_utc(at: datetime | None) -> datetime | None:
    return utc(at) if at is not None else None
