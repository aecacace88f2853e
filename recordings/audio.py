"""What Hotline keeps of a recording's audio: mono, loudness normalised, leading and trailing
silence trimmed, its duration measured, as WAV and MP3 (pydub, with ffmpeg for the MP3)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pydub import AudioSegment
from pydub.exceptions import CouldntDecodeError
from pydub.silence import detect_leading_silence

from recordings.errors import BadAudio

TARGET_DBFS = -20.0
"""Mean loudness every kept recording is brought to, so agents never reach for the volume."""

PEAK_HEADROOM_DB = 1.0
"""Decibels kept below full scale: a loud caller is lifted no further than this below clipping."""

SILENCE_BELOW_DB = 30.0
"""Audio this many decibels quieter than the message's own mean counts as silence."""

KEEP_EDGE_MS = 150
"""Milliseconds of silence kept at each end, so the first and last words are not clipped."""

MP3_BITRATE = "32k"
"""Ample for 8 kHz mono speech; a minute is about 240 kB."""


@dataclass(frozen=True)
class Processed:
    """A recording made ready to keep: both encodings and the trimmed duration."""

    wav: bytes
    mp3: bytes
    duration_ms: int
    sample_rate: int


def decode(raw: bytes) -> AudioSegment:
    """The audio in `raw` (WAV, or anything ffmpeg reads); BadAudio when empty or unreadable."""
    if not raw:
        raise BadAudio("the download was empty")
    try:
        segment = AudioSegment.from_file(io.BytesIO(raw))
    except (CouldntDecodeError, IndexError, ValueError) as exc:
        raise BadAudio(f"not audio ffmpeg can read ({str(exc).splitlines()[0][:120]})") from None
    if len(segment) == 0:
        raise BadAudio("the audio has no samples")
    return segment


def clean(segment: AudioSegment) -> AudioSegment:
    """Mono, silence trimmed from both ends, mean loudness at TARGET_DBFS (never clipping)."""
    mono = segment.set_channels(1).set_sample_width(2)
    trimmed = trim_silence(mono)
    if trimmed.rms == 0:
        return trimmed
    gain = min(TARGET_DBFS - trimmed.dBFS, -PEAK_HEADROOM_DB - trimmed.max_dBFS)
    return trimmed.apply_gain(gain)


def trim_silence(segment: AudioSegment) -> AudioSegment:
    """`segment` without its leading and trailing silence (all of it, if it is all silence)."""
    if segment.rms == 0:
        return segment[:0]
    threshold = segment.dBFS - SILENCE_BELOW_DB
    start = detect_leading_silence(segment, silence_threshold=threshold)
    end = len(segment) - detect_leading_silence(segment.reverse(), silence_threshold=threshold)
    if start >= end:
        return segment[:0]
    return segment[max(0, start - KEEP_EDGE_MS):min(len(segment), end + KEEP_EDGE_MS)]


def process(raw: bytes) -> Processed:
    """The recording in `raw`, cleaned and encoded as WAV and MP3."""
    cleaned = clean(decode(raw))
    return Processed(wav=_export(cleaned, "wav"), mp3=_export(cleaned, "mp3", MP3_BITRATE),
                     duration_ms=len(cleaned), sample_rate=cleaned.frame_rate)


def _export(segment: AudioSegment, form: str, bitrate: str | None = None) -> bytes:
    out = io.BytesIO()
    segment.export(out, format=form, bitrate=bitrate)
    return out.getvalue()
