"""Real processes: embedded Redis, `hotline serve` and its clean exit, `hotline call` into it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import redis
import requests
from rq import Worker

from core import keys
from core.embedded_redis import EmbeddedRedis, running_url
from tests.processes import (
    HOTLINE,
    free_port,
    hotline_env,
    pid_alive,
    redis_pid,
    start_serve,
    wait_for,
)


def test_embedded_redis_starts_is_found_by_others_and_stops(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path, persist=False)
    url = server.start()
    pid = redis_pid(url)
    assert running_url(tmp_path) == url
    server.stop()
    wait_for(lambda: not pid_alive(pid), "redis-server to exit")
    assert running_url(tmp_path) is None


def test_embedded_redis_dies_with_its_owner_even_on_sigkill(tmp_path: Path) -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pathlib import Path
            from core.embedded_redis import EmbeddedRedis
            EmbeddedRedis(Path({str(tmp_path)!r}), persist=False).start()
            print("ready", flush=True)
            time.sleep(600)
        """)],
        stdout=subprocess.PIPE, text=True,
    )
    assert owner.stdout is not None and owner.stdout.readline().strip() == "ready"
    pid = redis_pid((tmp_path / "redis.url").read_text().strip())
    owner.kill()
    owner.wait()
    owner.stdout.close()
    wait_for(lambda: not pid_alive(pid), "the orphaned redis-server to exit")


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_its_embedded_redis_on_exit(tmp_path: Path, stop_with: int) -> None:
    port = free_port()
    serve = start_serve(tmp_path, port)
    url = (tmp_path / "redis.url").read_text().strip()
    pid = redis_pid(url)
    serve.send_signal(stop_with)
    output, _ = serve.communicate(timeout=30)
    assert serve.returncode == 0, output
    wait_for(lambda: not pid_alive(pid), "redis-server to exit with serve")
    assert not (tmp_path / "redis.url").exists()
    assert "Redis: embedded, started here" in output


def test_ctrl_c_stops_serve_and_its_background_processes_cleanly(tmp_path: Path) -> None:
    # A terminal's Ctrl-C reaches every process of the foreground group at once: the worker and
    # the bridge must still have Redis while they shut down.
    port = free_port()
    serve = start_serve(tmp_path, port, "--with-background", own_group=True)
    url = (tmp_path / "redis.url").read_text().strip()
    pid = redis_pid(url)
    wait_for(lambda: _background_ready(url), "the worker and the bridge to read from Redis")
    os.killpg(serve.pid, signal.SIGINT)
    output, _ = serve.communicate(timeout=60)
    assert serve.returncode == 0, output
    assert "Traceback" not in output and "Error 111" not in output, output
    wait_for(lambda: not pid_alive(pid), "redis-server to exit with serve")
    wait_for(lambda: not _group_alive(serve.pid), "every process of the group to exit")


def _background_ready(url: str) -> bool:
    """The worker has registered with RQ and the bridge has made its consumer group."""
    client = redis.Redis.from_url(url)
    try:
        stream = keys.call_event_stream()
        bridge = bool(client.exists(stream)) and bool(client.xinfo_groups(stream))
        return bridge and bool(Worker.all(connection=client))
    finally:
        client.close()


def _group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_hotline_call_walks_a_running_server_by_keys_and_by_speech(tmp_path: Path) -> None:
    port = free_port()
    serve = start_serve(tmp_path, port)
    env = hotline_env(tmp_path, port)
    try:
        by_keys = subprocess.run([HOTLINE, "call", "--press", "1", "--press", "1", "--press", "1"],
                                 env=env, capture_output=True, text=True, timeout=60)
        by_speech = subprocess.run(
            [HOTLINE, "call", "--say", "english", "--say", "my invoice is wrong",
             "--say", "my invoice is wrong"],
            env=env, capture_output=True, text=True, timeout=60)
    finally:
        serve.terminate()
        serve.communicate(timeout=30)
    assert by_keys.returncode == 0 and by_speech.returncode == 0, by_keys.stderr + by_speech.stderr
    assert "dtmf       Pressed 1 (Wrong charge)" in by_keys.stdout
    assert "decision   billing/dispute at normal priority to queue billing (L1)" in by_keys.stdout
    assert "Routing decision: issue=billing/dispute priority=normal tier=L1 queue=billing" \
        in by_keys.stdout
    # The same number calling again about billing is a repeat call: one level up.
    assert "speech     my invoice is wrong" in by_speech.stdout
    assert ("decision   billing/dispute at high priority to queue billing (L1) because "
            "repeat_call") in by_speech.stdout


def test_hotline_call_without_a_server_says_so(tmp_path: Path) -> None:
    port = free_port()
    done = subprocess.run([HOTLINE, "call", "--press", "1"], env=hotline_env(tmp_path, port),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"cannot reach Hotline at http://127.0.0.1:{port}" in done.stderr


def test_a_simulated_call_leaves_a_ticket_readable_through_the_api(tmp_path: Path) -> None:
    port = free_port()
    serve = start_serve(tmp_path, port, "--with-background")
    env = hotline_env(tmp_path, port)
    try:
        done = subprocess.run([HOTLINE, "call", "--press", "1", "--say", "my invoice is wrong",
                               "--press", "1"], env=env, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 0, done.stderr
        url = f"http://127.0.0.1:{port}/api/v1/tickets?phone=%2B14155550123"
        auth = {"Authorization": "Bearer hotline-dev-admin-token"}
        found: list[dict[str, object]] = []

        def ticket_complete() -> bool:
            found[:] = requests.get(url, headers=auth, timeout=5).json()["tickets"]
            return bool(found) and found[0]["transcript"][-1]["text"] == "Call ended"  # type: ignore[index]

        wait_for(ticket_complete, "the bridge to project the call onto its ticket")
    finally:
        serve.terminate()
        serve.communicate(timeout=30)
    ticket = found[0]
    assert ticket["issue"] == "billing/dispute"
    assert ticket["subject"] == "billing/dispute: my invoice is wrong"
    kinds = [entry["kind"] for entry in ticket["transcript"]]  # type: ignore[attr-defined]
    assert kinds[:4] == ["call", "prompt", "prompt", "dtmf"] and "speech" in kinds
    assert "decision" in kinds and "queue" in kinds
