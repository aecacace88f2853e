"""Phone numbers, normalised once at the boundary to E.164 with region and time zone."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import timezone as pn_timezone

from core.process_cache import ProcessCache

NUMBERS_CACHED = 8192
"""Parsed caller numbers kept per process: parsing one with its region and time zone is slow
next to a webhook step's other work (docs/BENCHMARKS.md), and callers call again."""

# Twilio's From for callers who withhold their number (documented values and common carriers').
_WITHHELD = {"", "anonymous", "restricted", "unknown", "private", "+266696687", "+7378742833"}


@dataclass(frozen=True)
class CallerNumber:
    """A caller's number in E.164 with its ISO region and IANA time zone: None when unknown or
    when the number spans several zones (toll-free, +7 9xx mobiles, +61 4 mobiles)."""

    e164: str
    region: str | None
    timezone: str | None


def parse_caller(raw: str, default_region: str) -> CallerNumber | None:
    """The caller behind Twilio's `From`, or None when withheld or not a phone number."""
    return _numbers.get((raw, default_region), _parse)


def _parse(given: tuple[str, str]) -> CallerNumber | None:
    raw, default_region = given
    value = raw.strip()
    if value.lower() in _WITHHELD:
        return None
    try:
        number = phonenumbers.parse(value, default_region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    zones = [z for z in pn_timezone.time_zones_for_number(number) if z != "Etc/Unknown"]
    return CallerNumber(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        region=phonenumbers.region_code_for_number(number),
        timezone=zones[0] if len(zones) == 1 else None,
    )


_numbers: ProcessCache[tuple[str, str], CallerNumber | None] = ProcessCache(NUMBERS_CACHED)


def is_dialable(raw: str, default_region: str) -> bool:
    """True when `raw` is a valid number that a transfer may dial."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(number)
