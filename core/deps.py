"""The shared clients of one running Hotline, built once by the app factory and passed down."""

from __future__ import annotations

from dataclasses import dataclass

import redis
from flask import Flask, current_app
from redis.sentinel import Sentinel

from core import sentinel
from core.clock import Clock, SystemClock
from core.errors import ConfigError
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

    def close(self) -> None:
        """Let go of every Redis connection this app holds (the webhooks' own ones too)."""
        self.sessions.close()
        close(self.redis)


_TIMEOUTS = {"socket_timeout": REDIS_SOCKET_TIMEOUT,
             "socket_connect_timeout": REDIS_SOCKET_TIMEOUT}


def connect(url: str) -> redis.Redis:
    """A Redis client for `url` with timeouts short enough for a webhook: a plain `redis://`,
    `rediss://` or `unix://` URL, or the primary a `redis+sentinel://` URL names (core.sentinel),
    followed to the new primary after a failover."""
    if sentinel.is_sentinel(url):
        return sentinel.primary(sentinel.parse_sentinel_url(url), **_TIMEOUTS,
                                health_check_interval=30)
    try:
        return redis.Redis.from_url(url, **_TIMEOUTS, health_check_interval=30)
    except ValueError as problem:
        raise ConfigError(f"REDIS_URL: {problem}; for Sentinel: {sentinel.FORM}") from None


def close(client: redis.Redis) -> None:
    """Close `client`'s connections, and those to the Sentinels it asks, if any."""
    client.close()
    sentinels: Sentinel | None = getattr(client.connection_pool, "sentinel_manager", None)
    if sentinels is not None:
        sentinels.close()


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
