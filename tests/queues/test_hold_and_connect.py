"""Holding and connecting through Twilio's webhooks: a routed caller reaches a free agent with a
whisper, or holds with position, wait and a live callback key; freed agents pull the next
caller out of the hold line; missed agents are set unavailable; hang-ups leave at once."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import redis
from flask import Flask

from callbacks.offer import STAY_KEY
from core import keys
from core.deps import EXTENSION
from queues.queue_store import QueueStore, set_name
from tests.ivr_app import ADMIN_TOKEN
from tests.queues.conftest import put_on_shift
from tests.twilio_requests import PUBLIC_URL, Reply, TwilioCall

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
T0 = 1_700_000_000.0


@pytest.fixture
def client(app: Flask) -> redis.Redis:
    found: redis.Redis = app.extensions[EXTENSION].redis
    return found


def billing_caller(app: Flask, caller: str = "+14155550123", language: str = "1") -> TwilioCall:
    """A caller routed to billing (L1, skill billing) by keys, about to join the line (in
    English; `language` "2" for Spanish)."""
    call = TwilioCall(app.test_client(), caller=caller)
    call.start()
    call.press(language)
    call.press("1")
    call.press("1")
    return call


def path(url: str | None) -> str:
    assert url and url.startswith(PUBLIC_URL), url
    return url[len(PUBLIC_URL):]


def redirects(client: redis.Redis, call_sid: str) -> list[str]:
    return [json.loads(r)["url"] for r in client.lrange(keys.simulated_redirects(call_sid), 0, -1)]


def log_texts(client: redis.Redis, call_sid: str) -> list[str]:
    return [json.loads(e)["text"] for e in client.lrange(keys.call_events(call_sid), 0, -1)]


def test_a_free_agent_is_dialled_at_once_and_hears_why_the_caller_called(
    app: Flask, client: redis.Redis
) -> None:
    put_on_shift(client, "ana", "L1", ["billing"], T0)
    call = TwilioCall(app.test_client())
    call.start()
    call.press("1")
    call.press("1")
    call.say("my invoice is wrong, I was charged twice")
    dial = call.post("/queues/enter", call.form()).xml.find("Dial")
    assert dial is not None and dial.get("timeout") == "20"
    agent = dial.find("Client")
    assert agent is not None and agent.text == "ana"
    whisper = call.post(path(agent.get("url")), call.form(CallSid="CA-agent-leg"))
    [said] = whisper.says()
    assert said.startswith("Normal priority call about billing, dispute. New ticket.")
    assert "In their words: my invoice is wrong, I was charged twice." in said
    assert any(t.startswith("Agent ana answered and heard") for t in
               log_texts(client, call.sid))


def test_with_nobody_on_shift_the_caller_hears_so_honestly_and_is_offered_a_callback(
    app: Flask,
) -> None:
    call = billing_caller(app)
    offered = call.post("/queues/enter", call.form())
    assert offered.action().startswith("/callbacks/offer?from=no-agents&s=")
    offer = call.post("/callbacks/offer?from=no-agents", call.form())
    assert offer.says()[0] == "No one can take your call right now. We can call you back."
    stayed = call.post("/queues/enter?stay=1", call.form())
    assert stayed.xml.find("Enqueue") is not None
    assert stayed.says() == ["No one can take your call right now. Please stay on the line to "
                             "keep your place."]
    [hold] = call_wait(call).says()
    assert hold == ("No one can take your call right now. To be called back instead, without "
                    "losing your place in line, press 1.")
    assert "shortly" not in hold and "helping other callers" not in " ".join(stayed.says())


def test_when_the_last_agent_signs_off_holding_callers_hear_so_not_a_wait_from_history(
    app: Flask, client: redis.Redis
) -> None:
    first, second = _hold(app, client, 2)
    now = app.extensions[EXTENSION].clock.now().timestamp()
    served = keys.queue_waiting_prefix() + set_name("billing", "L1", ["billing"]) + ":served"
    client.lpush(served, *[now - 60 * n for n in range(1, 11)])  # a busy line's history
    QueueStore(client).release("ana", "cb:busy", T0 + 60)
    QueueStore(client).set_status("ana", "offline", T0 + 60)
    assert call_wait(second).says() == [
        "You are number 2 in line. No one can take your call right now. To be called back "
        "instead, without losing your place in line, press 1."]
    assert "shortly" not in call_wait(first).says()[0]


def test_an_agent_on_shift_makes_the_next_caller_hear_one_is_coming(
    app: Flask, client: redis.Redis
) -> None:
    put_on_shift(client, "ana", "L1", ["billing"], T0)
    QueueStore(client).claim_agent("cb:busy", "L1", ["billing"])  # on shift, busy
    call = billing_caller(app)
    joined = call.post("/queues/enter?stay=1", call.form())
    assert joined.says() == ["All of our agents are helping other callers. Please stay on the "
                             "line."]
    [hold] = call_wait(call).says()
    assert hold.startswith("An agent will be with you shortly. To be called back instead")


def _hold(app: Flask, client: redis.Redis, callers: int, language: str = "1"
          ) -> list[TwilioCall]:
    """`callers` billing callers on hold behind one busy agent (`language` "2": Spanish)."""
    put_on_shift(client, "ana", "L1", ["billing"], T0)
    QueueStore(client).claim_agent("cb:busy", "L1", ["billing"])
    clock = app.extensions[EXTENSION].clock
    calls = []
    for n in range(callers):
        clock.set(clock.now() + timedelta(seconds=5))  # one after the other
        call = billing_caller(app, f"+1415555{n:04d}", language)
        joined = call.post("/queues/enter?stay=1", call.form())  # a long wait: stays anyway
        assert joined.xml.find("Enqueue") is not None
        calls.append(call)
    return calls


def test_holding_callers_hear_their_position_and_wait_but_the_next_one_does_not(
    app: Flask, client: redis.Redis
) -> None:
    first, second, third = _hold(app, client, 3)
    heard = call_wait(third)
    # 3 x 240 s default handle time, and the middle 85% of the time three departures take.
    assert heard.says()[0].startswith("You are number 3 in line. The expected wait is about 3"
                                      " to 23 minutes.")
    assert "press 1" in heard.says()[0]
    gather = heard.xml.find("Gather")
    assert gather is not None and gather.get("timeout") == "30"
    [next_one] = call_wait(first).says()
    assert "number" not in next_one and "wait" not in next_one
    assert "Hold: You are number 3" not in log_texts(client, third.sid)
    assert any(t.startswith("You are number 3") for t in log_texts(client, third.sid))


def spanish(reply: Reply) -> list[str]:
    """What the caller heard, every line of it in a Spanish voice."""
    assert {say.get("language") for say in reply.xml.iter("Say")} == {"es-US"}
    return reply.says()


def test_spanish_callers_hear_joining_position_wait_and_the_callback_key_in_spanish(
    app: Flask, client: redis.Redis
) -> None:
    first, second, third = _hold(app, client, 3, language="2")
    assert spanish(call_wait(third)) == [
        "Usted es el número 3 en la fila. Calculamos que esperará de 3 a 23 minutos. Para que "
        "le llamemos sin perder su lugar en la fila, oprima 1."]
    assert spanish(call_wait(first)) == [
        "Un agente le atenderá en breve. Para que le llamemos sin perder su lugar en la fila, "
        "oprima 1."]
    assert spanish(second.post("/queues/hold-key", second.form(Digits="7")))[0].startswith(
        "Esa tecla no hace nada mientras espera.")
    fourth = billing_caller(app, "+14155559999", "2")
    assert spanish(fourth.post("/queues/enter?stay=1", fourth.form())) == [
        "Todos nuestros agentes están atendiendo a otros clientes. Por favor, no cuelgue."]


def _ana_finishes(app: Flask, client: redis.Redis) -> None:
    """The agent the holding callers wait for ends her call and says she is available."""
    QueueStore(client).release("ana", "cb:busy", T0)
    app.test_client().post("/api/v1/agents/ana/status", headers=AUTH,
                           json={"status": "available"})


def call_wait(call: TwilioCall) -> Reply:
    return call.post("/queues/wait", call.form(QueuePosition="1", QueueTime="10"))



def test_each_hold_announcement_is_logged_once_however_often_twilio_replays_it(
    app: Flask, client: redis.Redis
) -> None:
    first, _ = _hold(app, client, 2)
    for waited in ["10", "10", "40"]:  # the second is a replay (with a fresh token)
        first.post("/queues/wait", first.form(QueuePosition="1", QueueTime=waited))
    holds = [json.loads(e) for e in client.lrange(keys.call_events(first.sid), 0, -1)]
    assert [e.get("node") for e in holds].count("hold") == 2


def test_pressing_1_on_hold_leaves_the_line_for_the_callback_offer(
    app: Flask, client: redis.Redis
) -> None:
    first, second = _hold(app, client, 2)
    wrong = second.post("/queues/hold-key", second.form(Digits="7"))
    assert wrong.says()[0].startswith("That key does nothing")
    assert QueueStore(client).position(second.sid) == 2
    leave = second.post("/queues/hold-key", second.form(Digits="1"))
    assert leave.xml.find("Leave") is not None
    after = second.post("/queues/left", second.form(QueueResult="leave", QueueTime="40"))
    assert after.action().startswith("/callbacks/offer?from=hold&s=")
    assert QueueStore(client).position(second.sid) is None



def test_a_caller_who_stays_on_hold_after_one_offer_may_ask_for_a_callback_again(
    app: Flask, client: redis.Redis
) -> None:
    _, second = _hold(app, client, 2)
    for waited in ["40", "90"]:
        key_url = call_wait(second).action()
        assert second.post(key_url, second.form(Digits="1")).xml.find("Leave") is not None
        left = second.post("/queues/left", second.form(QueueResult="leave", QueueTime=waited))
        offer = second.post(left.action(), second.form())
        stay = second.post(offer.action(), second.form(Digits=STAY_KEY))
        assert second.post(stay.action(), second.form()).xml.find("Enqueue") is not None
    asked = [t for t in log_texts(client, second.sid) if t.startswith("Pressed 1 on hold")]
    assert len(asked) == 2


def test_a_caller_who_hangs_up_on_hold_leaves_the_line_at_once_and_it_is_logged(
    app: Flask, client: redis.Redis
) -> None:
    first, second = _hold(app, client, 2)
    second.post("/queues/left", second.form(QueueResult="hangup", QueueTime="75"))
    assert QueueStore(client).position(second.sid) is None
    assert "Caller hung up while waiting after 75 s" in log_texts(client, second.sid)


def test_a_freed_agent_pulls_the_best_caller_out_of_the_hold_line(
    app: Flask, client: redis.Redis
) -> None:
    first, second = _hold(app, client, 2)
    web = app.test_client()
    QueueStore(client).release("ana", "cb:busy", T0 + 60)
    QueueStore(client).set_status("ana", "offline", T0 + 60)
    made = web.post("/api/v1/agents/ana/status", headers=AUTH, json={"status": "available"})
    assert made.status_code == 200 and made.get_json()["status"] == "busy"
    assert redirects(client, first.sid) == [f"{PUBLIC_URL}/queues/connect?agent=ana"]
    assert redirects(client, second.sid) == []
    dial = first.post("/queues/connect?agent=ana", first.form()).xml.find("Dial")
    assert dial is not None
    # The wait URL, if Twilio asks it before the redirect lands, lets the caller out too.
    assert call_wait(first).xml.find("Leave") is not None
    # An agent who talked and has no wrap-up time takes the next caller straight away.
    client.hset(keys.agent("ana"), "wrap_up", 0)
    ended = first.post(path(dial.get("action")),
                       first.form(DialCallStatus="completed", DialCallDuration="180"))
    assert ended.action() == "/voice/after-queue?result=bridged"
    assert redirects(client, second.sid) == [f"{PUBLIC_URL}/queues/connect?agent=ana"]


def test_an_agent_who_does_not_answer_is_set_unavailable_and_the_next_is_tried(
    app: Flask, client: redis.Redis
) -> None:
    put_on_shift(client, "ana", "L1", ["billing"], T0 - 100)
    put_on_shift(client, "bo", "L1", ["billing"], T0)
    call = billing_caller(app)
    dial = call.post("/queues/enter", call.form()).xml.find("Dial")
    assert dial is not None and dial.findtext("Client") == "ana"
    missed = call.post(path(dial.get("action")), call.form(DialCallStatus="no-answer"))
    assert missed.action().startswith("/queues/enter?stay=1&s=")
    agent = app.test_client().get("/api/v1/agents/ana", headers=AUTH).get_json()
    assert (agent["status"], agent["reason"]) == ("offline", "missed call (no-answer)")
    again = call.post("/queues/enter?stay=1", call.form()).xml.find("Dial")
    assert again is not None and again.findtext("Client") == "bo"



def test_a_caller_missed_by_two_agents_in_turn_rejoins_the_line_each_time(
    app: Flask, client: redis.Redis
) -> None:
    put_on_shift(client, "ana", "L1", ["billing"], T0 - 200)
    put_on_shift(client, "bo", "L1", ["billing"], T0 - 100)
    put_on_shift(client, "cy", "L1", ["billing"], T0)
    call = billing_caller(app)
    dial = call.post("/queues/enter", call.form()).xml.find("Dial")
    for missed_agent, next_agent in [("ana", "bo"), ("bo", "cy")]:
        assert dial is not None and dial.findtext("Client") == missed_agent
        missed = call.post(path(dial.get("action")), call.form(DialCallStatus="no-answer"))
        # Twilio posts the same form to the same redirect each time: only the step number in
        # the URL tells the second return to the line from a replay of the first.
        dial = call.post(missed.action(), call.form()).xml.find("Dial")
        assert dial is not None and dial.findtext("Client") == next_agent


def test_agents_api_registers_checks_fields_and_refuses_a_status_change_mid_call(
    app: Flask, client: redis.Redis
) -> None:
    web = app.test_client()
    body = {"name": "Ana Diaz", "reach": "+1 415 555 0100", "tier": "L2",
            "skills": ["billing", "refunds"], "wrap_up_seconds": 45}
    created = web.put("/api/v1/agents/ana", headers=AUTH, json=body)
    assert created.status_code == 201
    assert created.get_json()["reach"] == "+14155550100"
    assert created.get_json()["status"] == "offline"
    assert web.put("/api/v1/agents/ana", headers=AUTH, json=body).status_code == 200
    for bad, field in (({**body, "tier": "L9"}, "tier"), ({**body, "reach": "12"}, "reach"),
                       ({**body, "skills": "billing"}, "skills"), ({"tier": "L1"}, "name"),
                       ({**body, "wrap_up_seconds": -1}, "wrap_up_seconds")):
        refused = web.put("/api/v1/agents/ana", headers=AUTH, json=bad)
        assert refused.status_code == 400 and refused.get_json()["error"]["field"] == field
    status = web.post("/api/v1/agents/ana/status", headers=AUTH, json={"status": "lunch"})
    assert status.get_json()["error"]["field"] == "status"
    assert web.post("/api/v1/agents/zed/status", headers=AUTH,
                    json={"status": "available"}).status_code == 404
    assert QueueStore(client).claim_agent("cb:1", "L1", []) is None  # ana is offline
    web.post("/api/v1/agents/ana/status", headers=AUTH, json={"status": "available"})
    assert QueueStore(client).claim_agent("cb:1", "L1", []) == "ana"
    busy = web.post("/api/v1/agents/ana/status", headers=AUTH, json={"status": "offline"})
    assert busy.status_code == 409 and busy.get_json()["error"]["field"] == "status"
    listed = web.get("/api/v1/agents", headers=AUTH).get_json()["agents"]
    assert [(a["id"], a["status"], a["call"]) for a in listed] == [("ana", "busy", "cb:1")]
    assert web.get("/api/v1/agents").status_code == 401


def test_escalation_moves_the_call_to_tier_2_and_the_next_agent_hears_why(
    app: Flask, client: redis.Redis
) -> None:
    put_on_shift(client, "ana", "L1", ["billing"], T0)
    call = billing_caller(app)
    assert call.post("/queues/enter", call.form()).xml.find("Dial") is not None
    web = app.test_client()
    refused = web.post(f"/api/v1/calls/{call.sid}/escalate", headers=AUTH, json={"tier": "L7"})
    assert refused.get_json()["error"]["field"] == "tier"
    moved = web.post(f"/api/v1/calls/{call.sid}/escalate", headers=AUTH,
                     json={"tier": "L2", "note": "refund above my limit"})
    assert moved.status_code == 200
    [escalated] = redirects(client, call.sid)
    assert escalated.startswith(f"{PUBLIC_URL}/queues/enter?stay=1&s=")
    ana = web.get("/api/v1/agents/ana", headers=AUTH).get_json()
    assert ana["status"] == "wrap-up"
    put_on_shift(client, "lee", "L2", ["billing"], T0 + 60)
    dial = call.post("/queues/enter?stay=1", call.form()).xml.find("Dial")
    assert dial is not None and dial.findtext("Client") == "lee"
    whisper = call.post(path(dial.find("Client").get("url")),  # type: ignore[union-attr]
                        call.form(CallSid="CA-lee-leg"))
    assert "Escalated from L1 agent ana: refund above my limit." in whisper.says()[0]
    assert web.post(f"/api/v1/calls/{call.sid}/escalate", headers=AUTH,
                    json={"tier": "L2"}).status_code == 400  # already there


def test_the_wait_estimate_is_checked_against_the_actual_wait_of_every_caller(
    app: Flask, client: redis.Redis
) -> None:
    from core.clock import FixedClock

    [first] = _hold(app, client, 1)
    clock: FixedClock = app.extensions[EXTENSION].clock
    web = app.test_client()
    QueueStore(client).release("ana", "cb:busy", T0)
    clock.set(clock.now() + timedelta(seconds=90))
    web.post("/api/v1/agents/ana/status", headers=AUTH, json={"status": "available"})
    first.post("/queues/connect?agent=ana", first.form())
    stats = web.get("/api/v1/queues/stats", headers=AUTH).get_json()
    assert stats["wait_estimate"]["callers"] == 1
    assert stats["wait_estimate"]["mean_actual_wait"] == 90
    assert stats["wait_estimate"]["mean_absolute_error"] == 150  # estimated 240 s
    assert stats["agents"]["busy"] == 1


def test_pulled_out_by_the_redirect_the_caller_is_connected_once_whichever_url_twilio_uses(
    app: Flask, client: redis.Redis
) -> None:
    first, second = _hold(app, client, 2)
    _ana_finishes(app, client)
    via_action = first.post("/queues/left", first.form(QueueResult="redirected"))
    via_redirect = first.post("/queues/connect?agent=ana", first.form())
    assert via_action.body == via_redirect.body and "<Dial" in via_action.body
    assert sum(t.startswith("Ringing agent") for t in log_texts(client, first.sid)) == 1


def test_a_caller_who_hangs_up_just_as_an_agent_is_given_them_frees_that_agent(
    app: Flask, client: redis.Redis
) -> None:
    first, second = _hold(app, client, 2)
    _ana_finishes(app, client)
    first.post("/queues/left", first.form(QueueResult="hangup", QueueTime="31"))
    # ana is free again and goes straight on to the next caller.
    assert redirects(client, second.sid) == [f"{PUBLIC_URL}/queues/connect?agent=ana"]


def test_a_caller_twilio_cannot_hold_is_offered_a_callback_not_put_back_in_a_loop(
    app: Flask, client: redis.Redis
) -> None:
    first, second = _hold(app, client, 2)
    full = second.post("/queues/left", second.form(QueueResult="queue-full"))
    assert full.action().startswith("/callbacks/offer?from=long-wait&s=")
    assert QueueStore(client).position(second.sid) is None
    assert "Twilio's queue failed (queue-full); offering a callback" in log_texts(client,
                                                                                    second.sid)
