"""What agents do to a ticket: internal notes, and status and disposition at wrap-up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from core.clock import Clock, isoformat
from core.errors import InvalidInput, NotFound
from tickets_bridge import outbox
from tickets_bridge.models import TicketRow, TranscriptRow
from tickets_bridge.store import TicketStore
from tickets_bridge.ticket import Ticket

STATUSES = ("new", "open", "pending", "solved")
NOTE_LIMIT = 5000
AUTHOR_LIMIT = 100
_UNSET: Any = object()


@dataclass(frozen=True)
class WrapUp:
    """Changes an agent makes to a ticket; fields left out stay as they are."""

    status: str | None = None
    assignee: Any = _UNSET
    disposition: str | None = None
    resolved_first_contact: bool | None = None

    @classmethod
    def from_json(cls, body: Any) -> WrapUp:
        """Validate an API body; InvalidInput names the offending field."""
        if not isinstance(body, dict) or not body:
            raise InvalidInput("body", "a JSON object with at least one field to change")
        allowed = {"status", "assignee", "disposition", "resolved_first_contact"}
        for name in body:
            if name not in allowed:
                raise InvalidInput(name, f"unknown field; allowed: {', '.join(sorted(allowed))}")
        status = body.get("status")
        if status is not None and status not in STATUSES:
            raise InvalidInput("status", f"must be one of {', '.join(STATUSES)}")
        _check_text(body, "assignee", nullable=True)
        _check_text(body, "disposition", nullable=False)
        first = body.get("resolved_first_contact")
        if "resolved_first_contact" in body and not isinstance(first, bool):
            raise InvalidInput("resolved_first_contact", "must be true or false")
        return cls(status=status, assignee=body.get("assignee", _UNSET),
                   disposition=body.get("disposition"), resolved_first_contact=first)

    def describe(self) -> str:
        parts = []
        if self.status:
            parts.append(f"status {self.status}")
        if self.assignee is not _UNSET:
            parts.append(f"assignee {self.assignee or 'nobody'}")
        if self.disposition:
            parts.append(f"disposition {self.disposition}")
        if self.resolved_first_contact is not None:
            parts.append("resolved on first contact: "
                         + ("yes" if self.resolved_first_contact else "no"))
        return "Wrap-up: " + ", ".join(parts)


class Desk:
    def __init__(self, store: TicketStore, bridges: Sequence[str], clock: Clock) -> None:
        self.store = store
        self.bridges = list(bridges)
        self.clock = clock

    def add_note(self, ticket_id: int, text: str,
                 author: str | None) -> tuple[dict[str, Any], bool]:
        """Add an internal note (never sent to the caller side); the entry, and whether
        helpdesk deliveries were queued."""
        text = text.strip()
        if not _is_text(text, NOTE_LIMIT):
            raise InvalidInput("text", f"required, at most {NOTE_LIMIT} characters, without NUL")
        if author is not None and not _is_text(author, AUTHOR_LIMIT, blank=True):
            raise InvalidInput("author", f"at most {AUTHOR_LIMIT} characters, without NUL")
        now = self.clock.now()
        with Session(self.store.engine) as db, db.begin():
            ticket = self._ticket(db, ticket_id)
            note = TranscriptRow(ticket_id=ticket_id, call_sid=None, seq=0, at=now, kind="note",
                                 text=text, details={"internal": True, "author": author})
            db.add(note)
            ticket.updated_at = now
            db.flush()
            queued = outbox.note_added(db, self.bridges, ticket, note, now)
            entry = {"at": isoformat(now), "kind": "note", "text": text, "internal": True,
                     "author": author}
        return entry, queued

    def wrap_up(self, ticket_id: int, changes: WrapUp) -> tuple[Ticket, bool]:
        """Apply an agent's changes, noted in the transcript; the ticket, and whether helpdesk
        deliveries were queued."""
        now = self.clock.now()
        with Session(self.store.engine) as db, db.begin():
            ticket = self._ticket(db, ticket_id)
            if changes.status:
                ticket.status = changes.status
            if changes.assignee is not _UNSET:
                ticket.assignee = changes.assignee
            if changes.disposition is not None:
                ticket.disposition = changes.disposition
            if changes.resolved_first_contact is not None:
                ticket.resolved_first_contact = changes.resolved_first_contact
            ticket.updated_at = now
            db.add(TranscriptRow(ticket_id=ticket_id, call_sid=None, seq=0, at=now, kind="note",
                                 text=changes.describe(),
                                 details={"internal": True, "status": changes.status}
                                 if changes.status else {"internal": True}))
            db.flush()
            view = self.store.view(db, ticket_id)
            queued = outbox.ticket_changed(db, self.bridges, ticket, view.to_dict(), now)
        return view, queued

    @staticmethod
    def _ticket(db: Session, ticket_id: int) -> TicketRow:
        ticket = db.get(TicketRow, ticket_id)
        if ticket is None:
            raise NotFound(f"no ticket {ticket_id}")
        return ticket


def _check_text(body: dict[str, Any], name: str, nullable: bool) -> None:
    if name not in body:
        return
    value = body[name]
    if value is None and nullable:
        return
    if not _is_text(value, 100):
        raise InvalidInput(name, "must be text of 1 to 100 characters without NUL"
                           + (", or null" if nullable else ""))


def _is_text(value: object, most: int, blank: bool = False) -> bool:
    """Text of at most `most` characters, not blank (unless `blank`) and without NUL, which no
    agent means and PostgreSQL cannot store."""
    return (isinstance(value, str) and len(value) <= most and "\x00" not in value
            and (blank or bool(value.strip())))
