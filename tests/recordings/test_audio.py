"""A recording is kept mono, at one loudness, without the silence around the words, in WAV
and MP3; anything that is not audio is refused with a reason."""

from __future__ import annotations

import io

import pytest
from pydub import AudioSegment

from recordings import audio
from recordings.errors import BadAudio
from tests.recordings.speech import spoken, voicemail, wav_bytes


def test_a_quiet_voicemail_comes_out_trimmed_and_at_the_target_loudness() -> None:
    words = spoken("I want to pay my bill")
    raw = voicemail("I want to pay my bill", quiet_db=15, silence_ms=2000)
    kept = audio.process(raw)
    assert kept.sample_rate == 8000
    raw_ms = len(AudioSegment.from_wav(io.BytesIO(raw)))
    assert kept.duration_ms <= raw_ms - 4000  # both two-second pauses are gone
    assert kept.duration_ms >= len(words) * 0.8  # and the words are still there
    cleaned = AudioSegment.from_wav(io.BytesIO(kept.wav))
    assert cleaned.channels == 1
    assert abs(cleaned.dBFS - audio.TARGET_DBFS) < 1.0 or cleaned.max_dBFS > -2.0
    assert cleaned.dBFS > AudioSegment.from_wav(io.BytesIO(raw)).dBFS + 10


def test_stereo_is_kept_as_mono_and_the_mp3_is_the_same_length() -> None:
    voice = spoken("please call me back")
    stereo = AudioSegment.from_mono_audiosegments(voice, voice)
    kept = audio.process(wav_bytes(stereo))
    assert AudioSegment.from_wav(io.BytesIO(kept.wav)).channels == 1
    mp3 = AudioSegment.from_file(io.BytesIO(kept.mp3), format="mp3")
    assert mp3.channels == 1
    assert abs(len(mp3) - kept.duration_ms) < 150  # MP3 frames pad the end a little


def test_a_loud_caller_is_not_made_to_clip() -> None:
    loud = spoken("this is very loud").apply_gain(-spoken("x").max_dBFS)  # peaks at 0 dBFS
    cleaned = AudioSegment.from_wav(io.BytesIO(audio.process(wav_bytes(loud)).wav))
    assert cleaned.max_dBFS <= -audio.PEAK_HEADROOM_DB + 0.1


def test_all_silence_is_kept_as_an_empty_recording() -> None:
    kept = audio.process(wav_bytes(AudioSegment.silent(3000, frame_rate=8000)))
    assert kept.duration_ms == 0


@pytest.mark.parametrize(("raw", "reason"), [
    (b"", "empty"),
    (b"RIFF\x00\x00\x00\x00WAVEjunk", "not audio"),
    (b"<Response><Error>not found</Error></Response>", "not audio"),
])
def test_what_is_not_audio_is_refused_with_a_reason(raw: bytes, reason: str) -> None:
    with pytest.raises(BadAudio, match=reason):
        audio.process(raw)
