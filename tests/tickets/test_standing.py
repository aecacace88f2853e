"""A caller with an open ticket hears where it stands before the menu, in their language and
zone, and one key takes them to that ticket's line and agent; a caller with none hears nothing
extra."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask

from core.clock import FixedClock as Clock
from tests.ivr_app import ADMIN_TOKEN, NOW
from tests.queues.conftest import put_on_shift
from tests.tickets.journeys import menu_call
from tests.tickets.test_projection import drain
from tests.twilio_requests import PUBLIC_URL, Reply, TwilioCall
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CALLER = "+14155550123"
LANGUAGE_QUESTION = ["For English, press 1.", "Para español, oprima 2."]


@pytest.fixture(autouse=True)
def _serve_tickets(app: Flask, store: TicketStore) -> None:
    app.extensions[EXTENSION] = store


def _open_internet_ticket(app: Flask, projector: Projector, store: TicketStore,
                          language: str = "1") -> int:
    """English (or Spanish: "2"), technical support, the internet: a ticket, open."""
    call = menu_call(app, CALLER, language, "2", "1")
    drain(projector)
    ticket_id = store.ticket_id_for_call(call.sid)
    assert ticket_id is not None
    return ticket_id


def _follow(call: TwilioCall, reply: Reply) -> Reply:
    """Post where the reply redirects, as Twilio would."""
    redirect = reply.xml.find("Redirect")
    assert redirect is not None and redirect.text, reply.body
    followed = call.post(redirect.text[len(PUBLIC_URL):], call.form())
    assert followed.status == 200, followed.body
    if followed.xml.find(".//Gather") is not None:
        call.next_path = followed.action()
    return followed


def test_a_caller_with_an_open_ticket_hears_it_and_one_key_reaches_its_line_and_agent(
    app: Flask, projector: Projector, store: TicketStore, clock: Clock
) -> None:
    redis = app.extensions["hotline"].redis
    ticket_id = _open_internet_ticket(app, projector, store)
    client = app.test_client()
    changed = client.patch(f"/api/v1/tickets/{ticket_id}", headers=AUTH,
                           json={"assignee": "kim", "status": "pending"})
    assert changed.status_code == 200
    put_on_shift(redis, "kim", "L2", ["internet"], NOW.timestamp())
    clock.set(NOW + timedelta(days=1))

    call = TwilioCall(client, caller=CALLER)
    standing = _follow(call, call.start())
    assert standing.says() == [
        "Your request about Internet down, opened yesterday at 7 in the morning, is with Kim. "
        "We are waiting for your reply.",
        "To talk about it, press 1. For something else, press 2."]
    joined = call.press("1")
    assert joined.says() == ["Connecting you now."]
    queued = _follow(call, joined)
    dial = queued.xml.find("Dial")
    assert dial is not None and dial.findtext("Client", "").strip() == "kim", queued.body
    call.hang_up()
    drain(projector)
    assert store.ticket_id_for_call(call.sid) == ticket_id
    [ticket] = store.for_phone(CALLER)
    said = [e["text"] for e in ticket.to_dict()["transcript"] if e["kind"] == "prompt"]
    assert standing.says()[0] in said


def test_a_caller_with_no_open_ticket_goes_straight_to_the_menu(app: Flask) -> None:
    first = TwilioCall(app.test_client(), caller=CALLER).start()
    assert first.action().startswith("/voice/menu?")
    assert first.says() == LANGUAGE_QUESTION


def test_a_wrong_key_asks_again_and_something_new_goes_to_the_menu(
    app: Flask, projector: Projector, store: TicketStore, clock: Clock
) -> None:
    _open_internet_ticket(app, projector, store)
    clock.set(NOW + timedelta(hours=2))
    call = TwilioCall(app.test_client(), caller=CALLER)
    standing = _follow(call, call.start())
    assert standing.says()[0].startswith("Your request about Internet down, opened today at 7 in "
                                         "the morning, is with our team. We are working on it.")
    again = call.press("7")
    assert again.status == 200
    assert again.says() == ["Sorry, that was not one of the choices.",
                            "To talk about it, press 1. For something else, press 2."]
    menu = _follow(call, call.press("2"))
    assert menu.says() == LANGUAGE_QUESTION


def test_a_spanish_caller_hears_the_standing_in_spanish(
    app: Flask, projector: Projector, store: TicketStore, clock: Clock
) -> None:
    _open_internet_ticket(app, projector, store, language="2")
    clock.set(NOW + timedelta(hours=1))
    call = TwilioCall(app.test_client(), caller=CALLER)
    standing = _follow(call, call.start())
    assert standing.says()[0] == ("Su solicitud sobre Sin internet, abierta hoy a las 7 de la "
                                  "mañana, la tiene nuestro equipo. Estamos trabajando en ella.")
    assert standing.xml.find(".//Say").get("language") == "es-US"  # type: ignore[union-attr]


def test_several_open_tickets_are_told_the_latest_first_and_each_has_its_key(
    app: Flask, projector: Projector, store: TicketStore, clock: Clock
) -> None:
    billing = menu_call(app, CALLER, "1", "1", "1")  # English, billing, a wrong charge
    drain(projector)
    clock.set(NOW + timedelta(hours=1))
    internet = _open_internet_ticket(app, projector, store)
    clock.set(NOW + timedelta(hours=2))
    call = TwilioCall(app.test_client(), caller=CALLER)
    standing = _follow(call, call.start())
    said = standing.says()
    assert said[0].startswith("Your request about Internet down, opened today at 8 in the")
    assert said[1].startswith("Your request about ") and "opened today at 7 in the" in said[1]
    assert said[2] == "For your request about Internet down, press 1."
    assert said[3].startswith("For your request about ") and said[3].endswith(", press 2.")
    assert said[4:] == ["For something else, press 3."]
    _follow(call, call.press("2"))
    call.hang_up()
    drain(projector)
    assert store.ticket_id_for_call(call.sid) == store.ticket_id_for_call(billing.sid)
    assert store.ticket_id_for_call(call.sid) != internet
