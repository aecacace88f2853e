"""A simulated morning through the app's own webhooks: callers talk to agents, hold and press 1
for a callback, ask for a callback in the menu, hang up in the menu, call again about the same
or another issue, and are called back; the tickets bridge projects it all. Afterwards: every
ticket has an issue (no empty one), one open ticket per caller and issue, every callback's leg
sits on the ticket of the call that asked for it, and each ticket's callbacks agree with the
callbacks API."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import timedelta
from urllib.parse import quote

from click.testing import CliRunner
from flask import Flask

from core.access import Role
from core.clock import FixedClock
from hotline.cli import main
from queues.queue_store import QueueStore
from tests.ivr_app import ADMIN_TOKEN, NOW
from tests.queues.conftest import put_on_shift
from tests.signing_in import issue_token
from tests.tickets.journeys import (
    answer,
    ask_for_callback,
    dial_callback,
    end_callback,
    menu_call,
)
from tests.tickets.test_agent_page import browser_page, serving
from tests.tickets.test_projection import drain
from tests.twilio_requests import Reply, TwilioCall
from tickets_bridge.api import EXTENSION
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
MORNING = NOW + timedelta(hours=3)  # 10 in the morning for the 415 callers: callbacks go out
CALLERS = [f"+1415555{n:04d}" for n in range(6)]
AGENTS = {"billing": ("ana", "L1", ["billing"]), "tech": ("kim", "L2", ["internet"]),
          "callback": ("jo", "L1", ["internet"])}
HUNG_UP_AT = {("1",): "main", ("1", "2"): "technical", ("2", "1"): "billing"}
"""Where a caller who pressed these keys (English 1, Spanish 2; then a menu) hangs up."""
ROUTED = {  # answers that reach a queue: billing/dispute or technical/internet
    "billing": [("1", "1", "1"), ("1", "my invoice is wrong", "1"),
                ("1", "billing", "invoice is wrong")],
    "tech": [("1", "2", "1"), ("1", "my internet is down", "internet is down since the storm")],
}


def talk(app: Flask, caller: str, queue: str, answers: tuple[str, ...], busy: bool) -> None:
    """A routed caller: bridged to the queue's agent, or (the agent busy) holding until they
    press 1 for a callback."""
    redis = app.extensions["hotline"].redis
    agent, tier, skills = AGENTS[queue]
    if busy:
        assert QueueStore(redis).claim_agent("CA-other-caller", tier, skills) == agent
    call = menu_call(app, caller, *answers, hang_up=False)
    entered = call.post("/queues/enter", call.form())
    if entered.xml.find("Dial") is not None:
        heard = answer(call, entered)
        call.post(heard.dialed, call.form(DialCallStatus="completed", DialCallDuration="180"))
    else:
        take_callback_offer(call, entered)
    call.hang_up()
    free_agents(app)


def free_agents(app: Flask) -> None:
    """Every agent back to available, their other caller and wrap-up done."""
    d = app.extensions["hotline"]
    now = d.clock.now().timestamp()
    for agent, _, _ in AGENTS.values():
        QueueStore(d.redis).finish(agent, "CA-other-caller", now)
        QueueStore(d.redis).set_status(agent, "available", now)


def take_callback_offer(call: TwilioCall, entered: Reply) -> None:
    """Holding, the caller presses 1 (or, offered a callback before holding, takes it) and
    asks to be called back as soon as possible, on their caller ID."""
    if entered.xml.find("Enqueue") is not None:
        call.post("/queues/hold-key", call.form(Digits="1"))
        offer = call.post("/queues/left", call.form(QueueResult="leave", QueueTime="30")).action()
    else:
        offer = entered.action()
    call.next_path = call.post(offer, call.form()).action()
    for _ in range(3):
        call.press("1")


def call_back_everyone(app: Flask, phones: set[str]) -> None:
    for phone in sorted(phones):
        callback, customer, bridged = dial_callback(app, phone)
        end_callback(customer, callback, answer(customer, bridged))
        free_agents(app)


def play_morning(app: Flask, projector: Projector, store: TicketStore,
                 clock: FixedClock) -> Counter[str]:
    """Two and a half hours of callers, a call every 5 minutes; what was done, counted by
    hand as it happened: each journey, and where menu hang-ups left."""
    app.extensions[EXTENSION] = store
    done: Counter[str] = Counter()
    redis = app.extensions["hotline"].redis
    for agent, tier, skills in AGENTS.values():
        put_on_shift(redis, agent, tier, skills, NOW.timestamp())
    rng = random.Random(11)
    asked: set[str] = set()
    for minute in range(0, 150, 5):
        clock.set(MORNING + timedelta(minutes=minute))
        # A caller waiting for their callback hears about it first; they call again after.
        caller = rng.choice([c for c in CALLERS if c not in asked])
        journey = rng.choice(["billing", "tech", "billing-hold", "menu-callback", "hang-up"])
        done[journey] += 1
        if journey == "hang-up":
            keys = rng.choice([("1",), ("1", "2"), ("2", "1")])
            menu_call(app, caller, *keys)
            done["hung up at " + HUNG_UP_AT[keys]] += 1
        elif journey == "menu-callback":
            ask_for_callback(app, caller, "my internet keeps dropping every evening")
        else:
            queue = journey.split("-")[0]
            talk(app, caller, queue, rng.choice(ROUTED[queue]), journey.endswith("hold"))
        if journey.endswith("callback") or journey.endswith("hold"):
            asked.add(caller)
        if minute % 30 == 25:
            drain(projector)
            call_back_everyone(app, asked)
            asked.clear()
    call_back_everyone(app, asked)
    drain(projector)
    return done


def test_a_simulated_morning_leaves_no_ticket_without_an_issue(
    app: Flask, projector: Projector, store: TicketStore, clock: FixedClock
) -> None:
    play_morning(app, projector, store, clock)
    client = app.test_client()
    tickets = [t for phone in CALLERS for t in store.for_phone(phone)]
    assert len(tickets) > 10
    assert all(t.issue for t in tickets), [(t.id, t.transcript) for t in tickets if not t.issue]
    routed = [t for t in tickets if "abandoned-in-menu" not in t.tags]
    assert all(t.priority and t.queue for t in routed)
    assert 0 < len(routed) < len(tickets)  # some callers hung up in the menu
    open_by_issue = [(t.phone, t.issue) for t in tickets if t.status != "solved"]
    assert len(open_by_issue) == len(set(open_by_issue))
    legs = [c for t in tickets for c in t.calls if c["kind"] == "callback"]
    assert len(legs) >= 5
    assert any(len([c for c in t.calls if c["kind"] == "inbound"]) > 1 for t in tickets)
    assert any(t.linked_tickets for t in tickets)
    for ticket in tickets:
        for leg in (c for c in ticket.calls if c["kind"] == "callback"):
            started = [e for e in ticket.transcript
                       if e["call_sid"] == leg["call_sid"] and e.get("event") == "started"]
            assert started and store.ticket_id_for_call(started[0]["origin_call"]) == ticket.id
    for phone in CALLERS:
        listed = client.get(f"/api/v1/callbacks?phone={phone}", headers=AUTH).get_json()
        by_api = {c["id"]: (c["state"], c["attempts"]) for c in listed["callbacks"]}
        on_tickets = {c["id"]: (c["state"], c["attempts"])
                      for t in store.for_phone(phone) for c in t.callbacks}
        assert on_tickets == by_api


def test_after_a_simulated_morning_report_and_dashboard_agree_with_a_hand_count(
    app: Flask, projector: Projector, store: TicketStore, clock: FixedClock
) -> None:
    done = play_morning(app, projector, store, clock)
    talked = done["billing"] + done["tech"]  # bridged to a free agent, 180 s each
    called_back = done["billing-hold"] + done["menu-callback"]  # every one called back, 120 s
    expected = {
        "calls_received": 30,  # one every 5 minutes for 150 minutes
        "abandoned_in_menu": done["hang-up"],
        "answered": talked,
        "abandoned_on_hold": 0,  # holding callers pressed 1 for a callback instead
        "callbacks_promised": called_back,
        "callback_success": 1.0,
        "average_handle_time": round((180 * talked + 120 * called_back)
                                     / (talked + called_back), 1),
    }
    period = ["--from", MORNING.isoformat(), "--to", (MORNING + timedelta(hours=3)).isoformat()]
    env = {"DATABASE_URL": store.engine.url.render_as_string(hide_password=False)}
    printed = CliRunner().invoke(main, ["report", *period, "--format", "json"], env=env)
    assert printed.exit_code == 0, printed.output
    report = json.loads(printed.output)
    assert {key: report["totals"][key] for key in expected} == expected
    menu = {row["node"]: row for row in report["menu"]}
    assert menu["main"]["hung_up"] == done["hung up at main"]
    assert menu["technical"]["hung_up"] == done["hung up at technical"]
    assert menu["billing"]["hung_up"] == done["hung up at billing"]
    assert sum(h["calls"] for h in report["hours"]) == 30

    query = f"from={quote(period[1])}&to={quote(period[3])}"
    with serving(app) as base, browser_page() as page:
        page.goto(f"{base}/agent/login?next={quote('/reports?' + query)}")
        page.fill("#token", issue_token(app, Role.REPORT, "lead"))
        page.click("#sign-in")
        assert page.inner_text("#tile-calls_received .value") == "30"
        assert page.inner_text("#tile-callback_success .value") == "100.0%"
        assert page.inner_text("#tile-abandoned_in_menu_rate .value") == \
            f"{done['hang-up'] / 30 * 100:.1f}%"
        funnel = page.locator("#chart-menu svg rect title").all_text_contents()
        assert f"main: {done['hung up at main']} hung up" in funnel
