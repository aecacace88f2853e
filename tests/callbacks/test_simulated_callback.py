"""Without Twilio, `hotline call` asks for a callback in the menu, hangs up, and is called back
by the running service (serve with its worker), for an agent of the right kind."""

from __future__ import annotations

import subprocess
from pathlib import Path

import requests

from tests.processes import HOTLINE, answers, free_port, hotline_env, wait_for

AUTH = {"Authorization": "Bearer hotline-dev-admin-token"}
# Dial at any hour on any day, so the test does not depend on when it runs.
ANY_TIME = {"HOTLINE_CALLBACK_DIAL_HOURS": "00:00-23:59:59", "HOTLINE_CALLBACK_DAYS": "mon-sun",
            "HOTLINE_CALLBACK_HOLIDAYS": "none"}


def test_hotline_call_asks_for_a_callback_and_answers_it(tmp_path: Path) -> None:
    port = free_port()
    env = hotline_env(tmp_path, port, **ANY_TIME)
    serve = subprocess.Popen([HOTLINE, "serve", "--with-background"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: answers(port) or serve.poll() is not None, "hotline serve to listen")
        agent = requests.put(f"{base}/api/v1/agents/ann", headers=AUTH, timeout=5, json={
            "name": "Ann", "reach": "client:ann", "tier": "L1",
            "skills": ["billing", "payments"]})
        assert agent.status_code == 201, agent.text
        requests.post(f"{base}/api/v1/agents/ann/status", headers=AUTH, timeout=5,
                      json={"status": "available"}).raise_for_status()
        # English, billing, payment arrangement (a callback leaf); as soon as possible, on my
        # caller ID, confirmed.
        done = subprocess.run(
            [HOTLINE, "call", "--press", "1", "--press", "1", "--press", "2", "--press", "1",
             "--press", "1", "--press", "1", "--await-callback", "60"],
            env=env, capture_output=True, text=True, timeout=120)
        callbacks = requests.get(f"{base}/api/v1/callbacks?phone=%2B14155550123",
                                 headers=AUTH, timeout=5).json()["callbacks"]
    finally:
        serve.terminate()
        serve.communicate(timeout=30)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "Thank you. We will call you as soon as an agent is free." in out
    assert "Ring ring: Hotline calls back from +18005550100" in out
    assert "callback you asked for about Payment arrangement. Connecting you now." in out
    assert "billing/payment-arrangement" not in out.split("Ring ring")[1].split("Agent hears")[0]
    assert "[dialling ann]" in out and "Agent hears:" in out
    [callback] = callbacks
    assert callback["state"] == "completed" and callback["attempts"] == 1
    assert callback["agent"] == "ann"
