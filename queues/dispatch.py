"""Giving a freed agent their next task: a caller on hold is pulled out of Twilio's queue to the
agent (a REST redirect of the live call), a callback waiting in line is handed to the callbacks
worker with the agent already reserved for it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from core.telephony import Telephony, TelephonyError
from queues.queue_store import Assignment, QueueStore

CALLBACK_PREFIX = "cb:"
CALLBACK_READY_JOB = "callbacks.jobs.agent_ready"
"""RQ job (by dotted path, so queues never imports callbacks) run with (callback id, agent)."""

log = logging.getLogger(__name__)

EnqueueJob = Callable[[str, str, str], None]
"""Enqueue a job by dotted path with two string arguments."""


@dataclass(frozen=True)
class Dispatcher:
    store: QueueStore
    telephony: Telephony
    connect_url: Callable[[str], str]
    """The URL that bridges a call to the agent with this id."""
    enqueue: EnqueueJob

    def agent_free(self, agent_id: str, now: float) -> Assignment | None:
        """Give the agent the best task waiting for them, if any. A caller who hung up in the
        meantime is skipped (and leaves the line) and the next task is tried."""
        while (given := self.store.next_for_agent(agent_id, now)) is not None:
            if given.task.startswith(CALLBACK_PREFIX):
                self.enqueue(CALLBACK_READY_JOB, given.task.removeprefix(CALLBACK_PREFIX),
                             agent_id)
                return given
            try:
                self.telephony.redirect(given.task, self.connect_url(agent_id))
                return given
            except TelephonyError as exc:
                if exc.retryable:
                    raise
                log.warning("call %s is gone (%s); agent %s takes the next task",
                            given.task, exc, agent_id)
                self.store.finish(agent_id, given.task, now, "available", "caller gone")
        return None
