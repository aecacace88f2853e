"""Every variable the settings read is in the deployer's table and in `.env.example`."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIABLE = re.compile(r'"((?:HOTLINE|TWILIO|ZENDESK)_[A-Z0-9_]+|REDIS_URL|DATABASE_URL)"')


def _read_by_settings() -> set[str]:
    return set(VARIABLE.findall((ROOT / "core" / "settings.py").read_text()))


def test_every_setting_is_in_the_configuration_table() -> None:
    table = (ROOT / "docs" / "CONFIGURATION.md").read_text()
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    assert len(_read_by_settings()) > 40
    assert _read_by_settings() - documented == set()


def test_every_setting_is_in_the_env_template() -> None:
    template = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", template, re.MULTILINE))
    assert _read_by_settings() - listed == set()
