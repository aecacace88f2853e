"""Benchmark: what a recording costs the worker. Processing (pydub: mono, trim, loudness, WAV
and MP3) per minute of 8 kHz audio, next to decoding and re-encoding the WAV alone (the
baseline: what touching the file costs at all); and the offline transcriber's real-time factor
and word error rate on a generated set (espeak-ng, 8 kHz), with a grammar of the set's phrases
and free-form. Run with `./dev bench` or `.venv/bin/python -m bench.recordings`."""

from __future__ import annotations

import io
import resource
import statistics
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

from pydub import AudioSegment

from bench.report import machine, write_section
from recordings import audio, transcriber

RUNS = 5
PHRASES = (
    "please call me back", "I want to close my account", "I need to update my address",
    "I forgot my password", "I want to pay my bill", "please call me back about my bill",
    "my payment did not go through", "my internet is down", "I was charged twice",
    "I would like to cancel my service",
)
VOICES = (("en-us", 140), ("en-us", 175), ("en", 160))
"""espeak-ng voice and words per minute: American English at two speeds, and British."""


def speech(words: str, voice: str, speed: int) -> AudioSegment:
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout", words],
                         check=True, capture_output=True).stdout
    said: AudioSegment = AudioSegment.from_wav(io.BytesIO(wav))
    return said.set_frame_rate(8000).set_channels(1).set_sample_width(2)


def minute_of_voicemail() -> bytes:
    """A minute of 8 kHz speech, 10 dB quieter than spoken, with silence around it."""
    pause = AudioSegment.silent(600, frame_rate=8000)
    talk = AudioSegment.silent(2000, frame_rate=8000)
    while len(talk) < 60_000:
        for phrase in PHRASES:
            talk += speech(phrase, "en-us", 160) + pause
    out = io.BytesIO()
    (talk[:60_000].apply_gain(-10) + AudioSegment.silent(2000, frame_rate=8000)).export(
        out, format="wav")
    return out.getvalue()


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (ffmpeg, which pydub runs)."""
    own, children = (resource.getrusage(who) for who in
                     (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def median_seconds(action: Callable[[], object], runs: int = RUNS) -> float:
    """Median CPU seconds `action` takes, over `runs` runs."""
    times = []
    for _ in range(runs):
        started = cpu_seconds()
        action()
        times.append(cpu_seconds() - started)
    return statistics.median(times)


def errors(reference: str, heard: str) -> tuple[int, int]:
    """Word edits (substitutions, deletions, insertions) from `reference` to `heard`, and the
    reference's length in words."""
    ref = transcriber_words(reference)
    hyp = transcriber_words(heard)
    row = list(range(len(hyp) + 1))
    for i, word in enumerate(ref, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(hyp, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1,
                                           previous + (word != other))
    return row[-1], len(ref)


def transcriber_words(text: str) -> list[str]:
    return "".join(c if c.isalpha() or c in "' " else " " for c in text.lower()).split()


Row = tuple[str, str, float, float, float, float]
"""Voice, mode, word error rate, share matched by the grammar, median real-time factor and
median seconds per utterance."""


def transcription_rows() -> list[Row]:
    rows = []
    for voice, speed in VOICES:
        samples = [(phrase, speech(phrase, voice, speed)) for phrase in PHRASES]
        for mode, expected in (("grammar", PHRASES), ("free-form", ())):
            rows.append(_transcribed(f"{voice}, {speed} wpm", mode, samples, expected))
    return rows


def _transcribed(voice: str, mode: str, samples: Sequence[tuple[str, AudioSegment]],
                 expected: Sequence[str]) -> Row:
    edits = words = matched = 0
    factors, seconds = [], []
    for phrase, said in samples:
        heard = transcriber.transcribe(said, expected)
        wrong, total = errors(phrase, heard.text)
        edits, words = edits + wrong, words + total
        matched += heard.mode == "grammar"

        def again(s: AudioSegment = said) -> object:
            return transcriber.transcribe(s, expected)

        taken = median_seconds(again, 3)
        factors.append(taken / (len(said) / 1000))
        seconds.append(taken)
    return (voice, mode, edits / words, matched / len(samples), statistics.median(factors),
            statistics.median(seconds))


def processing_rows(raw: bytes) -> list[tuple[str, float]]:
    def baseline() -> bytes:
        out = io.BytesIO()
        audio.decode(raw).export(out, format="wav")
        return out.getvalue()

    def process() -> object:
        return audio.process(raw)

    return [("decode and re-encode the WAV (baseline)", median_seconds(baseline)),
            ("process: mono, trim, loudness, WAV + MP3", median_seconds(process))]


def render(processing: Sequence[tuple[str, float]], transcription: Sequence[Row]) -> str:
    base = processing[0][1]
    lines = [
        "## Recordings: processing and offline transcription",
        "",
        f"Machine: {machine()}. CPU seconds of the worker's process and of the ffmpeg it "
        f"runs (pydub encodes MP3 through it), median of {RUNS} runs. "
        "`.venv/bin/python -m bench.recordings`.",
        "",
        "| per minute of 8 kHz audio | CPU s | ratio to baseline |",
        "|---|---:|---:|",
    ]
    lines += [f"| {name} | {seconds:.3f} | {seconds / base:.2f} |" for name, seconds in processing]
    lines += [
        "",
        f"Transcription: {len(PHRASES)} phrases × {len(VOICES)} espeak-ng voices "
        "(en-us at 140 and 175 words a minute, en at 160), 8 kHz, upsampled to 16 kHz; real-time "
        "factor = CPU seconds per second of audio, the decoder's start included, as a job pays "
        "it (median of 3 per utterance, then the median over utterances).",
        "",
        "Grammar: the set's ten phrases; an utterance the grammar does not match falls back to "
        "free-form, as in the worker, and counts here with its free-form words.",
        "",
        "| voice | mode | word error rate | matched by the grammar | real-time factor | "
        "s per utterance |",
        "|---|---|---:|---:|---:|---:|",
    ]
    lines += [f"| {voice} | {mode} | {wer:.0%} | {hit:.0%} | {rtf:.2f} | {sec:.2f} |"
              for voice, mode, wer, hit, rtf, sec in transcription]
    return "\n".join(lines)


def main() -> None:
    processing = processing_rows(minute_of_voicemail())
    body = render(processing, transcription_rows())
    write_section(Path("docs/BENCHMARKS.md"), "recordings", body)
    print(body)


if __name__ == "__main__":
    main()
