"""Offline transcription with pocketsphinx and the English model its PyPI package ships.

Phone audio is 8 kHz; the model wants 16 kHz, so the audio is upsampled (the missing upper band
stays empty, which is why free-form results on phone audio are poor). With a grammar of the
phrases a caller is expected to say the result is near exact; free-form it gets most words
wrong (docs/BENCHMARKS.md), so a free-form result is marked low-confidence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from pocketsphinx import Decoder
from pydub import AudioSegment

ENGINE = "pocketsphinx"
MODEL_RATE = 16000
"""Samples per second the shipped English acoustic model was trained on."""


class Confidence(StrEnum):
    HIGH = "high"
    """Matched one of the phrases the caller was expected to say."""
    LOW = "low"
    """Free-form: read it as a hint, not as the caller's words."""


@dataclass(frozen=True)
class Transcription:
    """What the engine heard, how (`grammar` or `free-form`) and how far to trust it."""

    text: str
    mode: str
    confidence: Confidence
    engine: str = ENGINE

    def details(self) -> dict[str, str]:
        return {"source": self.engine, "mode": self.mode, "confidence": self.confidence.value}


def transcribe(audio: AudioSegment, expected: Sequence[str] = ()) -> Transcription:
    """The words in `audio`: one of `expected` when it matches one, else free-form."""
    samples = audio.set_channels(1).set_sample_width(2).set_frame_rate(MODEL_RATE).raw_data
    if expected:
        # Without fillers (silence, breath) first: on espeak-ng phone audio that matched 8 of
        # 10 phrases against 4 with them; then with them, for what the first pass missed.
        for fillers in (False, True):
            decoder = Decoder(samprate=MODEL_RATE, loglevel="FATAL", fsgusefiller=fillers)
            usable = known_phrases(decoder, expected)
            if not usable:
                break
            decoder.add_jsgf_string("expected", jsgf(usable))
            decoder.activate_search("expected")
            heard = _decode(decoder, samples)
            if heard in usable:  # a path cut short by the search is no match
                return Transcription(heard, "grammar", Confidence.HIGH)
    decoder = Decoder(samprate=MODEL_RATE, loglevel="FATAL")
    return Transcription(_decode(decoder, samples), "free-form", Confidence.LOW)


def known_phrases(decoder: Decoder, phrases: Sequence[str]) -> list[str]:
    """`phrases` in the dictionary's spelling (lower case, words only), those whose every word
    the model's dictionary knows."""
    usable = []
    for phrase in phrases:
        words = re.sub(r"[^a-z' ]+", " ", phrase.lower()).split()
        if words and all(decoder.lookup_word(w) for w in words):
            usable.append(" ".join(words))
    return list(dict.fromkeys(usable))


def jsgf(phrases: Sequence[str]) -> str:
    """A JSGF grammar accepting exactly one of `phrases`."""
    choices = " | ".join(f"( {p} )" for p in phrases)
    return f"#JSGF V1.0;\ngrammar expected;\npublic <phrase> = {choices};\n"


def _decode(decoder: Decoder, samples: bytes) -> str:
    # Not as one full utterance: with full_utt the grammar search pruned every path on
    # upsampled phone audio ("final result does not match the grammar").
    decoder.start_utt()
    decoder.process_raw(samples, full_utt=False)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return str(hypothesis.hypstr).strip() if hypothesis is not None else ""
