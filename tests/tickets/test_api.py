"""The tickets API: by phone and by id, bearer token, errors that name the field."""

from __future__ import annotations

from flask import Flask

from core.access import Role
from tests.ivr_app import ADMIN_TOKEN
from tests.signing_in import issue_token, sign_in
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
    wrong = client.get("/api/v1/tickets?phone=hello", headers=AUTH)
    assert wrong.status_code == 400 and "not a phone number" in wrong.get_json()["error"]["message"]
    assert client.get("/api/v1/tickets/abc", headers=AUTH).get_json()["error"]["field"] == "id"
    assert client.get("/api/v1/tickets/999999", headers=AUTH).status_code == 404


def test_agents_add_internal_notes_and_wrap_up(
    app: Flask, projector: Projector, store: TicketStore
) -> None:
    app.extensions[EXTENSION] = store
    call = billing_call(app)
    drain(projector)
    ticket_id = store.ticket_id_for_call(call.sid)
    assert app.extensions["hotline"].redis.hget(  # the IVR knows the open ticket...
        "hotline:caller:+14155550123:open-tickets", "billing/dispute")
    client = app.test_client()
    note = client.post(f"/api/v1/tickets/{ticket_id}/notes", headers=AUTH,
                       json={"text": "Customer disputes the October invoice", "author": "ana"})
    assert note.status_code == 201 and note.get_json()["internal"] is True
    done = client.patch(f"/api/v1/tickets/{ticket_id}", headers=AUTH,
                        json={"status": "solved", "assignee": "ana",
                              "disposition": "credit issued", "resolved_first_contact": True})
    ticket = done.get_json()
    assert (ticket["status"], ticket["assignee"], ticket["disposition"]) == (
        "solved", "ana", "credit issued")
    assert ticket["resolved_first_contact"] is True
    notes = [e for e in ticket["transcript"] if e["kind"] == "note"]
    assert notes[0]["text"] == "Customer disputes the October invoice"
    assert notes[0]["author"] == "ana" and notes[0]["internal"] is True
    assert notes[1]["text"].startswith("Wrap-up: status solved, assignee ana")
    solved = client.get("/api/v1/tickets?status=solved&assignee=ana", headers=AUTH).get_json()
    assert [t["id"] for t in solved["tickets"]] == [ticket_id]
    assert not app.extensions["hotline"].redis.hget(  # ...until it is solved
        "hotline:caller:+14155550123:open-tickets", "billing/dispute")


def test_wrap_up_refuses_bad_fields_by_name(
    app: Flask, projector: Projector, store: TicketStore
) -> None:
    app.extensions[EXTENSION] = store
    billing_call(app)
    drain(projector)
    [ticket] = store.for_phone("+14155550123")
    client = app.test_client()
    for body, field in (({"status": "closed"}, "status"), ({"colour": "red"}, "colour"),
                        ({"resolved_first_contact": "yes"}, "resolved_first_contact"),
                        ({}, "body")):
        answer = client.patch(f"/api/v1/tickets/{ticket.id}", headers=AUTH, json=body)
        assert answer.status_code == 400 and answer.get_json()["error"]["field"] == field
    for body, field in (({"assignee": "a\x00"}, "assignee"),
                        ({"disposition": "\x00"}, "disposition")):
        answer = client.patch(f"/api/v1/tickets/{ticket.id}", headers=AUTH, json=body)
        assert answer.status_code == 400 and answer.get_json()["error"]["field"] == field
    for body, field in (({"text": " "}, "text"), ({"text": "\x00"}, "text"),
                        ({"text": "ok", "author": "a\x00"}, "author"),
                        ({"text": "ok", "author": "a" * 101}, "author")):
        note = client.post(f"/api/v1/tickets/{ticket.id}/notes", headers=AUTH, json=body)
        assert note.status_code == 400 and note.get_json()["error"]["field"] == field
    missing = client.post("/api/v1/tickets/999999/notes", headers=AUTH, json={"text": "x"})
    assert missing.status_code == 404


def test_screen_pop_gives_an_agent_the_ticket_of_the_call_routed_to_them(
    app: Flask, projector: Projector, store: TicketStore
) -> None:
    from queues.queue_store import QueueStore
    from tests.queues.conftest import put_on_shift

    app.extensions[EXTENSION] = store
    queues = QueueStore(app.extensions["hotline"].redis)
    put_on_shift(queues.redis, "ana", "L1", ["billing"], 1_800_000_000.0)
    client = app.test_client()
    idle = client.get("/api/v1/agents/ana/screen-pop", headers=AUTH)
    assert idle.status_code == 404 and idle.get_json()["error"]["field"] == "agent_id"
    call = billing_call(app)
    drain(projector)
    assert queues.arrive(call.sid, "billing", "L1", ["billing"], "normal",
                         1_800_000_100.0).agent == "ana"
    popped = client.get("/api/v1/agents/ana/screen-pop", headers=AUTH).get_json()
    assert popped["calls"][0]["call_sid"] == call.sid
    assert popped["issue"] == "billing/dispute"
    ana = app.test_client()
    sign_in(ana, issue_token(app, Role.AGENT, "ana"))
    page = ana.get("/agent/current")
    assert page.status_code == 302 and page.location.endswith(f"/agent/tickets/{popped['id']}")
    bo = app.test_client()
    sign_in(bo, issue_token(app, Role.AGENT, "bo"))
    assert "No call for you right now" in bo.get("/agent/current").get_data(as_text=True)
    assert bo.get(f"/agent/tickets/{popped['id']}").status_code == 403
