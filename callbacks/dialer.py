"""Dialling a callback: find it an agent (or its place in the virtual queue), then place the
call once per attempt, at the shared pace, inside the caller's allowed hours.

Agent-first (the default): the callback arrives in the same ranked queue as live callers,
ranked by its original arrival, so it neither jumps ahead of callers still holding nor falls
behind them; an agent reserved for it (now, or later by the queues side through
`callbacks.jobs.agent_ready`) is held until the customer answers or the attempt ends.
Customer-first (per queue): the customer is dialled without a reserved agent and joins the
queue when they answer.

Exactly once per attempt: an attempt exists only through the version-checked move into
`dialing`, and its REST call is guarded by `SET NX` on the attempt's key, so a scheduler that
runs a job twice, or a sweep racing a slow worker, never dials the same attempt twice.
"""

from __future__ import annotations

import time
from datetime import timedelta

from callbacks.attempt import ATTEMPT_KEY_TTL, placed
from callbacks.capacity import RECHECK_SECONDS, start_if_room
from callbacks.outcomes import attempt_over
from callbacks.record import Callback, State
from callbacks.runtime import Move, Runtime
from callbacks.slots import may_dial, next_dial_time
from core import keys
from core.routes import Routes
from core.telephony import OutboundCall, TelephonyError

RING_TIMEOUT = 30
"""Seconds the customer's phone rings before the attempt counts as not answered."""

DIALABLE = (State.SCHEDULED, State.RETRY_WAIT)

WAITING = "waiting in line"
"""`last_result` of a callback waiting in the virtual queue for an agent."""

EARLY = 1.0
"""Seconds before its time a callback's job is scheduled (RQ's scheduler looks once a second);
the job waits out the rest, so the call leaves on time rather than up to a second late."""


def attempt_urls(base: str, attempt: str) -> tuple[str, str]:
    """Where Twilio fetches the answered call's TwiML, and where it posts status changes."""
    routes = Routes(base)
    return routes.callback_answer(attempt), routes.callback_status(attempt)


def due(rt: Runtime, callback_id: str) -> str:
    """The callback's time has come: dial it if an agent is free, else wait in line."""
    record = rt.store.get(callback_id)
    if record is None or record.state not in DIALABLE:
        return "nothing to do"
    wait = _time_of(record) - rt.now()
    if wait > EARLY:
        return "not due yet"  # a stray early run; its own job comes at its time
    if wait > 0:
        time.sleep(wait)
    if _outside_hours(rt, record):
        return "moved into allowed hours"
    if not rt.policy(record).agent_first(record.queue):
        return _dial_customer_first(rt, record)
    arrival = rt.queues.arrive(record.task, record.queue, record.tier, list(record.skills),
                               record.priority, record.arrived_at, now=rt.now())
    if arrival.agent:
        return _dial(rt, callback_id, arrival.agent)
    # Looked at again later by the sweep: should the queues side's agent_ready job for it be
    # lost, arriving again finds the agent it reserved for this callback.
    recheck = rt.now() + 2 * rt.settings.callbacks.lease
    if record.last_result == WAITING:
        rt.store.rearm(callback_id, recheck)
        return "still waiting for an agent"
    rt.change(callback_id, lambda r: _wait_in_line(r, arrival.position, recheck))
    return "waiting for an agent"


def agent_ready(rt: Runtime, callback_id: str, agent_id: str) -> str:
    """The queues side reserved `agent_id` for this callback: dial the customer for them, or
    give the agent back if the callback can no longer be dialled."""
    record = rt.store.get(callback_id)
    if record is None or record.state not in DIALABLE:
        _give_back(rt, callback_id, agent_id)
        return "agent released: nothing to dial"
    if _outside_hours(rt, record):
        rt.queues.release(agent_id, record.task, rt.now())
        return "agent released: outside the caller's hours"
    return _dial(rt, callback_id, agent_id)


def _dial(rt: Runtime, callback_id: str, agent: str) -> str:
    started = _start(rt, callback_id, agent)
    if started is None:
        _give_back(rt, callback_id, agent)
        return "not dialled: changed meanwhile"
    return _place(rt, started)


