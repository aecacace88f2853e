"""The menu's two busiest steps, a call's start and a key in the menu, each committed in one
round trip when what it was decided on still holds, else in two (read, then commit).

A new call is decided on what the previous one found (`ivr.start_guess`), a key on where the
question's action URL says the caller stands (`ivr.menu_place`); the commit checks either in
Redis, so a wrong guess only costs the ordinary read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import redis

from core import keys
from core.caller_record import (
    has_open_tickets,
    has_pending_callback,
    no_open_tickets,
    no_pending_callback,
    open_tickets_read,
    pending_callbacks_read,
)
from core.events import EventKind
from core.phone import CallerNumber
from core.process_cache import ProcessCache
from core.routes import Routes
from core.session import CallSession, Change, Guess, SessionStore, Step
from ivr import call_flow, menu_place, twiml
from ivr.call_flow import Answer, Context
from ivr.caller_facts import active_outages, outages_from, outages_read
from ivr.menu import Menu
from ivr.menu_place import PLACE_FIELDS, Place
from ivr.menu_store import MenuStore
from ivr.navigation import CallerInput
from ivr.start_guess import StartGuess

STORES_GUESSED = 16
"""Menu stores (one per app, so per Redis) whose next call's start a process guesses."""


@dataclass(frozen=True)
class Call:
    """One webhook request of a call in the menu: its CallSid, step key, caller and number."""

    sid: str
    step_key: str
    caller: CallerNumber | None
    called: str


@dataclass(frozen=True)
class Asks:
    """What the call's start asks about the caller before the menu: whether `callbacks_of`
    is owed a callback, whether `tickets_of` has an open ticket (None: not asked)."""

    callbacks_of: str | None = None
    tickets_of: str | None = None
    consent_due: bool = False
    """The caller was just asked about a callback owed, before being told about recording."""


@dataclass(frozen=True)
class MenuSteps:
    """What the menu's steps run on: the sessions, the published menus, the call's Redis, and
    how a step's context is made for a menu, a caller's number and the number called."""

    sessions: SessionStore
    menus: MenuStore
    redis: redis.Redis
    context: Callable[[Menu, str | None, str], Context]

    def start(self, call: Call, ask: Asks, routes: Routes) -> str:
        """Answer a call's post to the Voice URL: a new call's first question (or, when a
        callback is still owed to the caller, a redirect to where they hear about it; when
        they have an open ticket, one to where they hear where it stands), a known call's
        current question again (or the redirect to their tickets, not yet told)."""
        guess = _start_guess(self.menus)
        owed, told = ask.callbacks_of, ask.tickets_of
        extra = [pending_callbacks_read(owed)] if owed else []
        extra += [open_tickets_read(told)] if told else []

        def decide(step: Step) -> Change:
            session, replies = step.session, list(step.extras)
            if session is not None:
                ctx = self._context_of(session)
                change = call_flow.resume(ctx, session).change
                consent = ctx.menu.recording.consent_for(session.region)
                if ask.consent_due and consent != "off":
                    return _to_consent(change, routes, ctx.menu, consent)
                return _before_menu(change, routes, False, told is not None and
                                    has_open_tickets(replies[-1]))
            version, outages, *found = replies
            guess.saw(version, outages)
            menu = self.menus.active_from(version)
            change = self._begin(call, menu, outages_from(outages)).change
            owed_now = owed is not None and has_pending_callback(found[0])
            consent = menu.recording.consent_for(change.session.region)
            if not owed_now and consent != "off":
                return _to_consent(change, routes, menu, consent)
            return _before_menu(change, routes, owed_now,
                                told is not None and has_open_tickets(found[-1]))

        reads = [MenuStore.active_read(), outages_read(), *extra]
        expected = guess.expected()
        for number, guard in ((owed, no_pending_callback), (told, no_open_tickets)):
            if number is not None and expected is not None:
                expected = expected.plus(0, guard(number))
        first = Guess(decide(Step(None, None, expected.replies)), expected.guards) \
            if expected is not None else None
        return self.sessions.run(call.sid, call.step_key, decide, reads, first)

    def place(self, query: bytes) -> Place | None:
        """Where the action URL's raw `query` says the caller stands, if it says so."""
        return menu_place.read(query, self.menus.get)

    def take_input(self, call: Call, place: Place | None, given: CallerInput,
                   ) -> tuple[str, Answer | None]:
        """Answer the caller's input to the question asked at `place` (None: unknown): the
        reply, and the answer decided on the stored session when there was one."""
        decided: list[Answer] = []

        def decide(step: Step) -> Change:
            session = step.session
            if session is None:
                return self._begin(call, self.menus.active(), active_outages(self.redis)).change
            answer = call_flow.take_input(self._context_of(session), session, given)
            decided[:] = [answer]
            return answer.change

        reply = self.sessions.run(call.sid, call.step_key, decide,
                                  guess=self._step_from_place(call.sid, place, given))
        return reply, decided[0] if decided else None

    def _step_from_place(self, call_sid: str, place: Place | None, given: CallerInput,
                         ) -> Guess | None:
        """The step decided on where the action URL says the caller stands, when the URL says
        so and that is all the step needs."""
        if place is None:
            return None
        answer = call_flow.move_in_menu(self.context(place.menu, None, ""), place.session(call_sid),
                                        given)
        if answer is None:
            return None
        # Choosing the language is when an outage notice is due, so that step holds only while
        # no outage is flagged; otherwise it is decided on the ordinary read.
        guards = [(keys.outages(), None)] if answer.settles_language else []
        return Guess(answer.change, guards, only=PLACE_FIELDS)

    def _begin(self, call: Call, menu: Menu, outages: dict[str, str]) -> Answer:
        caller = call.caller
        ctx = self.context(menu, caller.e164 if caller else None, call.called)
        return call_flow.begin(ctx, call.sid, caller, call.called, outages)

    def _context_of(self, session: CallSession) -> Context:
        return self.context(self.menus.get(session.menu_version), session.caller,
                            session.called)


def _to_consent(change: Change, routes: Routes, menu: Menu, consent: str) -> Change:
    """The call's start as decided, the question left unasked, and a redirect to where the
    caller is told the call is recorded: before anything is recorded; their tickets after."""
    said = [e for e in change.events if e.kind is not EventKind.PROMPT]
    reply = twiml.say_then_redirect([], routes.recording_consent(
        consent, menu.recording.opt_out_key, menu.node(change.session.node).chooses_language))
    return Change(change.session, said, reply)


def _before_menu(change: Change, routes: Routes, owed: bool, open_tickets: bool) -> Change:
    """The call's start as decided, or, when the caller is owed a callback (asked first) or
    has an open ticket, a redirect to where they hear about it, the question left unasked."""
    if not owed and not open_tickets:
        return change
    said = [e for e in change.events if e.kind is not EventKind.PROMPT]
    target = routes.callbacks_pending() if owed else routes.ticket_standing()
    return Change(change.session, said, twiml.say_then_redirect([], target))


def _start_guess(menus: MenuStore) -> StartGuess:
    found = _guesses.find(menus)
    return found if found is not None else _guesses.keep(menus, StartGuess())


# What the last incoming call found, per menu store: two apps in one process (as in tests)
# may serve two Redis servers.
_guesses: ProcessCache[MenuStore, StartGuess] = ProcessCache(STORES_GUESSED)
