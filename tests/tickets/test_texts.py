"""Two-way texts: the callback's confirmation (how to cancel or move it), replies CANCEL, LATER
and a number, STATUS, STOP and START, in English and Spanish, each text sent through Twilio's
Messages API as the Prism mock of Twilio's own description accepts it, and every text and
reply on the ticket's transcript."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
import redis
from flask import Flask
from rq import Queue, SimpleWorker

from callbacks import dialer, jobs
from callbacks.outcomes import attempt_over
from callbacks.record import Mode, State
from callbacks.store import CallbackStore
from core.clock import FixedClock as Clock
from core.deps import Dependencies
from core.settings import CallbackSettings, MessagingSettings
from core.telephony import TwilioTelephony
from tests.ivr_app import ADMIN_TOKEN, NOW, make_app
from tests.queues.conftest import put_on_shift
from tests.tickets.journeys import ask_for_callback, menu_call
from tests.tickets.test_projection import drain
from tests.twilio_requests import text_message
from tests.twilio_rest import ACCOUNT_SID, RecordingHttpClient, Sent
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CALLER = "+14155550123"
MESSAGES = f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.fixture
def http(twilio_api: str) -> RecordingHttpClient:
    return RecordingHttpClient(twilio_api)


@pytest.fixture
def app(redis_url: str, clock: Clock, twilio_api: str, http: RecordingHttpClient,
        store: TicketStore) -> Flask:
    """Texts on (confirmation, missed, solved), sent to the mock of Twilio's REST API."""
    app = make_app(redis_url, clock=clock, twilio_api_base_url=twilio_api,
                   twilio_account_sid=ACCOUNT_SID,
                   callbacks=CallbackSettings(sms=True),
                   messaging=MessagingSettings(missed=True, solved=True, replies_per_hour=6))
    d: Dependencies = app.extensions["hotline"]
    app.extensions["hotline"] = dataclasses.replace(
        d, telephony=TwilioTelephony(ACCOUNT_SID, "token", http_client=http))
    app.extensions[EXTENSION] = store
    return app


def texts_sent(http: RecordingHttpClient) -> list[Sent]:
    """Every text the app sent, each checked accepted by the mock (Twilio's schema)."""
    found = [s for s in http.sent if s.path == MESSAGES]
    assert all(s.method == "POST" and s.status == 201 for s in found), found
    return found


def test_a_booked_callback_is_confirmed_by_text_and_cancel_cancels_it(
    app: Flask, http: RecordingHttpClient, projector: Projector, store: TicketStore,
) -> None:
    call = ask_for_callback(app, CALLER, "my internet keeps dropping")
    [confirmation] = texts_sent(http)
    assert confirmation.form["To"] == CALLER and confirmation.form["From"] == "+18005550100"
    assert confirmation.form["Body"] == (
        f"We will call you back from today at 8 in the morning, as soon as an agent is free "
        f"on {CALLER}. Reply CANCEL to cancel it or LATER to move it.")
    drain(projector)
    status = text_message(app.test_client(), CALLER, "STATUS")  # told as it was promised
    assert status.texts()[0].endswith(
        "We will call you back from today at 8 in the morning, as soon as an agent is free.")

    reply = text_message(app.test_client(), CALLER, "cancel")
    assert reply.status == 200
    assert reply.texts() == ["Your callback is cancelled. Call us any time."]
    [callback] = CallbackStore(app.extensions["hotline"].redis).for_phone(CALLER)
    assert callback.state is State.CANCELLED
    again = text_message(app.test_client(), CALLER, "CANCEL")
    assert again.texts() == ["You have no callback booked with us. Call us any time."]

    drain(projector)
    ticket_id = store.ticket_id_for_call(call.sid)
    ticket = store.get(ticket_id or 0)
    assert ticket is not None
    texted = [(e["text"], e.get("direction")) for e in ticket.to_dict()["transcript"]
              if e["kind"] == "sms"]
    assert texted[0] == (confirmation.form["Body"], "outbound")
    assert ("cancel", "inbound") in texted
    assert ("Your callback is cancelled. Call us any time.", "outbound") in texted
    assert "Callback cancelled by the caller's text" in [
        e["text"] for e in ticket.to_dict()["transcript"] if e["kind"] == "callback"]


def test_later_offers_the_next_times_and_a_number_moves_the_callback(
    app: Flask, http: RecordingHttpClient,
) -> None:
    ask_for_callback(app, CALLER, "my internet keeps dropping")
    offered = text_message(app.test_client(), CALLER, "Later")
    assert offered.texts() == [
        "Reply with the number of the time that suits you: 1 for today at 9 in the morning; "
        "2 for today at 10 in the morning; 3 for today at 11 in the morning"]
    wrong = text_message(app.test_client(), CALLER, "7")
    assert wrong.texts() == [
        "Please reply with one of the numbers offered, or LATER for the times again."]
    moved = text_message(app.test_client(), CALLER, "2")
    assert moved.texts() == [
        "Your callback is moved to today at 10 in the morning. Reply CANCEL to cancel it."]
    [callback] = CallbackStore(app.extensions["hotline"].redis).for_phone(CALLER)
    assert callback.mode is Mode.SLOT and callback.state is State.SCHEDULED
    assert callback.due_at == (NOW + timedelta(hours=3)).timestamp()


