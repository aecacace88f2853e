"""Tables of the ticket store (SQLAlchemy 2, typed). Changed only through Alembic migrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class Base(DeclarativeBase):
    pass


class StoredString(TypeDecorator[str]):
    """A text column as every store can hold it. PostgreSQL refuses the NUL character outright,
    and a caller's words or a helpdesk's answer may carry one: it is stored as U+FFFD (the
    replacement character), so the rest of the text and the rows around it are kept."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return value.replace("\x00", "\ufffd") if value else value


class StoredText(StoredString):
    impl = Text
    cache_ok = True


class TicketRow(Base):
    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phone: Mapped[str | None] = mapped_column(StoredString(32), index=True)
    subject: Mapped[str] = mapped_column(StoredString(500), default="")
    issue: Mapped[str] = mapped_column(StoredString(200), default="")
    category: Mapped[str] = mapped_column(StoredString(100), default="", index=True)
    priority: Mapped[str] = mapped_column(StoredString(20), default="")
    tier: Mapped[str] = mapped_column(StoredString(10), default="")
    queue: Mapped[str] = mapped_column(StoredString(100), default="")
    status: Mapped[str] = mapped_column(StoredString(20), default="new", index=True)
    assignee: Mapped[str | None] = mapped_column(StoredString(100))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    sla_first_response_due: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sla_resolution_due: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    announced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    disposition: Mapped[str | None] = mapped_column(StoredString(100))
    resolved_first_contact: Mapped[bool | None] = mapped_column(Boolean)
    csat: Mapped[int | None] = mapped_column(Integer)


class TicketCallRow(Base):
    """A call belongs to exactly one ticket; the primary key makes that hold under races."""

    __tablename__ = "ticket_calls"

    call_sid: Mapped[str] = mapped_column(StoredString(64), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(StoredString(20), default="inbound",
                                      server_default="inbound")
    """`inbound` (the caller's own call) or `callback` (a leg Hotline placed)."""


class TranscriptRow(Base):
    """One event of a call's log; (call_sid, seq) is unique, so a replay never duplicates it."""

    __tablename__ = "transcript_entries"
    __table_args__ = (UniqueConstraint("call_sid", "seq", name="uq_transcript_call_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    call_sid: Mapped[str | None] = mapped_column(StoredString(64))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(StoredString(20))
    text: Mapped[str] = mapped_column(StoredText)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutboxRow(Base):
    """A change waiting to be mirrored into one helpdesk; delivered in `id` order per ticket."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("bridge", "idempotency_key", name="uq_outbox_bridge_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bridge: Mapped[str] = mapped_column(StoredString(50))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    kind: Mapped[str] = mapped_column(StoredString(40))
    idempotency_key: Mapped[str] = mapped_column(StoredString(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(StoredText)


class BridgeLinkRow(Base):
    """Which helpdesk record mirrors a ticket (e.g. the Zendesk ticket id)."""

    __tablename__ = "bridge_links"

    bridge: Mapped[str] = mapped_column(StoredString(50), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    external_id: Mapped[str] = mapped_column(StoredString(100))
