"""Benchmark: how many calls per second the tickets bridge turns into tickets, on SQLite and
PostgreSQL, next to the same rows written straight into the same database (the baseline).

Run with `./dev bench tickets`; results go to docs/BENCHMARKS.md. Calls are cloned from one
real call answered by Hotline's own code, and fed through the call-event stream step by step,
interleaved, as concurrent calls arrive.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

import redis
from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from bench.calls import call_form
from bench.report import machine, write_section
from core.clock import SystemClock
from core.embedded_redis import EmbeddedRedis
from core.session import SessionStore
from core.settings import DEV_AUTH_TOKEN, Settings
from hotline.app import create_app
from tickets_bridge.models import TicketCallRow, TicketRow, TranscriptRow
from tickets_bridge.projector import Projector
from tickets_bridge.schema import open_engine, throwaway_schema, upgrade
from tickets_bridge.store import TicketStore, parse_at

CALLS = 1500
RUNS = 3
TARGET = 50
"""Calls per second the bridge must sustain (the issue's floor)."""
POSTGRES_URL = "postgresql+psycopg://root@127.0.0.1:5432/test"


def main() -> None:
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp, EmbeddedRedis(Path(tmp), persist=False) as store:
        client = redis.Redis.from_url(store.url)
        template = template_call(Path(tmp), store.url)
        for database in ("SQLite", "PostgreSQL"):
            runs: dict[str, list[float]] = {"bridge": [], "baseline": []}
            for run in range(RUNS):
                client.flushdb()
                with fresh_engine(database, Path(tmp) / f"{database}-{run}.db") as engine:
                    runs["bridge"].append(bridge_rate(client, engine, template))
                with fresh_engine(database, Path(tmp) / f"{database}-{run}-base.db") as engine:
                    runs["baseline"].append(baseline_rate(engine, template))
                print(f"  {database} run {run + 1}: bridge {runs['bridge'][-1]:.0f} calls/s, "
                      f"direct inserts {runs['baseline'][-1]:.0f} calls/s", flush=True)
            results[database] = runs
        client.close()
    write_section(Path("docs/BENCHMARKS.md"), "tickets", render(results, template))
    print(Path("docs/BENCHMARKS.md").read_text())


def template_call(work: Path, redis_url: str) -> dict[str, Any]:
    """One real call through the example tree: its session, events and stream steps."""
    from twilio.request_validator import RequestValidator

    public = "http://bench.local"
    app = create_app(Settings(public_url=public, data_dir=work), redis_url)
    client = app.test_client()
    validator = RequestValidator(DEV_AUTH_TOKEN)
    sid = "CA" + "e" * 32
    path = "/voice/incoming"
    for extra in ({}, {"Digits": "1"}, {"SpeechResult": "my invoice is wrong",
                                        "Confidence": "0.9"}, {"Digits": "1"}):
        form = call_form(sid, **extra)
        answer = client.post(path, data=form, headers={
            "X-Twilio-Signature": validator.compute_signature(public + path, form)})
        body = answer.get_data(as_text=True)
        if 'action="' in body:
            path = body.split('action="', 1)[1].split('"', 1)[0].replace(public, "")
            path = path.replace("&amp;", "&")
    r = redis.Redis.from_url(redis_url)
    entries = cast(list[tuple[bytes, dict[bytes, bytes]]], r.xrange("hotline:call-events"))
    steps = [(int(f[b"first"]), int(f[b"count"])) for _, f in entries]
    template = {"session": r.dump(f"hotline:call:{sid}"),
                "events": r.dump(f"hotline:call:{sid}:events"), "steps": steps,
                "log": SessionStore(r, 3600).events(sid)}
    r.flushdb()
    r.close()
    return template


def bridge_rate(client: redis.Redis, engine: Engine, template: dict[str, Any]) -> float:
    """Calls per second the projector turns into tickets, from a stream of interleaved steps."""
    sids = [f"CA{uuid.uuid4().hex}" for _ in range(CALLS)]
    pipe = client.pipeline(transaction=False)
    for n, sid in enumerate(sids):
        pipe.restore(f"hotline:call:{sid}", 0, template["session"])
        pipe.restore(f"hotline:call:{sid}:events", 0, template["events"])
        # A caller each: one number calling about one issue would rightly share one ticket.
        pipe.hset(f"hotline:call:{sid}", "caller", f"+1415{5000000 + n:07d}")
    for first, count in template["steps"]:
        for sid in sids:
            pipe.xadd("hotline:call-events", {"call": sid, "first": first, "count": count})
    pipe.execute()
    projector = Projector(client, TicketStore(engine), SessionStore(client, 3600), SystemClock())
    projector.ensure_group()
    started = time.perf_counter()
    while projector.project_once("bench", count=200):
        pass
    elapsed = time.perf_counter() - started
    with Session(engine) as db:
        made = db.scalar(text("SELECT count(*) FROM tickets"))
    if made != CALLS:
        raise SystemExit(f"benchmark invalid: {made} tickets for {CALLS} calls")
    return CALLS / elapsed


def baseline_rate(engine: Engine, template: dict[str, Any]) -> float:
    """The same rows per call inserted directly, one transaction per call."""
    log = template["log"]
    started = time.perf_counter()
    for _ in range(CALLS):
        sid = f"CA{uuid.uuid4().hex}"
        at = parse_at(log[0]["at"])
        with Session(engine) as db, db.begin():
            ticket = TicketRow(phone="+14155550123", subject="", issue="", category="",
                               priority="", tier="", queue="", status="new", tags=[],
                               created_at=at, updated_at=at)
            db.add(ticket)
            db.flush()
            db.add(TicketCallRow(call_sid=sid, ticket_id=ticket.id, started_at=at))
            db.execute(insert(TranscriptRow), [
                {"ticket_id": ticket.id, "call_sid": sid, "seq": i, "at": parse_at(e["at"]),
                 "kind": e["kind"], "text": e["text"], "details": {}}
                for i, e in enumerate(log)])
    return CALLS / (time.perf_counter() - started)


@contextmanager
def fresh_engine(database: str, path: Path) -> Iterator[Engine]:
    if database == "SQLite":
        engine = open_engine(f"sqlite:///{path}")
        upgrade(engine)
        yield engine
        engine.dispose()
        return
    with throwaway_schema(POSTGRES_URL) as engine:
        yield engine


def render(results: dict[str, dict[str, list[float]]], template: dict[str, Any]) -> str:
    entries = len(template["log"])
    lines = [
        "## Tickets bridge throughput",
        "",
        f"Machine: {machine()}.  ",
        f"Setup: {CALLS} calls of {entries} events each, fed as {len(template['steps'])} "
        f"stream entries per call (one per webhook step), interleaved; one `hotline bridge` "
        f"projector; median of {RUNS} runs. Baseline: the same ticket, call and transcript "
        "rows inserted directly, one transaction per call.",
        "",
        "| store | bridge calls/s | transcript entries/s | direct inserts calls/s | "
        f"ratio to baseline | floor ({TARGET} calls/s) |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for database, runs in results.items():
        bridge = statistics.median(runs["bridge"])
        base = statistics.median(runs["baseline"])
        lines.append(f"| {database} | {bridge:,.0f} | {bridge * entries:,.0f} | {base:,.0f} | "
                     f"{bridge / base:.2f} | {'met' if bridge >= TARGET else 'MISSED'} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
