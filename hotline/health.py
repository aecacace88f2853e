"""`GET /health`: whether this process can reach Redis and the ticket store, for a load balancer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as CheckTimedOut

from flask import Blueprint, Response, current_app, jsonify
from sqlalchemy import Engine, text

from core.deps import deps

CHECK_TIMEOUT = 2.0
"""Seconds each dependency may take to answer before it counts as down."""

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> Response:
    """200 when Redis and the ticket store both answer, 503 naming the ones that do not; no
    detail beyond `ok`/`down`, so it is safe to expose without a token."""
    from tickets_bridge.api import EXTENSION as TICKETS

    engine = current_app.extensions[TICKETS].engine
    client = deps().redis
    checks = {"redis": _answers(client.ping),
              "ticket_store": _answers(lambda: _query(engine))}
    up = all(state == "ok" for state in checks.values())
    response = jsonify({"status": "ok" if up else "down", "checks": checks})
    response.status_code = 200 if up else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _query(engine: Engine) -> None:
    with engine.connect() as db:
        db.execute(text("SELECT 1"))


def _answers(check: Callable[[], object]) -> str:
    # A thread of its own bounds the wait even where a driver has no timeout (a PostgreSQL
    # connect to an address that drops packets); the thread is left to finish on its own.
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        pool.submit(check).result(timeout=CHECK_TIMEOUT)
    except CheckTimedOut:
        log.warning("health: a check took longer than %ss", CHECK_TIMEOUT)
        return "down"
    except Exception:
        log.warning("health: a check failed", exc_info=True)
        return "down"
    finally:
        pool.shutdown(wait=False)
    return "ok"
