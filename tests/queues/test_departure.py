"""The hold line's exits and the agent's Dial endings, decided from plain values."""

from __future__ import annotations

import pytest

from core.call_status import CallStatus
from core.events import EventKind
from queues.departure import Next, Release, dial_ended, left_hold


def test_an_unknown_call_is_hung_up_and_no_agent_is_freed() -> None:
    leaving = left_hold("hangup", None, True, "12")
    assert leaving.caller.next is Next.HANG_UP
    assert leaving.release is None


def test_hanging_up_on_hold_abandons_the_line_and_frees_a_ringing_agent() -> None:
    leaving = left_hold("hangup", CallStatus.CONNECTING, True, "42")
    assert leaving.release == Release("available", "caller hung up before connecting")
    assert leaving.caller.next is Next.END
    assert leaving.caller.status is CallStatus.ABANDONED
    assert leaving.caller.leave_line and leaving.caller.tells_removed
    assert leaving.caller.words == "Caller hung up while waiting after 42 s"
    assert leaving.caller.details == {"abandoned": True, "waited": 42}


def test_hanging_up_without_an_agent_frees_nobody_and_skips_an_unknown_wait() -> None:
    leaving = left_hold("hangup", CallStatus.QUEUED, False, "")
    assert leaving.release is None
    assert leaving.caller.words == "Caller hung up while waiting"
    assert leaving.caller.details["waited"] is None


def test_the_callback_key_on_hold_leads_to_the_offer_from_hold() -> None:
    leaving = left_hold("leave", CallStatus.CALLBACK_REQUESTED, False, "30")
    assert leaving.caller.next is Next.CALLBACK_OFFER
    assert leaving.caller.offer_from == "hold"
    assert leaving.caller.status is CallStatus.ROUTED
    assert leaving.caller.leave_line
    assert leaving.caller.words == ""
    assert leaving.caller.changes


def test_a_caller_an_agent_holds_is_connected() -> None:
    leaving = left_hold("leave", CallStatus.QUEUED, True, "30")
    assert leaving.caller.next is Next.CONNECT
    assert leaving.release is None


@pytest.mark.parametrize("result", ["queue-full", "error", "system-shutdown"])
def test_a_twilio_queue_failure_offers_a_callback_as_a_long_wait(result: str) -> None:
    leaving = left_hold(result, CallStatus.QUEUED, False, "")
    assert leaving.caller.next is Next.CALLBACK_OFFER
    assert leaving.caller.offer_from == "long-wait"
    assert leaving.caller.status is None
    assert leaving.caller.leave_line
    assert leaving.caller.words == f"Twilio's queue failed ({result}); offering a callback"
    assert leaving.caller.details == {"queue_result": result}


def test_any_other_exit_rejoins_the_line_without_changing_the_call() -> None:
    leaving = left_hold("leave", CallStatus.QUEUED, False, "5")
    assert leaving.caller.next is Next.REJOIN
    assert not leaving.caller.changes
    assert not leaving.caller.leave_line


def test_a_completed_talk_puts_an_agent_with_wrap_up_into_wrap_up() -> None:
    ended = dial_ended("ann", "completed", "75", 30)
    assert ended.release == Release("wrap-up", "after call", wrap_up=30)
    assert ended.talk_seconds == 75
    assert ended.caller is not None
    assert ended.caller.next is Next.AFTER_CALL
    assert ended.caller.status is CallStatus.TALKED
    assert ended.caller.kind is EventKind.AGENT
    assert ended.caller.words == "Call with agent ann ended after 75 s"
    assert ended.caller.details == {"agent": "ann", "state": "ended", "talk_seconds": 75}


def test_a_completed_talk_frees_an_agent_without_wrap_up_and_tells_short_talks() -> None:
    ended = dial_ended("ann", "completed", "0", 0)
    assert ended.release == Release("available", "after call")
    assert ended.caller is not None
    assert ended.caller.words == "Call with agent ann ended after less than a second"
    unknown = dial_ended("ann", "completed", "", 0)
    assert unknown.talk_seconds is None
    assert unknown.caller is not None
    assert unknown.caller.words == "Call with agent ann ended"


def test_a_caller_hanging_up_while_the_agent_rings_frees_the_agent_only() -> None:
    ended = dial_ended("ann", "canceled", "", 30)
    assert ended.release == Release("available", "caller hung up")
    assert ended.caller is None


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed"])
def test_an_unanswered_dial_sidelines_the_agent_and_rejoins_the_caller(status: str) -> None:
    ended = dial_ended("ann", status, "", 30)
    assert ended.release == Release("offline", f"missed call ({status})", dispatch=False)
    assert ended.caller is not None
    assert ended.caller.next is Next.REJOIN
    assert ended.caller.changes
    assert ended.caller.words == (f"Agent ann did not answer ({status}); set unavailable, "
                                  "trying the next agent")
    assert ended.caller.details == {"agent": "ann", "state": "missed", "dial_status": status}
