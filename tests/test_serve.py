"""`hotline worker` and `hotline serve` as real processes: whose Redis they use, what they stop.

Serve's own SIGTERM/SIGINT exit with its embedded Redis is in test_processes.py.
"""

from __future__ import annotations

import os
import signal
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from rq import Queue
from rq.job import Job, JobStatus

from tests.processes import (
    HOTLINE,
    answers,
    free_port,
    hotline_env,
    pid_alive,
    redis_pid,
    start_serve,
    wait_for,
)


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT])
def test_worker_alone_runs_jobs_on_its_own_embedded_redis_and_stops_it(
    tmp_path: Path, stop_with: int
) -> None:
    worker = _start_worker(tmp_path)
    try:
        wait_for(lambda: (tmp_path / "redis.url").is_file() or worker.poll() is not None,
                 "the worker's embedded Redis")
        url = (tmp_path / "redis.url").read_text().strip()
        pid = redis_pid(url)
        _wait_for_job(url, "hotline")
        worker.send_signal(stop_with)
        output, _ = worker.communicate(timeout=30)
    finally:
        _kill(worker)
    assert worker.returncode == 0, output
    assert "Redis embedded, started here" in output
    wait_for(lambda: not pid_alive(pid), "redis-server to exit with the worker")
    assert not (tmp_path / "redis.url").exists()


def test_worker_attaches_to_serves_redis_runs_scheduled_jobs_and_leaves_it_up(
    tmp_path: Path,
) -> None:
    serve = start_serve(tmp_path, free_port())
    try:
        url = (tmp_path / "redis.url").read_text().strip()
        pid = redis_pid(url)
        worker = _start_worker(tmp_path)
        try:
            _wait_for_job(url, "hotline-high")
            _wait_for_job(url, "hotline-low", scheduled=True)
            worker.send_signal(signal.SIGTERM)
            output, _ = worker.communicate(timeout=30)
        finally:
            _kill(worker)
        assert worker.returncode == 0, output
        assert f"Redis embedded, shared with another Hotline process ({url})" in output
        assert pid_alive(pid) and (tmp_path / "redis.url").read_text().strip() == url
    finally:
        _kill(serve)


def test_serve_on_an_external_redis_leaves_it_alone(tmp_path: Path, redis_url: str) -> None:
    port = free_port()
    env = hotline_env(tmp_path, port, REDIS_URL=redis_url)
    serve = subprocess.Popen([HOTLINE, "serve"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(lambda: answers(port) or serve.poll() is not None, "hotline serve to listen")
        assert not (tmp_path / "redis.url").exists()
        serve.send_signal(signal.SIGTERM)
        output, _ = serve.communicate(timeout=30)
    finally:
        _kill(serve)
    assert serve.returncode == 0, output
    assert "Redis: external (REDIS_URL)" in output
    client = redis.Redis.from_url(redis_url)
    try:
        assert client.ping()
    finally:
        client.close()


def test_a_gunicorn_worker_restart_leaves_the_background_processes_running(
    tmp_path: Path,
) -> None:
    port = free_port()
    serve = start_serve(tmp_path, port, "--with-background")
    try:
        background = [pid for pid, argv in _children(serve.pid).items()
                      if argv[2:] in (["worker"], ["bridge"])]
        web = _web_workers(serve.pid)
        assert len(background) == 2 and len(web) == 1
        serve.send_signal(signal.SIGHUP)  # gunicorn replaces its workers; the old one exits
        wait_for(lambda: not pid_alive(web[0]) and len(_web_workers(serve.pid)) == 1,
                 "gunicorn to replace its worker")
        wait_for(lambda: answers(port), "the new worker to listen")
        assert all(pid_alive(pid) for pid in background)
        serve.terminate()
        output, _ = serve.communicate(timeout=30)
    finally:
        _kill(serve)
    assert serve.returncode == 0, output
    wait_for(lambda: not any(pid_alive(pid) for pid in background),
             "serve to stop its background processes")


def _start_worker(data_dir: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([HOTLINE, "worker"], env=hotline_env(data_dir, free_port()),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _kill(process: subprocess.Popen[str]) -> None:
    """Make sure a process a failed test left behind is gone and its pipe closed."""
    if process.poll() is None:
        process.kill()
    process.communicate()


def _wait_for_job(url: str, queue_name: str, scheduled: bool = False) -> None:
    """Enqueue a job by dotted path on `queue_name` (due a moment ago if `scheduled`, so only
    the worker's scheduler can release it) and wait until a worker has run it."""
    client = redis.Redis.from_url(url)
    try:
        queue = Queue(queue_name, connection=client)
        if scheduled:
            job: Job = queue.enqueue_at(datetime.now(UTC) - timedelta(seconds=1), "os.getpid")
        else:
            job = queue.enqueue("os.getpid")
        wait_for(lambda: job.get_status() == JobStatus.FINISHED, f"a job on {queue_name} to run")
    finally:
        client.close()


def _web_workers(serve_pid: int) -> list[int]:
    return [pid for pid, argv in _children(serve_pid).items() if argv[2:3] == ["serve"]]


def _children(parent: int) -> dict[int, list[str]]:
    """Live child processes of `parent` and their argv, from /proc."""
    found: dict[int, list[str]] = {}
    # Listed by name, then read one by one: a process may exit between the two (globbing
    # /proc/*/stat itself raised ProcessLookupError then).
    for pid in (name for name in os.listdir("/proc") if name.isdigit()):
        try:
            state, ppid = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[:2]
            argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
        except (OSError, IndexError):
            continue
        if int(ppid) == parent and state != "Z":
            found[int(pid)] = argv
    return found
