"""Delivering the outbox to helpdesks, one ticket at a time, strictly in order.

A delivery stops at the first failure and raises, so RQ retries it later with backoff; rows stay
pending in the outbox until a helpdesk has accepted them, so nothing is lost however long it is
down. A lock per (bridge, ticket) keeps two workers from sending one ticket's changes at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import Clock
from tickets_bridge.helpdesk import Bridge, BridgeError, Delivery
from tickets_bridge.models import BridgeLinkRow, OutboxRow
from tickets_bridge.store import TicketStore

LOCK_SECONDS = 120
"""How long one delivery may hold a ticket's lock (longer than a helpdesk timeout per row)."""


class DeliveryFailed(Exception):
    """A helpdesk did not take a change; the delivery is to be retried."""


class Deliverer:
    def __init__(self, store: TicketStore, client: redis.Redis, clock: Clock) -> None:
        self.store = store
        self.redis = client
        self.clock = clock

    def deliver(self, bridge: Bridge, ticket_id: int) -> int:
        """Send the ticket's pending changes to `bridge` in order; how many were accepted."""
        lock = self.redis.lock(f"hotline:delivery:{bridge.name}:{ticket_id}",
                               timeout=LOCK_SECONDS, blocking=False)
        if not lock.acquire():
            raise DeliveryFailed(f"{bridge.name}: ticket {ticket_id} is being delivered already")
        try:
            return self._deliver_pending(bridge, ticket_id)
        finally:
            lock.release()

    def pending_tickets(self, bridges: Sequence[str]) -> list[tuple[str, int]]:
        """(bridge, ticket) pairs with undelivered changes, for the periodic sweep."""
        with Session(self.store.engine) as db:
            rows = db.execute(select(OutboxRow.bridge, OutboxRow.ticket_id)
                              .where(OutboxRow.delivered_at.is_(None),
                                     OutboxRow.bridge.in_(list(bridges)))
                              .distinct()).all()
            return [(bridge, ticket_id) for bridge, ticket_id in rows]

    def _deliver_pending(self, bridge: Bridge, ticket_id: int) -> int:
        sent = 0
        with Session(self.store.engine) as db:
            rows = db.scalars(select(OutboxRow).where(
                OutboxRow.bridge == bridge.name, OutboxRow.ticket_id == ticket_id,
                OutboxRow.delivered_at.is_(None)).order_by(OutboxRow.id)).all()
            for row in rows:
                self._send(db, bridge, row)
                sent += 1
        return sent

    def _send(self, db: Session, bridge: Bridge, row: OutboxRow) -> None:
        link = db.get(BridgeLinkRow, (bridge.name, row.ticket_id))
        delivery = Delivery(row.idempotency_key, row.kind, row.ticket_id, row.payload,
                            link.external_id if link else None)
        try:
            external_id = bridge.send(delivery)
        except BridgeError as exc:
            row.attempts += 1
            row.last_error = str(exc)[:1000]
            db.commit()
            raise DeliveryFailed(str(exc)) from exc
        if external_id is not None and link is None:
            db.add(BridgeLinkRow(bridge=bridge.name, ticket_id=row.ticket_id,
                                 external_id=external_id))
        row.attempts += 1
        row.delivered_at = self._now()
        db.commit()

    def _now(self) -> datetime:
        return self.clock.now()
