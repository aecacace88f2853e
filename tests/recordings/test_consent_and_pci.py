"""A recorded line tells each caller before recording, in their language, lets callers decline
where their region's policy allows it, logs the consent on the call, and pauses the recording
while card details are keyed at a sensitive node (checked on the Twilio mock's request log)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask

from callbacks.store import CallbackStore
from callbacks.transcript import callback_event
from core.clock import FixedClock
from core.errors import MenuInvalid
from ivr.menu_loader import load_menu
from tests.callbacks.support import NOW, wanted
from tests.ivr_app import call_events, make_app
from tests.twilio_media import MediaMock, Served
from tests.twilio_requests import PUBLIC_URL, Reply, TwilioCall
from tests.twilio_rest import ACCOUNT_SID

RECORDED_MENU = Path(__file__).parent.parent / "menus" / "recorded.yaml"
CARD = "4111111111111111"


@pytest.fixture
def app(redis_url: str, media: MediaMock, clock: FixedClock) -> Flask:
    return make_app(redis_url, clock=clock, menu_file=RECORDED_MENU,
                    twilio_account_sid=ACCOUNT_SID, twilio_api_base_url=media.url)


def follow(call: TwilioCall, reply: Reply, **form: str) -> Reply:
    """Post to where `reply` sends the call next: its Gather's action or its Redirect."""
    gather, redirect = reply.xml.find("Gather"), reply.xml.find("Redirect")
    target = gather.get("action", "") if gather is not None else \
        (redirect.text or "") if redirect is not None else ""
    assert target.startswith(PUBLIC_URL), reply.body
    answered = call.post(target.removeprefix(PUBLIC_URL), call.form(**form))
    assert answered.status == 200, answered.body
    asks = answered.xml.find("Gather")
    if asks is not None:
        call.next_path = (asks.get("action") or "").removeprefix(PUBLIC_URL)
    return answered


