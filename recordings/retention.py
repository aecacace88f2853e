"""How long audio is kept: files older than the retention period are deleted."""

from __future__ import annotations

from datetime import datetime

from recordings.storage import AudioStore

DAY = 24 * 3600


def prune(store: AudioStore, now: datetime, keep_days: int) -> list[str]:
    """Delete every file kept more than `keep_days` before `now`; the names deleted."""
    cutoff = now.timestamp() - keep_days * DAY
    return [name for name in list(store.older_than(cutoff)) if store.delete(name)]
