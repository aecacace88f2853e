"""A call's session and event log in Redis, keyed by CallSid, changed one step at a time.

Every webhook step reads the session, decides, and commits the new session, its events and the
TwiML it answered in one atomic script. The commit is refused when another process changed the
session meanwhile (optimistic concurrency on `rev`) or when the step was already answered, so a
retried webhook gets the stored reply and adds nothing to the log twice.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import MISSING, Field, asdict, dataclass, field, fields
from typing import Any

import orjson
import redis
from redis.exceptions import NoScriptError

from core import keys
from core.call_status import CallStatus
from core.errors import HotlineError
from core.events import Event
from core.redis_values import text, text_map
from core.redis_wire import Command, Wire, as_map
from core.routing import Routing

MAX_STEP_TRIES = 8
"""How often a step is recomputed when other processes keep changing the same call."""


@dataclass(frozen=True)
class Change:
    """What a step decided: the session to store, events to append, and the reply."""

    session: CallSession
    events: list[Event]
    reply: str


Decide = Callable[["Step"], "Change | str"]
"""A step's logic: given what was read (the session is None for an unknown call), a Change,
or a bare reply when nothing is to be stored."""

Prefetch = Sequence[Command]
"""Further reads sent with the step's own; their raw replies arrive in `Step.extras`."""

Guard = tuple[str, str | None]
"""A string key and the value it must hold when a step commits (None: it must not exist)."""

# KEYS: the call, its events, its replies, the event stream, then any guard keys.
# ARGV: rev, step key, reply, ttl, CallSid, field count, one expected value per guard key
# ('' for a key that must not exist), the session's fields and values, then the events.
_COMMIT = """
local rev = redis.call('HGET', KEYS[1], 'rev') or '0'
if rev ~= ARGV[1] then return 0 end
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then return 0 end
local nguards = #KEYS - 4
for i = 1, nguards do
  local expected = ARGV[6 + i]
  if expected == '' then
    if redis.call('EXISTS', KEYS[4 + i]) == 1 then return 0 end
  elseif redis.call('GET', KEYS[4 + i]) ~= expected then
    return 0
  end
end
local ttl = tonumber(ARGV[4])
local nfields = tonumber(ARGV[6])
local start = 7 + nguards
local pos = start + 2 * nfields
redis.call('HSET', KEYS[1], 'rev', tonumber(rev) + 1, unpack(ARGV, start, pos - 1))
local count = #ARGV - pos + 1
if count > 0 then
  local first = redis.call('RPUSH', KEYS[2], unpack(ARGV, pos, #ARGV)) - count
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', '1000000', '*',
             'call', ARGV[5], 'first', first, 'count', count)
end
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('EXPIRE', KEYS[3], ttl)
return 1
"""


