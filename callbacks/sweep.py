"""The safety net under RQ: finds callbacks whose scheduled job was lost or whose attempt
outlived its lease (a worker killed mid-job), and puts them back on track. RQ's scheduler can
run a job twice and its abandoned-job handling can drop one, so this guard is Hotline's own;
every `hotline worker` runs it in a thread every HOTLINE_CALLBACK_SWEEP_EVERY seconds (sweeps
from several workers at once are harmless: every change they make is version-checked)."""

from __future__ import annotations

from dataclasses import dataclass

from callbacks.outcomes import lost_attempt
from callbacks.record import State
from callbacks.runtime import Runtime
from callbacks.transcript import copy_to_call


@dataclass(frozen=True)
class Swept:
    rescheduled: int
    recovered: int


def sweep(rt: Runtime) -> Swept:
    """One pass: recover expired attempts, re-schedule overdue callbacks."""
    now = rt.now()
    recovered = 0
    for callback_id in rt.store.expired_leases(now):
        if lost_attempt(rt, callback_id) is not None:
            recovered += 1
    rescheduled = 0
    # A job normally acts within the scheduler's one-second tick; one that has not within a
    # lease is taken as lost (a scheduler lock held by a killed worker delays it a minute).
    for callback_id in rt.store.due(now - rt.settings.callbacks.lease):
        record = rt.store.get(callback_id)
        if record is None or record.state not in (State.SCHEDULED, State.RETRY_WAIT):
            continue
        copy_to_call(rt.store, rt.sessions, record)
        rt.schedule(callback_id, rt.clock.now())
        rescheduled += 1
    return Swept(rescheduled, recovered)
