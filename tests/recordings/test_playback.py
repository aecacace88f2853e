"""Agents play recordings from the ticket page through signed links that expire; no link
reaches anything but a kept recording. The page is driven in real headless Chromium."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.clock import FixedClock
from core.settings import Settings
from recordings import processing
from recordings.jobs import audio_store
from recordings.links import LINK_SECONDS, link_key, signature, signed_path
from recordings.processing import Runtime
from tests.ivr_app import ADMIN_TOKEN
from tests.recordings.speech import voicemail
from tests.recordings.test_processing import SID, leave_voicemail
from tests.signing_in import sign_in
from tests.tickets.test_agent_page import browser_page, serving
from tests.tickets.test_projection import drain
from tests.twilio_media import MediaMock
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector

NAME = f"{SID}.mp3"


def signed_in(app: Flask) -> FlaskClient:
    """A browser signed in to the pages (recordings play only for agents and admins)."""
    client = app.test_client()
    assert sign_in(client, ADMIN_TOKEN).status_code == 302
    return client


def link(settings: Settings, clock: FixedClock, name: str = NAME) -> str:
    return signed_path(link_key(settings.session_secret), name, clock.now().timestamp())


def test_the_agent_plays_the_voicemail_and_reads_its_transcription(
        app: Flask, media: MediaMock, rt: Runtime, settings: Settings,
        clock: FixedClock) -> None:
    media.audio[SID] = voicemail("please call me back about my bill")
    call = leave_voicemail(app)
    processing.process(rt, call.sid, SID)
    processing.transcribe(rt, call.sid, SID)
    d = app.extensions["hotline"]
    projector = Projector(d.redis, app.extensions[EXTENSION], d.sessions, clock)
    projector.ensure_group()
    drain(projector)
    ticket_id = app.extensions[EXTENSION].ticket_id_for_call(call.sid)
    with serving(app) as base, browser_page() as page:
        page.goto(f"{base}/agent/login?next=/agent/tickets/{ticket_id}")
        page.fill("#token", ADMIN_TOKEN)
        page.click("#sign-in")
        assert page.inner_text(".recording-status") == "processed"
        assert page.inner_text(".recording-duration") == "0:02"
        assert page.inner_text(".transcription").startswith("please call me back about my bill")
        assert "pocketsphinx, grammar, high confidence" in page.inner_text(".transcription")
        duration = page.evaluate("""() => new Promise((done, failed) => {
            const audio = document.querySelector('audio');
            audio.onloadedmetadata = () => done(audio.duration);
            audio.onerror = () => failed(new Error('audio did not load'));
            audio.load();
        })""")
        assert 1.5 < duration < 3.5
        played = page.request.get(base + (page.get_attribute("audio", "src") or ""))
        assert played.status == 200 and played.headers["content-type"] == "audio/mpeg"
        assert played.body() == audio_store(settings).read(NAME)


def test_a_link_plays_until_it_expires(app: Flask, settings: Settings,
                                       clock: FixedClock) -> None:
    audio_store(settings).put(NAME, b"ID3 audio")
    path = link(settings, clock)
    client = signed_in(app)
    assert client.get(path).data == b"ID3 audio"
    clock.set(clock.now() + timedelta(seconds=LINK_SECONDS + 1))
    expired = client.get(path)
    assert expired.status_code == 403 and b"expired" in expired.data


@pytest.mark.parametrize("tamper", ["signature", "other file", "later expiry", "no query"])
def test_a_tampered_link_does_not_play(app: Flask, settings: Settings, clock: FixedClock,
                                       tamper: str) -> None:
    other = "RE" + "6" * 32 + ".mp3"
    store = audio_store(settings)
    store.put(NAME, b"ID3 audio")
    store.put(other, b"ID3 someone else")
    path = link(settings, clock)
    expires = path.split("expires=")[1].split("&")[0]
    tampered = {
        "signature": path[:-4] + "0000",
        "other file": path.replace(NAME, other),
        "later expiry": path.replace(f"expires={expires}", f"expires={int(expires) + 3600}"),
        "no query": path.split("?")[0],
    }[tamper]
    assert signed_in(app).get(tampered).status_code == 403


@pytest.mark.parametrize("name", [
    "../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", f"..%2f{SID}.mp3", "%2e%2e/%2e%2e/secret",
    f"{SID}.mp3/../../../secret", "/etc/passwd", f"{SID}.txt", ".part-x", "RE..mp3",
])
def test_no_link_reaches_outside_the_store(app: Flask, settings: Settings, clock: FixedClock,
                                           name: str) -> None:
    (settings.data_dir / "secret").parent.mkdir(parents=True, exist_ok=True)
    (settings.data_dir / "secret").write_bytes(b"not audio")
    expires = int(clock.now().timestamp()) + 60
    # Even signed with the deployment's own key, such a name is refused before any file is read.
    sig = signature(link_key(settings.session_secret), name, expires)
    answer = signed_in(app).get(f"/recordings/media/{quote(name, safe='/%')}"
                                   f"?expires={expires}&sig={sig}", follow_redirects=True)
    assert answer.status_code == 404 and b"not audio" not in answer.data


def test_a_signed_link_to_a_recording_not_kept_is_not_found(app: Flask, settings: Settings,
                                                            clock: FixedClock) -> None:
    assert signed_in(app).get(link(settings, clock)).status_code == 404


def test_a_valid_link_plays_nothing_to_someone_not_signed_in(
    app: Flask, settings: Settings, clock: FixedClock
) -> None:
    audio_store(settings).put(NAME, b"ID3 audio")
    answer = app.test_client().get(link(settings, clock))
    assert answer.status_code == 302 and answer.location.startswith("/agent/login")
