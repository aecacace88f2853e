"""Test support: sends form posts to a Hotline app exactly as Twilio would, signed."""

from __future__ import annotations

import itertools
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator

PUBLIC_URL = "http://hotline.test"
AUTH_TOKEN = "test-auth-token"
CALLER = "+14155550123"
CALLED = "+18005550100"


@dataclass
class Reply:
    status: int
    body: str

    @property
    def xml(self) -> ET.Element:
        return ET.fromstring(self.body)

    def says(self) -> list[str]:
        return [el.text or "" for el in self.xml.iter("Say")]

    def texts(self) -> list[str]:
        """What a TwiML messaging answer texts back."""
        return [el.text or "" for el in self.xml.iter("Message")]

    def action(self) -> str:
        """Path and query of the Gather action (or Redirect) Twilio would post next."""
        for tag in ("Gather", "Redirect"):
            found = self.xml.find(f".//{tag}")
            if found is not None:
                url = found.get("action") if tag == "Gather" else found.text
                assert url and url.startswith(PUBLIC_URL), url
                return url[len(PUBLIC_URL):]
        raise AssertionError(f"no Gather or Redirect in {self.body}")


class TwilioCall:
    """One simulated call's webhook requests against a Flask test client."""

    def __init__(self, client: FlaskClient, caller: str = CALLER, token: str = AUTH_TOKEN) -> None:
        self.client = client
        self.sid = "CA" + uuid.uuid4().hex
        self.caller = caller
        self.validator = RequestValidator(token)
        self._tokens = itertools.count(1)
        self.next_path = "/voice/incoming"

    def form(self, **extra: str) -> dict[str, str]:
        return {"CallSid": self.sid, "AccountSid": "AC" + "1" * 32, "From": self.caller,
                "To": CALLED, "CallStatus": "in-progress", "Direction": "inbound",
                "ApiVersion": "2010-04-01", **extra}

    def post(self, path: str, form: dict[str, str], idempotency: str | None = None,
             signature: str | None = None) -> Reply:
        url = PUBLIC_URL + path
        headers = {
            "X-Twilio-Signature": signature if signature is not None
            else self.validator.compute_signature(url, form),
            "I-Twilio-Idempotency-Token": idempotency or f"{self.sid}-{next(self._tokens)}",
        }
        response = self.client.post(path, data=form, headers=headers)
        return Reply(response.status_code, response.get_data(as_text=True))

    def start(self) -> Reply:
        return self._step("/voice/incoming", self.form(CallStatus="ringing"))

    def start_menu(self) -> Reply:
        """Start the call and reach the menu's first question: a caller told where their open
        tickets stand first chooses something new (the last key offered)."""
        reply = self.start()
        redirect = reply.xml.find("Redirect")
        if redirect is None or not (redirect.text or "").endswith("/standing/tickets"):
            return reply
        standing = self._step("/standing/tickets", self.form())
        new_key = standing.says()[-1].rstrip(".").rsplit(" ", 1)[-1]
        to_menu = self.press(new_key).xml.find("Redirect")
        assert to_menu is not None and to_menu.text, standing.body
        return self._step(to_menu.text[len(PUBLIC_URL):], self.form(CallStatus="ringing"))

    def press(self, digits: str) -> Reply:
        return self._step(self.next_path, self.form(Digits=digits))

    def say(self, words: str, confidence: str = "0.92") -> Reply:
        return self._step(self.next_path, self.form(SpeechResult=words, Confidence=confidence))

    def silence(self) -> Reply:
        return self._step(self.next_path, self.form())

    def hang_up(self, duration: str = "42") -> Reply:
        return self.post("/voice/status", self.form(CallStatus="completed", CallDuration=duration))

    def _step(self, path: str, form: dict[str, str]) -> Reply:
        reply = self.post(path, form)
        assert reply.status == 200, reply.body
        if reply.xml.find(".//Gather") is not None:
            self.next_path = reply.action()
        return reply


def text_message(client: FlaskClient, sender: str, body: str, sid: str | None = None,
                 token: str = AUTH_TOKEN) -> Reply:
    """A text from `sender` to Hotline's number, posted and signed as Twilio posts it."""
    form = {"MessageSid": sid or "SM" + uuid.uuid4().hex, "AccountSid": "AC" + "1" * 32,
            "From": sender, "To": CALLED, "Body": body, "NumMedia": "0",
            "ApiVersion": "2010-04-01"}
    signature = RequestValidator(token).compute_signature(PUBLIC_URL + "/sms/incoming", form)
    response = client.post("/sms/incoming", data=form, headers={"X-Twilio-Signature": signature})
    return Reply(response.status_code, response.get_data(as_text=True))
