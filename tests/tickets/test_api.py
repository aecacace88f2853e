"""The tickets API: by phone and by id, bearer token, errors that name the field."""

from __future__ import annotations

from flask import Flask

from tests.ivr_app import ADMIN_TOKEN
from tests.tickets.test_projection import billing_call, drain
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_tickets_of_a_number_and_one_ticket_by_id(
    app: Flask, projector: Projector, store: TicketStore
) -> None:
    app.extensions[EXTENSION] = store
    call = billing_call(app)
    drain(projector)
    client = app.test_client()
    listed = client.get("/api/v1/tickets?phone=%2B14155550123", headers=AUTH)
    assert listed.status_code == 200
    [ticket] = listed.get_json()["tickets"]
    for field in ("id", "phone", "issue", "priority", "tier", "queue", "status", "assignee",
                  "tags", "calls", "callbacks", "recordings", "transcript"):
        assert field in ticket
    assert ticket["calls"][0]["call_sid"] == call.sid
    one = client.get(f"/api/v1/tickets/{ticket['id']}", headers=AUTH).get_json()
    assert one["transcript"] == ticket["transcript"]
    assert [e["kind"] for e in one["transcript"]].count("decision") == 1


def test_bad_requests_name_the_field(app: Flask) -> None:
    client = app.test_client()
    assert client.get("/api/v1/tickets?phone=%2B1415", headers={}).status_code == 401
    missing = client.get("/api/v1/tickets", headers=AUTH)
    assert missing.status_code == 400 and missing.get_json()["error"]["field"] == "phone"
    wrong = client.get("/api/v1/tickets?phone=hello", headers=AUTH)
    assert wrong.status_code == 400 and "not a phone number" in wrong.get_json()["error"]["message"]
    assert client.get("/api/v1/tickets/abc", headers=AUTH).get_json()["error"]["field"] == "id"
    assert client.get("/api/v1/tickets/999999", headers=AUTH).status_code == 404
