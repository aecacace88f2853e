"""A menu's `recording:` section: whether calls are recorded, and the consent each caller's
region calls for. Pure.

    recording:
      calls: true          # record calls (both parties, two channels) after the announcement
      consent: announce    # callers from regions not listed: announce | opt-out | off
      opt_out_key: "9"     # the key that declines, where the consent is opt-out
      regions: {US: opt-out, DE: "off"}   # ISO 3166 region of the caller's number
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

CONSENTS = ("announce", "opt-out", "off")
FIELDS = {"calls", "consent", "opt_out_key", "regions"}


@dataclass(frozen=True)
class RecordingPolicy:
    calls: bool = False
    consent: str = "announce"
    opt_out_key: str = "9"
    regions: dict[str, str] = field(default_factory=dict)

    def consent_for(self, region: str | None) -> str:
        """`off` when calls from `region` (None: unknown) are not recorded, else how the caller
        is told: `announce`, or `opt-out` (told, and may decline with the opt-out key)."""
        if not self.calls:
            return "off"
        return self.regions.get((region or "").upper(), self.consent)


def read_policy(data: Any, fail: Callable[[str, str], None]) -> RecordingPolicy:
    """The policy in a `recording:` section; each unusable value is passed to `fail(field,
    reason)` and left at its default."""
    if data is None:
        return RecordingPolicy()
    if not isinstance(data, dict):
        fail("recording", "must be a mapping")
        return RecordingPolicy()
    for unknown in sorted(set(data) - FIELDS):
        fail(f"recording.{unknown}", "unknown field")
    calls = data.get("calls", False)
    if not isinstance(calls, bool):
        fail("recording.calls", "must be true or false")
        calls = False
    key = str(data.get("opt_out_key", "9"))
    if len(key) != 1 or key not in "0123456789*#":
        fail("recording.opt_out_key", f"{key!r} is not one phone key")
        key = "9"
    return RecordingPolicy(calls, _consent("recording.consent", data.get("consent", "announce"),
                                           fail), key, _regions(data.get("regions"), fail))


def _regions(data: Any, fail: Callable[[str, str], None]) -> dict[str, str]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        fail("recording.regions", "must map region codes to announce, opt-out or off")
        return {}
    return {str(region).upper(): _consent(f"recording.regions.{region}", consent, fail)
            for region, consent in data.items()}


def _consent(where: str, value: Any, fail: Callable[[str, str], None]) -> str:
    if value is False:  # YAML reads a bare `off` as false
        return "off"
    if value not in CONSENTS:
        fail(where, f"{value!r} is not one of {', '.join(CONSENTS)}")
        return "announce"
    return str(value)
