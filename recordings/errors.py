"""The recordings' own errors, in one leaf module.

    HotlineError (core.errors)
    └── RecordingError          a recording could not be fetched or kept
        ├── BadAudio            the download is empty or not audio (retried, then failed)
        ├── DownloadFailed      Twilio (or its mock) did not hand the media over
        └── NotStored           no such file in the audio store (or a name outside it)
"""

from __future__ import annotations

from core.errors import HotlineError


class RecordingError(HotlineError):
    """A recording could not be fetched or kept."""


class BadAudio(RecordingError):
    """The downloaded bytes are empty or not audio."""


class DownloadFailed(RecordingError):
    """The media download failed; `status` is the HTTP status (0: no answer)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


class NotStored(RecordingError):
    """The audio store has no such file, or the name is not one it could hold."""
