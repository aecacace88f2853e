"""`hotline serve` and `hotline worker`: the processes a deployment runs, and their Redis."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from core.embedded_redis import EmbeddedRedis, running_url
from core.settings import Settings
from hotline import logs, running
from hotline.menu_commands import checked_menu

WORKER_QUEUES = ["hotline-high", "hotline", "hotline-low"]
"""RQ queues a worker serves, most urgent first."""

# gthread: each worker serves several webhooks at once while one waits on Redis; the app is
# built before forking, so workers share it copy-on-write.
GUNICORN_WORKER_CLASS = "gthread"
GUNICORN_THREADS = 4


@contextlib.contextmanager
def redis_for(settings: Settings) -> Iterator[tuple[str, str]]:
    """The Redis URL to use and where it comes from: REDIS_URL, an embedded server another
    Hotline process runs in the data dir, or an embedded server owned (and stopped) by this one."""
    if settings.redis_url:
        yield settings.redis_url, "external (REDIS_URL)"
        return
    attached = running_url(settings.data_dir)
    if attached:
        yield attached, f"embedded, shared with another Hotline process ({attached})"
        return
    server = EmbeddedRedis(settings.data_dir)
    url = server.start()
    atexit.register(server.stop)
    try:
        yield url, f"embedded, started here ({url}, data in {settings.data_dir})"
    finally:
        server.stop()


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn run in-process, so `hotline serve` owns the embedded Redis its workers use."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._app


@click.command()
@click.option("--bind", help="host:port to listen on (default HOTLINE_BIND or 127.0.0.1:5000)")
@click.option("--workers", type=click.IntRange(min=1), help="web processes (HOTLINE_WEB_WORKERS)")
@click.option("--with-background/--without-background", default=False,
              help="also run `hotline worker` and `hotline bridge` as child processes "
                   "(all in one, for a single machine or a demo)")
def serve(bind: str | None, workers: int | None, with_background: bool) -> None:
    """Run the web service: voice webhooks and the API, under gunicorn."""
    bind = bind or Settings.from_env().bind
    settings = _settings_for(bind)
    logs.configure(settings.log_format, level=logs.level_of(settings.log_level))
    if settings.menu_file is not None:
        checked_menu(settings.menu_file, "HOTLINE_MENU")
    _share_metrics_between_processes(settings.data_dir)
    from hotline.app import create_app

    _stop_on_sigterm()
    with redis_for(settings) as (redis_url, origin), _background(with_background, redis_url):
        app = create_app(settings, redis_url)
        _announce(settings, bind, origin, app)
        # Recorded once the app is built: a serve that fails to start points nobody at it.
        with _recorded(settings):
            _run_gunicorn(app, bind, workers or settings.web_workers)


def _run_gunicorn(app: Flask, bind: str, workers: int) -> None:
    _Gunicorn(app, {
        "bind": bind,
        "workers": workers,
        "worker_class": GUNICORN_WORKER_CLASS,
        "threads": GUNICORN_THREADS,
        "accesslog": None,
        "loglevel": "warning",
        "timeout": 30,
        "graceful_timeout": 10,
        "worker_exit": _leave_as_a_fork,
    }).run()


def _settings_for(bind: str) -> Settings:
    """The environment's settings, with the public URL following `bind` when
    HOTLINE_PUBLIC_URL is unset (a signature is checked against it, so the simulator must sign
    for the address the server is at). Both it and the data directory are put in the
    environment for the worker and bridge children."""
    derived = running.public_url_of(bind)
    if not os.environ.get("HOTLINE_PUBLIC_URL") and derived:
        os.environ["HOTLINE_PUBLIC_URL"] = derived
    settings = Settings.from_env()
    os.environ["HOTLINE_DATA_DIR"] = str(settings.data_dir.resolve())
    return settings


@contextlib.contextmanager
def _recorded(settings: Settings) -> Iterator[None]:
    """Where this serve runs, written for commands started elsewhere (hotline.running), and
    forgotten when it stops (by its own process only, not a forked gunicorn worker)."""
    written = running.record(settings, os.environ)
    owner = os.getpid()
    try:
        yield
    finally:
        if os.getpid() == owner:
            running.forget(written, os.environ)


@click.command()
@click.option("--fork/--no-fork", default=True, show_default=True,
              help="run each job in a forked work horse (RQ's default), or in the worker "
                   "process itself: less isolation, much less overhead per job (callbacks at "
                   "a high calls-per-second limit, docs/BENCHMARKS.md)")
def worker(fork: bool) -> None:
    """Run a background worker (RQ, with the scheduler) for callbacks and ticket delivery."""
    from datetime import timedelta

    from rq import Queue, SimpleWorker, Worker

    from callbacks.jobs import prepare_worker
    from core.deps import connect
    from recordings.jobs import schedule_retention

    settings = running.command_settings()
    logs.configure(settings.log_format, level=logs.level_of(settings.log_level))
    _stop_on_sigterm()
    with redis_for(settings) as (redis_url, origin):
        click.echo(f"hotline worker: Redis {origin}; queues {', '.join(WORKER_QUEUES)}")
        # Jobs read their settings from the environment: the same Redis, data directory and
        # public URL as this worker found, wherever it was started.
        os.environ.update(REDIS_URL=redis_url, HOTLINE_DATA_DIR=str(settings.data_dir.resolve()),
                          HOTLINE_PUBLIC_URL=settings.public_url)
        connection = connect(redis_url)
        queues = [Queue(name, connection=connection) for name in WORKER_QUEUES]
        prepare_worker(settings, redis_url)
        schedule_retention(connection, after=timedelta(0))
        kind = Worker if fork else SimpleWorker
        kind(queues, connection=connection).work(with_scheduler=True)


@contextlib.contextmanager
def _background(enabled: bool, redis_url: str) -> Iterator[None]:
    """`hotline worker` and `hotline bridge` as children, stopped when serve stops."""
    if not enabled:
        yield
        return
    command = str(Path(sys.executable).parent / "hotline")
    env = {**os.environ, "REDIS_URL": redis_url}
    # Each in a session of its own: a terminal's Ctrl-C reaches serve alone, which stops them
    # in order (SIGTERM, a warm shutdown) while Redis is still there; reaching RQ's scheduler
    # process mid-log, it printed a traceback.
    children = [subprocess.Popen([command, name], env=env, start_new_session=True)
                for name in ("worker", "bridge")]
    owner = os.getpid()
    try:
        yield
    finally:
        # The children are serve's alone to stop, as the embedded Redis is: should a forked
        # gunicorn worker ever unwind this stack (it leaves by os._exit, _leave_as_a_fork),
        # it must not stop them.
        if os.getpid() == owner:
            _stop_children(children)


def _share_metrics_between_processes(data_dir: Path) -> None:
    """Have each gunicorn worker write its metric samples under `data_dir`/metrics, emptied
    first, so a scrape answered by any worker counts every worker's requests. prometheus_client
    reads the variable when first imported, hence before the app is built."""
    shared = data_dir / "metrics"
    shutil.rmtree(shared, ignore_errors=True)
    shared.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(shared)


def _leave_as_a_fork(_arbiter: object, _worker: object) -> None:
    """gunicorn's last call in a worker: leave at once, as a forked child should, with the exit
    code gunicorn chose, rather than unwinding `serve`'s own stack a second time (its Redis and
    background processes are serve's; a Ctrl-C reaching the worker mid-unwind printed
    tracebacks from their copies)."""
    leaving = sys.exc_info()[1]
    code = leaving.code if isinstance(leaving, SystemExit) else None
    sys.stdout.flush()
    sys.stderr.flush()
    if code is None or isinstance(code, int):
        os._exit(code or 0)
    os._exit(1)  # sys.exit("message"): a failure


def _stop_children(children: list[subprocess.Popen[bytes]]) -> None:
    for child in children:
        child.terminate()
    for child in children:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def _announce(settings: Settings, bind: str, origin: str, app: Flask) -> None:
    menu = app.extensions["hotline.menus"].active()
    say = click.echo
    say(f"Hotline listening on http://{bind} (public URL {settings.public_url})")
    say(f"Redis: {origin}")
    say(f"Menu: {menu.name} (version {menu.version}, {settings.menu_file or 'shipped example'})")
    if settings.uses_dev_credentials:
        say("Twilio: development credentials; only the caller simulator can sign requests.")
    say('Place a simulated call:  .venv/bin/hotline call --press 1 --say "my invoice is wrong" '
        "--press 1")


def _stop_on_sigterm() -> None:
    # gunicorn's master handles SIGTERM itself once running; before that (and in the worker),
    # turn SIGTERM into SystemExit so `finally` blocks stop the embedded Redis.
    def stop(signum: int, frame: object) -> None:
        sys.exit(128 + signum)

    signal.signal(signal.SIGTERM, stop)
