"""The service's figures over a set of calls and tickets (pure; definitions in docs/KPIS.md).

Every figure is a count or a share of counts, so the same function serves a whole period and
each group of a breakdown (`by` line, tier, issue, agent or hour)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from reports.calls import CallbackFacts, CallFacts
from reports.sla import DEFAULT_WARNING, TicketFacts, breached, watch_list

SERVICE_LEVEL_SECONDS = 20
"""The service level's threshold: answered within this many seconds (80/20 by default)."""

SERVICE_LEVEL_TARGET = 0.8

WAIT_BUCKETS = (20, 60, 120, 300, 600)
"""Upper bounds (seconds) of the wait distribution's bars; the last bar is beyond them."""

DIMENSIONS = ("line", "tier", "issue", "agent", "hour")


@dataclass(frozen=True)
class Options:
    threshold: int = SERVICE_LEVEL_SECONDS
    warning: timedelta = DEFAULT_WARNING


def kpis(calls: Sequence[CallFacts], tickets: Sequence[TicketFacts], now: datetime,
         options: Options = Options()) -> dict[str, Any]:
    """Every figure over `calls` (legs of the period) and `tickets` (opened in the period)."""
    inbound = [c for c in calls if c.leg == "inbound"]
    offered = [c for c in inbound if c.offered]
    answered = [c for c in offered if c.answered]
    waits = [c.wait for c in answered if c.wait is not None]
    talks = [c.talk_seconds for c in calls if c.talk_seconds is not None]
    scores = [c.csat for c in inbound if c.csat is not None]
    return {
        "calls_received": len(inbound),
        "ivr_completion": _share(sum(1 for c in inbound if completed_menu(c)), len(inbound)),
        "abandoned_in_menu": sum(1 for c in inbound if c.hung_up_at),
        "abandoned_in_menu_rate": _share(sum(1 for c in inbound if c.hung_up_at), len(inbound)),
        "offered_to_queue": len(offered),
        "answered": len(answered),
        "abandoned_on_hold": len(offered) - len(answered),
        "abandoned_on_hold_rate": _share(len(offered) - len(answered), len(offered)),
        "average_speed_of_answer": _mean(waits),
        "service_level": _share(sum(1 for w in waits if w <= options.threshold), len(offered)),
        "service_level_threshold": options.threshold,
        "average_handle_time": _mean([float(t) for t in talks]),
        **callback_figures([b for c in inbound for b in c.callbacks]),
        **first_contact(tickets),
        "csat_answers": len(scores),
        "csat_average": _mean([float(s) for s in scores]),
        "csat_satisfied": _share(sum(1 for s in scores if s >= 4), len(scores)),
        **sla_figures(tickets, now, options.warning),
    }


def completed_menu(call: CallFacts) -> bool:
    """The caller reached an outcome of the menu without asking for a person."""
    return call.outcome is not None and call.zeroed_at is None


def menu_drop_off(calls: Sequence[CallFacts]) -> list[dict[str, Any]]:
    """Per menu node, in the order callers first reach them: how many heard it, hung up there,
    or asked for a person (0) there."""
    inbound = [c for c in calls if c.leg == "inbound"]
    reached = Counter(n for c in inbound for n in c.menu_nodes)
    hung_up = Counter(c.hung_up_at for c in inbound if c.hung_up_at)
    zeroed = Counter(c.zeroed_at for c in inbound if c.zeroed_at)
    order = list(dict.fromkeys(n for c in inbound for n in c.menu_nodes))
    return [{"node": n, "reached": reached[n], "hung_up": hung_up[n], "pressed_0": zeroed[n]}
            for n in order]


def callback_figures(callbacks: Sequence[CallbackFacts]) -> dict[str, Any]:
    """Promised callbacks: the share that reached the caller among those decided (connected,
    completed or failed), and the time from the promise to the connected call."""
    decided = [b for b in callbacks if b.state in ("connected", "completed", "failed")]
    reached = [b for b in decided if b.connected_at is not None]
    times = [(b.connected_at - b.promised_at).total_seconds()
             for b in callbacks if b.connected_at is not None]
    return {"callbacks_promised": len(callbacks),
            "callback_success": _share(len(reached), len(decided)),
            "time_to_callback": _mean(times)}


