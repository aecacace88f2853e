"""One step of a call through the menu: from the session and the caller's input to the new
session, the events for its log, and the TwiML to answer. No I/O: stores and views are around it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from core.call_status import CallStatus
from core.card_data import mask, mask_all_digits
from core.clock import isoformat
from core.events import Event, EventKind
from core.form_fields import whole_number
from core.phone import CallerNumber
from core.process_cache import ProcessCache
from core.routes import Routes
from core.routing import Routing
from core.session import CallSession, Change
from ivr import menu_place, outage_notice, twiml
from ivr.caller_facts import CallerFacts
from ivr.decision import decide, issue_on_path
from ivr.menu import Menu, Outcome, OutcomeKind
from ivr.navigation import (
    CallerInput,
    Heard,
    Move,
    Position,
    advance,
    proposed_language,
    settles_language,
    start,
)


@dataclass(frozen=True)
class Urls:
    """The webhook URLs Hotline puts into its TwiML, absolute under the public base URL."""

    base: str
    twilio_transcribes: bool = False
    """Whether Twilio transcribes voicemail (else the recordings' worker does, offline)."""

    def menu(self, place: str) -> str:
        """Where the answer to a menu question goes; `place` is `menu_place.query`'s."""
        return f"{self.base}/voice/menu?{place}"

    def silence(self, place: str) -> str:
        return f"{self.base}/voice/menu?{place}&silence=1"

    def confirmation(self, step: int) -> str:
        """Where the answer to a confirmation goes: no place in the URL, so it is decided on
        the whole session (which holds what is being confirmed)."""
        return f"{self.base}/voice/menu?s={step}"

    def voicemail_done(self, step: int) -> str:
        return f"{self.base}/voice/voicemail?s={step}"

    def transfer_done(self, step: int) -> str:
        return f"{self.base}/voice/transfer?s={step}"

    def survey(self, step: int) -> str:
        return f"{self.base}/voice/survey?s={step}"

    @property
    def recording_status(self) -> str:
        return Routes(self.base).recording_status()

    @property
    def recording_transcription(self) -> str | None:
        return Routes(self.base).recording_transcription() if self.twilio_transcribes else None

    @property
    def queue(self) -> str:
        return Routes(self.base).queue_enter()

    @property
    def callback_offer(self) -> str:
        return Routes(self.base).callback_offer()


@dataclass(frozen=True)
class Answer:
    """What one step produced: the session to store, events to append, TwiML to return."""

    session: CallSession
    events: list[Event]
    twiml: str
    routing: Routing | None = None
    """The call's routing, when this step reached an outcome."""
    settles_language: bool = False
    """The step leaves the language question, so any outage notice is due now; a step decided
    without reading (`move_in_menu`) holds only while no outage is flagged."""

    @property
    def change(self) -> Change:
        return Change(self.session, self.events, self.twiml)


@dataclass(frozen=True)
class Context:
    """What a step needs besides the session and the input."""

    menu: Menu
    urls: Urls
    now: datetime
    repeat_window: int
    facts: Callable[[], CallerFacts]


def begin(ctx: Context, call_sid: str, caller: CallerNumber | None, called: str,
          outages: Mapping[str, str]) -> Answer:
    """A new call: open the session and ask the first question, after any outage notice once
    the caller's language is known (else after they choose it)."""
    session = CallSession(
        call_sid=call_sid,
        caller=caller.e164 if caller else None,
        region=caller.region if caller else None,
        timezone=caller.timezone if caller else None,
        called=called,
        menu_version=ctx.menu.version,
        started_at=isoformat(ctx.now),
    )
    started = _event(ctx, EventKind.CALL, "Call started", event="started",
                     caller=session.caller, called=called, menu_version=ctx.menu.version)
    position = start(ctx.menu, session.region)
    asks_language = ctx.menu.node(position.node).chooses_language
    notices = () if asks_language else outage_notice.notices(ctx.menu, outages,
                                                              position.language)
    return _present(ctx, session, position, [started], preface=notices)


def resume(ctx: Context, session: CallSession) -> Answer:
    """Ask the current question again, adding only the prompt to the log (a confirmation
    that was pending is dropped with its question)."""
    return _present(ctx, session.evolve(proposal=""), _position(session), [])


def take_input(ctx: Context, session: CallSession, given: CallerInput) -> Answer:
    """Apply the caller's answer to the current question."""
    position = _position(session)
    move = advance(ctx.menu, position, given, session.proposal)
    events = _heard_events(ctx, position, given, move)
    said = mask(given.speech.strip())
    if position.node in ctx.menu.sensitive_nodes:
        said = mask_all_digits(said)
    if said and not move.language_only:
        session = session.evolve(words=[*session.words, said])
    session = session.evolve(proposal=move.proposal)
    if move.proposal:
        return _confirm(ctx, session, move, events)
    notices: tuple[str, ...] = ()
    if settles_language(ctx.menu, position, move):
        notices = outage_notice.notices(ctx.menu, ctx.facts().outages, move.position.language)
    if move.outcome is not None:
        return _conclude(ctx, session, move, events, notices)
    return _next_question(ctx, session, move, events, notices)


def move_in_menu(ctx: Context, place: CallSession, given: CallerInput) -> Answer | None:
    """`take_input` for a session known only by its place in the menu (node, path, tries,
    language, revision), or None when the step needs the whole session: words said (kept with
    the caller's earlier words) or an outcome reached (decided on everything known)."""
    if given.speech.strip():
        return None
    position = _position(place)
    key = (ctx.menu.version, ctx.urls.base, place.rev, position, given.digits)
    planned = _moves.find(key)
    if planned is None:
        planned = _plan_move(ctx, place, position, given)
        if planned is None:
            return None
        _moves.keep(key, planned)
    moved = planned.position
    session = place.evolve(node=moved.node, path=list(moved.path), attempts=moved.attempts,
                           language=moved.language)
    events = [Event(ctx.now, e.kind, e.text, e.details) for e in planned.events]
    return Answer(session, events, planned.reply, settles_language=planned.settles_language)


MOVES_CACHED = 4096
"""Moves within the menu kept per process, by menu version, place, step number and key."""


@dataclass(frozen=True)
class _PlannedMove:
    """What one key (or silence) at one place does for every caller: where it leads, what the
    log says (but for the time) and the TwiML that asks the next question."""

    position: Position
    events: tuple[Event, ...]
    reply: str
    settles_language: bool


_moves: ProcessCache[tuple[str, str, int, Position, str], _PlannedMove] = \
    ProcessCache(MOVES_CACHED)


def _plan_move(ctx: Context, place: CallSession, position: Position,
               given: CallerInput) -> _PlannedMove | None:
    """The move, or None when it reaches an outcome (decided on the whole session, not kept)."""
    move = advance(ctx.menu, position, given)
    if move.outcome is not None:
        return None
    answer = _next_question(ctx, place, move, _heard_events(ctx, position, given, move))
    return _PlannedMove(move.position, tuple(answer.events), answer.twiml,
                        settles_language(ctx.menu, position, move))


def _next_question(ctx: Context, session: CallSession, move: Move, events: list[Event],
                   notices: tuple[str, ...] = ()) -> Answer:
    reprompt = _message(ctx.menu, move.reprompt, move.position.language)
    return _present(ctx, session, move.position, events, preface=(*notices, reprompt))


def _confirm(ctx: Context, session: CallSession, move: Move, events: list[Event]) -> Answer:
    """Ask whether the caller's unsure words meant the option they seem to name."""
    menu, position = ctx.menu, move.position
    language = proposed_language(menu, position, move.proposal)
    label = move.option.label_in(language) if move.option else ""
    spoken = twiml.Spoken(menu.messages.of("confirm")[language].replace("{option}", label),
                          menu.languages[language])
    prompt = _event(ctx, EventKind.PROMPT, spoken.text, node=position.node,
                    locale=spoken.locale, confirming=move.proposal)
    step = session.rev + 1
    yes_no = [p for name in ("yes", "no") for p in menu.commands.get(name, {}).get(language, ())]
    reply = twiml.ask(menu, language, [spoken], ctx.urls.confirmation(step),
                      f"{ctx.urls.confirmation(step)}&silence=1", ", ".join(yes_no))
    return Answer(session, [*events, prompt], reply)


def end(ctx: Context, session: CallSession, status: str, duration: str) -> Answer:
    """Twilio reports the call over: close the session and say where the caller was."""
    in_menu = session.status is CallStatus.IN_MENU
    text = f"Caller hung up in the menu at {session.node!r}" if in_menu else "Call ended"
    event = _event(ctx, EventKind.CALL, text, event="ended", status=status,
                   duration=whole_number(duration), node=session.node, hung_up_in_menu=in_menu,
                   issue=issue_on_path(ctx.menu, session.path) if in_menu else None)
    ended = session.evolve(status=CallStatus.ENDED, ended_at=isoformat(ctx.now))
    return Answer(ended, [event], twiml.empty())


def voicemail_left(ctx: Context, session: CallSession, recording_sid: str, url: str,
                   duration: str) -> Answer:
    expected = ctx.menu.voicemail_phrases(session.routing.issue) if session.routing else ()
    event = _event(ctx, EventKind.RECORDING, "Voicemail recorded", recording_sid=recording_sid,
                   url=url, duration=whole_number(duration), expected=list(expected) or None)
    spoken = [twiml.Spoken(ctx.menu.messages.of("goodbye").get(session.language, ""),
                           ctx.menu.languages[session.language])]
    return Answer(session, [event], twiml.say_then_hang_up(spoken))


def transfer_done(ctx: Context, session: CallSession, dial_status: str) -> Answer:
    """After a transfer: done if it connected, else the caller goes to a human, never silence."""
    event = _event(ctx, EventKind.NOTE, f"Transfer ended: {dial_status or 'unknown'}",
                   dial_status=dial_status)
    if dial_status in ("completed", "answered"):
        return Answer(session, [event], twiml.say_then_hang_up([]))
    move = Move(Heard.HUMAN, _position(session), outcome=ctx.menu.human)
    return _conclude(ctx, session, move, [event])


SCORES = ("1", "2", "3", "4", "5")


def after_queue(ctx: Context, session: CallSession, result: str) -> Answer:
    """The caller left the queue: after a talk with an agent, the survey if the tree has one."""
    event = _event(ctx, EventKind.QUEUE, f"Left the queue: {result or 'unknown'}",
                   queue_result=result)
    survey = ctx.menu.survey
    if result != "bridged" or survey is None:
        return Answer(session, [event], twiml.say_then_hang_up([]))
    return _ask_survey(ctx, session.evolve(attempts=0), [event])


def survey_answer(ctx: Context, session: CallSession, digits: str) -> Answer:
    """Record a 1-to-5 answer; anything else is asked once more, then the caller is thanked."""
    assert ctx.menu.survey is not None
    locale = ctx.menu.languages[session.language]
    thanks = [twiml.Spoken(ctx.menu.survey.thanks[session.language], locale)]
    if digits in SCORES:
        event = _event(ctx, EventKind.NOTE, f"Satisfaction survey: {digits} of 5",
                       csat=int(digits))
        return Answer(session, [event], twiml.say_then_hang_up(thanks))
    if session.attempts < 1:
        return _ask_survey(ctx, session.evolve(attempts=1), [])
    event = _event(ctx, EventKind.NOTE, "Satisfaction survey: no answer")
    return Answer(session, [event], twiml.say_then_hang_up(thanks))


def _ask_survey(ctx: Context, session: CallSession, events: list[Event]) -> Answer:
    assert ctx.menu.survey is not None
    spoken = twiml.Spoken(ctx.menu.survey.prompt[session.language],
                          ctx.menu.languages[session.language])
    prompt = _event(ctx, EventKind.PROMPT, spoken.text, node="survey", locale=spoken.locale)
    reply = twiml.ask_key(spoken, ctx.urls.survey(session.rev + 1), ctx.menu.settings.timeout)
    return Answer(session, [*events, prompt], reply)


def _present(ctx: Context, session: CallSession, position: Position, events: list[Event],
             preface: tuple[str, ...] = ()) -> Answer:
    question = _question(ctx, position, session.rev + 1, preface)
    prompts = [_event(ctx, EventKind.PROMPT, s.text, node=position.node, locale=s.locale)
               for s in question.spoken]
    moved = session.evolve(node=position.node, path=list(position.path),
                           attempts=position.attempts, language=position.language)
    return Answer(moved, events + prompts, question.reply)


QUESTIONS_CACHED = 4096
"""Rendered questions kept per process. Few differ: a menu has a handful of nodes and
languages, and callers pass them at few step numbers, tries and prefaces."""


@dataclass(frozen=True)
class _Question:
    """A menu question as asked at one place: what is said, and the TwiML that asks it."""

    spoken: tuple[twiml.Spoken, ...]
    reply: str


def _question(ctx: Context, position: Position, step: int, preface: tuple[str, ...]) -> _Question:
    # Rendering a question (its words, speech hints, action URLs and TwiML) costs more than the
    # rest of a menu step's logic, and every input to it repeats from caller to caller.
    key = (ctx.menu.version, ctx.urls.base, step, position, preface)
    return _questions.find(key) or _questions.keep(key, _ask(ctx, position, step, preface))


_questions: ProcessCache[tuple[str, str, int, Position, tuple[str, ...]], _Question] = \
    ProcessCache(QUESTIONS_CACHED)


def _ask(ctx: Context, position: Position, step: int, preface: tuple[str, ...]) -> _Question:
    menu, language = ctx.menu, position.language
    node = menu.node(position.node)
    spoken = tuple(twiml.node_speech(menu, node, language, preface))
    place = menu_place.query(menu, step, position)
    reply = twiml.gather(menu, node, language, spoken, ctx.urls.menu(place),
                         ctx.urls.silence(place))
    return _Question(spoken, reply)


def _conclude(ctx: Context, session: CallSession, move: Move, events: list[Event],
              notices: tuple[str, ...] = ()) -> Answer:
    assert move.outcome is not None
    outcome, position = _open_or_after_hours(ctx, move.outcome), move.position
    if outcome is not move.outcome:
        events = [*events, _event(ctx, EventKind.NOTE, "Closed now: the after-hours route "
                                  f"({outcome.kind.value}) instead of the queue",
                                  after_hours=True)]
    routing = decide(ctx.menu, outcome, position.path, ctx.facts(), session.words,
                     ctx.now.timestamp(), ctx.repeat_window)
    routed = session.evolve(node=position.node, path=list(position.path), attempts=0,
                            language=position.language, routing=routing,
                            status=CallStatus.ROUTED)
    decided = _event(ctx, EventKind.DECISION, routing.describe(), **routing.to_dict())
    locale = ctx.menu.languages[position.language]
    spoken = [*(twiml.Spoken(text, locale) for text in notices),
              *twiml.outcome_speech(ctx.menu, outcome, position.language)]
    prompts = [_event(ctx, EventKind.PROMPT, s.text, node=position.node, locale=s.locale)
               for s in spoken if s.text]
    reply = _outcome_twiml(ctx, outcome, spoken, session.rev + 1)
    return Answer(routed, events + [decided] + prompts, reply, routing)


def _open_or_after_hours(ctx: Context, outcome: Outcome) -> Outcome:
    """A queue outcome while the contact centre is closed becomes the after-hours route,
    keeping the issue, tier and skills the caller's path gave it (for a callback, say)."""
    menu = ctx.menu
    if outcome.kind is not OutcomeKind.ROUTE or menu.after_hours is None:
        return outcome
    opening = ctx.facts().line_hours or menu.hours
    if opening is None or opening.is_open(ctx.now):
        return outcome
    closed = menu.after_hours
    return replace(closed, issue=closed.issue or outcome.issue, tier=outcome.tier,
                   queue=outcome.queue, skills=outcome.skills,
                   priority=closed.priority or outcome.priority)


def _outcome_twiml(ctx: Context, outcome: Outcome, spoken: list[twiml.Spoken], step: int) -> str:
    kind = outcome.kind
    if kind is OutcomeKind.ROUTE:
        return twiml.say_then_redirect(spoken, ctx.urls.queue)
    if kind is OutcomeKind.CALLBACK:
        return twiml.say_then_redirect(spoken, ctx.urls.callback_offer)
    if kind is OutcomeKind.VOICEMAIL:
        return twiml.voicemail(spoken, ctx.urls.voicemail_done(step),
                               ctx.urls.recording_status, ctx.urls.recording_transcription)
    if kind is OutcomeKind.TRANSFER:
        return twiml.transfer(spoken, outcome.number, ctx.urls.transfer_done(step))
    return twiml.say_then_hang_up(spoken)


def _heard_events(ctx: Context, position: Position, given: CallerInput, move: Move) -> list[Event]:
    node = position.node
    label = move.option.label if move.option else None
    meaning = label or move.heard.value
    events: list[Event] = []
    if node in ctx.menu.sensitive_nodes:  # card details: not a digit of them is kept
        given = replace(given, digits=mask_all_digits(given.digits),
                        speech=mask_all_digits(given.speech))
    if given.digits:
        events.append(_event(ctx, EventKind.DTMF, f"Pressed {given.digits} ({meaning})",
                             digits=given.digits, node=node, option=label,
                             meaning=move.heard.value))
    elif given.speech.strip():
        # Words that only chose the language are told apart from the reason for calling.
        events.append(_event(ctx, EventKind.SPEECH, given.speech.strip(),
                             confidence=given.confidence, node=node, option=label,
                             meaning=move.heard.value,
                             language_choice=True if move.language_only else None,
                             proposal=move.proposal or None))
    else:
        events.append(_event(ctx, EventKind.NOTE, f"No input at {node!r}", node=node))
    if move.by_default:
        events.append(_event(ctx, EventKind.NOTE,
                             f"Default route of {node!r} after {ctx.menu.settings.max_attempts} "
                             "tries without a valid answer", node=node))
    return events


def _message(menu: Menu, name: str | None, language: str) -> str:
    if name is None:
        return ""
    return menu.messages.of(name).get(language, "")


def _position(session: CallSession) -> Position:
    return Position(session.node, tuple(session.path), session.attempts, session.language)


def _event(ctx: Context, kind: EventKind, text: str, **details: Any) -> Event:
    return Event(ctx.now, kind, text, {k: v for k, v in details.items() if v is not None})


