"""Each KPI on the hand-counted hour of tests/tickets/kpi_day.py, read from the ticket store."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from core.clock import FixedClock
from reports.kpis import breakdown, by_hour, kpis, menu_drop_off, wait_distribution
from reports.reader import Period, read
from tests.tickets.kpi_day import START, at, play_hour
from tickets_bridge.projector import Projector
from tickets_bridge.store import TicketStore

HOUR = Period(START, START + timedelta(hours=1))


def test_every_kpi_of_the_hand_counted_hour(
    app: Flask, projector: Projector, store: TicketStore, clock: FixedClock
) -> None:
    play_hour(app, projector, store, clock)
    day = read(store.engine, HOUR)
    figures = kpis(day.calls, day.tickets, at(4 * 60 + 15))  # 22:15
    assert {k: v for k, v in figures.items() if k != "sla_watch"} == {
        "calls_received": 6,  # A to F; F's callback leg is not a call received
        "ivr_completion": 0.6667,  # A, B, C, F reached an outcome; D hung up, E pressed 0: 4/6
        "abandoned_in_menu": 1,  # D
        "abandoned_in_menu_rate": 0.1667,  # 1/6
        "offered_to_queue": 3,  # A, B, C (E never joined a line, F took a callback)
        "answered": 2,  # A, C
        "abandoned_on_hold": 1,  # B
        "abandoned_on_hold_rate": 0.3333,  # 1/3
        "average_speed_of_answer": 20.0,  # (10 + 30) / 2
        "service_level": 0.3333,  # within 20 s: A only, of the 3 offered
        "service_level_threshold": 20,
        "average_handle_time": 120.0,  # (180 + 120 + 60 on F's callback leg) / 3
        "callbacks_promised": 1,  # F
        "callback_success": 1.0,  # F's callback reached F
        "time_to_callback": 300.0,  # promised 18:50, connected 18:55
        "tickets_worked": 3,  # A, C, F had an agent
        "first_contact_resolution": 0.3333,  # A, solved and so marked at wrap-up: 1/3
        "csat_answers": 2,  # A 5, C 2
        "csat_average": 3.5,
        "csat_satisfied": 0.5,  # 4 or 5: A only
        # Normal priority: first response due 4 h after the call. At 22:15 B (due 22:10,
        # never answered) is overdue, E (due 22:40) at risk; D was never routed, so has none.
        "sla_first_response_breached": 1,
        "sla_resolution_breached": 0,
        "sla_overdue": 1,
        "sla_at_risk": 1,
    }
    b, e = (store.ticket_id_for_call(c.call_sid) for c in day.calls
            if c.started_at in (at(10), at(40)) and c.leg == "inbound")
    assert [(i["ticket"], i["target"], i["state"], i["seconds_left"])
            for i in figures["sla_watch"]] == [(b, "first_response", "overdue", -300),
                                               (e, "first_response", "at_risk", 1500)]


def test_menu_funnel_waits_and_hours_of_the_hand_counted_hour(
    app: Flask, projector: Projector, store: TicketStore, clock: FixedClock
) -> None:
    play_hour(app, projector, store, clock)
    day = read(store.engine, HOUR)
    assert menu_drop_off(day.calls) == [
        # Everyone hears the language question and the main menu; A, B, C go on to billing
        # and F (by words) to technical; D hangs up and E presses 0 at the main menu.
        {"node": "language", "reached": 6, "hung_up": 0, "pressed_0": 0},
        {"node": "main", "reached": 6, "hung_up": 1, "pressed_0": 1},
        {"node": "billing", "reached": 3, "hung_up": 0, "pressed_0": 0},
        {"node": "technical", "reached": 1, "hung_up": 0, "pressed_0": 0},
    ]
    assert [w["calls"] for w in wait_distribution(day.calls)] == [1, 1, 0, 0, 0, 0]  # 10, 30 s
    assert by_hour(day.calls) == [{"hour": "2026-11-24 18:00", "calls": 6, "abandoned": 2}]


def test_figures_per_agent_and_per_line_and_for_part_of_the_hour(
    app: Flask, projector: Projector, store: TicketStore, clock: FixedClock
) -> None:
    play_hour(app, projector, store, clock)
    day = read(store.engine, HOUR)
    per_agent = breakdown(day.calls, day.tickets, "agent", at(60))
    assert sorted(per_agent) == ["-", "ana", "jo"]
    assert (per_agent["ana"]["answered"], per_agent["ana"]["average_speed_of_answer"],
            per_agent["ana"]["average_handle_time"]) == (2, 20.0, 150.0)  # (180 + 120) / 2
    assert per_agent["jo"]["average_handle_time"] == 60.0  # F's callback leg
    per_line = breakdown(day.calls, day.tickets, "line", at(60))
    assert per_line["billing"]["calls_received"] == 3  # A, B, C
    assert per_line["billing"]["abandoned_on_hold_rate"] == 0.3333
    assert per_line["-"]["calls_received"] == 1  # D never reached a line
    first = read(store.engine, Period(START, at(15)))
    assert kpis(first.calls, first.tickets, at(60))["calls_received"] == 2  # A, B
