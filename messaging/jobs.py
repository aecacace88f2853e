"""RQ entry points of messaging, enqueued by dotted path: `messaging.jobs.ticket_solved` (the
tickets bridge enqueues it when an agent solves a caller's ticket)."""

from __future__ import annotations

from callbacks.jobs import from_env
from messaging.notes import Solved, tell_solved

QUEUE = "hotline"


def ticket_solved(phone: str, issue: str, call: str, language: str, menu_version: str,
                  called: str = "") -> bool:
    """Job: text `phone` that their ticket about `issue` is solved (noted on `call`, sent
    from the number they called unless the deployment names one)."""
    rt = from_env()
    try:
        return tell_solved(rt, Solved(phone, issue, call, language, menu_version, called))
    finally:
        rt.redis.close()
