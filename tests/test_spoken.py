"""Times, days and waits are said in the caller's language, as a person would say them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from core.phrases import DEFAULTS
from core.spoken import spoken_time, spoken_wait
from ivr.menu_loader import example_menu_path, load_menu_file
from ivr.phrase_book import book_of

NEW_YORK = ZoneInfo("America/New_York")
TUESDAY_EVENING = datetime(2026, 11, 24, 22, 30, tzinfo=UTC)  # 5:30 pm in New York


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=NEW_YORK)


@pytest.mark.parametrize(("at", "english", "spanish"), [
    (local(25, 9), "tomorrow at 9 in the morning", "mañana a las 9 de la mañana"),
    (local(24, 18), "today at 6 in the evening", "hoy a las 6 de la tarde"),
    (local(24, 21, 30), "today at 9:30 in the evening", "hoy a las 9:30 de la noche"),
    (local(25, 12), "tomorrow at noon", "mañana a las 12 del mediodía"),
    (local(25, 13), "tomorrow at 1 in the afternoon", "mañana a la 1 de la tarde"),
    (local(27, 10), "Friday at 10 in the morning", "el viernes a las 10 de la mañana"),
    (local(7, 9, month=12), "Monday, December 7 at 9 in the morning",
     "el lunes 7 de diciembre a las 9 de la mañana"),
])
def test_a_time_is_said_in_the_callers_language(at: datetime, english: str,
                                                spanish: str) -> None:
    assert spoken_time(at, TUESDAY_EVENING, NEW_YORK, "en") == english
    assert spoken_time(at, TUESDAY_EVENING, NEW_YORK, "es") == spanish


@pytest.mark.parametrize(("low", "high", "english", "spanish"), [
    (10, 40, "less than a minute", "menos de un minuto"),
    (13, 127, "up to 3 minutes", "hasta 3 minutos"),
    (232, 1373, "about 3 to 23 minutes", "de 3 a 23 minutos"),  # rounded outwards
    (300, 300, "about 5 to 6 minutes", "de 5 a 6 minutos"),
    (2933, 7421, "at least 48 minutes", "al menos 48 minutos"),
    (4000, 5000, "more than an hour", "más de una hora"),
])
def test_the_wait_is_a_range_of_whole_minutes_in_the_callers_language(
        low: float, high: float, english: str, spanish: str) -> None:
    assert spoken_wait(low, high, "en") == english
    assert spoken_wait(low, high, "es") == spanish


def test_every_sentence_of_the_shipped_menu_reads_right_around_any_time() -> None:
    # A time is "tomorrow at 9", "Friday at 9" or "Monday, December 7 at 9" (in Spanish
    # "mañana", "el viernes", "el lunes 7 de diciembre"): each sentence that takes one must
    # read right with every form ("Press 2 for on Friday" and "a partir de el viernes" did not).
    book = book_of(load_menu_file(example_menu_path()))
    wrong = (" for on ", " from on ", " to on ", " a el ", " de el ")
    for language in book.languages:
        phrases = book.phrases(language)
        for at in (local(25, 9), local(27, 9), local(7, 9, month=12)):
            when = phrases.time(at, TUESDAY_EVENING, NEW_YORK)
            for name in (n for n, text in DEFAULTS.items() if "{when}" in text):
                sentence = " " + phrases.say(name, when=when, key=2, number="415 555 0123",
                                             zone="New York") + " "
                assert not any(bad in sentence for bad in wrong), (language, name, sentence)