@dataclass(frozen=True)
class CallSession:
    """What Hotline knows about one call while it lasts."""

    call_sid: str
    caller: str | None = None
    region: str | None = None
    timezone: str | None = None
    called: str = ""
    language: str = ""
    menu_version: str = ""
    node: str = ""
    path: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)
    attempts: int = 0
    proposal: str = ""
    """Keys the caller's unsure words would press, while Hotline asks them to confirm."""
    routing: Routing | None = None
    """Where the call is going and why, once the menu ended (stored as `decision`)."""
    status: CallStatus = CallStatus.IN_MENU
    started_at: str = ""
    ended_at: str = ""
    rev: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The session as the calls API shows it, with the routing under `decision`."""
        data = asdict(self)
        data["decision"] = self.routing.to_dict() if self.routing is not None else None
        del data["routing"]
        return data

    def evolve(self, **changes: Any) -> CallSession:
        """A copy with `changes`. Every webhook step makes one or two: copied field by field,
        as dataclasses.replace (which goes through __init__) costs several times more."""
        if not changes.keys() <= _FIELD_NAMES:
            raise TypeError(f"CallSession has no field {sorted(changes.keys() - _FIELD_NAMES)}")
        changed = object.__new__(CallSession)
        changed.__dict__.update(self.__dict__, **changes)
        return changed


@dataclass(frozen=True)
class Step:
    """A session as read for one webhook step, with the reply if that step was answered already."""

    session: CallSession | None
    answered: str | None
    extras: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class Guess:
    """A step decided before reading, on what the call is expected to be, so that it is
    committed in one round trip instead of two. The commit checks the session's `rev` (0: a new
    call), the guards and that the step is not answered yet; a wrong guess only costs the
    ordinary read."""

    change: Change
    guards: Sequence[Guard] = ()
    """Further keys whose values the guess relied on."""
    only: Collection[str] | None = None
    """The session fields to write, when the guess knew only those (None: all of them)."""


class SessionStore:
    """Reads and atomically changes call sessions and their event logs in Redis."""

    def __init__(self, client: redis.Redis, ttl: int) -> None:
        self._redis = client
        self._wire = Wire(client)
        self._ttl = ttl
        self._commit = client.register_script(_COMMIT)

    def close(self) -> None:
        """Close the webhooks' own connections (core.redis_wire)."""
        self._wire.close()

    def read(self, call_sid: str, step_key: str, prefetch: Prefetch = ()) -> Step:
        """The session of `call_sid`, the stored reply to `step_key` and the replies to
        `prefetch`, in one round trip."""
        raw, answered, *extras = self._wire.execute([
            ("HGETALL", keys.call(call_sid)),
            ("HGET", keys.call_replies(call_sid), step_key),
            *prefetch,
        ])
        return Step(decode_session(call_sid, as_map(raw)) if raw else None,
                    text(answered) if answered is not None else None, extras)

    def load(self, call_sid: str) -> CallSession | None:
        raw = self._redis.hgetall(keys.call(call_sid))
        return decode_session(call_sid, raw) if raw else None

    def commit(self, session: CallSession, events: list[Event], step_key: str,
               reply: str, guards: Sequence[Guard] = (),
               only: Collection[str] | None = None) -> bool:
        """Store `session` (read at `session.rev`; only the fields named in `only`, if given),
        append `events`, remember `reply`.

        False when someone else committed first, the step was already answered or a guard does
        not hold: re-read.
        """
        encoded = _encode(session, only if only is not None else _fields_to_store(session))
        args: list[str | bytes | int] = [
            session.rev, step_key, reply, self._ttl, session.call_sid, len(encoded),
            *(value or "" for _, value in guards),
        ]
        for name, value in encoded.items():
            args += [name, value]
        args += [event.to_json() for event in events]
        sid = session.call_sid
        script_keys = [keys.call(sid), keys.call_events(sid), keys.call_replies(sid),
                       keys.call_event_stream(), *(key for key, _ in guards)]
        try:
            [done] = self._wire.execute([("EVALSHA", self._commit.sha, len(script_keys),
                                          *script_keys, *args)])
        except NoScriptError:  # Redis restarted or flushed its script cache: load it again
            done = self._commit(keys=script_keys, args=args)
        return bool(done)

    def run(self, call_sid: str, step_key: str, decide: Decide, prefetch: Prefetch = (),
            guess: Guess | None = None) -> str:
        """Answer one webhook step exactly once.

        A step already answered gets its stored reply; otherwise `decide` runs on the current
        session and its change is committed, retrying on a concurrent change. A `guess` is
        tried first, without reading.
        """
        if guess is not None:
            guessed = guess.change
            if self.commit(guessed.session, guessed.events, step_key, guessed.reply,
                           guess.guards, guess.only):
                return guessed.reply
        for _ in range(MAX_STEP_TRIES):
            step = self.read(call_sid, step_key, prefetch)
            if step.answered is not None:
                return step.answered
            change = decide(step)
            if isinstance(change, str):
                return change
            if self.commit(change.session, change.events, step_key, change.reply):
                return change.reply
        raise HotlineError(f"call {call_sid}: step {step_key!r} kept conflicting; gave up")

    def note(self, call_sid: str, step_key: str, events: list[Event]) -> bool:
        """Append `events` to a known call's log exactly once per `step_key`, for what happens
        away from the call's own webhooks (a callback's progress, an agent's escalation).

        False when the call is unknown (its log has expired or never existed).
        """
        for _ in range(MAX_STEP_TRIES):
            step = self.read(call_sid, step_key)
            if step.session is None:
                return False
            if step.answered is not None or self.commit(step.session, events, step_key, ""):
                return True
        raise HotlineError(f"call {call_sid}: note {step_key!r} kept conflicting; gave up")

    def events(self, call_sid: str, first: int = 0, last: int = -1) -> list[dict[str, Any]]:
        """The call's event log from position `first` to `last` (inclusive), oldest first."""
        items = self._redis.lrange(keys.call_events(call_sid), first, last)
        return [orjson.loads(item) for item in items]


