"""A per-process table of derived values derives each value once, None included, and keeps
nothing when deriving fails."""

from __future__ import annotations

import pytest

from core.process_cache import ProcessCache


def test_a_value_is_derived_once_even_when_it_is_none() -> None:
    derived: list[str] = []

    def derive(key: str) -> str | None:
        derived.append(key)
        return None

    cache: ProcessCache[str, str | None] = ProcessCache(4)
    assert cache.get("withheld", derive) is None
    assert cache.get("withheld", derive) is None
    assert derived == ["withheld"]


def test_a_failed_derivation_keeps_nothing() -> None:
    def refuse(key: str) -> int:
        raise ValueError(key)

    cache: ProcessCache[str, int] = ProcessCache(4)
    with pytest.raises(ValueError):
        cache.get("XX", refuse)
    assert cache.get("XX", len) == 2