def rest_calls(media: MediaMock, call: TwilioCall) -> list[Served]:
    return [s for s in media.log if s.path.startswith(
        f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{call.sid}/Recordings")]


def test_a_us_caller_hears_the_notice_in_both_languages_and_may_decline(
        app: Flask, media: MediaMock) -> None:
    call = TwilioCall(app.test_client(), caller="+14155550123")
    consent = follow(call, call.start())
    assert consent.says() == [
        "This call is recorded so that we can help you and improve our service.",
        "If you do not want to be recorded, press 9 now.",
        "Esta llamada se graba para poder ayudarle y mejorar nuestro servicio.",
        "Si no desea que se grabe, oprima 9 ahora."]
    declined = follow(call, consent, Digits="9")
    assert declined.says() == ["All right, this call will not be recorded.",
                               "De acuerdo, esta llamada no se grabará."]
    assert rest_calls(media, call) == []
    assert [e["consent"] for e in call_events(app, call.sid) if "consent" in e] == ["declined"]
    menu = follow(call, declined)
    assert menu.says() == ["For English, press 1.", "Para español, oprima 2."]


def test_a_caller_who_does_not_decline_is_recorded_on_two_channels(
        app: Flask, media: MediaMock) -> None:
    call = TwilioCall(app.test_client(), caller="+14155550123")
    back = follow(call, follow(call, call.start()))  # silence: no opt-out
    [started] = rest_calls(media, call)
    assert started.method == "POST" and 200 <= started.status < 300  # Prism took it
    assert started.form["RecordingChannels"] == ["dual"]
    assert started.form["RecordingStatusCallback"] == [f"{PUBLIC_URL}/recordings/status"]
    [logged] = [e for e in call_events(app, call.sid) if e.get("consent")]
    assert (logged["kind"], logged["consent"], logged["policy"]) == ("recording", "given",
                                                                      "opt-out")
    assert follow(call, back).says()[0] == "For English, press 1."


def test_where_the_policy_only_announces_the_caller_is_told_and_recorded(
        app: Flask, media: MediaMock) -> None:
    call = TwilioCall(app.test_client(), caller="+442079460000")
    told = follow(call, call.start())
    assert told.xml.find("Gather") is None
    assert told.says()[0] == "This call is recorded so that we can help you and improve our " \
                             "service."
    assert len(rest_calls(media, call)) == 1


def test_where_the_policy_forbids_recording_the_call_goes_straight_to_the_menu(
        app: Flask, media: MediaMock) -> None:
    call = TwilioCall(app.test_client(), caller="+4930901820")
    assert call.start().says() == ["For English, press 1.", "Para español, oprima 2."]
    assert rest_calls(media, call) == []


def test_keying_card_details_pauses_the_recording_and_nothing_of_them_is_kept(
        app: Flask, media: MediaMock) -> None:
    call = TwilioCall(app.test_client(), caller="+14155550123")
    follow(call, follow(call, follow(call, call.start())))  # recorded; back at the menu
    call.press("1")
    call.press("1")
    asking = call.press("4")
    gather = asking.xml.find("Gather")
    assert gather is not None and gather.get("finishOnKey") == "#"
    assert gather.get("input") == "dtmf" and gather.get("numDigits") is None
    _, paused = rest_calls(media, call)
    assert paused.path.endswith("/Recordings/Twilio.CURRENT.json") and paused.status == 200
    assert paused.form["Status"] == ["paused"] and paused.form["PauseBehavior"] == ["skip"]

    routed = call.press(CARD)
    assert routed.xml.find("Redirect") is not None  # on to the billing line
    _, _, resumed = rest_calls(media, call)
    assert resumed.form["Status"] == ["in-progress"] and resumed.status == 200
    events = call_events(app, call.sid)
    assert CARD not in str(events) and "1111" not in str(events)
    assert [e["text"] for e in events if e.get("pci")] == [
        "Recording paused for card details", "Recording resumed"]
    [keyed] = [e for e in events if e["kind"] == "dtmf" and e.get("node") == "card"]
    assert keyed["digits"] == "*" * 16


def test_hotline_menu_validate_names_what_is_wrong_in_the_recording_section() -> None:
    source = RECORDED_MENU.read_text().replace('consent: announce', 'consent: always', 1)
    source = source.replace('opt_out_key: "9"', 'opt_out_key: "99"', 1)
    source = source.replace('regions: {US: opt-out, DE: "off"}', 'regions: {US: maybe}', 1)
    with pytest.raises(MenuInvalid) as refused:
        load_menu(source)
    assert sorted(p.message.split(":")[0] for p in refused.value.problems) == [
        "recording.consent", "recording.opt_out_key", "recording.regions.US"]


def test_a_caller_owed_a_callback_is_asked_about_it_then_told_of_the_recording(
        app: Flask, media: MediaMock) -> None:
    CallbackStore(app.extensions["hotline"].redis).request(
        wanted(phone="+14155550123"), callback_event(NOW, wanted(), "Callback promised"))
    call = TwilioCall(app.test_client(), caller="+14155550123")
    pending = follow(call, call.start())
    assert pending.says()[0].startswith("You already have a callback booked")
    kept = follow(call, pending, Digits="1")
    assert kept.says() == ["Your callback is still booked."]
    consent = follow(call, follow(call, kept))  # the call's start again, then the notice
    assert consent.says()[0] == \
        "This call is recorded so that we can help you and improve our service."
    back = follow(call, consent)  # silence: no opt-out
    assert [e["consent"] for e in call_events(app, call.sid) if "consent" in e] == ["given"]
    assert len(rest_calls(media, call)) == 1
    assert follow(call, back).says() == ["For English, press 1.", "Para español, oprima 2."]


def test_a_recording_that_cannot_be_paused_is_stopped_before_card_details(
        app: Flask, media: MediaMock) -> None:
    media.refused["paused"] = 503  # Twilio fails the pause, and only that request
    call = TwilioCall(app.test_client(), caller="+14155550123")
    follow(call, follow(call, follow(call, call.start())))  # recorded; back at the menu
    call.press("1")
    call.press("1")
    call.press("4")
    _, refused, stopped = rest_calls(media, call)
    assert (refused.form["Status"], refused.status) == (["paused"], 503)
    assert stopped.form["Status"] == ["stopped"] and 200 <= stopped.status < 300
    call.press(CARD)
    assert len(rest_calls(media, call)) == 3  # nothing left to resume
    assert [e["text"] for e in call_events(app, call.sid) if e.get("pci")] == [
        "Recording stopped: it could not be paused for card details"]
