"""Redis stopped in the middle of a call: every webhook still answers TwiML Twilio can play
(an apology and the fallback route, never a 5xx), and once Redis is back the same call goes
on from where it was, with nothing of it lost or told twice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from core.embedded_redis import EmbeddedRedis
from tests.ivr_app import call_events, make_app
from tests.twilio_requests import TwilioCall

FALLBACK = "+18005550199"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis server of this test's own (the suite's shared one is not ours to stop), writing
    its append-only file, as a production Redis does."""
    server = EmbeddedRedis(tmp_path / "redis", persist=True)
    server.start()
    yield server
    server.stop()


def test_a_call_survives_redis_going_away_and_coming_back(own_redis: EmbeddedRedis) -> None:
    app = make_app(own_redis.url, fallback_number=FALLBACK)
    try:
        _walk_through_the_outage(app, own_redis)
    finally:
        app.extensions["hotline"].close()


def _walk_through_the_outage(app: Flask, own_redis: EmbeddedRedis) -> None:
    call = TwilioCall(app.test_client())
    call.start_menu()
    first = call.press("1")  # English
    assert "For billing, press 1" in " ".join(first.says()), first.body
    menu_step = call.next_path

    own_redis.stop()
    during = [call.post(menu_step, call.form(Digits="1")),
              call.post("/voice/incoming", TwilioCall(app.test_client()).form()),
              call.post("/queues/wait", call.form()),
              call.post("/voice/status", call.form(CallStatus="ringing"))]
    for reply in during[:3]:
        assert reply.status == 200, reply.body
        assert reply.xml.tag == "Response"
        assert reply.says(), reply.body  # an apology, not silence
        dial = reply.xml.find("Dial")
        assert dial is not None and (dial.text or "").strip() == FALLBACK, reply.body
    assert during[3].status < 500

    own_redis.start()
    after = call.press("1")
    assert "For a wrong charge, press 1" in " ".join(after.says()), after.body
    events = call_events(app, call.sid)
    assert [e["kind"] for e in events].count("call") == 1
    keys_pressed = [e.get("digits") for e in events if e["kind"] == "dtmf"]
    assert keys_pressed == ["1", "1"], events
