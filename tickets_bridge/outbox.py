"""The outbox: ticket changes to mirror into helpdesks, written in the same transaction as the
change itself, so a helpdesk that is down loses nothing and sees each change once, in order.

A ticket is announced (`ticket.created`, with its transcript so far) once its call is routed
or ends, so a call that joins a repeat caller's ticket never leaves a stray ticket behind in a
helpdesk; after that, each new transcript entry and routing change follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from tickets_bridge.models import OutboxRow, TicketRow, TranscriptRow

Change = tuple[str, str, dict[str, Any]]
"""(kind, idempotency key, payload) of one outbox row."""


def record(db: Session, bridges: Sequence[str], ticket_id: int, call_sid: str,
           routed: bool, ended: bool, at: datetime, view: dict[str, Any]) -> bool:
    """Queue what bridges have not seen of `ticket_id`; True when anything was queued.

    `routed`/`ended`: the call was routed or ended in this step. `view`: the ticket as the API
    shows it.
    """
    if not bridges:
        return False
    ticket = db.get(TicketRow, ticket_id)
    assert ticket is not None
    if ticket.announced_at is None:
        if not (routed or ended):
            return False
        ticket.announced_at = at
        _add(db, bridges, ticket_id, at, [("ticket.created", f"created:{ticket_id}", view)])
        # The entries travel inside ticket.created: take their keys so they are not sent again.
        covered: list[Change] = [("transcript.appended", f"entry:{e.call_sid}:{e.seq}", {})
                                 for e in _entries_of(db, ticket_id, None)]
        _add(db, bridges, ticket_id, at, covered, delivered=True)
        return True
    rows = [("transcript.appended", f"entry:{e.call_sid}:{e.seq}", _entry(e))
            for e in _entries_of(db, ticket_id, call_sid)]
    if routed:
        fields = {k: view[k] for k in ("issue", "priority", "tier", "queue", "status", "tags",
                                       "subject")}
        rows.append(("ticket.updated", f"updated:{ticket_id}:{view['updated_at']}", fields))
    return _add(db, bridges, ticket_id, at, rows)


def _entries_of(db: Session, ticket_id: int, call_sid: str | None) -> Sequence[TranscriptRow]:
    query = select(TranscriptRow).where(TranscriptRow.ticket_id == ticket_id)
    if call_sid is not None:
        query = query.where(TranscriptRow.call_sid == call_sid)
    return db.scalars(query.order_by(TranscriptRow.at, TranscriptRow.seq)).all()


def _entry(row: TranscriptRow) -> dict[str, Any]:
    return {"at": row.at.isoformat(), "kind": row.kind, "text": row.text,
            "call_sid": row.call_sid, "seq": row.seq, **row.details}


def _add(db: Session, bridges: Sequence[str], ticket_id: int, at: datetime,
         rows: Sequence[Change], delivered: bool = False) -> bool:
    if not rows:
        return False
    values = [{"bridge": bridge, "ticket_id": ticket_id, "kind": kind, "idempotency_key": key,
               "payload": payload, "created_at": at, "attempts": 0,
               "delivered_at": at if delivered else None}
              for bridge in bridges for kind, key, payload in rows]
    insert = postgresql.insert if db.bind and db.bind.dialect.name == "postgresql" \
        else sqlite.insert
    db.execute(insert(OutboxRow).values(values).on_conflict_do_nothing(
        index_elements=["bridge", "idempotency_key"]))
    return True


def note_added(db: Session, bridges: Sequence[str], ticket: TicketRow, note: TranscriptRow,
               at: datetime) -> bool:
    """Queue an agent's internal note for helpdesks that already know the ticket."""
    if not bridges or ticket.announced_at is None:
        return False
    return _add(db, bridges, ticket.id, at, [("transcript.appended", f"note:{note.id}",
                                              _entry(note))])


def ticket_changed(db: Session, bridges: Sequence[str], ticket: TicketRow,
                   view: dict[str, Any], at: datetime) -> bool:
    """Queue a wrap-up change (status, assignee, disposition) for helpdesks."""
    if not bridges or ticket.announced_at is None:
        return False
    fields = {k: view[k] for k in ("issue", "priority", "tier", "queue", "status", "tags",
                                   "subject", "assignee", "disposition",
                                   "resolved_first_contact")}
    key = f"changed:{ticket.id}:{view['updated_at']}"
    return _add(db, bridges, ticket.id, at, [("ticket.updated", key, fields)])
