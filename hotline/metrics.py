"""`GET /metrics` in Prometheus's text format: request latency observed in every web process,
and the state of the lines, agents, callbacks, jobs and helpdesk outbox read at scrape time."""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, Flask, Response, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector
from redis.exceptions import RedisError
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from core.access import Role
from core.api import authenticate
from core.deps import deps

EXTENSION = "hotline.metrics"

MULTIPROCESS_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
"""prometheus_client's own variable: where each web process writes its samples; `hotline serve`
sets it (to <data dir>/metrics) so one scrape of any process adds up all of them."""

CALLBACKS_COUNTED = 10_000
"""The newest callbacks counted by state at a scrape (Redis keeps no per-state index)."""

SLA_LOOKBACK = timedelta(days=7)
"""Tickets opened this long ago or less are watched for SLA alerts (the longest target is
72 h)."""

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0)
"""Seconds; 15 s is where Twilio gives up on a webhook."""

log = logging.getLogger(__name__)
bp = Blueprint("metrics", __name__)


@dataclass(frozen=True)
class Metrics:
    """The app's registry (what a scrape shows) and the latency histogram requests feed."""

    registry: CollectorRegistry
    latency: Histogram
    open_scrape: bool


def install(app: Flask, engine: Engine, worker_queues: list[str], open_scrape: bool) -> None:
    """Time every request of `app` and serve `/metrics` (behind the admin token unless
    `open_scrape`); gauges read Redis and `engine` when scraped."""
    registry = CollectorRegistry(auto_describe=True)
    shared_dir = os.environ.get(MULTIPROCESS_DIR_VARIABLE)
    if shared_dir:
        MultiProcessCollector(registry, path=shared_dir)  # type: ignore[no-untyped-call]
    latency = Histogram("hotline_request_duration_seconds",
                        "Seconds from a request's arrival to its answer, by route.",
                        ["route", "method"], buckets=LATENCY_BUCKETS,
                        registry=None if shared_dir else registry)
    registry.register(_StateCollector(app, engine, worker_queues))
    app.extensions[EXTENSION] = Metrics(registry, latency, open_scrape)
    app.before_request(_start_clock)
    app.after_request(_observe)
    app.register_blueprint(bp)


def _start_clock() -> None:
    g.hotline_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.get("hotline_started")
    if started is not None:
        route = request.url_rule.rule if request.url_rule else "unmatched"
        metrics: Metrics = current_app.extensions[EXTENSION]
        metrics.latency.labels(route, request.method).observe(time.perf_counter() - started)
    return response


@bp.get("/metrics")
def scrape() -> Response:
    """Every metric in Prometheus's text exposition format."""
    metrics: Metrics = current_app.extensions[EXTENSION]
    refused = None if metrics.open_scrape else authenticate((Role.ADMIN, Role.REPORT))
    if refused is not None:
        return refused
    return Response(generate_latest(metrics.registry), content_type=CONTENT_TYPE_LATEST)


class _StateCollector(Collector):
    """Gauges read from Redis and the ticket store at each scrape, so any one process answers
    for the whole deployment; a source that cannot be read is left out of that scrape."""

    def __init__(self, app: Flask, engine: Engine, worker_queues: list[str]) -> None:
        self._app = app
        self._engine = engine
        self._worker_queues = worker_queues

    def describe(self) -> list[Metric]:
        return []

    def collect(self) -> Iterator[Metric]:
        with self._app.app_context():
            for read in (self._lines, self._agents, self._callbacks, self._failed_jobs):
                try:
                    yield read()
                except RedisError:
                    log.warning("metrics: Redis unreachable for %s", read.__name__)
            for query in (self._outbox, self._sla):
                try:
                    yield query()
                except SQLAlchemyError:
                    log.warning("metrics: ticket store unreachable for %s", query.__name__)

    def _lines(self) -> Metric:
        from queues.queue_store import QueueStore

        store = QueueStore(deps().redis)
        family = GaugeMetricFamily("hotline_queue_waiting",
                                   "Calls and callbacks waiting, per line (queue:tier:skills).",
                                   labels=["line"])
        for line in store.sets():
            family.add_metric([line], store.waiting(line))
        return family

    def _agents(self) -> Metric:
        from queues.agents import AgentRegistry, AgentStatus

        counts = Counter(presence.status for _, presence in AgentRegistry(deps().redis).all())
        family = GaugeMetricFamily("hotline_agents", "Registered agents, by status.",
                                   labels=["status"])
        for status in AgentStatus:
            family.add_metric([status.value], counts[status])
        return family

    def _callbacks(self) -> Metric:
        from callbacks.record import State
        from callbacks.store import CallbackStore

        records = CallbackStore(deps().redis).all(limit=CALLBACKS_COUNTED)
        counts = Counter(record.state for record in records)
        family = GaugeMetricFamily("hotline_callbacks",
                                   f"Callbacks by state (of the newest {CALLBACKS_COUNTED}).",
                                   labels=["state"])
        for state in State:
            family.add_metric([state.value], counts[state])
        return family

    def _failed_jobs(self) -> Metric:
        from rq import Queue
        from rq.registry import FailedJobRegistry

        family = GaugeMetricFamily("hotline_rq_failed_jobs",
                                   "Background jobs that failed for good, per RQ queue.",
                                   labels=["queue"])
        for name in self._worker_queues:
            queue = Queue(name, connection=deps().redis)
            family.add_metric([name], FailedJobRegistry(queue=queue).count)
        return family

    def _outbox(self) -> Metric:
        from tickets_bridge.models import OutboxRow

        family = GaugeMetricFamily("hotline_helpdesk_outbox_backlog",
                                   "Ticket changes not yet delivered, per helpdesk.",
                                   labels=["bridge"])
        query = (select(OutboxRow.bridge, func.count()).where(OutboxRow.delivered_at.is_(None))
                 .group_by(OutboxRow.bridge))
        with self._engine.connect() as db:
            for bridge, count in db.execute(query):
                family.add_metric([bridge], count)
        return family

    def _sla(self) -> Metric:
        from reports.reader import Period, read_tickets
        from reports.sla import watch_list

        now = deps().clock.now()
        tickets = read_tickets(self._engine, Period(now - SLA_LOOKBACK, now))
        counts = Counter((i.target, i.state) for i in watch_list(tickets, now))
        family = GaugeMetricFamily(
            "hotline_sla_targets", "Ticket SLA targets not met: overdue, or due within 30 "
            f"minutes (at_risk), of tickets opened in the last {SLA_LOOKBACK.days} days.",
            labels=["target", "state"])
        for target in ("first_response", "resolution"):
            for state in ("overdue", "at_risk"):
                family.add_metric([target, state], counts[(target, state)])
        return family
