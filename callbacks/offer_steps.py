"""The offer conversation's steps as the webhooks take them: from the call's session and the
offer's state so far, the next state, the words said and the TwiML (reading the clock,
settings and pending callbacks of the running app)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from callbacks import jobs, offer
from callbacks.numbers import spoken_number
from callbacks.offer import WORDS, ask, say_then
from callbacks.policy import Policy, policy_for
from callbacks.promise import Choice, when_words
from callbacks.record import Callback, Mode
from callbacks.runtime import Runtime
from callbacks.slots import next_slots, speak
from core.deps import deps
from core.session import CallSession

Offer = dict[str, Any]
Step = tuple[Offer, list[str], str]
"""A step's outcome: the offer's new state, the words said, the TwiML."""


def ask_mode(state: Offer, session: CallSession, preface: list[str]) -> Step:
    lines = [*preface, WORDS.choose]
    return state, lines, ask(lines, step_url("when", session), session.language)


def ask_slot(state: Offer, session: CallSession, preface: list[str] | None = None) -> Step:
    d = deps()
    policy = policy_of(session)
    slots = next_slots(d.clock.now(), policy.zone, policy.hours, policy.settings.slots)
    if not slots:
        return ask_number({**state, "mode": Mode.ASAP.value}, session, [WORDS.no_slots])
    said = [speak(s, d.clock.now(), policy.zone) for s in slots]
    said = [f"{s}, {policy.line_zone} time" for s in said] if policy.line_zone else said
    lines = [*(preface or []), *offer.slot_lines(said)]
    state = {**state, "slots": [s.timestamp() for s in slots], "tz": policy.zone.key}
    return state, lines, ask(lines, step_url("slot", session), session.language)


def ask_number(state: Offer, session: CallSession, preface: list[str] | None = None) -> Step:
    state = {**state, "tz": state.get("tz") or policy_of(session).zone.key}
    if not session.caller:
        return ask_digits(state, session, preface or [])
    lines = [*(preface or []),
             WORDS.use_caller_id.format(number=spoken_number(session.caller))]
    return state, lines, ask(lines, step_url("number", session), session.language)


def ask_digits(state: Offer, session: CallSession, preface: list[str]) -> Step:
    lines = [*preface, WORDS.enter_number]
    return state, lines, ask(lines, step_url("entered", session), session.language, digits=20,
                             finish_on_key="#", timeout=10)


def confirm_step(state: Offer, session: CallSession, preface: list[str] | None = None) -> Step:
    lines = [*(preface or []), WORDS.confirm.format(when=when_said(state),
                                                    number=spoken_number(state["phone"]))]
    return state, lines, ask(lines, step_url("confirm", session), session.language)


def ask_pending(state: Offer, session: CallSession, preface: list[str] | None = None) -> Step:
    found = pending_of(session)
    if not found:
        back = f"{deps().settings.public_url}/voice/incoming?callbacks=asked"
        return state, [], say_then([], session.language, back)
    record = found[0]
    choice = Choice(record.mode, record.phone, record.due_at)
    lines = [*(preface or []), WORDS.pending.format(
        when=when_words(choice, deps().clock.now(), record.timezone),
        number=spoken_number(record.phone))]
    return state, lines, ask(lines, step_url("pending-choice", session), session.language)


def again(state: Offer, session: CallSession,
           asker: Callable[..., Step]) -> Step:
    tries = int(state.get("tries", 0)) + 1
    if tries >= offer.MAX_TRIES:
        return to_queue(state, session)
    return asker({**state, "tries": tries}, session, [WORDS.not_understood])


def to_queue(state: Offer, session: CallSession) -> Step:
    # ?stay=1: the queues side keeps the caller holding without offering a callback again.
    queue_url = f"{deps().settings.public_url}/queues/enter?stay=1"
    return state, [WORDS.back_to_queue], say_then([WORDS.back_to_queue], session.language,
                                                  queue_url)


def when_said(state: Offer) -> str:
    choice = Choice(Mode(state.get("mode", Mode.ASAP.value)), str(state.get("phone", "")),
                    float(state.get("due_at") or 0))
    return when_words(choice, deps().clock.now(), str(state.get("tz") or "UTC"))


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
    return f"{deps().settings.public_url}/callbacks/{step}?s={session.rev + 1}"
