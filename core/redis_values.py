"""Decoding what redis-py returns (bytes, or str on a decoding client) into text."""

from __future__ import annotations

from collections.abc import Mapping


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def text_map(raw: Mapping[bytes | str, bytes | str]) -> dict[str, str]:
    return {text(k): text(v) for k, v in raw.items()}
