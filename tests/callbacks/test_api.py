"""The callbacks API: list, read, cancel and reschedule with a bearer token, errors that name
the field, and callback KPIs kept apart from the live queues' figures."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from callbacks import outcomes
from callbacks.dialer import _start_attempt
from callbacks.jobs import runtime
from callbacks.transcript import callback_event
from core import line_hours
from core.deps import Dependencies
from core.settings import CallbackSettings
from tests.callbacks.support import NOW, wanted
from tests.ivr_app import ADMIN_TOKEN, make_app

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def app(redis_url: str) -> Flask:
    return make_app(redis_url)


@pytest.fixture
def api(app: Flask) -> FlaskClient:
    return app.test_client()


def book(app: Flask, callback_id: str = "cb1", **changes: Any) -> None:
    deps: Dependencies = app.extensions["hotline"]
    record = wanted(callback_id, **changes)
    runtime(deps.settings, deps.redis, deps.clock).store.request(
        record, callback_event(NOW, record, "Callback promised"))


def test_callbacks_are_listed_by_phone_and_read_with_their_log(app: Flask,
                                                              api: FlaskClient) -> None:
    book(app)
    book(app, "cb2", phone="+12125550999")
    listed = api.get("/api/v1/callbacks?phone=%2B12125550123", headers=AUTH).get_json()
    assert [c["id"] for c in listed["callbacks"]] == ["cb1"]
    one = api.get("/api/v1/callbacks/cb1", headers=AUTH).get_json()
    assert one["state"] == "scheduled" and one["attempts"] == 0 and one["mode"] == "asap"
    assert [e["text"] for e in one["log"]] == ["Callback promised"]
    assert api.get("/api/v1/callbacks", headers={}).status_code == 401


def test_cancel_and_reschedule_and_errors_name_the_field(app: Flask, api: FlaskClient) -> None:
    book(app)
    moved = api.post("/api/v1/callbacks/cb1/reschedule", headers=AUTH,
                     json={"at": "2026-11-25T15:00:00Z"})  # 10 in the morning in New York
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["due_at"] == "2026-11-25T15:00:00.000Z"
    assert moved.get_json()["mode"] == "slot"
    night = api.post("/api/v1/callbacks/cb1/reschedule", headers=AUTH,
                     json={"at": "2026-11-25T05:00:00Z"})
    assert night.status_code == 400 and night.get_json()["error"]["field"] == "at"
    assert "allowed hours in America/New_York" in night.get_json()["error"]["message"]
    past = api.post("/api/v1/callbacks/cb1/reschedule", headers=AUTH, json={"at": "2020-01-01"})
    assert past.status_code == 400 and past.get_json()["error"]["field"] == "at"
    bad_state = api.get("/api/v1/callbacks?state=nope", headers=AUTH)
    assert bad_state.status_code == 400 and bad_state.get_json()["error"]["field"] == "state"
    assert api.get("/api/v1/callbacks/nope", headers=AUTH).status_code == 404
    cancelled = api.post("/api/v1/callbacks/cb1/cancel", headers=AUTH)
    assert cancelled.get_json()["state"] == "cancelled"
    again = api.post("/api/v1/callbacks/cb1/cancel", headers=AUTH)
    assert again.status_code == 409 and again.get_json()["error"]["field"] == "state"


def test_kpis_count_connections_attempts_and_time_to_connect(redis_url: str) -> None:
    app = make_app(redis_url, callbacks=CallbackSettings(max_attempts=1))
    deps: Dependencies = app.extensions["hotline"]
    rt = runtime(deps.settings, deps.redis, deps.clock)
    for n, result in enumerate(("human", "busy")):
        book(app, f"cb{n}", phone=f"+1212555010{n}")
        started = rt.change(f"cb{n}", lambda r: _start_attempt(r, "", NOW.timestamp() + 90))
        assert started is not None
        if result == "human":
            outcomes.answered(rt, started.attempt, "CAx", "human")
        else:
            outcomes.status(rt, started.attempt, "CAy", "busy")
    stats = app.test_client().get("/api/v1/callbacks/stats", headers=AUTH).get_json()
    assert stats["promised"] == 2 and stats["connect_rate"] == 0.5
    assert stats["attempts_per_callback"] == 1.0
    assert stats["seconds_from_promise_to_connect"]["p50"] == 0.0
    assert stats["by_state"] == {"connected": 1, "failed": 1}
    failed = app.test_client().get("/api/v1/callbacks/cb1", headers=AUTH).get_json()
    assert failed["follow_up"] is True and failed["last_result"] == "busy"


def test_a_callback_is_not_moved_to_a_time_its_line_is_closed(app: Flask,
                                                              api: FlaskClient) -> None:
    deps: Dependencies = app.extensions["hotline"]
    line_hours.store(deps.redis, "+18005550100", {
        "timezone": "America/New_York", "open": "12:00-20:00", "closures": ["2026-11-27"]})
    book(app, line="+18005550100")
    for at in ("2026-11-25T15:00:00Z",  # 10 in the morning in New York: not open yet
               "2026-11-27T18:00:00Z"):  # closed all day
        refused = api.post("/api/v1/callbacks/cb1/reschedule", headers=AUTH, json={"at": at})
        assert refused.status_code == 400, at
        assert refused.get_json()["error"] == {
            "code": "invalid_field", "field": "at",
            "message": "at: the line is closed then (its opening hours)"}
    moved = api.post("/api/v1/callbacks/cb1/reschedule", headers=AUTH,
                     json={"at": "2026-11-25T18:00:00Z"})  # 1 in the afternoon, open
    assert moved.status_code == 200, moved.get_json()
