"""What a caller on hold hears, in their language: their place, an honest range for the wait,
and the callback key; that nobody can take the call when no eligible agent is on shift."""

from __future__ import annotations

from core.phrases import Phrases
from queues.line import Outlook


def hold_text(outlook: Outlook, callback_key: str, said: Phrases) -> str:
    """The hold announcement. The caller who is next hears neither position nor estimate, only
    that an agent is coming, and only while one who could take them is on shift."""
    lines = [said.say("hold_position", position=outlook.position)] \
        if outlook.position > 1 else []
    if outlook.wait is None:
        lines.append(said.say("hold_no_agents"))
    elif outlook.position <= 1 or outlook.bounds is None:
        lines.append(said.say("hold_next"))
    else:
        lines.append(said.say("hold_wait", wait=said.wait(*outlook.bounds)))
    return " ".join([*lines, said.say("hold_offer", key=callback_key)])


def join_text(outlook: Outlook, said: Phrases) -> str:
    """Said on joining the line: all agents busy, or (honestly) nobody on shift."""
    return said.say("queue_join" if outlook.wait is not None else "queue_join_no_agents")
