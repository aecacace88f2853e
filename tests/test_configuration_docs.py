"""Every variable the settings read is in the deployer's table and in `.env.example`."""

from __future__ import annotations

import re
from pathlib import Path

from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
VARIABLE = re.compile(r'"((?:HOTLINE|TWILIO|ZENDESK)_[A-Z0-9_]+|REDIS_URL|DATABASE_URL)"')


def settings_variables() -> set[str]:
    """The environment variables core/settings.py reads."""
    return set(VARIABLE.findall((ROOT / "core" / "settings.py").read_text()))


def test_every_setting_is_in_the_configuration_table() -> None:
    table = (ROOT / "docs" / "CONFIGURATION.md").read_text()
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    assert len(settings_variables()) > 40
    assert settings_variables() - documented == set()


def test_every_setting_is_in_the_env_template() -> None:
    template = (ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", template, re.MULTILINE))
    assert settings_variables() - listed == set()


def test_the_env_template_as_shipped_gives_the_default_settings() -> None:
    # Loaded with `set -a; . ./.env` untouched, the template must change nothing: empty
    # values count as unset, and no value undoes a default that follows something else
    # (the public URL follows the bind address, the data directory the current folder).
    lines = (ROOT / ".env.example").read_text().splitlines()
    env = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert Settings.from_env(env) == Settings.from_env({})
    assert not any(env[name] for name in ("HOTLINE_PUBLIC_URL", "HOTLINE_BIND",
                                          "HOTLINE_DATA_DIR"))
