"""The offer conversation as a transition table: (step, key) -> the offer's next state, the
words said and the TwiML. Pure: the webhook gathers the caller's phrases, the callback policy,
the clock's now, the public base URL and any pending callbacks into `Facts` and calls `take`.
Every sentence is the call's menu version's phrase in the caller's language."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from callbacks import offer
from callbacks.numbers import Refused, check_number, spoken_number
from callbacks.offer import ask, say_then
from callbacks.policy import Policy
from callbacks.promise import Choice, when_words
from callbacks.record import Callback, Mode
from callbacks.slots import next_dial_time, next_slots
from core.phrases import Phrases
from core.routes import Routes, url

Offer = dict[str, Any]
Step = tuple[Offer, list[str], str]
"""A step's outcome: the offer's new state, the words said, the TwiML."""

ANY = "*"
"""The table's key for any key (or silence) a step does not list."""


@dataclass(frozen=True)
class Facts:
    """What a step reads: the caller's phrases, the callback policy, the clock's now, the public
    base URL, the session's revision, the caller ID, the region national numbers are read in,
    and the caller's pending callbacks (gathered only for the pending steps)."""

    words: Phrases
    policy: Policy
    now: datetime
    base_url: str
    rev: int
    caller: str = ""
    region: str = ""
    pending: Sequence[Callback] = ()

    def step_url(self, step: str) -> str:
        """The URL of the offer's own `step`, carrying the step number it is answered at."""
        return url(self.base_url, f"/callbacks/{step}", s=self.rev + 1)

    @property
    def routes(self) -> Routes:
        return Routes(self.base_url)


Transition = Callable[[Offer, str, Facts], Step]
"""A table entry: (offer state, key, facts) -> the step's outcome."""


def take(step: str, key: str, state: Offer, facts: Facts) -> Step:
    """The outcome of `key` (empty: silence) pressed at offer step `step` in `state`."""
    move = TABLE.get((step, key)) or TABLE[(step, ANY)]
    return move(state, key, facts)


def ask_mode(state: Offer, facts: Facts, preface: Sequence[str] = ()) -> Step:
    lines = [*preface, facts.words.say("offer_choose")]
    return state, lines, ask(lines, facts.step_url("when"), facts.words.locale)


def ask_slot(state: Offer, facts: Facts, preface: Sequence[str] = ()) -> Step:
    said, policy = facts.words, facts.policy
    slots = next_slots(facts.now, policy.zone, policy.hours, policy.settings.slots)
    if not slots:
        return ask_number({**state, "mode": Mode.ASAP.value}, facts,
                          [said.say("offer_no_slots")])
    times = [said.time(s, facts.now, policy.zone) for s in slots]
    if policy.line_zone:  # the caller's own zone is unknown: name the one the times are in
        times = [said.say("offer_slot_zone", when=t, zone=policy.line_zone) for t in times]
    lines = [*preface, *offer.slot_lines(times, said)]
    state = {**state, "slots": [s.timestamp() for s in slots], "tz": policy.zone.key}
    return state, lines, ask(lines, facts.step_url("slot"), said.locale)


def ask_number(state: Offer, facts: Facts, preface: Sequence[str] = ()) -> Step:
    state = {**state, "tz": state.get("tz") or facts.policy.zone.key}
    if not facts.caller:
        return ask_digits(state, facts, preface)
    lines = [*preface, facts.words.say("number_use_caller_id",
                                       number=spoken_number(facts.caller))]
    return state, lines, ask(lines, facts.step_url("number"), facts.words.locale)


def ask_digits(state: Offer, facts: Facts, preface: Sequence[str] = ()) -> Step:
    lines = [*preface, facts.words.say("number_enter")]
    return state, lines, ask(lines, facts.step_url("entered"), facts.words.locale, digits=20,
                             finish_on_key="#", timeout=10)


def confirm_step(state: Offer, facts: Facts, preface: Sequence[str] = ()) -> Step:
    said = facts.words
    lines = [*preface, said.say("number_confirm", when=when_said(state, facts),
                                number=spoken_number(state["phone"]))]
    return state, lines, ask(lines, facts.step_url("confirm"), said.locale)


def ask_pending(state: Offer, facts: Facts, preface: Sequence[str] = ()) -> Step:
    said = facts.words
    if not facts.pending:
        return state, [], say_then([], said.locale, facts.routes.menu_after_callbacks())
    record = facts.pending[0]
    choice = Choice(record.mode, record.phone, record.due_at)
    lines = [*preface, said.say(
        "offer_pending", when=when_words(choice, facts.now, record.timezone, said,
                                         dial_from=_dial_from(facts)),
        number=spoken_number(record.phone))]
    return state, lines, ask(lines, facts.step_url("pending-choice"), said.locale)


