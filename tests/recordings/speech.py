"""Test support: callers' words as real 8 kHz telephone audio, spoken by espeak-ng."""

from __future__ import annotations

import io
import subprocess

from pydub import AudioSegment

PHONE_RATE = 8000


def spoken(words: str, rate: int = PHONE_RATE) -> AudioSegment:
    """`words` said by espeak-ng's American English voice, resampled to `rate` Hz mono."""
    wav = subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "--stdout", words],
                         check=True, capture_output=True).stdout
    voice: AudioSegment = AudioSegment.from_wav(io.BytesIO(wav))
    return voice.set_frame_rate(rate).set_channels(1).set_sample_width(2)


def wav_bytes(segment: AudioSegment) -> bytes:
    out = io.BytesIO()
    segment.export(out, format="wav")
    return out.getvalue()


def voicemail(words: str, quiet_db: float = 12.0, silence_ms: int = 1500) -> bytes:
    """A phone voicemail as Twilio would hand it over: 8 kHz WAV, quieter than the voice
    itself, with silence before and after the words."""
    pause = AudioSegment.silent(silence_ms, frame_rate=PHONE_RATE)
    return wav_bytes(pause + spoken(words).apply_gain(-quiet_db) + pause)