def test_status_tells_where_the_request_stands_and_spanish_gets_spanish(
    app: Flask, projector: Projector, store: TicketStore, clock: Clock,
) -> None:
    nothing = text_message(app.test_client(), CALLER, "STATUS")
    assert nothing.texts() == ["You have no open request with us. Call us any time."]
    menu_call(app, CALLER, "2", "2", "1")  # in Spanish: technical support, the internet
    drain(projector)
    clock.set(NOW + timedelta(hours=2))
    status = text_message(app.test_client(), CALLER, "estado")
    assert status.texts() == ["Su solicitud sobre Sin internet, abierta hoy a las 7 de la "
                              "mañana, la tiene nuestro equipo. Estamos trabajando en ella."]
    english = text_message(app.test_client(), CALLER, "status")
    assert english.texts() == ["Your request about Internet down, opened today at 7 in the "
                               "morning, is with our team. We are working on it."]
    help_ = text_message(app.test_client(), CALLER, "hola, ¿qué tal?")
    assert help_.texts()[0].startswith("Responda ESTADO para saber cómo va su solicitud")


def test_stop_silences_every_text_and_start_brings_them_back(
    app: Flask, http: RecordingHttpClient,
) -> None:
    client = app.test_client()
    stopped = text_message(client, CALLER, "ALTO")
    assert stopped.texts() == [
        "No recibirá más mensajes nuestros. Responda INICIO para recibirlos de nuevo."]
    ask_for_callback(app, CALLER, "my internet keeps dropping")
    assert texts_sent(http) == []  # no confirmation to a number that said STOP
    quiet = text_message(client, CALLER, "LATER")
    assert quiet.status == 200 and quiet.texts() == []
    started = text_message(client, CALLER, "START")
    assert started.texts() == ["You will get our texts again. Reply STOP to stop them."]
    assert text_message(client, CALLER, "LATER").texts()[0].startswith("Reply with the number")


def test_a_missed_attempt_and_a_solved_ticket_are_texted(
    app: Flask, http: RecordingHttpClient, projector: Projector, store: TicketStore,
    clock: Clock, redis_url: str, redis_client: redis.Redis, twilio_api: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock.set(NOW + timedelta(hours=3))  # 10 in the morning for the caller: callbacks go out
    call = ask_for_callback(app, CALLER, "my internet keeps dropping")
    d: Dependencies = app.extensions["hotline"]
    put_on_shift(d.redis, "jo", "L1", ["internet"], NOW.timestamp())
    rt = jobs.runtime(d.settings, d.redis, d.clock, d.telephony)
    [callback] = rt.store.for_phone(CALLER)
    assert dialer.due(rt, callback.id).startswith("placed")
    dialled = rt.store.get(callback.id)
    assert dialled is not None
    attempt_over(rt, dialled.attempt, "no answer")
    missed = texts_sent(http)[-1]
    assert missed.form["Body"] == (
        "We called you back but could not reach you. We will try again today at 10:02 in the "
        "morning. Reply LATER to choose another time or CANCEL to cancel.")

    drain(projector)
    ticket_id = store.ticket_id_for_call(call.sid)
    monkeypatch.setenv("REDIS_URL", redis_url)
    monkeypatch.setenv("TWILIO_API_BASE_URL", twilio_api)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT_SID)
    monkeypatch.setenv("HOTLINE_SMS_SOLVED", "1")
    solved = app.test_client().patch(f"/api/v1/tickets/{ticket_id}", headers=AUTH,
                                     json={"status": "solved"})
    assert solved.status_code == 200
    queue = Queue("hotline", connection=redis_client)
    [job] = [j for j in queue.jobs if j.func_name == "messaging.jobs.ticket_solved"]
    SimpleWorker([queue], connection=redis_client).work(burst=True)
    assert job.return_value() is True  # sent: the mock accepted it
    drain(projector)
    ticket = store.get(ticket_id or 0)
    assert ticket is not None
    texted = [e["text"] for e in ticket.to_dict()["transcript"] if e["kind"] == "sms"]
    assert texted[-2] == missed.form["Body"]
    assert texted[-1] == ("Your request about Callback is solved. If anything is still wrong, "
                          "just call us again.")


def test_replies_are_rate_limited_per_number_and_unsigned_texts_refused(app: Flask) -> None:
    client = app.test_client()
    answered = [text_message(client, CALLER, "help").texts() for _ in range(7)]
    assert all(a for a in answered[:6]) and answered[6] == []
    assert text_message(client, "+14155550999", "help").texts() != []  # another number
    forged = text_message(client, CALLER, "CANCEL", token="not-the-auth-token")
    assert forged.status == 403
