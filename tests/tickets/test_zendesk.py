"""Zendesk bridge against a real HTTP server on loopback that speaks the Tickets API's shape."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import redis
from flask import Flask

from core.clock import FixedClock
from tests.tickets.test_projection import drain
from tests.twilio_requests import TwilioCall
from tickets_bridge.delivery import Deliverer, DeliveryFailed
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore
from tickets_bridge.zendesk import ZendeskBridge

AUTH = "Basic " + base64.b64encode(b"agent@example.com/token:secret-token").decode()


@contextmanager
def zendesk(fail_first: int = 0) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    seen: list[dict[str, Any]] = []
    failures = [fail_first]

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if self.headers.get("Authorization") != AUTH:
                self._answer(401, {"error": "Couldn't authenticate you"})
            elif failures[0] > 0:
                failures[0] -= 1
                self._answer(503, {"error": "Service unavailable"})
            else:
                seen.append({"method": self.command, "path": self.path, "body": body,
                             "idempotency": self.headers.get("Idempotency-Key")})
                self._answer(201 if self.command == "POST" else 200, {"ticket": {"id": 9001}})

        do_POST = do_PUT = _handle  # noqa: N815 (http.server's naming)

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_ticket_reaches_zendesk_with_its_transcript_as_internal_notes(
    app: Flask, store: TicketStore, clock: FixedClock, redis_client: redis.Redis
) -> None:
    deps = app.extensions["hotline"]
    projector = Projector(deps.redis, store, deps.sessions, clock, bridges=["zendesk"])
    projector.ensure_group()
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    call.say("my invoice is wrong")  # routed at once: the words name the leaf
    drain(projector)
    ticket_id = store.ticket_id_for_call(call.sid) or 0
    with zendesk(fail_first=1) as (url, seen):
        bridge = ZendeskBridge(url, "agent@example.com", "secret-token")
        deliverer = Deliverer(store, redis_client, clock)
        try:
            deliverer.deliver(bridge, ticket_id)
        except DeliveryFailed:
            deliverer.deliver(bridge, ticket_id)
        call.post("/queues/enter?stay=1", call.form())
        call.hang_up()
        drain(projector)
        deliverer.deliver(bridge, ticket_id)
    created = seen[0]
    assert (created["method"], created["path"]) == ("POST", "/api/v2/tickets.json")
    assert created["idempotency"] == f"created:{ticket_id}"
    ticket = created["body"]["ticket"]
    assert ticket["requester"] == {"name": "+14155550123", "phone": "+14155550123"}
    assert ticket["priority"] == "normal" and ticket["tags"] == ["billing"]
    assert ticket["comment"]["public"] is False
    assert "speech: my invoice is wrong" in ticket["comment"]["body"]
    assert ticket["subject"] == "billing/dispute: my invoice is wrong"
    rest = seen[1:]
    assert [r["body"]["ticket"]["comment"] for r in rest] == [
        {"body": "queue: Waiting in billing:L1:billing at position 1", "public": False},
        {"body": "call: Call ended", "public": False},
    ]
    assert all(r["path"] == "/api/v2/tickets/9001.json" for r in rest)
