"""The shared clients of one running Hotline, built once by the app factory and passed down."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from flask import Flask, current_app

from core.clock import Clock, SystemClock
from core.session import SessionStore
from core.settings import Settings
from core.telephony import Telephony, telephony_for

EXTENSION = "hotline"

REDIS_SOCKET_TIMEOUT = 2.0
"""Seconds a Redis call may take before a webhook gives up on it (Twilio waits 15 s in all)."""


@dataclass(frozen=True)
class Dependencies:
    settings: Settings
    redis: redis.Redis
    clock: Clock
    sessions: SessionStore
    telephony: Telephony


def connect(url: str) -> redis.Redis:
    """A Redis client for `url` with timeouts short enough for a webhook."""
    return redis.Redis.from_url(
        url,
        socket_timeout=REDIS_SOCKET_TIMEOUT,
        socket_connect_timeout=REDIS_SOCKET_TIMEOUT,
        health_check_interval=30,
    )


def build(settings: Settings, redis_url: str, clock: Clock | None = None) -> Dependencies:
    client = connect(redis_url)
    return Dependencies(
        settings=settings,
        redis=client,
        clock=clock or SystemClock(),
        sessions=SessionStore(client, settings.session_ttl),
        telephony=telephony_for(settings, client),
    )


def install(app: Flask, deps: Dependencies) -> None:
    app.extensions[EXTENSION] = deps


def deps() -> Dependencies:
    """The current app's dependencies (inside a request or app context)."""
    found: Dependencies = current_app.extensions[EXTENSION]
    return found
