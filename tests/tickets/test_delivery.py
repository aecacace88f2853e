"""Mirroring tickets into a helpdesk: nothing lost while it is down, each change once, in order."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import redis
from flask import Flask
from rq import Queue, Retry, SimpleWorker
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.clock import FixedClock
from core.errors import ConfigError
from core.settings import Settings
from tests.tickets.receiver import SECRET, Receiver, running
from tests.tickets.test_projection import billing_call, drain
from tests.twilio_requests import TwilioCall
from tickets_bridge.delivery import Deliverer, DeliveryFailed
from tickets_bridge.helpdesk import WebhookBridge
from tickets_bridge.jobs import enqueue_delivery, sweep_delivery
from tickets_bridge.models import OutboxRow
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore


@pytest.fixture
def bridged(app: Flask, store: TicketStore, clock: FixedClock) -> Projector:
    deps = app.extensions["hotline"]
    projector = Projector(deps.redis, store, deps.sessions, clock, bridges=["webhook"])
    projector.ensure_group()
    return projector


def outbox_keys(engine: Engine, ticket_id: int) -> list[str]:
    with Session(engine) as db:
        rows = db.scalars(select(OutboxRow).where(OutboxRow.ticket_id == ticket_id)
                          .order_by(OutboxRow.id)).all()
        # Rows without a payload stand for entries that travelled inside ticket.created.
        return [row.idempotency_key for row in rows if row.payload]


def for_jobs(monkeypatch: pytest.MonkeyPatch, redis_url: str, engine: Engine,
             receiver: Receiver) -> None:
    """The environment a delivery job reads, as `hotline worker` passes it on."""
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("DATABASE_URL", engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("HOTLINE_HELPDESK_WEBHOOK_URL", receiver.url)
    monkeypatch.setenv("HOTLINE_HELPDESK_WEBHOOK_SECRET", SECRET)


def pending(engine: Engine) -> int:
    with Session(engine) as db:
        return len(db.scalars(select(OutboxRow).where(OutboxRow.delivered_at.is_(None))).all())


def test_a_helpdesk_that_fails_and_stalls_still_gets_every_change_once_in_order(
    app: Flask, bridged: Projector, store: TicketStore, engine: Engine,
    redis_client: redis.Redis, clock: FixedClock,
) -> None:
    receiver = Receiver(script=["fail", "fail", "stall", "fail"], stall_seconds=1.0)
    with running(receiver):
        bridge = WebhookBridge(receiver.url, SECRET, timeout=0.3)
        first = billing_call(app, caller="+14155550101")
        second = billing_call(app, caller="+14155550102")
        drain(bridged)
        deliverer = Deliverer(store, redis_client, clock)
        tickets = [store.ticket_id_for_call(c.sid) or 0 for c in (first, second)]
        failures = 0
        for _ in range(20):  # what RQ's retries do, without the waiting
            try:
                for ticket_id in tickets:
                    deliverer.deliver(bridge, ticket_id)
                break
            except DeliveryFailed:
                failures += 1
    assert failures == 4 and pending(engine) == 0
    assert receiver.bad_signatures == 0 and receiver.refused == 3
    for ticket_id in tickets:
        sent = [key for key in receiver.keys() if _ticket_of(receiver, key) == ticket_id]
        assert sent == outbox_keys(engine, ticket_id)
        assert sent[0] == f"created:{ticket_id}"
    created = [i for i in receiver.accepted if i["type"] == "ticket.created"]
    assert created[0]["data"]["issue"] == "billing/dispute"
    assert [e["kind"] for e in created[0]["data"]["transcript"]][:2] == ["call", "prompt"]


def test_changes_after_the_announcement_follow_in_order(
    app: Flask, bridged: Projector, store: TicketStore, engine: Engine,
    redis_client: redis.Redis, clock: FixedClock,
) -> None:
    receiver = Receiver()
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    call.press("1")
    drain(bridged)
    assert pending(engine) == 0  # not routed yet: nothing announced
    call.press("1")
    drain(bridged)
    call.post("/queues/enter?stay=1", call.form())
    call.hang_up()
    drain(bridged)
    ticket_id = store.ticket_id_for_call(call.sid) or 0
    with running(receiver):
        Deliverer(store, redis_client, clock).deliver(
            WebhookBridge(receiver.url, SECRET), ticket_id)
    types = [item["type"] for item in receiver.accepted]
    assert types[0] == "ticket.created" and types.count("ticket.created") == 1
    appended = [item["data"]["text"] for item in receiver.accepted
                if item["type"] == "transcript.appended"]
    assert appended == ["Waiting in billing:L1:billing at position 1", "Call ended"]


@dataclass(frozen=True)
class DownTwice:
    """A call's ticket waiting for a helpdesk that refuses its first two deliveries, and the
    RQ queue a delivery job goes on."""

    receiver: Receiver
    queue: Queue
    ticket: int


@pytest.fixture
def down_twice(
    app: Flask, bridged: Projector, store: TicketStore, engine: Engine, redis_url: str,
    redis_client: redis.Redis, data_dir: object, monkeypatch: pytest.MonkeyPatch,
) -> Iterator[DownTwice]:
    receiver = Receiver(script=["fail", "fail"])
    with running(receiver):
        for_jobs(monkeypatch, redis_url, engine, receiver)
        call = billing_call(app)
        drain(bridged)
        yield DownTwice(receiver, Queue("hotline", connection=redis_client),
                        store.ticket_id_for_call(call.sid) or 0)


def test_delivery_through_rq_retries_until_the_helpdesk_recovers(
    down_twice: DownTwice, engine: Engine, redis_client: redis.Redis,
) -> None:
    queue, receiver = down_twice.queue, down_twice.receiver
    enqueue_delivery(queue, "webhook", down_twice.ticket, retry=Retry(max=5))
    SimpleWorker([queue], connection=redis_client).work(burst=True)
    assert pending(engine) == 0 and receiver.refused == 2
    assert receiver.keys()[0].startswith("created:")


def test_a_long_delivery_keeps_its_ticket_from_a_second_worker_to_the_end(
    app: Flask, bridged: Projector, store: TicketStore, engine: Engine,
    redis_client: redis.Redis, clock: FixedClock,
) -> None:
    # The first two changes are answered after 1.2 s each: the delivery outlasts a 2 s lock,
    # which the deliverer renews before each change.
    receiver = Receiver(script=["hang", "hang"], stall_seconds=1.2)
    call = billing_call(app)
    drain(bridged)
    billing_call(app)  # the caller calls again: the new entries join the ticket
    drain(bridged)
    ticket_id = store.ticket_id_for_call(call.sid) or 0
    assert len(outbox_keys(engine, ticket_id)) >= 2
    refused = 0
    with running(receiver):
        bridge = WebhookBridge(receiver.url, SECRET, timeout=5)
        first = threading.Thread(target=Deliverer(store, redis_client, clock, 2).deliver,
                                 args=(bridge, ticket_id))
        first.start()
        while receiver.received == 0 and first.is_alive():
            first.join(0.01)
        while first.is_alive():  # a second worker, given the same ticket meanwhile
            try:
                Deliverer(store, redis_client, clock, 2).deliver(bridge, ticket_id)
            except DeliveryFailed:
                refused += 1
            first.join(0.05)
    assert refused > 0 and pending(engine) == 0
    ids = [item["id"] for item in receiver.accepted]
    assert ids == outbox_keys(engine, ticket_id), "a change was sent twice or out of order"


def test_a_delivery_lock_that_a_helpdesk_request_could_outlast_is_refused() -> None:
    with pytest.raises(ConfigError, match="^HOTLINE_DELIVERY_LOCK_SECONDS: .*HELPDESK_TIMEOUT"):
        Settings.from_env({"HOTLINE_HELPDESK_TIMEOUT": "30"})
    assert Settings.from_env({"HOTLINE_HELPDESK_TIMEOUT": "30",
                              "HOTLINE_DELIVERY_LOCK_SECONDS": "45"}).delivery.lock_seconds == 45


def _ticket_of(receiver: Receiver, key: str) -> int:
    return int(next(i["ticket_id"] for i in receiver.accepted if i["id"] == key))


def test_a_helpdesk_down_across_sweeps_gets_one_attempt_per_ticket_and_sweep(
    down_twice: DownTwice, engine: Engine, redis_client: redis.Redis,
) -> None:
    queue, receiver, ticket = down_twice.queue, down_twice.receiver, down_twice.ticket
    worker = SimpleWorker([queue], connection=redis_client)
    for sweep in range(2):  # the helpdesk is down for two sweeps
        assert sweep_delivery(queue, "webhook", ticket)
        assert not sweep_delivery(queue, "webhook", ticket)  # its attempt is still queued
        worker.work(burst=True)
        assert receiver.refused == sweep + 1
        # No retry of its own waits: the next sweep is the next attempt.
        assert len(queue) == 0 and queue.scheduled_job_registry.count == 0
    assert pending(engine) > 0
    assert sweep_delivery(queue, "webhook", ticket)  # back: the third sweep delivers
    worker.work(burst=True)
    assert pending(engine) == 0 and receiver.keys()[0].startswith("created:")
