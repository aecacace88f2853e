"""A caller's text is read by its first words, in English or Spanish, accents and case aside."""

from __future__ import annotations

import pytest

from messaging.keywords import Asked, Command, read


@pytest.mark.parametrize(("body", "asked"), [
    ("CANCEL", Asked(Command.CANCEL, "en")),
    ("cancelar por favor", Asked(Command.CANCEL, "es")),
    ("Later", Asked(Command.LATER, "en")),
    ("¡Más tarde!", Asked(Command.LATER, "es")),
    ("después", Asked(Command.LATER, "es")),
    ("status?", Asked(Command.STATUS, "en")),
    ("Estado", Asked(Command.STATUS, "es")),
    ("STOP", Asked(Command.STOP, "en")),
    ("parar", Asked(Command.STOP, "es")),
    ("alto", Asked(Command.STOP, "es")),
    ("Start", Asked(Command.START, "en")),
    ("INICIO", Asked(Command.START, "es")),
    (" 2 ", Asked(Command.CHOICE, choice=2)),
    ("when will you call?", Asked(Command.HELP)),
    ("", Asked(Command.HELP)),
])
def test_a_text_is_read_as_the_caller_meant_it(body: str, asked: Asked) -> None:
    assert read(body) == asked
