"""How an open ticket is told: its topic, when it was opened and who has it, then its stage, a
booked callback said in the caller's zone; keys for each ticket and one for something new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.phrases import Phrases
from standing.status import Stage, Standing, chosen, keys_said, stage_of, told

NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)  # 7 in the morning in San Francisco
LA = ZoneInfo("America/Los_Angeles")
SPANISH = Phrases("es", "es-US", {
    "standing_ticket": "Su solicitud {topic}, abierta {opened}, la tiene {who}.",
    "standing_topic": "sobre {topic}", "standing_callback": "Le llamaremos {when}."})


def _booked(when: str = "") -> Standing:
    return Standing("billing/dispute", "Wrong charge", NOW - timedelta(days=1), "Ann",
                    stage_of("open", True), when)


def test_a_booked_callback_is_the_stage_opened_said_in_the_caller_s_zone() -> None:
    # When the callback comes is said by callbacks, as it was promised
    # (tests/tickets/test_standing.py); the status puts it in its sentence.
    assert told(Phrases("en", "en-US"), _booked("tomorrow at 9 in the morning"), NOW, LA) == (
        "Your request about Wrong charge, opened yesterday at 7 in the morning, is with Ann. "
        "We will call you back tomorrow at 9 in the morning.")
    assert told(SPANISH, _booked("mañana a las 9 de la mañana"), NOW, LA) == (
        "Su solicitud sobre Wrong charge, abierta ayer a las 7 de la mañana, la tiene Ann. "
        "Le llamaremos mañana a las 9 de la mañana.")


def test_the_stage_is_who_the_ticket_waits_on_without_a_callback() -> None:
    assert stage_of("pending", False) is Stage.WAITING_ON_YOU
    assert stage_of("open", False) is stage_of("new", False) is Stage.WAITING_ON_US


def test_several_tickets_get_a_key_each_and_one_for_something_new() -> None:
    two = [_booked(), Standing("technical/internet", "", NOW, "", Stage.WAITING_ON_US)]
    assert keys_said(Phrases("en", "en-US"), two) == [
        "For your request about Wrong charge, press 1.",
        "For your request with us, press 2.", "For something else, press 3."]
    assert [chosen(d, 2) for d in ("1", "2", "3", "4", "0", "", "12", "*")] == [
        0, 1, 2, None, None, None, None, None]
