"""Reading a request's form or query fields on the webhooks' hot path."""

from __future__ import annotations

from collections.abc import Mapping


def field(values: Mapping[str, str], name: str, default: str = "") -> str:
    """`values[name]`, or `default` when the field is absent.

    Werkzeug's `MultiDict.get` finds an absent field by raising and catching a
    BadRequestKeyError (an HTTP exception, costly to build); a menu step asks for three absent
    fields on every key press."""
    return values[name] if name in values else default
