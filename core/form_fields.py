"""Reading a request's form or query fields on the webhooks' hot path."""

from __future__ import annotations

from collections.abc import Mapping


def field(values: Mapping[str, str], name: str, default: str = "") -> str:
    """`values[name]`, or `default` when the field is absent.

    Werkzeug's `MultiDict.get` finds an absent field by raising and catching a
    BadRequestKeyError (an HTTP exception, costly to build); a menu step asks for three absent
    fields on every key press."""
    return values[name] if name in values else default


def whole_number(value: str) -> int | None:
    """`value` as a whole number when it is written in ASCII digits, None else. Twilio writes
    numbers (durations, keys) in ASCII; `str.isdigit` alone also takes "²" (which int() then
    refuses) and "３" or "٣" (which int() reads as 3)."""
    return int(value) if value.isascii() and value.isdigit() else None