def again(asker: Callable[[Offer, Facts, Sequence[str]], Step]) -> Transition:
    """A wrong key or silence: `asker` asks again, until the third try sends the caller back
    to the queue."""
    def move(state: Offer, key: str, facts: Facts) -> Step:
        tries = int(state.get("tries", 0)) + 1
        if tries >= offer.MAX_TRIES:
            return to_queue(state, key, facts)
        return asker({**state, "tries": tries}, facts, [facts.words.say("offer_not_understood")])

    return move


def to_queue(state: Offer, key: str, facts: Facts) -> Step:
    # ?stay=1: the queues side keeps the caller holding without offering a callback again.
    queue_url = facts.routes.queue_enter(stay=True, step=facts.rev + 1)
    line = facts.words.say("offer_back_to_queue")
    return state, [line], say_then([line], facts.words.locale, queue_url)


def when_said(state: Offer, facts: Facts) -> str:
    choice = Choice(Mode(state.get("mode", Mode.ASAP.value)), str(state.get("phone", "")),
                    float(state.get("due_at") or 0))
    return when_words(choice, facts.now, str(state.get("tz") or "UTC"), facts.words,
                      dial_from=_dial_from(facts))


def _dial_from(facts: Facts) -> datetime:
    """The first time the caller may be dialled (now, inside their dialling hours)."""
    return next_dial_time(facts.now, facts.policy.zone, facts.policy.hours)


def _begin(state: Offer, key: str, facts: Facts) -> Step:
    origin = str(state.get("origin", "menu"))
    return ask_mode({"origin": origin, "tries": 0}, facts, [offer.intro(origin, facts.words)])


def _slot(state: Offer, key: str, facts: Facts) -> Step:
    slots = state.get("slots") or []
    index = offer.chosen_slot(key, len(slots))
    if index is None:
        return again(ask_slot)(state, key, facts)
    return ask_number({**state, "mode": Mode.SLOT.value, "due_at": slots[index], "tries": 0},
                      facts)


def _caller_id(state: Offer, key: str, facts: Facts) -> Step:
    if not facts.caller:
        return again(ask_number)(state, key, facts)
    return confirm_step({**state, "phone": facts.caller, "tries": 0}, facts)


def _entered(state: Offer, key: str, facts: Facts) -> Step:
    checked = check_number(key, facts.region) if key else None
    if isinstance(checked, str):
        return confirm_step({**state, "phone": checked, "tries": 0}, facts)
    reason = facts.words.say(checked.phrase if isinstance(checked, Refused)
                             else "offer_not_understood")
    tries = int(state.get("tries", 0)) + 1
    if tries >= offer.MAX_TRIES:
        return to_queue(state, key, facts)
    return ask_digits({**state, "tries": tries}, facts, [reason])


def _confirmed(state: Offer, key: str, facts: Facts) -> Step:
    if not (state.get("phone") and state.get("mode")):
        return again(confirm_step)(state, key, facts)
    said = facts.words.say("promised", when=when_said(state, facts))
    return {**state, "done": True}, [said], say_then([said], facts.words.locale)


def _back_to_menu(phrase: str) -> Transition:
    def move(state: Offer, key: str, facts: Facts) -> Step:
        line = facts.words.say(phrase)
        return state, [line], say_then([line], facts.words.locale,
                                       facts.routes.menu_after_callbacks())

    return move


TABLE: dict[tuple[str, str], Transition] = {
    ("offer", ANY): _begin,
    ("when", "1"): lambda s, k, f: ask_number({**s, "mode": Mode.ASAP.value, "tries": 0}, f),
    ("when", "2"): lambda s, k, f: ask_slot({**s, "tries": 0}, f),
    ("when", offer.STAY_KEY): to_queue,
    ("when", ANY): again(ask_mode),
    ("slot", ANY): _slot,
    ("number", "1"): _caller_id,
    ("number", "2"): lambda s, k, f: ask_digits({**s, "tries": 0}, f),
    ("number", ANY): again(ask_number),
    ("entered", ANY): _entered,
    ("confirm", "1"): _confirmed,
    ("confirm", "2"): lambda s, k, f: ask_mode({"origin": s.get("origin", "menu"), "tries": 0},
                                               f),
    ("confirm", ANY): again(confirm_step),
    ("pending", ANY): lambda s, k, f: ask_pending({"tries": 0}, f),
    ("pending-choice", "1"): _back_to_menu("offer_kept"),
    ("pending-choice", "2"): _back_to_menu("offer_cancelled"),
    ("pending-choice", ANY): again(ask_pending),
}
"""Each step's keys; `ANY` answers the keys (and silence) a step does not list."""
