"""What a caller is told of their open tickets: what each is about, when it was opened, who has
it and its stage, in their language and zone, and which key does what. Pure: the webhooks read
the records, this decides the words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from core.phrases import Phrases

MOST_TOLD = 3
"""Open tickets told at most, the most recent first: more would not be remembered."""

MAX_TRIES = 2
"""Wrong keys (or silences) before the caller goes on to the menu."""


class Stage(StrEnum):
    WAITING_ON_US = "waiting-on-us"
    WAITING_ON_YOU = "waiting-on-you"
    CALLBACK_BOOKED = "callback-booked"


WAITING_ON_CALLER = "pending"
"""The ticket status that means the team waits for the caller (helpdesk convention)."""


@dataclass(frozen=True)
class Standing:
    """One open ticket as the caller hears of it: never its id, never an internal note."""

    issue: str
    topic: str
    """The issue's caller-facing name in the caller's language ("" when it has none)."""
    opened_at: datetime
    agent: str
    """The agent's display name, "" when nobody has it yet."""
    stage: Stage
    callback_when: str = ""
    """When a booked callback comes, as it was promised, in the caller's language."""


def stage_of(status: str, callback_booked: bool) -> Stage:
    """A booked callback is the next step; else who the ticket waits on."""
    if callback_booked:
        return Stage.CALLBACK_BOOKED
    return Stage.WAITING_ON_YOU if status == WAITING_ON_CALLER else Stage.WAITING_ON_US


def told(words: Phrases, standing: Standing, now: datetime, tz: ZoneInfo) -> str:
    """One ticket in a sentence: "Your request about billing, opened today at 9 in the
    morning, is with Ana. We are working on it." """
    topic = _topic(words, standing)
    who = standing.agent or words.say("standing_our_team")
    opened = words.time(standing.opened_at, now, tz)
    return " ".join((words.say("standing_ticket", topic=topic, opened=opened, who=who),
                     stage_words(words, standing, now, tz)))


def stage_words(words: Phrases, standing: Standing, now: datetime, tz: ZoneInfo) -> str:
    if standing.stage is Stage.CALLBACK_BOOKED:
        return words.say("standing_callback", when=standing.callback_when)
    if standing.stage is Stage.WAITING_ON_YOU:
        return words.say("standing_waiting_on_you")
    return words.say("standing_waiting_on_us")


def keys_said(words: Phrases, standings: list[Standing]) -> list[str]:
    """Which key does what: 1 for the only ticket (or 1, 2... for each), then one for
    something new."""
    if len(standings) == 1:
        return [words.say("standing_choose_one", key=1, new=new_key(standings))]
    lines = [words.say("standing_choose", key=n, topic=_topic(words, s))
             for n, s in enumerate(standings, start=1)]
    return [*lines, words.say("standing_choose_new", key=new_key(standings))]


def new_key(standings: list[Standing]) -> int:
    """The key for something new: the one after the tickets'."""
    return len(standings) + 1


def chosen(digits: str, count: int) -> int | None:
    """The ticket chosen (0-based), `count` for something new, None for a wrong key."""
    if len(digits) != 1 or not digits.isdigit() or not 1 <= int(digits) <= count + 1:
        return None
    return int(digits) - 1


def _topic(words: Phrases, standing: Standing) -> str:
    return words.say("standing_topic", topic=standing.topic) if standing.topic \
        else words.say("standing_topic_general")
