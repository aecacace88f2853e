"""The callback offer as a caller hears it: from the menu, from the hold queue, with the
caller ID or a typed number, a time slot, confirmation, SMS; and a repeat caller's pending
callback, kept or cancelled."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml
from flask import Flask
from rq import Queue

from callbacks.jobs import QUEUE
from callbacks.record import Mode, State
from callbacks.store import CallbackStore
from core import keys
from core.deps import EXTENSION, Dependencies
from core.settings import CallbackSettings
from core.telephony import SimulatedTelephony
from tests.ivr_app import SMALL_MENU, make_app
from tests.twilio_requests import Reply, TwilioCall


@pytest.fixture
def app(redis_url: str) -> Flask:
    return make_app(redis_url)


def to_offer(app: Flask, caller: str = "+14155550123", **kwargs: Any) -> TwilioCall:
    """A caller who chose 'call me back' in the menu (English, technical, 3)."""
    return offered(app, caller, **kwargs)[0]


def offered(app: Flask, caller: str = "+14155550123", language: str = "1",
            **kwargs: Any) -> tuple[TwilioCall, Reply]:
    """A caller at the offer from the menu (`language` "2": in Spanish), and what they heard."""
    call = TwilioCall(app.test_client(), caller=caller, **kwargs)
    call.start()
    call.press(language)
    call.press("2")
    assert call.press("3").action() == "/callbacks/offer"
    heard = call.post("/callbacks/offer", call.form())
    call.next_path = heard.action()
    return call, heard


def said(reply: Reply) -> str:
    return " ".join(reply.says())


def in_spanish(reply: Reply) -> str:
    """What the caller heard, every line of it in a Spanish voice."""
    assert {say.get("language") for say in reply.xml.iter("Say")} == {"es-US"}
    return said(reply)


def callbacks_of(app: Flask, phone: str) -> list[Any]:
    deps: Dependencies = app.extensions["hotline"]
    return CallbackStore(deps.redis).for_phone(phone)


def transcript(app: Flask, call: TwilioCall) -> list[str]:
    deps: Dependencies = app.extensions["hotline"]
    return [e["text"] for e in deps.sessions.events(call.sid)]


def test_as_soon_as_possible_on_the_caller_id_is_promised_scheduled_and_logged(
    app: Flask, redis_client: redis.Redis,
) -> None:
    call = to_offer(app)
    number = call.press("1")
    assert "Shall we call you on 4 1 5, 5 5 5, 0 1 2 3?" in said(number)
    confirm = call.press("1")
    # 7 in the morning in San Francisco: nobody calls before the dialling hours open at 8.
    assert "We will call you from today at 8 in the morning, as soon as an agent is free " \
        "on 4 1 5, 5 5 5, 0 1 2 3." in said(confirm)
    done = call.press("1")
    assert "Thank you. We will call you from today at 8 in the morning, as soon as an agent " \
        "is free." in said(done)
    assert done.xml.find("Hangup") is not None
    [promised] = callbacks_of(app, "+14155550123")
    assert (promised.state, promised.mode, promised.queue, promised.tier) == \
        (State.SCHEDULED, Mode.ASAP, "tech", "L1")
    assert promised.language == "en" and promised.origin_call == call.sid
    assert "Callback promised from today at 8 in the morning, as soon as an agent is free to " \
        "+14155550123" in transcript(app, call)
    # Due now: the dial job is on the queue at once, not waiting for the scheduler.
    [job] = Queue(QUEUE, connection=redis_client).get_jobs()
    assert job.func_name == "callbacks.jobs.dial_due" and job.args == (promised.id,)


def test_a_time_slot_is_offered_in_the_callers_zone_and_kept(app: Flask) -> None:
    call = to_offer(app)  # 7 in the morning in San Francisco (the caller's area code)
    slots = call.press("2")
    assert "Press 1 for today at 9 in the morning. Press 2 for today at 10 in the morning." \
        in said(slots)
    call.press("2")
    confirm = call.press("1")
    assert "We will call you today at 10 in the morning on 4 1 5" in said(confirm)
    call.press("1")
    [promised] = callbacks_of(app, "+14155550123")
    assert promised.mode is Mode.SLOT and promised.timezone == "America/Los_Angeles"
    assert promised.due_at == datetime(2026, 11, 24, 18, 0, tzinfo=UTC).timestamp()  # 10 PST


def _line_app(redis_url: str, tmp_path: Path, line: dict[str, Any]) -> Flask:
    """The test line with `line` added to its menu (`callbacks:` or `hours:`) or, under
    `deployment`, its callback settings."""
    tree = yaml.safe_load(SMALL_MENU.read_text())
    tree.update({k: v for k, v in line.items() if k != "deployment"})
    if "hours" in line:
        tree["after_hours"] = {"message": {"en": "Closed.", "es": "Cerrado."}}
    menu = tmp_path / "line.yaml"
    menu.write_text(yaml.safe_dump(tree, allow_unicode=True))
    return make_app(redis_url, menu_file=menu, callbacks=CallbackSettings(
        timezone=line.get("deployment", CallbackSettings().timezone)))


@pytest.mark.parametrize(("caller", "line", "first_slot", "zone"), [
    # Toll-free: every North American zone. The deployment's zone, New York by default.
    ("+18005550199", {}, "today at 11 in the morning, New York time", "America/New_York"),
    # A Russian mobile: eleven zones. The menu's opening hours name London.
    ("+79161234567", {"hours": {"timezone": "Europe/London", "open": "00:00-24:00",
                                "days": "mon-sun"}},
     "today at 4 in the afternoon, London time", "Europe/London"),
    # An Australian mobile: eight zones. The line's HOTLINE_CALLBACK_TIMEZONE is Sydney.
    ("+61412345678", {"deployment": "Australia/Sydney"},
     "today at 9 in the morning, Sydney time", "Australia/Sydney"),
    # The menu's callbacks zone is the line's for every caller, named when not their own.
    ("+14155550123", {"callbacks": {"timezone": "Europe/Berlin"}},
     "tomorrow at 9 in the morning, Berlin time", "Europe/Berlin"),
])
def test_a_number_that_names_no_single_zone_hears_the_lines_zone_named(
    redis_url: str, tmp_path: Path, caller: str, line: dict[str, Any], first_slot: str,
    zone: str,
) -> None:
    app = _line_app(redis_url, tmp_path, line)
    call = to_offer(app, caller=caller)
    slots = call.press("2")
    assert f"Press 1 for {first_slot}." in said(slots)
    call.press("1")
    call.press("1")
    call.press("1")
    [promised] = callbacks_of(app, caller)
    assert promised.mode is Mode.SLOT and promised.timezone == zone
    caller_zone = app.extensions["hotline"].sessions.load(call.sid).timezone
    assert caller_zone == (None if caller[:3] in ("+18", "+79", "+61") else "America/Los_Angeles")


def test_a_withheld_number_must_type_one_and_refused_numbers_say_why(app: Flask) -> None:
    call = to_offer(app, caller="anonymous")
    ask = call.press("1")
    assert "Please enter the number to call" in said(ask)
    gather = ask.xml.find("Gather")
    assert gather is not None and gather.get("finishOnKey") == "#"
    refused = call.press("911")
    assert "We cannot call back an emergency number." in said(refused)
    refused = call.press("19005550123")
    assert "We cannot call back a premium-rate number." in said(refused)
    confirm = call.press("2125550123")
    assert "on 2 1 2, 5 5 5, 0 1 2 3" in said(confirm)
    call.press("1")
    assert len(callbacks_of(app, "+12125550123")) == 1


def test_a_wrong_key_asks_again_and_three_send_the_caller_back_to_the_queue(
    app: Flask,
) -> None:
    call = to_offer(app)
    again = call.press("7")
    assert said(again).startswith("Sorry, that was not one of the choices. Press 1")
    call.press("5")
    back = call.press("8")
    assert back.action().startswith("/queues/enter?stay=1&s=")
    assert callbacks_of(app, "+14155550123") == []


def test_from_the_hold_queue_the_callback_keeps_the_callers_place(
    app: Flask, redis_client: redis.Redis,
) -> None:
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    call.press("2")
    call.press("1")  # routed to the tech queue
    deps: Dependencies = app.extensions["hotline"]
    session = deps.sessions.load(call.sid)
    assert session is not None and session.routing is not None
    queued = session.routing.evolve(queued_at=1764000000.0)
    assert deps.sessions.commit(session.evolve(routing=queued), [], "queued", "")
    offer = call.post("/callbacks/offer?from=hold", call.form())
    assert said(offer).startswith("You can hang up and we will call you back.")
    call.next_path = offer.action()
    call.press("1")
    call.press("1")
    call.press("1")
    [promised] = callbacks_of(app, "+14155550123")
    assert promised.arrived_at == 1764000000.0 and promised.queue == "tech"


def test_an_sms_confirms_the_callback_when_configured(redis_url: str,
                                                      redis_client: redis.Redis) -> None:
    app = make_app(redis_url, callbacks=CallbackSettings(sms=True))
    deps: Dependencies = app.extensions[EXTENSION]  # the simulated phone network sends it
    app.extensions[EXTENSION] = replace(deps, telephony=SimulatedTelephony(deps.redis))
    call = to_offer(app)
    call.press("1")
    call.press("1")
    call.press("1")
    [sms] = [json.loads(m) for m in redis_client.lrange(keys.simulated_messages(), 0, -1)]
    assert sms["to"] == "+14155550123" and sms["from"] == "+18005550100"
    assert sms["body"].startswith(  # 7 in the morning for the caller: dialling opens at 8
        "We will call you back from today at 8 in the morning, as soon as an agent is free")


def test_a_repeat_caller_hears_about_the_pending_callback_and_can_cancel_it(
    app: Flask,
) -> None:
    first = to_offer(app)
    first.press("1")
    first.press("1")
    first.press("1")
    again = TwilioCall(app.test_client())
    incoming = again.start()
    assert incoming.action() == "/callbacks/pending"
    pending = again.post("/callbacks/pending", again.form())
    assert "You already have a callback booked from today at 8 in the morning, as soon as an " \
        "agent is free on 4 1 5" \
        in said(pending)
    again.next_path = pending.action()
    cancelled = again.press("2")
    assert said(cancelled) == "Your callback is cancelled."
    [record] = callbacks_of(app, "+14155550123")
    assert record.state is State.CANCELLED
    menu = again.post(cancelled.action(), again.form())
    assert "For English, press 1." in said(menu)
    assert "Callback cancelled by the caller on a new call" in transcript(app, first)
    assert TwilioCall(app.test_client()).start().action() != "/callbacks/pending"


def test_a_caller_who_booked_in_spanish_is_asked_about_it_in_spanish(app: Flask) -> None:
    first, _ = offered(app, language="2")
    for key in ("1", "1", "1"):
        first.press(key)
    again = TwilioCall(app.test_client())
    again.start()
    pending = again.post("/callbacks/pending", again.form())
    assert in_spanish(pending).startswith("Ya tiene una llamada programada")
    again.next_path = pending.action()
    assert in_spanish(again.press("2")) == "Su llamada está cancelada."


def test_a_spanish_caller_hears_the_offer_a_time_slot_the_number_and_the_promise_in_spanish(
    app: Flask,
) -> None:
    call, heard = offered(app, language="2")  # 7 in the morning in San Francisco
    assert in_spanish(heard).startswith("Podemos llamarle. Oprima 1 para que le llamemos "
                                               "en cuanto un agente esté libre")
    slots = call.press("2")
    assert in_spanish(slots).startswith("Oprima 1 para hoy a las 9 de la mañana. Oprima 2 para "
                                        "hoy a las 10 de la mañana.")
    number = call.press("2")
    assert in_spanish(number) == ("¿Le llamamos al 4 1 5, 5 5 5, 0 1 2 3? Oprima 1 para sí, o 2 "
                                  "para otro número.")
    confirm = call.press("1")
    assert in_spanish(confirm) == ("Le llamaremos hoy a las 10 de la mañana al 4 1 5, 5 5 5, "
                                   "0 1 2 3. Oprima 1 para confirmar, o 2 para empezar de nuevo.")
    done = call.press("1")
    assert in_spanish(done) == ("Gracias. Le llamaremos hoy a las 10 de la mañana. Ya puede "
                                "colgar. Adiós.")
    [promised] = callbacks_of(app, "+14155550123")
    assert promised.language == "es" and promised.mode is Mode.SLOT


def test_a_spanish_caller_asking_as_soon_as_possible_hears_spanish_even_for_a_wrong_key(
    app: Flask,
) -> None:
    call, _ = offered(app, "anonymous", language="2")
    wrong = call.press("7")
    assert in_spanish(wrong).startswith("Perdón, esa no es una de las opciones. Oprima 1")
    ask = call.press("1")
    assert in_spanish(ask) == ("Marque el número al que debemos llamar, con el código de área, "
                               "y luego la tecla numeral.")
    assert in_spanish(call.press("911")).startswith(
        "No podemos llamar a un número de emergencia.")
    confirm = call.press("2125550123")
    assert in_spanish(confirm).startswith(
        "Le llamaremos en cuanto un agente esté libre al 2 1 2, 5 5 5, 0 1 2 3.")
    assert in_spanish(call.press("1")).startswith(
        "Gracias. Le llamaremos en cuanto un agente esté libre.")


def test_the_transcript_says_what_each_key_meant(app: Flask) -> None:
    call = to_offer(app)
    call.press("2")
    call.press("2")
    call.press("1")
    call.press("2")  # start again
    call.press("9")
    logged = transcript(app, call)
    assert {"Pressed 2: choose a time", "Pressed 2: call back today at 10 in the morning",
            "Pressed 1: yes, call the caller ID", "Pressed 2: start again",
            "Pressed 9: stay on the line"} <= set(logged)
    assert not [line for line in logged if "(when)" in line or "(slot)" in line]


def test_inside_the_callers_dialling_hours_as_soon_as_possible_names_no_time(
    app: Flask,
) -> None:
    call = to_offer(app, caller="+12125550123")  # 10 in the morning in New York
    call.press("1")
    confirm = call.press("1")
    assert "We will call you as soon as an agent is free on 2 1 2, 5 5 5, 0 1 2 3." \
        in said(confirm)


def test_a_spanish_caller_asking_before_dialling_hours_hears_from_when(app: Flask) -> None:
    call, _ = offered(app, language="2")  # 7 in the morning in San Francisco
    call.press("1")
    confirm = call.press("1")
    assert "Le llamaremos desde hoy a las 8 de la mañana, en cuanto un agente esté " \
        "libre al 4 1 5, 5 5 5, 0 1 2 3." in said(confirm)
