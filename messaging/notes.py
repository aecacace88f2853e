"""Notes texted to a caller without being asked: their ticket is solved (the callback's own
notes, its confirmation and a missed attempt, are `callbacks.texts`')."""

from __future__ import annotations

from dataclasses import dataclass

from callbacks.runtime import Runtime
from core.phrases import phrases_for
from core.texting import Text, send_text


@dataclass(frozen=True)
class Solved:
    """A caller's solved ticket: their number, its issue, its latest call, and the language,
    menu version and number called of that call."""

    phone: str
    issue: str
    call: str
    language: str
    menu_version: str
    called: str = ""


def tell_solved(rt: Runtime, solved: Solved) -> bool:
    """Text the caller that their request is solved, when this deployment sends that note."""
    settings = rt.settings
    if not settings.messaging.solved:
        return False
    words = phrases_for(rt.redis, solved.menu_version, solved.language)
    name = words.issue(solved.issue)
    topic = words.say("standing_topic", topic=name) if name \
        else words.say("standing_topic_general")
    sender = settings.messaging.from_number or settings.callbacks.caller_id or solved.called
    message = Text(solved.phone, sender, words.say("sms_solved", topic=topic), "solved",
                   solved.call, {"issue": solved.issue})
    return send_text(rt.redis, rt.telephony, rt.sessions, message, rt.clock.now())
