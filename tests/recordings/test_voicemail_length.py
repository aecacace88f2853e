"""How long a voicemail may be: Twilio transcribes only the first two minutes of one."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ivr import twiml


def record_of(reply: str) -> ET.Element:
    found = ET.fromstring(reply).find("Record")
    assert found is not None, reply
    return found


def test_a_voicemail_twilio_transcribes_stops_at_two_minutes() -> None:
    reply = twiml.voicemail([], "https://h/done", "https://h/status", "https://h/text")
    assert record_of(reply).get("maxLength") == "120"
    assert record_of(reply).get("transcribe") == "true"


def test_a_voicemail_transcribed_offline_may_take_three_minutes() -> None:
    reply = twiml.voicemail([], "https://h/done", "https://h/status")
    assert record_of(reply).get("maxLength") == "180"
    assert record_of(reply).get("finishOnKey") == "#"
