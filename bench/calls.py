"""The calls a benchmark run makes: waiting calls prepared in Redis, signed request files, and
the checks that Hotline really did (and stored) what it answered."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import redis
from twilio.request_validator import RequestValidator

from bench.load import write_requests
from core import keys
from core.settings import DEV_AUTH_TOKEN, Settings
from hotline.app import create_app

TEMPLATE_SID = "CA" + "f" * 32
"""The one call Hotline's own code answers; the menu-step calls are copies of it."""


def call_form(sid: str, **extra: str) -> dict[str, str]:
    """The form Twilio posts for an inbound call's webhook."""
    return {"CallSid": sid, "AccountSid": "AC" + "0" * 32, "From": "+14155550123",
            "To": "+18005550100", "CallStatus": "in-progress", "Direction": "inbound",
            "ApiVersion": "2010-04-01", **extra}


def call_sids(tag: str, count: int) -> list[str]:
    """`count` distinct CallSids (34 characters, like Twilio's) marked with `tag`."""
    return [f"CA{tag}{i:0{32 - len(tag)}d}" for i in range(count)]


def new_calls(path: Path, public_url: str, target: str, tag: str, count: int) -> list[str]:
    """A request file of `count` calls Hotline has not seen, posted to `target`."""
    sids = call_sids(tag, count)
    write_requests(path, public_url, DEV_AUTH_TOKEN, target, [call_form(sid) for sid in sids])
    return sids


def waiting_calls(path: Path, public_url: str, redis_url: str, tag: str, count: int) -> list[str]:
    """A request file pressing 1 at the language question, for `count` calls waiting there,
    each posted to the action URL Hotline gave the template call."""
    sids = call_sids(tag, count)
    clone_call(redis_url, sids)
    write_requests(path, public_url, DEV_AUTH_TOKEN, template_action(redis_url),
                   [call_form(sid, Digits="1") for sid in sids])
    return sids


def template_action(redis_url: str) -> str:
    """Path and query of the <Gather> action in Hotline's answer to the template call."""
    client = redis.Redis.from_url(redis_url)
    replies = client.hvals(keys.call_replies(TEMPLATE_SID))
    client.close()
    if len(replies) != 1:
        raise SystemExit(f"benchmark: the template call has {len(replies)} stored replies, not 1")
    action = ET.fromstring(replies[0]).find(".//Gather")
    if action is None:
        raise SystemExit(f"benchmark: the template call's reply asks nothing: {replies[0]!r}")
    url = urllib.parse.urlsplit(action.get("action", ""))
    return f"{url.path}?{url.query}"


def answer_template_call(public_url: str, redis_url: str, data_dir: Path) -> None:
    """One real call answered by Hotline's own code, left waiting at the language question."""
    app = create_app(Settings(public_url=public_url, data_dir=data_dir), redis_url)
    form = call_form(TEMPLATE_SID)
    signature = RequestValidator(DEV_AUTH_TOKEN).compute_signature(
        public_url + "/voice/incoming", form)
    reply = app.test_client().post("/voice/incoming", data=form,
                                   headers={"X-Twilio-Signature": signature})
    if reply.status_code != 200 or "<Gather" not in reply.get_data(as_text=True):
        raise SystemExit(f"benchmark: the template call failed: {reply.get_data(as_text=True)}")


def clone_call(redis_url: str, sids: list[str]) -> None:
    """Copy the template call's session and event log to `sids`, as if each had just begun."""
    client = redis.Redis.from_url(redis_url)
    session = client.dump(keys.call(TEMPLATE_SID))
    events = client.dump(keys.call_events(TEMPLATE_SID))
    if session is None or events is None:
        raise SystemExit("benchmark: the template call left no session in Redis")
    pipe = client.pipeline(transaction=False)
    for index, sid in enumerate(sids, 1):
        pipe.restore(keys.call(sid), 0, session, replace=True)
        pipe.restore(keys.call_events(sid), 0, events, replace=True)
        if index % 2000 == 0:
            pipe.execute()
    pipe.execute()
    client.close()


def committed_steps(redis_url: str) -> int:
    """How many steps Hotline has committed (one entry each in the call-event stream)."""
    client = redis.Redis.from_url(redis_url)
    try:
        return int(client.xlen(keys.call_event_stream()))
    finally:
        client.close()


def check_stored(redis_url: str, sids: list[str], node: str) -> None:
    """Each of `sids` has a session at `node` with an event log and a stored reply."""
    client = redis.Redis.from_url(redis_url)
    pipe = client.pipeline(transaction=False)
    for sid in sids:
        pipe.hget(keys.call(sid), "node")
        pipe.llen(keys.call_events(sid))
        pipe.hlen(keys.call_replies(sid))
    found = pipe.execute()
    client.close()
    for sid, (at, events, replies) in zip(sids, _triples(found), strict=True):
        if at != node.encode() or not events or not replies:
            raise SystemExit(f"benchmark invalid: call {sid} is at {at!r} with {events} events "
                             f"and {replies} replies; expected {node!r}")


def _triples(values: list[object]) -> list[tuple[object, object, object]]:
    return list(zip(values[0::3], values[1::3], values[2::3], strict=True))


def post(url: str, target: str, form: dict[str, str], signed: bool = True) -> tuple[int, str]:
    """One request as Twilio would send it (signed unless told otherwise): status and body."""
    headers = {}
    if signed:  # every server under test has its own address as its public URL
        headers["X-Twilio-Signature"] = RequestValidator(DEV_AUTH_TOKEN).compute_signature(
            url + target, form)
    data = urllib.parse.urlencode(form).encode()
    loopback = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never a proxy
    try:
        with loopback.open(urllib.request.Request(url + target, data, headers)) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()
