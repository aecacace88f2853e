"""The webhook URLs one feature puts into TwiML for another, absolute under the public base
URL with their query encoded, so an id with `&` or spaces arrives as it was sent. A feature
builds URLs to its own routes with `url`; every cross-feature URL is a method of `Routes`.

A route a call may come back to with the same form (the line after each missed agent, the
callback offer after each hold) carries a step number `s`, the session's revision when the
call was sent there: a step is known by its signed URL and form (`core.webhook_reply`), so
without it a second visit would be taken for a replay of the first."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode


def url(base: str, path: str, **query: str | int) -> str:
    """`base` + `path`, with `query` encoded (in the order given) when there is any."""
    return f"{base}{path}?{urlencode(query)}" if query else f"{base}{path}"


@dataclass(frozen=True)
class Routes:
    """Hotline's webhook routes under the public base URL `base`."""

    base: str

    def queue_enter(self, stay: bool = False, step: int | None = None) -> str:
        """Where a routed caller joins their line; `stay`: without a callback offered first."""
        query: dict[str, str | int] = {"stay": 1} if stay else {}
        return url(self.base, "/queues/enter", **query, **_step(step))

    def queue_connect(self, agent: str) -> str:
        """Where a call is bridged to the agent the queues gave it."""
        return url(self.base, "/queues/connect", agent=agent)

    def callback_offer(self, origin: str = "", step: int | None = None) -> str:
        """The callback offer; `origin` (hold, long-wait, no-agents) picks its first words."""
        query: dict[str, str | int] = {"from": origin} if origin else {}
        return url(self.base, "/callbacks/offer", **query, **_step(step))

    def callbacks_pending(self) -> str:
        """Where a caller with a callback still owed hears about it (keep or cancel)."""
        return url(self.base, "/callbacks/pending")

    def callback_answer(self, attempt: str) -> str:
        """Where Twilio fetches the TwiML of an answered callback attempt."""
        return url(self.base, "/callbacks/answer", attempt=attempt)

    def callback_status(self, attempt: str) -> str:
        """Where Twilio posts a callback attempt's status changes."""
        return url(self.base, "/callbacks/status", attempt=attempt)

    def menu_after_callbacks(self) -> str:
        """The call's start again, once its pending callbacks have been asked about."""
        return url(self.base, "/voice/incoming", callbacks="asked")

    def ticket_standing(self) -> str:
        """Where a caller with an open ticket hears where it stands before the menu."""
        return url(self.base, "/standing/tickets")

    def menu_after_standing(self) -> str:
        """The call's start again, once the caller heard their tickets and chose something
        new (their pending callbacks and the recording were asked about before)."""
        return url(self.base, "/voice/incoming", callbacks="asked", recording="told",
                   tickets="told")

    def menu_after_consent(self) -> str:
        """The call's start again, once the caller was told the call is recorded (their
        pending callbacks were asked about before)."""
        return url(self.base, "/voice/incoming", callbacks="asked", recording="told")

    def after_queue(self, result: str) -> str:
        """What follows the queue for the IVR (`result`: how the caller left it)."""
        return url(self.base, "/voice/after-queue", result=result)

    def recording_consent(self, consent: str, opt_out_key: str, every_language: bool) -> str:
        """Where a new call hears that it will be recorded (`consent`: announce or opt-out,
        with `opt_out_key`), in every language of the line while the caller has not chosen
        one, then goes back to the menu."""
        return url(self.base, "/recordings/consent", consent=consent, key=opt_out_key,
                   **({"all": 1} if every_language else {}))

    def recording_status(self) -> str:
        """Where Twilio posts a recording's status (its media is ready, or it failed)."""
        return url(self.base, "/recordings/status")

    def recording_transcription(self) -> str:
        """Where Twilio posts its transcription of a recording, when Hotline asked for one."""
        return url(self.base, "/recordings/transcription")


def _step(step: int | None) -> dict[str, str | int]:
    return {} if step is None else {"s": step}