def first_contact(tickets: Sequence[TicketFacts]) -> dict[str, Any]:
    """Tickets an agent worked (first response given), and the share resolved on the first
    contact: the agent's wrap-up answer where given, else solved with one inbound call."""
    worked = [t for t in tickets if t.first_response_at is not None]
    return {"tickets_worked": len(worked),
            "first_contact_resolution": _share(sum(1 for t in worked if _first_contact(t)),
                                               len(worked))}


def _first_contact(ticket: TicketFacts) -> bool:
    if ticket.resolved_first_contact is not None:
        return ticket.resolved_first_contact
    return ticket.resolved_at is not None and ticket.inbound_calls == 1


def sla_figures(tickets: Sequence[TicketFacts], now: datetime,
                warning: timedelta) -> dict[str, Any]:
    watch = watch_list(tickets, now, warning)
    return {
        "sla_first_response_breached": breached(tickets, "first_response", now),
        "sla_resolution_breached": breached(tickets, "resolution", now),
        "sla_overdue": sum(1 for i in watch if i.state == "overdue"),
        "sla_at_risk": sum(1 for i in watch if i.state == "at_risk"),
        "sla_watch": [i.to_dict(now) for i in watch],
    }


def wait_distribution(calls: Sequence[CallFacts]) -> list[dict[str, Any]]:
    """Answered calls per wait bucket (`up_to` seconds; None for the last, open one)."""
    waits = [c.wait for c in calls if c.leg == "inbound" and c.wait is not None]
    bounds: list[int | None] = [*WAIT_BUCKETS, None]
    counts = Counter(next(i for i, b in enumerate(bounds) if b is None or w <= b) for w in waits)
    return [{"up_to": b, "calls": counts[i]} for i, b in enumerate(bounds)]


def by_hour(calls: Sequence[CallFacts]) -> list[dict[str, Any]]:
    """Calls received and abandoned (menu or hold) per UTC hour of the period."""
    inbound = [c for c in calls if c.leg == "inbound"]
    hours = sorted({_hour(c) for c in inbound})
    return [{"hour": h,
             "calls": sum(1 for c in inbound if _hour(c) == h),
             "abandoned": sum(1 for c in inbound if _hour(c) == h
                              and (c.hung_up_at or c.abandoned_on_hold))}
            for h in hours]


def breakdown(calls: Sequence[CallFacts], tickets: Sequence[TicketFacts], by: str,
              now: datetime, options: Options = Options()) -> dict[str, dict[str, Any]]:
    """The figures per value of `by` (one of DIMENSIONS), calls and tickets grouped alike."""
    call_key, ticket_key = _KEYS[by]
    groups = sorted({call_key(c) for c in calls} | {ticket_key(t) for t in tickets})
    return {g: kpis([c for c in calls if call_key(c) == g],
                    [t for t in tickets if ticket_key(t) == g], now, options)
            for g in groups}


NONE = "-"
"""The group of calls without a value (a caller who hung up in the menu has no line)."""


def _hour(call: CallFacts) -> str:
    return call.started_at.strftime("%Y-%m-%d %H:00")


_KEYS: dict[str, tuple[Callable[[CallFacts], str], Callable[[TicketFacts], str]]] = {
    "line": (lambda c: c.queue or NONE, lambda t: t.queue or NONE),
    "tier": (lambda c: c.tier or NONE, lambda t: t.tier or NONE),
    "issue": (lambda c: c.issue or NONE, lambda t: t.issue or NONE),
    "agent": (lambda c: c.agent or NONE, lambda t: t.assignee or NONE),
    "hour": (_hour, lambda t: t.created_at.strftime("%Y-%m-%d %H:00")),
}


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 1) if values else None
