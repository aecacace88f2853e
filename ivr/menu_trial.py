"""A call through a menu that is not published (an admin's draft), played in memory: the same
call-flow steps a real call takes, started again from the first question for each try, so
nothing of the trial is stored anywhere. What the caller hears and what Hotline decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.events import EventKind
from ivr import call_flow
from ivr.call_flow import Context, Urls
from ivr.caller_facts import CallerFacts
from ivr.menu import Menu
from ivr.navigation import CallerInput

MAX_INPUTS = 50
"""Inputs one trial may replay: more than any menu needs to reach an outcome."""
TRIAL_SID = "CAtrial"
SHOWN = (EventKind.PROMPT, EventKind.DTMF, EventKind.SPEECH, EventKind.DECISION)


@dataclass(frozen=True)
class Line:
    kind: str
    text: str


@dataclass(frozen=True)
class Trial:
    lines: list[Line]
    ended: bool
    """The call reached an outcome: it leaves the menu (queue, callback, message...)."""


def play(menu: Menu, inputs: list[CallerInput], now: datetime, base_url: str) -> Trial:
    """The call `menu` gives a caller who answers its questions with `inputs`, in order."""
    ctx = Context(menu=menu, urls=Urls(base_url), now=now, repeat_window=0,
                  facts=CallerFacts)
    answer = call_flow.begin(ctx, TRIAL_SID, None, "", {})
    events = list(answer.events)
    session = answer.session
    for given in inputs[:MAX_INPUTS]:
        if session.routing is not None:
            break
        answer = call_flow.take_input(ctx, session.evolve(rev=session.rev + 1), given)
        events.extend(answer.events)
        session = answer.session
    lines = [Line(e.kind.value, e.text) for e in events if e.kind in SHOWN]
    return Trial(lines, session.routing is not None)
