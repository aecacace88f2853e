"""What the agent hears before the caller is put through."""

from __future__ import annotations

from core.routing import Routing
from queues.whisper import whisper_text


def test_the_same_words_said_on_two_calls_are_quoted_once() -> None:
    routing = Routing(issue="billing/dispute", priority="high", reasons=("repeat_call",))
    heard = whisper_text(routing, [], "1", earlier=["mi factura está mal",
                                                    "mi factura está mal ", "y es urgente"],
                         language="es")
    assert heard == ("High priority call about billing, dispute. Ticket 1. The caller has "
                     "called about this before. The caller speaks Spanish. Earlier they said: "
                     "mi factura está mal y es urgente. This time they used the keypad only.")
