"""The caller simulator walks the example tree against a real Hotline app, as Twilio would."""

from __future__ import annotations

import pytest
from flask import Flask

from ivr.menu_loader import example_menu_path
from simulator.caller import CallSimulator, fetch_transcript
from simulator.inputs import HangUp, Press, Say, Silence, keyboard_input, parse_input
from simulator.transports import FlaskTransport
from tests.ivr_app import ADMIN_TOKEN, make_app
from tests.twilio_requests import AUTH_TOKEN, PUBLIC_URL


@pytest.fixture
def app(redis_url: str) -> Flask:
    return make_app(redis_url, menu_file=example_menu_path())


def simulate(app: Flask, *inputs: Press | Say | Silence | HangUp,
             token: str = AUTH_TOKEN) -> tuple[list[str], list[str]]:
    transport = FlaskTransport(app.test_client(), PUBLIC_URL)
    shown: list[str] = []
    sim = CallSimulator(transport, PUBLIC_URL, token, inputs=list(inputs), out=shown.append)
    result = sim.run()
    transcript = fetch_transcript(transport, PUBLIC_URL, result.call_sid, ADMIN_TOKEN)
    return shown + [f"Call ended: {result.ended_by}"], transcript


def test_walk_the_example_tree_by_keys(app: Flask) -> None:
    # Nobody is on shift, so a callback is offered first; 9 stays on the line.
    shown, transcript = simulate(app, Press("1"), Press("1"), Press("1"), Press("9"))
    assert "Caller presses 1" in shown
    assert "[waiting in queue billing]" in shown
    assert transcript[-1] == ("Routing decision: issue=billing/dispute priority=normal tier=L1 "
                              "queue=billing skills=billing outcome=route")
    kinds = [line.split()[1] for line in transcript[1:-1]]
    assert kinds[0] == "call" and kinds[-1] == "call"
    assert kinds.count("dtmf") == 4 and kinds.count("decision") == 1 and "queue" in kinds


def test_walk_the_example_tree_by_speech(app: Flask) -> None:
    # The first words, said at the language question, choose both the language and the leaf.
    shown, transcript = simulate(app, Say("my internet is down and it is urgent"))
    assert "Caller says: my internet is down and it is urgent" in shown
    assert transcript[-1].startswith("Routing decision: issue=technical/internet-down "
                                     "priority=high")
    spoken = [line for line in transcript if "  speech  " in line]
    assert len(spoken) == 1


def test_business_line_down_goes_to_tier_2_at_high_priority(app: Flask) -> None:
    _, transcript = simulate(app, Press("1"), Press("2"), Press("1"), Press("3"))
    assert transcript[-1] == ("Routing decision: issue=technical/business-down priority=high "
                              "tier=L2 queue=tech skills=internet,business outcome=route")


def test_voicemail_leaf_records_a_message(app: Flask) -> None:
    shown, transcript = simulate(app, Press("1"), Press("3"), Press("4"),
                                 Say("please call me about my new address"))
    assert "[beep: recording]" in shown
    assert "Caller leaves a message: please call me about my new address" in shown
    assert any("  recording " in line for line in transcript)


def test_transfer_and_message_leaves(app: Flask) -> None:
    shown, _ = simulate(app, Press("1"), Press("1"), Press("4"))
    assert "[dialling +14155550199]" in shown
    shown, _ = simulate(app, Press("1"), Press("1"), Press("5"))
    assert shown[-1] == "Call ended: hangup"


def test_hanging_up_in_the_menu_still_leaves_a_transcript(app: Flask) -> None:
    shown, transcript = simulate(app, Press("1"), HangUp())
    assert "Caller hangs up." in shown
    assert "Caller hung up in the menu at 'main'" in transcript[-2]
    assert transcript[-1].startswith("Routing decision: none")


def test_a_wrong_auth_token_ends_the_call_with_a_clear_error(app: Flask) -> None:
    shown, _ = simulate(app, Press("1"), token="wrong-token")
    assert shown[-1].startswith("Call ended: error: ")
    assert "HTTP 403" in shown[-1]


def test_script_and_keyboard_inputs() -> None:
    assert parse_input("press 12") == Press("12")
    assert parse_input("say my bill") == Say("my bill")
    assert parse_input("silence") == Silence() and parse_input("hangup") == HangUp()
    with pytest.raises(ValueError, match="expected press"):
        parse_input("shout")
    assert keyboard_input("3") == Press("3")
    assert keyboard_input("") == Silence()
    assert keyboard_input("billing") == Say("billing", 0.9)
