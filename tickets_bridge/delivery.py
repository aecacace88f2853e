"""Delivering the outbox to helpdesks, one ticket at a time, strictly in order.

A delivery stops at the first failure and raises, so RQ retries it later with backoff; rows stay
pending in the outbox until a helpdesk has accepted them, so nothing is lost however long it is
down. A lock per (bridge, ticket) keeps two workers from sending one ticket's changes at once;
it is short and renewed before each change, so a long delivery never outlives it and a worker
killed mid-delivery frees the ticket within `lock_seconds`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from datetime import datetime

import redis
from redis.exceptions import LockError
from redis.lock import Lock
from sqlalchemy import select
from sqlalchemy.orm import Session

from core import keys
from core.clock import Clock
from core.settings import DEFAULT_DELIVERY_LOCK_SECONDS
from tickets_bridge.helpdesk import Bridge, BridgeError, Delivery
from tickets_bridge.models import BridgeLinkRow, OutboxRow
from tickets_bridge.store import TicketStore


class DeliveryFailed(Exception):
    """A helpdesk did not take a change; the delivery is to be retried."""


class Deliverer:
    def __init__(self, store: TicketStore, client: redis.Redis, clock: Clock,
                 lock_seconds: int = DEFAULT_DELIVERY_LOCK_SECONDS) -> None:
        """`lock_seconds`: longer than one helpdesk request may take (its timeout)."""
        self.store = store
        self.redis = client
        self.clock = clock
        self.lock_seconds = lock_seconds

    def deliver(self, bridge: Bridge, ticket_id: int) -> int:
        """Send the ticket's pending changes to `bridge` in order; how many were accepted."""
        lock = self.redis.lock(keys.delivery_lock(bridge.name, ticket_id),
                               timeout=self.lock_seconds, blocking=False)
        if not lock.acquire():
            raise DeliveryFailed(f"{bridge.name}: ticket {ticket_id} is being delivered already")
        try:
            return self._deliver_pending(bridge, ticket_id, lock)
        finally:
            # Not ours any more only if one request outlasted the lock; then it expired.
            with contextlib.suppress(LockError):
                lock.release()

    def pending_tickets(self, bridges: Sequence[str]) -> list[tuple[str, int]]:
        """(bridge, ticket) pairs with undelivered changes, for the periodic sweep."""
        with Session(self.store.engine) as db:
            rows = db.execute(select(OutboxRow.bridge, OutboxRow.ticket_id)
                              .where(OutboxRow.delivered_at.is_(None),
                                     OutboxRow.bridge.in_(list(bridges)))
                              .distinct()).all()
            return [(bridge, ticket_id) for bridge, ticket_id in rows]

    def _deliver_pending(self, bridge: Bridge, ticket_id: int, lock: Lock) -> int:
        sent = 0
        with Session(self.store.engine) as db:
            rows = db.scalars(select(OutboxRow).where(
                OutboxRow.bridge == bridge.name, OutboxRow.ticket_id == ticket_id,
                OutboxRow.delivered_at.is_(None)).order_by(OutboxRow.id)).all()
            for row in rows:
                _renew(lock, bridge, ticket_id)
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


def _renew(lock: Lock, bridge: Bridge, ticket_id: int) -> None:
    """A full `lock_seconds` for the next change, or DeliveryFailed when the lock expired (and
    another worker may be sending this ticket now)."""
    try:
        lock.reacquire()
    except LockError as exc:
        raise DeliveryFailed(f"{bridge.name}: ticket {ticket_id}: its delivery lock expired"
                             ) from exc
