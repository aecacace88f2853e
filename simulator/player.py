"""Plays TwiML as a phone would: speaks, waits for input, and follows the URLs it names."""

from __future__ import annotations

import time
import uuid
import xml.etree.ElementTree as ET
from abc import ABC, abstractmethod
from collections.abc import Callable

from simulator.inputs import HangUp, Input, Press, Reply, Say, Silence

HOLD_ROUNDS = 20
"""Wait-URL answers a simulated caller sits through before giving up."""
HOLD_ROUND_SECONDS = 30

Next = tuple[str, dict[str, str]] | None
"""The request a verb leads to (URL and extra form fields), or None to go on with the next verb."""


class CallEnded(Exception):
    """The call is over; the message says how (`hangup`, `caller hung up`, `error: ...`)."""


class Caller(ABC):
    """The phone side the player acts through."""

    @abstractmethod
    def post(self, url: str, form: dict[str, str]) -> Reply: ...

    @abstractmethod
    def answer(self, prompt: str) -> Input: ...

    @abstractmethod
    def resolve(self, current: str, url: str) -> str: ...

    def answer_on_hold(self, prompt: str) -> Input:
        """What the caller does at a hold announcement (by default, as at any question)."""
        return self.answer(prompt)

    def redirected(self) -> str | None:
        """A URL the network moved this call to (as Twilio does on a REST redirect), if any."""
        return None


