"""Where processed audio is kept, behind one interface: a local directory by default.

A file's name is its recording's SID and encoding (`RE….wav`, `RE….mp3`) and nothing else:
every name is checked against that pattern before it touches the store, and a local path is
resolved and must still lie inside the store's directory, so no request reaches outside it.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from recordings.errors import NotStored

FILE_NAME = re.compile(r"RE[0-9a-fA-F]{32}\.(wav|mp3)")
"""The only names the store holds: a recording SID and its encoding."""

MEDIA_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg"}


@dataclass(frozen=True)
class StoredFile:
    """One kept file: its name, size and SHA-256 (hex) of its bytes."""

    name: str
    size: int
    sha256: str

    def to_dict(self) -> dict[str, str | int]:
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


class AudioStore(Protocol):
    def put(self, name: str, data: bytes) -> StoredFile:
        """Keep `data` as `name` (replacing any earlier file of that name)."""
        ...

    def read(self, name: str) -> bytes:
        """The bytes kept as `name`; NotStored when there are none."""
        ...

    def delete(self, name: str) -> bool:
        """Remove `name`; whether there was such a file."""
        ...

    def older_than(self, cutoff: float) -> Iterator[str]:
        """Names of the files kept before `cutoff` (epoch seconds)."""
        ...


def checked_name(name: str) -> str:
    """`name` when it is one the store may hold; NotStored otherwise."""
    if not FILE_NAME.fullmatch(name):
        raise NotStored(f"{name!r} is not a recording file name")
    return name


def media_type(name: str) -> str:
    return MEDIA_TYPES[checked_name(name).rsplit(".", 1)[1]]


def stored_file(name: str, data: bytes) -> StoredFile:
    return StoredFile(name, len(data), hashlib.sha256(data).hexdigest())


class LocalStore:
    """Files in one directory (HOTLINE_DATA_DIR/recordings by default), written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, name: str, data: bytes) -> StoredFile:
        path = self._path(name)
        self.root.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed into place: a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=self.root, prefix=".part-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return stored_file(name, data)

    def read(self, name: str) -> bytes:
        try:
            return self._path(name).read_bytes()
        except FileNotFoundError:
            raise NotStored(f"{name} is not stored") from None

    def delete(self, name: str) -> bool:
        try:
            self._path(name).unlink()
        except FileNotFoundError:
            return False
        return True

    def older_than(self, cutoff: float) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in self.root.iterdir():
            if FILE_NAME.fullmatch(path.name) and path.stat().st_mtime < cutoff:
                yield path.name

    def _path(self, name: str) -> Path:
        root = self.root.resolve()
        path = (root / checked_name(name)).resolve()
        if path.parent != root:
            raise NotStored(f"{name!r} lies outside the store")
        return path
