"""Published menu versions in Redis, content-addressed by version, so a version never changes:
its YAML source and its phrase book. The IVR publishes them (`ivr.menu_store`); callbacks read
a version's source for its `callbacks:` section and `core.phrases` its phrase book, all
through these functions, never by key."""

from __future__ import annotations

import redis

from core import keys
from core.redis_values import text


def store_version(pipe: redis.client.Pipeline, version: str, source: str,
                  phrase_book: bytes) -> None:
    """Queue on `pipe` the publication of menu `version`: its source and phrase book (JSON)."""
    pipe.set(keys.menu(version), source)
    pipe.set(keys.menu_phrases(version), phrase_book)


def menu_source(client: redis.Redis, version: str) -> str | None:
    """The YAML source published as `version`, if it was."""
    source = client.get(keys.menu(version))
    return text(source) if source is not None else None


def phrase_book_source(client: redis.Redis, version: str) -> bytes | str | None:
    """The phrase book (JSON) published with `version`; None for a version published without."""
    raw: bytes | str | None = client.get(keys.menu_phrases(version))
    return raw
