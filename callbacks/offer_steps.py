"""The offer conversation's steps as the webhooks take them: from the call's session and the
offer's state so far, the next state, the words said and the TwiML (reading the clock,
settings and pending callbacks of the running app). Every sentence is the call's menu
version's phrase in the caller's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from callbacks import jobs, offer
from callbacks.numbers import spoken_number
from callbacks.offer import ask, say_then
from callbacks.policy import Policy, policy_for
from callbacks.promise import Choice, when_words
from callbacks.record import Callback, Mode
from callbacks.runtime import Runtime
from callbacks.slots import next_slots
from core.deps import deps
from core.phrases import Phrases, phrases_for
from core.routes import Routes, url
from core.session import CallSession

Offer = dict[str, Any]
Step = tuple[Offer, list[str], str]
"""A step's outcome: the offer's new state, the words said, the TwiML."""


def ask_mode(state: Offer, session: CallSession, preface: list[str]) -> Step:
    said = phrases_of(session)
    lines = [*preface, said.say("offer_choose")]
    return state, lines, ask(lines, step_url("when", session), said.locale)


def ask_slot(state: Offer, session: CallSession, preface: list[str] | None = None) -> Step:
    now, said = deps().clock.now(), phrases_of(session)
    policy = policy_of(session)
    slots = next_slots(now, policy.zone, policy.hours, policy.settings.slots)
    if not slots:
        return ask_number({**state, "mode": Mode.ASAP.value}, session,
                          [said.say("offer_no_slots")])
    times = [said.time(s, now, policy.zone) for s in slots]
    if policy.line_zone:  # the caller's own zone is unknown: name the one the times are in
        times = [said.say("offer_slot_zone", when=t, zone=policy.line_zone) for t in times]
    lines = [*(preface or []), *offer.slot_lines(times, said)]
    state = {**state, "slots": [s.timestamp() for s in slots], "tz": policy.zone.key}
    return state, lines, ask(lines, step_url("slot", session), said.locale)


def ask_number(state: Offer, session: CallSession, preface: list[str] | None = None) -> Step:
    state = {**state, "tz": state.get("tz") or policy_of(session).zone.key}
    if not session.caller:
        return ask_digits(state, session, preface or [])
    said = phrases_of(session)
    lines = [*(preface or []),
             said.say("number_use_caller_id", number=spoken_number(session.caller))]
    return state, lines, ask(lines, step_url("number", session), said.locale)


def ask_digits(state: Offer, session: CallSession, preface: list[str]) -> Step:
    said = phrases_of(session)
    lines = [*preface, said.say("number_enter")]
    return state, lines, ask(lines, step_url("entered", session), said.locale, digits=20,
                             finish_on_key="#", timeout=10)


def confirm_step(state: Offer, session: CallSession, preface: list[str] | None = None) -> Step:
    said = phrases_of(session)
    lines = [*(preface or []), said.say("number_confirm", when=when_said(state, said),
                                        number=spoken_number(state["phone"]))]
    return state, lines, ask(lines, step_url("confirm", session), said.locale)


def ask_pending(state: Offer, session: CallSession, preface: list[str] | None = None) -> Step:
    found = pending_of(session)
    said = phrases_of(session)
    if not found:
        back = Routes(deps().settings.public_url).menu_after_callbacks()
        return state, [], say_then([], said.locale, back)
    record = found[0]
    choice = Choice(record.mode, record.phone, record.due_at)
    lines = [*(preface or []), said.say(
        "offer_pending", when=when_words(choice, deps().clock.now(), record.timezone, said),
        number=spoken_number(record.phone))]
    return state, lines, ask(lines, step_url("pending-choice", session), said.locale)


def again(state: Offer, session: CallSession,
           asker: Callable[..., Step]) -> Step:
    tries = int(state.get("tries", 0)) + 1
    if tries >= offer.MAX_TRIES:
        return to_queue(state, session)
    return asker({**state, "tries": tries}, session,
                 [phrases_of(session).say("offer_not_understood")])


def to_queue(state: Offer, session: CallSession) -> Step:
    # ?stay=1: the queues side keeps the caller holding without offering a callback again.
    queue_url = Routes(deps().settings.public_url).queue_enter(stay=True, step=session.rev + 1)
    said = phrases_of(session)
    line = said.say("offer_back_to_queue")
    return state, [line], say_then([line], said.locale, queue_url)


def when_said(state: Offer, said: Phrases) -> str:
    choice = Choice(Mode(state.get("mode", Mode.ASAP.value)), str(state.get("phone", "")),
                    float(state.get("due_at") or 0))
    return when_words(choice, deps().clock.now(), str(state.get("tz") or "UTC"), said)


def phrases_of(session: CallSession) -> Phrases:
    """What this caller hears: their menu version's phrases in their language."""
    return phrases_for(deps().redis, session.menu_version, session.language)


def policy_of(session: CallSession) -> Policy:
    settings = runtime().tree_settings(session.menu_version)
    return policy_for(settings, session.timezone, session.region)


def pending_of(session: CallSession) -> list[Callback]:
    if not session.caller:
        return []
    return runtime().store.pending_for_phone(session.caller)


def runtime() -> Runtime:
    return jobs.current()


def step_url(step: str, session: CallSession) -> str:
    """The URL of the offer's own `step`, carrying the step number it will be answered at."""
    return url(deps().settings.public_url, f"/callbacks/{step}", s=session.rev + 1)