class TwimlPlayer:
    def __init__(self, caller: Caller, show: Callable[[str], None]) -> None:
        self.caller = caller
        self.show = show
        self.url = ""
        self.later: list[tuple[str, dict[str, str]]] = []
        """Callbacks Twilio posts once the current request is answered (a recording's
        status), as (URL, form)."""

    def play(self, url: str, form: dict[str, str]) -> None:
        """Request `url`, play what it answers, and follow on until the call ends."""
        request: Next = (url, form)
        while request is not None:
            self.url, form = request
            answered = self._fetch(self.url, form)
            self._post_later()
            request = self._play_document(answered)
        raise CallEnded("end of instructions")

    def _fetch(self, url: str, form: dict[str, str]) -> ET.Element:
        reply = self.caller.post(url, form)
        if reply.status != 200:
            raise CallEnded(f"error: {url} answered HTTP {reply.status}: {reply.body[:200]}")
        try:
            root = ET.fromstring(reply.body)
        except ET.ParseError:
            raise CallEnded(f"error: {url} answered something that is not TwiML") from None
        if root.tag != "Response":
            raise CallEnded(f"error: {url} answered <{root.tag}>, not <Response>")
        return root

    def _play_document(self, root: ET.Element) -> Next:
        for verb in root:
            following = self._verb(verb)
            if following is not None:
                return following
        return None

    def _verb(self, verb: ET.Element) -> Next:
        handlers: dict[str, Callable[[ET.Element], Next]] = {
            "Say": self._say, "Play": self._play, "Pause": self._pause,
            "Gather": self._gather, "Redirect": self._redirect, "Enqueue": self._enqueue,
            "Dial": self._dial, "Record": self._record, "Hangup": self._hangup,
            "Reject": self._hangup,
        }
        handler = handlers.get(verb.tag)
        if handler is None:
            self.show(f"[{verb.tag}: not simulated]")
            return None
        return handler(verb)

    def _say(self, verb: ET.Element) -> Next:
        language = verb.get("language", "")
        voice = f" ({language})" if language else ""
        self.show(f"Hotline says{voice}: {(verb.text or '').strip()}")
        return None

    def _play(self, verb: ET.Element) -> Next:
        self.show(f"[audio {(verb.text or '').strip()}]")
        return None

    def _pause(self, verb: ET.Element) -> Next:
        self.show(f"[pause {verb.get('length', '1')} s]")
        return None

    def _gather(self, verb: ET.Element, on_hold: bool = False) -> Next:
        prompt = " ".join((say.text or "").strip() for say in verb.iter("Say"))
        for child in verb:
            self._verb(child)
        given = self.caller.answer_on_hold(prompt) if on_hold else self.caller.answer(prompt)
        action = self._target(verb.get("action") or self.url)
        if isinstance(given, HangUp):
            self.show("Caller hangs up.")
            raise CallEnded("caller hung up")
        if isinstance(given, Press):
            self.show(f"Caller presses {given.digits}")
            return action, {"Digits": given.digits}
        if isinstance(given, Say):
            self.show(f"Caller says: {given.words}")
            return action, {"SpeechResult": given.words, "Confidence": str(given.confidence)}
        assert isinstance(given, Silence)
        self.show("Caller keeps holding." if on_hold else "Caller says nothing.")
        return (action, {}) if verb.get("actionOnEmptyResult") == "true" else None

    def _redirect(self, verb: ET.Element) -> Next:
        return self._target((verb.text or "").strip() or self.url), {}

    def _enqueue(self, verb: ET.Element) -> Next:
        """Hold as Twilio does: play the wait URL's answer again and again (keys pressed in its
        Gather go to that Gather's action) until it says Leave or the caller hangs up; then
        Twilio requests the Enqueue action with the QueueResult."""
        self.show(f"[waiting in queue {(verb.text or '').strip()}]")
        action = verb.get("action")
        wait_url = verb.get("waitUrl")
        result = "hangup"
        for waited in range(0, HOLD_ROUNDS * HOLD_ROUND_SECONDS, HOLD_ROUND_SECONDS):
            moved = self.caller.redirected()
            if moved is not None:
                self.show("[taken out of the queue]")
                if action:  # Twilio tells the Enqueue action, then follows the redirect
                    self.caller.post(self._target(action), {"QueueResult": "redirected"})
                return self._target(moved), {}
            if not wait_url:
                break
            hold = {"QueueSid": "QU" + "0" * 32, "QueuePosition": "1", "QueueTime": str(waited),
                    "AvgQueueTime": "0", "CurrentQueueSize": "1"}
            try:
                if self._hold_once(self._fetch(self._target(wait_url), hold), hold):
                    result = "leave"
                    break
            except CallEnded:
                break
        if not action:
            raise CallEnded("caller hung up while waiting in the queue")
        following = self._target(action), {"QueueResult": result}
        if result == "hangup":
            self.caller.post(*following)
            raise CallEnded("caller hung up while waiting in the queue")
        return following

    def _hold_once(self, document: ET.Element, hold: dict[str, str]) -> bool:
        """Play one answer of the wait URL; True when it (or a key's answer) says Leave."""
        for child in document:
            if child.tag == "Leave":
                return True
            if child.tag == "Gather":
                pressed = self._gather(child, on_hold=True)
                if pressed is not None:
                    url, form = pressed
                    return self._hold_once(self._fetch(url, {**hold, **form}), hold)
            elif child.tag in ("Say", "Play", "Pause"):
                self._verb(child)
            elif child.tag == "Hangup":
                raise CallEnded("hangup")
        return False

    def _dial(self, verb: ET.Element) -> Next:
        targets = [child for child in verb if child.tag in ("Number", "Client", "Queue", "Sip")]
        named = (verb.text or "").strip() or ", ".join((t.text or "").strip() for t in targets)
        self.show(f"[dialling {named}]")
        began = time.monotonic()
        for target in targets:
            if target.get("url"):
                whisper = self._fetch(self._target(target.get("url", "")), {})
                said = " ".join((s.text or "").strip() for s in whisper.iter("Say"))
                self.show(f"Agent hears: {said}")
        action = verb.get("action")
        # The simulated talk is over once the agent has heard the whisper: report how long
        # that took, in whole seconds as Twilio does.
        talked = str(int(time.monotonic() - began))
        return ((self._target(action), {"DialCallStatus": "completed",
                                        "DialCallDuration": talked}) if action else None)

    def _record(self, verb: ET.Element) -> Next:
        self.show("[beep: recording]")
        given = self.caller.answer("(recording)")
        if isinstance(given, Say):
            self.show(f"Caller leaves a message: {given.words}")
        action = self._target(verb.get("action") or self.url)
        sid = "RE" + uuid.uuid4().hex
        recorded = {"RecordingSid": sid, "RecordingDuration": "7",
                    "RecordingUrl": f"https://api.twilio.com/2010-04-01/Recordings/{sid}"}
        status_url = verb.get("recordingStatusCallback")
        if status_url:
            self.later.append((self._target(status_url),
                               {**recorded, "RecordingStatus": "completed"}))
        return action, recorded

    def _post_later(self) -> None:
        while self.later:
            url, form = self.later.pop(0)
            self.show("[Twilio: the recording is ready]")
            reply = self.caller.post(url, form)
            if reply.status != 200:
                self.show(f"[{url} answered HTTP {reply.status}]")

    def _hangup(self, verb: ET.Element) -> Next:
        raise CallEnded("hangup")

    def _target(self, url: str) -> str:
        return self.caller.resolve(self.url, url)
