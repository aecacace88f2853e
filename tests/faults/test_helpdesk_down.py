"""The helpdesk refusing deliveries for a while under a real `hotline bridge` and `hotline
worker`: RQ retries each ticket's delivery until the helpdesk takes it, and the helpdesk ends
up with every change of every ticket once (by its idempotency key), `ticket.created` first."""

from __future__ import annotations

from pathlib import Path

import redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.faults import services
from tests.faults.test_ticket_store_outage import ended_call
from tests.ivr_app import make_app
from tests.processes import wait_for
from tests.tickets.receiver import SECRET, Receiver, running
from tickets_bridge.models import OutboxRow
from tickets_bridge.schema import open_engine, upgrade

CALLS = 3


def test_a_helpdesk_that_is_down_gets_every_change_once_when_it_is_back(
    redis_url: str, redis_client: redis.Redis, tmp_path: Path,
) -> None:
    database = f"sqlite:///{tmp_path / 'tickets.db'}"
    engine = open_engine(database)
    upgrade(engine)
    receiver = Receiver(script=["fail"] * CALLS)  # the first delivery of each ticket refused
    app = make_app(redis_url)
    with running(receiver):
        env = {"DATABASE_URL": database, "HOTLINE_HELPDESK_WEBHOOK_URL": receiver.url,
               "HOTLINE_HELPDESK_WEBHOOK_SECRET": SECRET}
        bridge = services.start("bridge", redis_url, tmp_path / "bridge", **env)
        worker = services.start("worker", redis_url, tmp_path / "worker", **env)
        try:
            calls = [ended_call(app.test_client(), n) for n in range(CALLS)]
            wait_for(lambda: receiver.refused == CALLS, "the helpdesk to refuse each ticket")

            def all_delivered() -> bool:
                with Session(engine) as db:
                    rows = db.scalars(select(OutboxRow)).all()
                    return bool(rows) and all(row.delivered_at for row in rows)

            wait_for(all_delivered, "RQ's retry to deliver everything once the helpdesk is up")
        finally:
            services.stop(worker, bridge)
    with Session(engine) as db:
        expected = {row.idempotency_key for row in db.scalars(select(OutboxRow))
                    if row.payload}
    ids = [item["id"] for item in receiver.accepted]
    assert len(ids) == len(set(ids)), "a change reached the helpdesk twice"
    assert set(ids) == expected
    created = [item for item in receiver.accepted if item["type"] == "ticket.created"]
    assert len(created) == CALLS
    assert {item["data"]["phone"] for item in created} == {c.caller for c in calls}
    assert receiver.bad_signatures == 0
    engine.dispose()