def read_logged(client: redis.Redis, spans: Mapping[str, tuple[int, int]]
                ) -> list[tuple[CallSession, int, list[dict[str, Any]]]]:
    """Each call's session, `first` and its events [first, end) from `spans`, in one round
    trip, for consumers of the event stream; a call whose session or events are gone is left
    out."""
    pipe = client.pipeline(transaction=False)
    for call_sid, (first, end) in spans.items():
        pipe.hgetall(keys.call(call_sid))
        pipe.lrange(keys.call_events(call_sid), first, end - 1)
    answers = pipe.execute()
    found = []
    for index, (call_sid, (first, _)) in enumerate(spans.items()):
        raw, events = answers[2 * index], answers[2 * index + 1]
        if raw and events:
            found.append((decode_session(call_sid, raw), first,
                          [orjson.loads(event) for event in events]))
    return found


_FIELD_NAMES = CallSession.__dataclass_fields__.keys()
_JSON_FIELDS = {"path", "words", "routing"}
_ROUTING_STORED_AS = "decision"
"""The session hash's field of the routing (its name from before `Routing` existed, so that
processes of both versions read each other's sessions during a deploy)."""
_CONVERTED_FIELDS: dict[str, Callable[[str], Any]] = {
    "attempts": int, "rev": int,
    # A dict lookup: calling the enum costs far more, on every read of a session.
    "status": {status.value: status for status in CallStatus}.__getitem__}
_OPTIONAL_FIELDS = {"caller", "region", "timezone"}


_STORED_FIELDS = [f.name for f in fields(CallSession) if f.name not in ("call_sid", "rev")]


def _default(spec: Field[Any]) -> Any:
    return spec.default if spec.default_factory is MISSING else spec.default_factory()


_DEFAULTS = {spec.name: _default(spec) for spec in fields(CallSession)}


def _fields_to_store(session: CallSession) -> list[str]:
    """Every field of a known call; of a new one, only those not at their default (a missing
    field reads back as its default), which spares the first step of every call a third of
    its writes."""
    if session.rev:
        return _STORED_FIELDS
    return [name for name in _STORED_FIELDS if getattr(session, name) != _DEFAULTS[name]]


def _encode(session: CallSession, names: Collection[str]) -> dict[str, str | bytes]:
    # Field by field rather than asdict(): this runs on every webhook, and asdict deep-copies.
    encoded: dict[str, str | bytes] = {}
    for name in names:
        value = getattr(session, name)
        if name in _JSON_FIELDS:
            if name == "routing":
                encoded[_ROUTING_STORED_AS] = orjson.dumps(value.to_dict() if value else None)
            else:
                encoded[name] = orjson.dumps(value)
        else:
            encoded[name] = "" if value is None else str(value)
    return encoded


def decode_session(call_sid: str, raw: Mapping[bytes | str, bytes | str]) -> CallSession:
    """A session from the hash stored under `keys.call(call_sid)`."""
    values: dict[str, Any] = {"call_sid": call_sid}
    for name, value in text_map(raw).items():
        if name in _STORED_JSON:
            values[_STORED_JSON[name]] = orjson.loads(value)
        elif name in _CONVERTED_FIELDS:
            values[name] = _CONVERTED_FIELDS[name](value)
        elif name in _OPTIONAL_FIELDS:
            values[name] = value or None
        elif name in CallSession.__dataclass_fields__:
            values[name] = value
    routing = values.get("routing")
    if routing is not None:  # decoded only for a call that has one: not within the menu
        values["routing"] = Routing.from_dict(routing)
    return CallSession(**values)


_STORED_JSON = {"path": "path", "words": "words", _ROUTING_STORED_AS: "routing"}
"""The session hash's JSON fields, with the session field each is read into."""
