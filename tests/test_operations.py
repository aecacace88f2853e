"""What an operator sees: /health for the load balancer, /metrics for Prometheus, JSON logs."""

from __future__ import annotations

import io
import json
import logging
import signal
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from core.settings import DEV_ADMIN_TOKEN, Settings
from hotline import logs
from tests.ivr_app import ADMIN_TOKEN, make_app
from tests.processes import HOTLINE, answers, free_port, hotline_env, wait_for
from tests.test_voice_security import with_redis_down
from tests.twilio_requests import TwilioCall
from tickets_bridge.api import EXTENSION as TICKETS
from tickets_bridge.schema import open_engine
from tickets_bridge.store import TicketStore

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


def test_health_is_ok_when_redis_and_the_ticket_store_answer(redis_url: str) -> None:
    reply = make_app(redis_url).test_client().get("/health")
    assert reply.status_code == 200
    assert reply.json == {"status": "ok", "checks": {"redis": "ok", "ticket_store": "ok"}}


def test_health_names_redis_when_it_is_down(redis_url: str) -> None:
    reply = with_redis_down(make_app(redis_url)).test_client().get("/health")
    assert reply.status_code == 503
    assert reply.json == {"status": "down", "checks": {"redis": "down", "ticket_store": "ok"}}


def test_health_names_the_ticket_store_when_it_cannot_be_opened(redis_url: str) -> None:
    app = make_app(redis_url)
    app.extensions[TICKETS] = TicketStore(open_engine("sqlite:////nonexistent-dir/t/tickets.db"))
    reply = app.test_client().get("/health")
    assert reply.status_code == 503
    assert reply.json == {"status": "down", "checks": {"redis": "ok", "ticket_store": "down"}}


def test_metrics_need_the_admin_token(redis_url: str) -> None:
    client = make_app(redis_url).test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_metrics_open_without_a_token_when_the_setting_says_so(redis_url: str) -> None:
    reply = make_app(redis_url, metrics_open=True).test_client().get("/metrics")
    assert reply.status_code == 200 and "hotline_agents" in reply.text


def test_metrics_count_webhooks_by_route_and_read_the_state_of_the_service(
    redis_url: str,
) -> None:
    app = make_app(redis_url)
    client = app.test_client()
    call = TwilioCall(client)
    assert call.post("/voice/incoming", call.form()).status == 200
    reply = client.get("/metrics", headers=ADMIN)
    assert reply.status_code == 200
    assert reply.content_type.startswith("text/plain")
    lines = reply.text.splitlines()
    assert 'hotline_request_duration_seconds_count{method="POST",route="/voice/incoming"} 1.0' \
        in lines
    assert 'hotline_agents{status="available"} 0.0' in lines
    assert 'hotline_callbacks{state="scheduled"} 0.0' in lines
    assert 'hotline_rq_failed_jobs{queue="hotline"} 0.0' in lines
    assert any(line.startswith("# TYPE hotline_queue_waiting gauge") for line in lines)
    assert any(line.startswith("# TYPE hotline_helpdesk_outbox_backlog gauge") for line in lines)


def test_metrics_leave_out_what_redis_cannot_tell_but_still_answer(redis_url: str) -> None:
    app = with_redis_down(make_app(redis_url))
    reply = app.test_client().get("/metrics", headers=ADMIN)
    assert reply.status_code == 200
    assert "hotline_agents{" not in reply.text
    assert "# TYPE hotline_helpdesk_outbox_backlog gauge" in reply.text


def test_one_scrape_counts_the_requests_of_every_web_process(tmp_path: Path) -> None:
    port = free_port()
    env = {**hotline_env(tmp_path, port), "HOTLINE_WEB_WORKERS": "2"}
    serve = subprocess.Popen([HOTLINE, "serve"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: answers(port) or serve.poll() is not None, "hotline serve to listen")

        def check(_: int) -> int:
            return requests.get(f"{base}/health", headers={"Connection": "close"},
                                timeout=10).status_code

        with ThreadPoolExecutor(max_workers=8) as pool:
            assert set(pool.map(check, range(80))) == {200}
        assert len(list((tmp_path / "metrics").glob("histogram_*.db"))) == 2
        line = 'hotline_request_duration_seconds_count{method="GET",route="/health"} 80.0'
        for _ in range(4):
            scrape = requests.get(f"{base}/metrics", timeout=10,
                                  headers={"Authorization": f"Bearer {DEV_ADMIN_TOKEN}",
                                           "Connection": "close"})
            assert line in scrape.text.splitlines()
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=30)


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    logs.configure("json", stream, level=logging.DEBUG)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


def test_a_webhook_logs_json_with_its_call_sid_and_the_caller_masked(
    redis_url: str, log_stream: io.StringIO,
) -> None:
    call = TwilioCall(make_app(redis_url).test_client(), caller="+14155550123")
    assert call.post("/voice/incoming", call.form()).status == 200
    lines = [json.loads(line) for line in log_stream.getvalue().splitlines()]
    webhook = [line for line in lines if line["logger"] == "hotline.webhook"]
    assert webhook and all(line["call_sid"] == call.sid for line in webhook)
    assert "+1415555****" in webhook[0]["message"]
    assert "+14155550123" not in log_stream.getvalue()


def test_numbers_are_masked_to_their_last_four_digits() -> None:
    assert logs.mask_phones("from +14155550123 to +442071838750") == \
        "from +1415555**** to +44207183****"


def test_at_the_default_level_webhooks_write_no_line_each(redis_url: str) -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    stream = io.StringIO()
    logs.configure("json", stream, level=logs.level_of(Settings.from_env({}).log_level))
    try:
        call = TwilioCall(make_app(redis_url).test_client(), caller="+14155550123")
        assert call.post("/voice/incoming", call.form()).status == 200
        assert '"hotline.webhook"' not in stream.getvalue()
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[0]:
            root.addHandler(handler)
        root.setLevel(saved[1])
