"""Test support: a Hotline app on the test Redis with the small test menu and a fixed clock."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from core.clock import FixedClock
from core.settings import Settings
from hotline.app import create_app
from tests.twilio_requests import AUTH_TOKEN, PUBLIC_URL

SMALL_MENU = Path(__file__).parent / "menus" / "small.yaml"
ADMIN_TOKEN = "test-admin-token"
NOW = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)


def make_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": Path(tempfile.mkdtemp(prefix="hotline-test-")),
        "twilio_auth_token": AUTH_TOKEN,
        "public_url": PUBLIC_URL,
        "menu_file": SMALL_MENU,
        "admin_token": ADMIN_TOKEN,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def call_events(app: Flask, call_sid: str) -> list[dict[str, Any]]:
    """The call's event log as the app stored it, oldest first."""
    found: list[dict[str, Any]] = app.extensions["hotline"].sessions.events(call_sid)
    return found


def make_app(redis_url: str, clock: FixedClock | None = None, **overrides: object) -> Flask:
    clock = clock or FixedClock(NOW)
    return create_app(make_settings(**overrides), redis_url, clock)