def _dial_customer_first(rt: Runtime, record: Callback) -> str:
    started: list[Callback] = []

    def start() -> bool:
        found = _start(rt, record.id, "")
        started.extend([found] if found else [])
        return found is not None

    if not start_if_room(rt, record, start):
        rt.schedule(record.id, rt.clock.now() + timedelta(seconds=RECHECK_SECONDS))
        return "waiting for a free agent"
    return _place(rt, started[0])


def _start(rt: Runtime, callback_id: str, agent: str) -> Callback | None:
    lease = rt.now() + rt.settings.callbacks.lease
    return rt.change(callback_id, lambda r: _start_attempt(r, agent, lease))


def _place(rt: Runtime, started: Callback) -> str:
    """Place the attempt's call once, at the shared pace."""
    guard = keys.callback_attempt(started.attempt)
    if not rt.redis.set(guard, "placing", nx=True, ex=ATTEMPT_KEY_TTL):
        return "not dialled: attempt already placed"
    rt.pacer.wait_turn()
    answer_url, status_url = attempt_urls(rt.settings.public_url, started.attempt)
    try:
        call_sid = rt.telephony.place_call(OutboundCall(
            to=started.phone, from_=started.from_number, url=answer_url,
            status_callback=status_url, machine_detection=True, timeout=RING_TIMEOUT))
    except TelephonyError as exc:
        if exc.retryable:
            # Twilio busy (429), failing (5xx) or silent: not the customer's miss, so it must
            # not spend one of their attempts. Twilio may still have made the call (a 5xx or
            # timeout after it did): its status callback then marks the attempt placed;
            # otherwise the lease runs out and the sweep puts it back in line uncounted.
            return f"not placed yet: {exc}"
        rt.redis.set(guard, "failed", ex=ATTEMPT_KEY_TTL)
        attempt_over(rt, started.attempt, f"could not be placed ({exc})")
        return "attempt failed"
    placed(rt, started.attempt, call_sid)
    return f"placed {call_sid}"


def _give_back(rt: Runtime, callback_id: str, agent: str) -> None:
    """Release `agent` from this callback, unless the attempt under way holds them (arriving
    again hands out the same reserved agent, so racing jobs may all have been given them)."""
    if not agent:
        return
    current = rt.store.get(callback_id)
    if current is not None and current.agent == agent and \
            current.state in (State.DIALING, State.CONNECTED):
        return
    rt.queues.release(agent, f"cb:{callback_id}", rt.now())


def _start_attempt(record: Callback, agent: str, lease: float) -> Move | None:
    if record.state not in DIALABLE:
        return None
    number = record.attempts + 1
    attempt = f"{record.id}-{record.version + 1}"
    whom = f" for agent {agent}" if agent else ""
    return Move(State.DIALING, f"Callback attempt {number}: dialling {record.phone}{whom}",
                lease=lease,
                changes={"attempts": number, "attempt": attempt, "agent": agent,
                         "customer_call": "", "last_result": ""},
                details={"attempt": attempt, "agent": agent})


def _wait_in_line(record: Callback, position: int | None, recheck: float) -> Move | None:
    if record.state not in DIALABLE:
        return None
    where = f" at position {position}" if position else ""
    return Move(record.state, f"Callback waiting for an agent in queue {record.queue}{where}",
                due=recheck, changes={"last_result": WAITING}, details={"position": position})


def _outside_hours(rt: Runtime, record: Callback) -> bool:
    """Outside the caller's allowed hours: move the callback to the next allowed time."""
    policy = rt.policy(record)
    now = rt.clock.now()
    if may_dial(now, policy.zone, policy.hours):
        return False
    when = next_dial_time(now, policy.zone, policy.hours)
    moved = rt.change(record.id, lambda r: Move(
        r.state, f"Too late or early to call {r.phone}; next try at {when:%Y-%m-%d %H:%M} UTC",
        due=when.timestamp()) if r.state in DIALABLE else None)
    if moved is not None:
        # Out of line until then (no agent is reserved for it at night); the job puts it
        # back in its original place.
        rt.queues.abandon(record.task)
        rt.schedule(record.id, when)
    return True


def _time_of(record: Callback) -> float:
    return record.next_try if record.state is State.RETRY_WAIT else record.due_at
