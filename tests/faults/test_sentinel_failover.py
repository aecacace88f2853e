"""Redis Sentinel fails the primary over in the middle of a call: Hotline, given the Sentinel
form of REDIS_URL, goes on with the same call on the new primary (nothing of it lost, no 5xx),
and a worker started before the failover runs a job enqueued after it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask
from rq import Queue
from rq.job import JobStatus

from core import keys
from core.deps import close, connect
from tests.faults import services
from tests.faults.sentinel_group import SentinelGroup, ask
from tests.ivr_app import call_events, make_app
from tests.processes import wait_for
from tests.twilio_requests import TwilioCall


@pytest.fixture
def group(tmp_path: Path) -> Iterator[SentinelGroup]:
    with SentinelGroup(tmp_path / "redis") as started:
        yield started


@pytest.fixture
def app(group: SentinelGroup) -> Iterator[Flask]:
    made = make_app(group.url)
    yield made
    made.extensions["hotline"].close()


def test_a_call_goes_on_after_sentinel_fails_the_primary_over(
    group: SentinelGroup, app: Flask,
) -> None:
    call = _call_in_the_billing_menu(app, group)

    group.fail_over()

    _goes_on_on_the_new_primary(call, app, group)


def test_a_call_goes_on_when_the_old_primary_answers_readonly(
    group: SentinelGroup, app: Flask,
) -> None:
    call = _call_in_the_billing_menu(app, group)
    group.promote()
    # What Sentinel does to the old primary a few seconds later, done at once and without the
    # disconnection of its clients that comes with it (as an address that follows the primary
    # would leave them): the app's connections to it stay open and are answered READONLY.
    ask(group.primary_port, "REPLICAOF", "127.0.0.1", group.replica_port)
    assert _app_connections(group.primary_port) > 0

    _goes_on_on_the_new_primary(call, app, group)


def _call_in_the_billing_menu(app: Flask, group: SentinelGroup) -> TwilioCall:
    call = TwilioCall(app.test_client())
    call.start_menu()
    call.press("1")  # English
    billing = call.press("1")
    assert "For a wrong charge, press 1" in " ".join(billing.says()), billing.body
    # Replication is asynchronous: what the primary has not passed on when it stops being the
    # primary is lost. Here it has passed on everything.
    assert ask(group.primary_port, "WAIT", 1, 5000) == 1
    return call


def _goes_on_on_the_new_primary(call: TwilioCall, app: Flask, group: SentinelGroup) -> None:
    routed = call.press("1")  # a wrong charge: the billing menu's key, so the session was kept
    assert routed.says() == ["Connecting you now."], routed.body
    assert routed.action() == "/queues/enter", routed.body
    events = call_events(app, call.sid)
    assert [e.get("digits") for e in events if e["kind"] == "dtmf"] == ["1", "1", "1"], events
    assert [e["kind"] for e in events].count("call") == 1
    # It is the new primary that has the call now.
    assert ask(group.replica_port, "EXISTS", keys.call(call.sid)) == 1
    assert ask(group.primary_port, "ROLE")[0] == b"slave"


def _app_connections(port: int) -> int:
    """Clients of the server at `port` that are neither a Sentinel's nor this question's."""
    with redis.Redis(port=port) as client:
        listed = client.client_list()
    return sum(1 for client in listed if not client["name"] and client["cmd"] != "client")


def test_a_worker_runs_a_job_enqueued_after_a_failover(
    group: SentinelGroup, tmp_path: Path,
) -> None:
    worker = services.start("worker", group.url, tmp_path / "worker")
    client = connect(group.url)
    try:
        queue = Queue("hotline", connection=client)
        before = queue.enqueue("os.getpid")
        wait_for(lambda: before.get_status(refresh=True) == JobStatus.FINISHED,
                 "the worker to run a job before the failover")

        group.fail_over()

        after = queue.enqueue("os.getpid")
        wait_for(lambda: after.get_status(refresh=True) == JobStatus.FINISHED,
                 "the worker to run a job enqueued after the failover")
        assert ask(group.replica_port, "EXISTS", after.key) == 1
        # A warm shutdown while the worker waits for its next job, on the new primary.
        wait_for(lambda: _blocked_clients(group.replica_port) > 0,
                 "the worker to wait for a job on the new primary")
        services.stop(worker)
        assert worker.returncode == 0
    finally:
        services.stop(worker)
        close(client)


def _blocked_clients(port: int) -> int:
    return int(ask(port, "INFO", "clients").get("blocked_clients", 0))
