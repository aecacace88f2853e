"""The standing webhooks: a caller with an open ticket hears where it stands before the menu
(the IVR sends them here from the call's start), then one key joins that ticket's line (and,
when free, its agent) and another goes on to the menu for something new."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Response, request
from twilio.twiml.voice_response import VoiceResponse

from callbacks import jobs
from callbacks.promise import booked_when
from callbacks.slots import zone
from core.call_status import CallStatus
from core.caller_record import OpenTicket, open_ticket
from core.deps import deps
from core.events import Event, EventKind
from core.form_fields import field
from core.phrases import Phrases, phrases_for
from core.routes import Routes, url
from core.routing import Routing
from core.session import CallSession, Change, Step
from core.twilio_auth import call_sid_of, require_twilio_signature
from core.webhook_reply import say_then, step_key, twiml
from core.webhook_safety import never_5xx
from standing.lookup import Told, open_tickets, standings
from standing.status import MAX_TRIES, chosen, keys_said, told

bp = Blueprint("standing", __name__, url_prefix="/standing")
bp.before_request(require_twilio_signature)
never_5xx(bp)

NODE = "ticket-standing"
"""The node name the transcript gives what is said here."""

KEY_TIMEOUT = 6
"""Seconds the caller has to press a key."""


@bp.post("/tickets")
def tickets() -> Response:
    """Tell the caller's open tickets, the most recent first, and ask for a key."""
    def decide(step: Step) -> Change | str:
        session = step.session
        if session is None or not session.caller:
            return _to_menu()
        found = _told(session, open_tickets(deps().redis, session.caller))
        if not found:
            return _to_menu()
        words = _words(session, found[0].record)
        now, tz = deps().clock.now(), zone(session.timezone, "UTC")
        lines = [told(words, t.standing, now, tz) for t in found]
        lines += keys_said(words, [t.standing for t in found])
        return _ask(session, found, words, lines, 0)

    return twiml(deps().sessions.run(call_sid_of(request.form), step_key(), decide))


@bp.post("/choice")
def choice() -> Response:
    """The caller's key: a ticket's line, something new (the menu), or asked again."""
    issues = [i for i in field(request.args, "t")[:600].split(",") if i][:3]
    tries = int(field(request.args, "n", "0")[:2] or 0) if field(request.args, "n").isdigit() \
        else 0
    digits = field(request.form, "Digits").strip()[:8]

    def decide(step: Step) -> Change | str:
        session = step.session
        if session is None or not session.caller or not issues:
            return _to_menu()
        picked = chosen(digits, len(issues))
        if picked == len(issues):
            return _something_new(session, digits)
        record = open_ticket(deps().redis, session.caller, issues[picked]) \
            if picked is not None else None
        if record is not None:
            return _join(session, record, digits)
        return _again(session, issues, digits, tries + 1)

    return twiml(deps().sessions.run(call_sid_of(request.form), step_key(), decide))


def _told(session: CallSession, records: list[OpenTicket]) -> list[Told]:
    rt = jobs.current()
    owed = rt.store.pending_for_phone(session.caller) if session.caller else []
    language = str(records[0].get("language") or session.language) if records else ""
    words = _phrases(session, language)
    return standings(deps().redis, records, owed, words, deps().clock.now(),
                     lambda callback: booked_when(rt, callback, words))


def _ask(session: CallSession, found: list[Told], words: Phrases, lines: list[str],
         tries: int) -> Change:
    step = session.rev + 1
    action = url(deps().settings.public_url, "/standing/choice", s=step,
                 t=",".join(t.standing.issue for t in found), n=tries)
    response = VoiceResponse()
    with response.gather(input="dtmf", action=action, method="POST", num_digits=1,
                         timeout=KEY_TIMEOUT, action_on_empty_result=True) as asking:
        for line in lines:
            asking.say(line, language=words.locale)
    events = [_event(EventKind.PROMPT, line, node=NODE, locale=words.locale) for line in lines]
    return Change(session.evolve(language=words.language), events, str(response))


def _again(session: CallSession, issues: list[str], digits: str, tries: int) -> Change:
    """A wrong key (or none): the keys again; after MAX_TRIES, on to the menu."""
    heard = _heard(digits, "not one of the choices")
    if tries >= MAX_TRIES:
        return Change(session, heard, _menu_reply())
    records = [r for r in (open_ticket(deps().redis, session.caller or "", i) for i in issues)
               if r is not None]
    found = _told(session, records)
    if not found:
        return Change(session, heard, _menu_reply())
    words = _words(session, found[0].record)
    lines = [words.say("standing_wrong_key"), *keys_said(words, [t.standing for t in found])]
    asked = _ask(session, found, words, lines, tries)
    return Change(asked.session, [*heard, *asked.events], asked.reply)


def _join(session: CallSession, record: OpenTicket, digits: str) -> Change:
    """The caller chose this ticket: routed to its line, its agent preferred, the ticket
    joined (the tickets bridge attaches a call about an open ticket's issue to it)."""
    routing = Routing(
        outcome="route", issue=str(record.get("issue") or "general"),
        priority=str(record.get("priority") or "normal"), tier=str(record.get("tier") or "L1"),
        queue=str(record.get("queue") or ""), skills=tuple(record.get("skills") or ()),
        reasons=("repeat_call",), ticket=record.get("ticket_id"),
        preferred_agent=record.get("assignee") or None)
    words = _phrases(session, session.language)
    connecting = words.say("connecting")
    events = [*_heard(digits, f"the open ticket about {routing.issue}"),
              _event(EventKind.DECISION, routing.describe(), **routing.to_dict()),
              _event(EventKind.PROMPT, connecting, node=NODE, locale=words.locale)]
    routed = session.evolve(routing=routing, status=CallStatus.ROUTED)
    reply = say_then([(connecting, words.locale)],
                     Routes(deps().settings.public_url).queue_enter())
    return Change(routed, events, reply)


def _something_new(session: CallSession, digits: str) -> Change:
    return Change(session, _heard(digits, "something new"), _menu_reply())


def _to_menu() -> str:
    return _menu_reply()


def _menu_reply() -> str:
    return say_then([], Routes(deps().settings.public_url).menu_after_standing())


def _words(session: CallSession, newest: OpenTicket) -> Phrases:
    """The caller's words: those of their latest ticket's call, else the call's own."""
    return _phrases(session, str(newest.get("language") or session.language))


def _phrases(session: CallSession, language: str) -> Phrases:
    return phrases_for(deps().redis, session.menu_version, language)


def _heard(digits: str, meaning: str) -> list[Event]:
    if not digits:
        return [_event(EventKind.NOTE, "No input at the ticket standing", node=NODE)]
    return [_event(EventKind.DTMF, f"Pressed {digits}: {meaning}", digits=digits, node=NODE,
                   meaning=meaning)]


def _event(kind: EventKind, text: str, **details: object) -> Event:
    now: datetime = deps().clock.now()
    return Event(now, kind, text, dict(details))
