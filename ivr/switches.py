"""The operational switches admins flip while calls come in: opening hours per line, outage
flags with their notice per language, and the VIP list. Each change takes effect on the next
call (all of them live in Redis) and is written to the switches' audit log with who and when;
the API, the editor page and the CLI all change them through here."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import orjson
import redis

from core import keys, line_hours
from core.clock import Clock, isoformat
from core.errors import InvalidInput
from ivr import caller_facts, outage_notice
from ivr.caller_facts import ALL_ISSUES
from ivr.menu import Menu

HISTORY_SHOWN = 200
MESSAGE_MAX = 500
_CATEGORY = re.compile(r"^[a-z0-9][a-z0-9_/-]{0,63}$")


class Switches:
    def __init__(self, client: redis.Redis, clock: Clock) -> None:
        self._redis = client
        self._clock = clock

    def state(self) -> dict[str, Any]:
        """Every switch as it stands: hours per line, outage notices, VIP numbers."""
        outages = []
        for flag, message in sorted(caller_facts.active_outages(self._redis).items()):
            category, _, language = flag.partition(outage_notice.MARK)
            outages.append({"category": category, "language": language or None,
                            "message": message})
        return {"hours": line_hours.every_line(self._redis), "outages": outages,
                "vip": caller_facts.vip_numbers(self._redis)}

    def set_hours(self, line: str, body: Mapping[str, Any], menu: Menu, by: str,
                  ) -> dict[str, Any]:
        """Set the opening hours of `line` (E.164 or `default`); InvalidInput naming the
        field, or `after_hours` when the live menu has nowhere to send callers when closed."""
        if menu.after_hours is None:
            raise InvalidInput("after_hours", "the published menu has no after_hours route "
                               "for callers while a line is closed; add one first")
        stored = line_hours.store(self._redis, line, body)
        self._log(by, "set opening hours", line)
        return stored

    def clear_hours(self, line: str, by: str) -> bool:
        return self._logged(line_hours.remove(self._redis, line), by, "cleared opening hours",
                            line)

    def flag_outage(self, category: str, message: str, language: str | None,
                    menu: Menu | None, by: str) -> None:
        """Flag `category` (an issue prefix, or `*`) with `message`, said to callers of
        `language` (the menu's default when None), which must be one of `menu`'s (when a menu
        is live to ask)."""
        _check_category(category)
        if not message.strip() or len(message) > MESSAGE_MAX:
            raise InvalidInput("message", f"must be 1 to {MESSAGE_MAX} characters")
        if menu is not None and language is not None and language not in menu.languages:
            raise InvalidInput("language", "must be one of the menu's languages: " +
                               ", ".join(menu.languages))
        caller_facts.set_outage(self._redis, category, message.strip(), language)
        self._log(by, "flagged outage", outage_notice.flag(category, language))

    def clear_outage(self, category: str, language: str | None, by: str) -> bool:
        cleared = caller_facts.clear_outage(self._redis, category, language)
        return self._logged(cleared, by, "cleared outage", outage_notice.flag(category, language))

    def add_vip(self, e164: str, by: str) -> None:
        caller_facts.add_vip(self._redis, e164)
        self._log(by, "added VIP", e164)

    def remove_vip(self, e164: str, by: str) -> bool:
        return self._logged(caller_facts.remove_vip(self._redis, e164), by, "removed VIP", e164)

    def history(self) -> list[dict[str, Any]]:
        """The audit log, newest first (the latest HISTORY_SHOWN entries)."""
        raw = self._redis.lrange(keys.switches_history(), -HISTORY_SHOWN, -1)
        return [orjson.loads(entry) for entry in reversed(raw)]

    def _logged(self, changed: bool, by: str, action: str, target: str) -> bool:
        if changed:
            self._log(by, action, target)
        return changed

    def _log(self, by: str, action: str, target: str) -> None:
        entry = {"at": isoformat(self._clock.now()), "by": by, "action": action,
                 "target": target}
        self._redis.rpush(keys.switches_history(), orjson.dumps(entry))


def _check_category(category: str) -> None:
    if category != ALL_ISSUES and not _CATEGORY.match(category):
        raise InvalidInput("category", "must be an issue or its prefix (like technical or "
                           "billing/dispute), or * for every issue")
