"""The callback offer's transition table, from plain values: no Flask, no Redis."""

from __future__ import annotations

from datetime import UTC, datetime
from xml.sax.saxutils import escape

from callbacks.numbers import spoken_number
from callbacks.offer_steps import Facts, Offer, take
from callbacks.policy import policy_for
from callbacks.record import Callback, Mode
from core.phrases import ENGLISH
from core.settings import CallbackSettings

WORDS = ENGLISH.phrases("en")
BASE = "https://hotline.example"
MONDAY_MORNING = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 9:00 in New York
CALLER = "+12025550143"


def facts(caller: str = CALLER, now: datetime = MONDAY_MORNING,
          pending: tuple[Callback, ...] = (), settings: CallbackSettings | None = None) -> Facts:
    policy = policy_for(settings or CallbackSettings(), "America/New_York", "US")
    return Facts(WORDS, policy, now, BASE, 4, caller, "US", pending)


def step_url(step: str) -> str:
    return escape(f"{BASE}/callbacks/{step}?s=5")


def test_the_offer_opens_with_its_origin_and_asks_when() -> None:
    state, said, reply = take("offer", "", {"origin": "hold"}, facts())
    assert state == {"origin": "hold", "tries": 0}
    assert said == [WORDS.say("offer_intro_hold"), WORDS.say("offer_choose")]
    assert step_url("when") in reply


def test_as_soon_as_possible_asks_to_use_the_caller_id() -> None:
    state, said, reply = take("when", "1", {"origin": "menu", "tries": 1}, facts())
    assert state["mode"] == Mode.ASAP.value
    assert state["tries"] == 0
    assert state["tz"] == "America/New_York"
    assert said == [WORDS.say("number_use_caller_id", number=spoken_number(CALLER))]
    assert step_url("number") in reply


def test_without_a_caller_id_the_number_is_typed() -> None:
    _, said, reply = take("when", "1", {"tries": 0}, facts(caller=""))
    assert said == [WORDS.say("number_enter")]
    assert step_url("entered") in reply
    assert 'finishOnKey="#"' in reply


def test_choosing_a_time_offers_the_next_slots_in_the_callers_zone() -> None:
    state, said, reply = take("when", "2", {"tries": 0}, facts())
    assert len(state["slots"]) == 3
    assert state["slots"][0] > MONDAY_MORNING.timestamp()
    assert said[0].startswith("Press 1 for ")
    assert step_url("slot") in reply


def test_no_free_slot_falls_back_to_as_soon_as_possible() -> None:
    state, said, _ = take("when", "2", {"tries": 0}, facts(settings=CallbackSettings(days=())))
    assert state["mode"] == Mode.ASAP.value
    assert said[0] == WORDS.say("offer_no_slots")


def test_a_slot_key_chooses_that_time_and_a_wrong_one_is_asked_again() -> None:
    offered: Offer = {"tries": 0, "slots": [1772546400.0, 1772550000.0], "tz": "UTC"}
    state, _, reply = take("slot", "2", offered, facts())
    assert state["mode"] == Mode.SLOT.value
    assert state["due_at"] == 1772550000.0
    assert step_url("number") in reply
    state, said, reply = take("slot", "7", offered, facts())
    assert state["tries"] == 1
    assert said[0] == WORDS.say("offer_not_understood")
    assert step_url("slot") in reply


def test_the_stay_key_and_the_third_wrong_key_go_back_to_the_queue() -> None:
    queue = escape(f"{BASE}/queues/enter?stay=1&s=5")
    for key, tries in (("9", 0), ("5", 2), ("", 2)):
        state, said, reply = take("when", key, {"tries": tries}, facts())
        assert said == [WORDS.say("offer_back_to_queue")]
        assert queue in reply


def test_a_wrong_key_asks_the_same_question_again() -> None:
    state, said, reply = take("when", "5", {"tries": 0}, facts())
    assert state["tries"] == 1
    assert said == [WORDS.say("offer_not_understood"), WORDS.say("offer_choose")]
    assert step_url("when") in reply


def test_the_caller_id_is_confirmed_or_another_number_asked_for() -> None:
    state, said, reply = take("number", "1", {"mode": "asap", "tries": 0}, facts())
    assert state["phone"] == CALLER
    assert "as soon as an agent is free" in said[0]
    assert step_url("confirm") in reply
    _, said, reply = take("number", "2", {"mode": "asap"}, facts())
    assert said == [WORDS.say("number_enter")]
    _, said, _ = take("number", "1", {"mode": "asap", "tries": 0}, facts(caller=""))
    assert said[0] == WORDS.say("offer_not_understood")


def test_a_typed_number_is_checked_and_a_refused_one_says_why() -> None:
    state, _, reply = take("entered", "2025550188", {"mode": "asap", "tries": 0}, facts())
    assert state["phone"] == "+12025550188"
    assert step_url("confirm") in reply
    state, said, reply = take("entered", "911", {"mode": "asap", "tries": 0}, facts())
    assert state["tries"] == 1
    assert said == [WORDS.say("number_emergency"), WORDS.say("number_enter")]
    assert step_url("entered") in reply


def test_confirming_promises_and_says_goodbye_and_2_starts_again() -> None:
    chosen: Offer = {"origin": "hold", "mode": "asap", "phone": CALLER, "tries": 0}
    state, said, reply = take("confirm", "1", chosen, facts())
    assert state["done"] is True
    assert said == [WORDS.say("promised", when="as soon as an agent is free")]
    assert "<Hangup" in reply
    state, said, reply = take("confirm", "2", chosen, facts())
    assert state == {"origin": "hold", "tries": 0}
    assert said == [WORDS.say("offer_choose")]


def test_a_pending_callback_is_named_and_kept_or_cancelled() -> None:
    record = Callback("cb1", CALLER, "billing", "billing", "1", (), "normal", "en", "CA1",
                      Mode.ASAP, 0.0, 0.0, "America/New_York", 0.0)
    menu = escape(f"{BASE}/voice/incoming?callbacks=asked")
    _, said, reply = take("pending", "", {}, facts(pending=(record,)))
    assert "You already have a callback booked" in said[0]
    assert step_url("pending-choice") in reply
    _, said, reply = take("pending-choice", "1", {"tries": 0}, facts(pending=(record,)))
    assert said == [WORDS.say("offer_kept")]
    assert menu in reply
    _, said, reply = take("pending-choice", "2", {"tries": 0}, facts(pending=(record,)))
    assert said == [WORDS.say("offer_cancelled")]
    _, said, reply = take("pending", "", {}, facts())
    assert said == []
    assert menu in reply
