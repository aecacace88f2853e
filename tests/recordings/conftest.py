"""Recordings fixtures: an app whose Twilio is the Prism mock behind the media stand-in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from flask import Flask

from core.clock import FixedClock
from core.settings import Settings
from recordings import jobs
from recordings.processing import Runtime
from tests.ivr_app import NOW, make_app
from tests.twilio_media import MediaMock, start
from tests.twilio_requests import AUTH_TOKEN
from tests.twilio_rest import ACCOUNT_SID


@pytest.fixture
def media(twilio_api: str) -> Iterator[MediaMock]:
    mock = MediaMock(twilio_api, ACCOUNT_SID, AUTH_TOKEN)
    server = start(mock)
    yield mock
    server.shutdown()
    server.server_close()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def app(redis_url: str, media: MediaMock, clock: FixedClock) -> Flask:
    return make_app(redis_url, clock=clock, twilio_account_sid=ACCOUNT_SID,
                    twilio_api_base_url=media.url)


@pytest.fixture
def settings(app: Flask) -> Settings:
    found: Settings = app.extensions["hotline"].settings
    return found


@pytest.fixture
def rt(settings: Settings, redis_client: redis.Redis, clock: FixedClock) -> Runtime:
    """Processing as the worker's jobs run it, on the test's Redis and clock."""
    return jobs.runtime(settings, redis_client, clock=clock)
