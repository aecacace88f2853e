"""The audio store keeps files under recording names only, never reaches outside its
directory, checksums what it keeps, and lets old audio go."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from recordings.errors import NotStored
from recordings.retention import DAY, prune
from recordings.storage import LocalStore

SID = "RE" + "ab" * 16


def test_a_kept_file_reads_back_with_its_checksum(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "recordings")
    kept = store.put(f"{SID}.wav", b"RIFF audio")
    assert kept.sha256 == hashlib.sha256(b"RIFF audio").hexdigest() and kept.size == 10
    assert store.read(f"{SID}.wav") == b"RIFF audio"
    assert [p.name for p in (tmp_path / "recordings").iterdir()] == [f"{SID}.wav"]


@pytest.mark.parametrize("name", [
    "../secret.wav", f"../{SID}.wav", f"{SID}.wav/../../x", "/etc/passwd", f"/{SID}.wav",
    f"{SID}.txt", f"{SID}.wav\x00", "..", "", f"sub/{SID}.wav", f"..\\{SID}.wav",
    f"{SID}%2f.wav", f"{SID.lower()}x.wav",
])
def test_no_name_reaches_outside_the_store(tmp_path: Path, name: str) -> None:
    (tmp_path / "secret.wav").write_bytes(b"not yours")
    store = LocalStore(tmp_path / "recordings")
    store.put(f"{SID}.wav", b"mine")
    with pytest.raises(NotStored):
        store.read(name)
    with pytest.raises(NotStored):
        store.put(name, b"overwrite")
    assert (tmp_path / "secret.wav").read_bytes() == b"not yours"


def test_a_symlink_planted_in_the_store_is_not_followed_out(tmp_path: Path) -> None:
    (tmp_path / "secret").write_bytes(b"not yours")
    store = LocalStore(tmp_path / "recordings")
    store.root.mkdir()
    (store.root / f"{SID}.wav").symlink_to(tmp_path / "secret")
    with pytest.raises(NotStored):
        store.read(f"{SID}.wav")


def test_a_missing_file_is_not_stored(tmp_path: Path) -> None:
    with pytest.raises(NotStored):
        LocalStore(tmp_path).read(f"{SID}.mp3")


def test_retention_deletes_only_audio_older_than_the_period(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    now = datetime(2026, 11, 24, tzinfo=UTC)
    old, new = "RE" + "1" * 32, "RE" + "2" * 32
    for sid, age_days in ((old, 91), (new, 89)):
        for form in ("wav", "mp3"):
            store.put(f"{sid}.{form}", b"audio")
            stamp = now.timestamp() - age_days * DAY
            os.utime(tmp_path / f"{sid}.{form}", (stamp, stamp))
    (tmp_path / "notes.txt").write_bytes(b"not audio")
    os.utime(tmp_path / "notes.txt", (0, 0))
    assert sorted(prune(store, now, keep_days=90)) == [f"{old}.mp3", f"{old}.wav"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{new}.mp3", f"{new}.wav",
                                                          "notes.txt"]
