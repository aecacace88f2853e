"""Test support: whole caller journeys through the app's own webhooks (menu, hold, callback,
agent), with the callback dialled by the worker's code on the simulated phone network."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from callbacks import dialer, jobs
from callbacks.record import Callback
from callbacks.store import CallbackStore
from core.deps import Dependencies
from core.telephony import SimulatedTelephony
from tests.twilio_requests import PUBLIC_URL, Reply, TwilioCall


@dataclass(frozen=True)
class Answered:
    """An agent's leg of a bridged call: who was dialled, what they heard, and the Dial's
    action path (posted when the conversation ends)."""

    agent: str
    whisper: str
    locale: str
    dialed: str


def menu_call(app: Flask, caller: str, *answers: str, hang_up: bool = True) -> TwilioCall:
    """A call through the menu: each answer is keys pressed (digits) or words said."""
    call = TwilioCall(app.test_client(), caller=caller)
    call.start_menu()
    for given in answers:
        if given.isdigit():
            call.press(given)
        else:
            call.say(given)
    if hang_up:
        call.hang_up()
    return call


def ask_for_callback(app: Flask, caller: str, words: str) -> TwilioCall:
    """Choose English by saying so, tell the problem, take the technical menu's callback
    (as soon as possible, on the caller ID, confirmed) and hang up."""
    call = TwilioCall(app.test_client(), caller=caller)
    call.start_menu()
    call.say("english")
    call.say(words)  # names the technical menu
    call.next_path = call.press("3").action()  # "call me back"
    call.next_path = call.post(call.next_path, call.form()).action()
    call.press("1")
    call.press("1")
    call.press("1")
    call.hang_up()
    return call


def answer(call: TwilioCall, reply: Reply) -> Answered:
    """The agent the Dial in `reply` rings answers: their whisper is fetched on their leg."""
    dial = reply.xml.find("Dial")
    assert dial is not None, reply.body
    target = dial.find("Client")
    assert target is not None and target.text, reply.body
    heard = call.post(target.get("url", "")[len(PUBLIC_URL):], call.form(CallSid="CA-agent-leg"))
    say = heard.xml.find("Say")
    assert say is not None
    return Answered(target.text.strip(), say.text or "", say.get("language", ""),
                    dial.get("action", "")[len(PUBLIC_URL):])


def dial_callback(app: Flask, phone: str) -> tuple[Callback, TwilioCall, Reply]:
    """The worker dials the caller's pending callback and the caller answers: the callback,
    the customer's new call, and the queues' answer that bridges it to the reserved agent."""
    deps: Dependencies = app.extensions["hotline"]
    [callback] = [c for c in CallbackStore(deps.redis).for_phone(phone)
                  if c.state.value == "scheduled"]
    rt = jobs.runtime(deps.settings, deps.redis, deps.clock, SimulatedTelephony(deps.redis))
    outcome = dialer.due(rt, callback.id)
    assert outcome.startswith("placed"), outcome
    dialling = rt.store.get(callback.id)
    assert dialling is not None
    customer = TwilioCall(app.test_client(), caller=phone)
    status = f"/callbacks/status?attempt={dialling.attempt}"
    customer.post(status, customer.form(CallStatus="ringing"))
    answered = customer.post(f"/callbacks/answer?attempt={dialling.attempt}",
                             customer.form(AnsweredBy="human"))
    bridged = customer.post(answered.action(), customer.form())
    return dialling, customer, bridged


def end_callback(customer: TwilioCall, callback: Callback, agent: Answered,
                 talked: str = "120") -> None:
    """The agent and the caller talk, then hang up."""
    customer.post(agent.dialed, customer.form(DialCallStatus="completed",
                                              DialCallDuration=talked))
    customer.post(f"/callbacks/status?attempt={callback.attempt}",
                  customer.form(CallStatus="completed", CallDuration=talked))
