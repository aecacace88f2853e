"""What the customer hears when the callback is answered: a person is connected (to the
reserved agent, or into the line for a customer-first queue), a machine gets a short
voicemail, and a stale or unknown attempt is ended politely."""

from __future__ import annotations

from urllib.parse import parse_qs

import redis

from callbacks.dialer import _start_attempt
from callbacks.jobs import runtime
from callbacks.record import State
from callbacks.transcript import callback_event
from core import keys
from core.deps import Dependencies
from core.redis_values import text
from core.settings import CallbackSettings
from tests.callbacks.support import NOW, wanted
from tests.ivr_app import make_app
from tests.twilio_requests import TwilioCall


def started_attempt(redis_url: str, agent: str, language: str = "en",
                    **settings: object) -> tuple[TwilioCall, str, Dependencies]:
    """A callback promised on the app's menu (about the internet being down, in `language`)
    whose call to the customer has started."""
    app = make_app(redis_url, callbacks=CallbackSettings(**settings))  # type: ignore[arg-type]
    deps: Dependencies = app.extensions["hotline"]
    rt = runtime(deps.settings, deps.redis, deps.clock)
    record = wanted(issue="technical/internet", language=language,
                    menu_version=text(deps.redis.get(keys.active_menu()) or b""))
    rt.store.request(record, callback_event(NOW, record, "Callback promised"))
    started = rt.change("cb1", lambda r: _start_attempt(r, agent, NOW.timestamp() + 90))
    assert started is not None
    return TwilioCall(app.test_client(), caller=record.phone), started.attempt, deps


def test_a_customer_first_callback_answered_by_a_person_joins_the_line(
    redis_url: str,
) -> None:
    phone, attempt, _ = started_attempt(redis_url, "", customer_first_queues=("billing",))
    reply = phone.post(f"/callbacks/answer?attempt={attempt}", phone.form(AnsweredBy="human"))
    assert reply.action() == "/queues/enter?stay=1"


def test_a_machine_hears_a_short_voicemail_and_the_callback_waits_to_retry(
    redis_url: str, redis_client: redis.Redis,
) -> None:
    phone, attempt, deps = started_attempt(redis_url, "")
    reply = phone.post(f"/callbacks/answer?attempt={attempt}",
                       phone.form(AnsweredBy="machine_end_beep"))
    assert reply.says() == ["Hello, this is the callback you asked for. We will try again "
                            "later. Goodbye."]
    assert reply.xml.find("Hangup") is not None
    record = runtime(deps.settings, deps.redis, deps.clock).store.get("cb1")
    assert record is not None and record.state is State.RETRY_WAIT


def test_an_unknown_attempt_is_ended_politely(redis_url: str) -> None:
    phone, _, _ = started_attempt(redis_url, "")
    reply = phone.post("/callbacks/answer?attempt=nope-1", phone.form(AnsweredBy="human"))
    assert reply.status == 200 and reply.xml.find("Hangup") is not None
    assert reply.says() == ["Sorry, this call is no longer needed. Goodbye."]


def test_a_person_hears_the_issue_by_its_name_in_their_language_never_its_id(
    redis_url: str,
) -> None:
    for language, greeting in [
        ("en", "Hello, this is the callback you asked for about Internet down. Connecting you "
               "now."),
        ("es", "Hola, le devolvemos la llamada que pidió sobre Sin internet. Le comunicamos "
               "ahora."),
    ]:
        phone, attempt, deps = started_attempt(redis_url, "ana", language)
        reply = phone.post(f"/callbacks/answer?attempt={attempt}", phone.form(AnsweredBy="human"))
        assert reply.says() == [greeting]
        assert {say.get("language") for say in reply.xml.iter("Say")} == {f"{language}-US"}
        deps.redis.flushdb()


def test_an_agent_id_with_an_ampersand_and_spaces_reaches_the_connect_step_intact(
    redis_url: str,
) -> None:
    phone, attempt, _ = started_attempt(redis_url, "ana & bo=1")
    reply = phone.post(f"/callbacks/answer?attempt={attempt}", phone.form(AnsweredBy="human"))
    path, _, query = reply.action().partition("?")
    assert path == "/queues/connect"
    assert parse_qs(query) == {"agent": ["ana & bo=1"]}
