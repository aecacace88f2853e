"""How times, days and waits are said to a caller, per language: "tomorrow at 9 in the
morning" / "mañana a las 9 de la mañana", "about 5 to 7 minutes" / "de 5 a 7 minutos". Pure:
a small table per language Hotline can speak; numbers stay numerals, which the caller's
voice (its locale) reads in their language."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Forms:
    """One language's words and word order for days, clock times and waits."""

    today: str
    tomorrow: str
    yesterday: str
    weekday: str
    """A day within the week ahead: {weekday}."""
    date: str
    """A later day: {weekday}, {month}, {day}."""
    at: str
    """A day and a clock time: {day}, {clock}."""
    weekdays: tuple[str, ...]
    months: tuple[str, ...]
    noon: str
    morning: str
    afternoon: str
    evening: str
    evening_from: int
    """The hour from which a time is said as evening."""
    wait_short: str
    wait_range: str
    """{low} to {high} minutes."""
    wait_up_to: str
    """Up to {high} minutes."""
    wait_at_least: str
    """At least {low} minutes (under an hour)."""
    wait_long: str
    hour_prefix: str = ""
    one_prefix: str = ""
    """Said before a clock time, and before 1 o'clock (Spanish: "a las 9", but "a la 1")."""


FORMS: dict[str, Forms] = {
    "en": Forms(
        today="today", tomorrow="tomorrow", yesterday="yesterday", weekday="{weekday}",
        date="{weekday}, {month} {day}", at="{day} at {clock}",
        weekdays=("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        months=("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December"),
        noon="noon", morning="{hour} in the morning", afternoon="{hour} in the afternoon",
        evening="{hour} in the evening", evening_from=17, wait_short="less than a minute",
        wait_range="about {low} to {high} minutes", wait_up_to="up to {high} minutes",
        wait_at_least="at least {low} minutes", wait_long="more than an hour"),
    "es": Forms(
        today="hoy", tomorrow="mañana", yesterday="ayer", weekday="el {weekday}",
        date="el {weekday} {day} de {month}", at="{day} {clock}",
        weekdays=("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
        months=("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                "septiembre", "octubre", "noviembre", "diciembre"),
        noon="12 del mediodía", morning="{hour} de la mañana", afternoon="{hour} de la tarde",
        evening="{hour} de la noche", evening_from=20, wait_short="menos de un minuto",
        wait_range="de {low} a {high} minutos", wait_up_to="hasta {high} minutos",
        wait_at_least="al menos {low} minutos", wait_long="más de una hora",
        hour_prefix="a las ", one_prefix="a la "),
}
"""The languages Hotline can say times and waits in (a menu may only use these)."""


def forms(language: str) -> Forms:
    """The table of `language`; English when Hotline has none (menu validation prevents it)."""
    return FORMS.get(language, FORMS["en"])


def spoken_time(at: datetime, now: datetime, tz: ZoneInfo, language: str) -> str:
    """`at` as a caller in `tz` says it: "tomorrow at 9 in the morning"."""
    words = forms(language)
    local, today = at.astimezone(tz), now.astimezone(tz).date()
    gap = (local.date() - today).days
    weekday = words.weekdays[local.weekday()]
    if gap == 0:
        day = words.today
    elif gap == 1:
        day = words.tomorrow
    elif gap == -1:
        day = words.yesterday
    elif gap < -6:
        day = words.date.format(weekday=weekday, month=words.months[local.month - 1],
                                day=local.day)
    elif gap < 7:
        day = words.weekday.format(weekday=weekday)
    else:
        day = words.date.format(weekday=weekday, month=words.months[local.month - 1],
                                day=local.day)
    return words.at.format(day=day, clock=_clock(local.time(), words))


def _clock(t: time, words: Forms) -> str:
    hour = t.hour % 12 or 12
    prefix = words.one_prefix if hour == 1 else words.hour_prefix
    if t.hour == 12 and t.minute == 0:
        return prefix + words.noon
    said = f"{hour}:{t.minute:02d}" if t.minute else str(hour)
    if t.hour < 12:
        form = words.morning
    else:
        form = words.afternoon if t.hour < words.evening_from else words.evening
    return prefix + form.format(hour=said)


def spoken_wait(low: float, high: float, language: str) -> str:
    """A wait likely between `low` and `high` seconds as a range of whole minutes ("about 3 to
    8 minutes", "up to 4 minutes"), never a precise promise."""
    words = forms(language)
    least, most = wait_minutes(low, high)
    if most is None:
        return words.wait_long if least >= 60 else words.wait_at_least.format(low=least)
    if most == 1:
        return words.wait_short
    if least == 0:
        return words.wait_up_to.format(high=most)
    return words.wait_range.format(low=least, high=most)


LONGEST_RANGE = 60
"""Minutes: a range reaching past this is said as "at least" its low end."""


def wait_minutes(low: float, high: float) -> tuple[int, int | None]:
    """The whole minutes said for a wait between `low` and `high` seconds, rounded outwards:
    (0, 1) is "less than a minute", high None is "at least low minutes"."""
    least = math.floor(low / 60)
    most = max(least + 1, math.ceil(high / 60))
    if most > LONGEST_RANGE:
        return max(1, least), None
    return least, most
