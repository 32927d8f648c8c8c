"""Audio tools on generated sounds and the audio corpus: durations, codecs, loudness,
and sound (RMS) or silence where each should be."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import httpx
import numpy as np
import pytest

from satchel.runtime import Runtime
from tests.tools.avmedia import AUDIO_CORPUS, fails_with, loudness, probe, rms, run_av, samples

CONVERSIONS = [
    ("tone.wav", "mp3", "mp3", 192),
    ("tone.mp3", "ogg", "opus", 96),
    ("tone.wav", "flac", "flac", 0),
    ("quiet.flac", "m4a", "aac", 128),
    ("tone.mp3", "wav", "pcm_s16le", 0),
]


@pytest.mark.parametrize(("name", "fmt", "codec", "kbps"), CONVERSIONS)
async def test_convert_audio(
    client: httpx.AsyncClient,
    workers: Runtime,
    tones: dict[str, Path],
    tmp_path: Path,
    name: str,
    fmt: str,
    codec: str,
    kbps: int,
) -> None:
    options: dict[str, Any] = {"format": fmt, **({"bitrateKbps": kbps} if kbps else {})}
    _, out = await run_av(
        client, "convert-audio", tones[name], options, section="audio", into=tmp_path
    )
    got = probe(out)
    assert got.audio[0]["codec"].startswith(codec)
    assert abs(got.duration - probe(tones[name]).duration) < 0.1
    assert abs(rms(out) - rms(tones[name])) < 0.02


CORPUS = [
    "no-tags.flac",
    "no-tags.m4a",
    "id3v22-test.mp3",
    "with-id3.aif",
    "example.opus",
    "alac.m4a",
]


async def test_convert_corpus_files(
    client: httpx.AsyncClient, workers: Runtime, tmp_path: Path
) -> None:
    for name in CORPUS:
        source = AUDIO_CORPUS / name
        _, out = await run_av(
            client,
            "convert-audio",
            source,
            {"format": "mp3"},
            section="audio",
            into=tmp_path / name,
        )
        expected = samples(source).size / 16000  # decoded: some headers misstate it
        assert abs(samples(out).size / 16000 - expected) < 0.15, name


async def test_broken_corpus_files_fail_cleanly(
    client: httpx.AsyncClient, workers: Runtime
) -> None:
    for name in ("emptyfile.mp3", "too-short.mp3", "106-invalid-streaminfo.flac"):
        data = (AUDIO_CORPUS / name).read_bytes()
        response = await client.post(
            "/api/v1/tools/audio/convert-audio",
            files=[("file", (name, data))],
            data={"settings": "{}"},
        )
        if response.status_code == 202:
            code = await fails_with(client, "convert-audio", (name, data), {}, section="audio")
            assert code in ("tool_input_corrupt", "tool_failed", "tool_stream_missing"), name
        else:
            assert response.status_code in (415, 422), (name, response.text)
    assert (await client.get("/api/v1/health")).status_code == 200


async def test_trim_volume_fade_reverse(
    client: httpx.AsyncClient, workers: Runtime, tones: dict[str, Path], tmp_path: Path
) -> None:
    ramp = tones["ramp.wav"]  # 1 s at 0.1, then 1 s at 0.4
    _, out = await run_av(
        client,
        "trim-audio",
        ramp,
        {"startS": 1.25, "endS": 1.75},
        section="audio",
        into=tmp_path / "t",
    )
    assert abs(probe(out).duration - 0.5) < 0.01
    assert rms(out) > 0.25
    _, out = await run_av(
        client, "volume-adjust", ramp, {"gainDb": -6.0}, section="audio", into=tmp_path / "v"
    )
    assert abs(rms(out) / rms(ramp) - 0.501) < 0.02
    fades = {"fadeInS": 0.5, "fadeOutS": 0.5}
    _, out = await run_av(client, "fade-audio", ramp, fades, section="audio", into=tmp_path / "f")
    assert rms(out, 0.0, 0.05) < 0.01 and rms(out, 1.95, 2.0) < 0.04
    assert abs(rms(out, 0.6, 0.9) - rms(ramp, 0.6, 0.9)) < 0.01
    _, out = await run_av(client, "reverse-audio", ramp, {}, section="audio", into=tmp_path / "r")
    assert rms(out, 0.1, 0.9) > 0.25 and rms(out, 1.1, 1.9) < 0.15
    code = await fails_with(client, "trim-audio", ramp, {"startS": 9}, section="audio")
    assert code == "tool_time_out_of_range"


def dominant(path: Path, rate: int = 16000) -> float:
    data = samples(path, rate)
    spectrum = np.abs(np.fft.rfft(data * np.hanning(data.size)))
    return float(np.argmax(spectrum) * rate / data.size)


async def test_speed_pitch_channels(
    client: httpx.AsyncClient, workers: Runtime, tones: dict[str, Path], tmp_path: Path
) -> None:
    tone = tones["tone.wav"]  # 2 s at 440 Hz, stereo
    _, out = await run_av(
        client, "audio-speed", tone, {"factor": 2}, section="audio", into=tmp_path / "s"
    )
    assert abs(probe(out).duration - 1.0) < 0.05 and abs(dominant(out) - 440) < 10
    _, out = await run_av(
        client, "pitch-shift", tone, {"semitones": 12}, section="audio", into=tmp_path / "p"
    )
    assert abs(probe(out).duration - 2.0) < 0.1 and abs(dominant(out) - 880) < 15
    _, out = await run_av(
        client,
        "audio-channels",
        tone,
        {"mode": "stereo-to-mono"},
        section="audio",
        into=tmp_path / "m",
    )
    assert probe(out).audio[0]["channels"] == 1 and rms(out) > 0.1
    _, out = await run_av(
        client,
        "audio-channels",
        tones["mono.wav"],
        {"mode": "mono-to-stereo"},
        section="audio",
        into=tmp_path / "st",
    )
    assert probe(out).audio[0]["channels"] == 2


async def test_silence_removal_and_noise_reduction(
    client: httpx.AsyncClient, workers: Runtime, tones: dict[str, Path], tmp_path: Path
) -> None:
    gaps = tones["gaps.wav"]  # 3 tones of 1 s with 1 s of silence between them
    options = {"thresholdDb": -40, "minSilenceS": 0.5}
    _, out = await run_av(
        client, "silence-removal", gaps, options, section="audio", into=tmp_path / "s"
    )
    assert 2.9 <= probe(out).duration <= 3.7
    assert rms(out) > 0.19
    noisy = tmp_path / "noisy.wav"
    rng = np.random.default_rng(1)
    with av.open(str(noisy), "w") as c:  # a tone with white noise over it
        stream = c.add_stream("pcm_s16le", rate=16000)
        stream.layout = "mono"
        t = np.arange(48000) / 16000
        wave = 0.2 * np.sin(2 * np.pi * 440 * t) + 0.05 * rng.standard_normal(t.size)
        pcm = (wave * 32767).astype(np.int16)[None, :]
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="mono")
        frame.sample_rate = 16000
        c.mux(stream.encode(frame))
        c.mux(stream.encode(None))
    options = {"strength": "strong"}
    _, out = await run_av(
        client, "noise-reduction", noisy, options, section="audio", into=tmp_path / "n"
    )
    tone, noise = bands(noisy)
    tone_after, noise_after = bands(out)
    assert noise_after < 0.2 * noise  # the hiss is mostly gone
    assert tone_after > 0.9 * tone  # the tone is kept


def bands(path: Path) -> tuple[float, float]:
    """Energy at the 440 Hz tone, and everywhere else (the noise), of the middle second."""
    data = samples(path)[8000:40000]
    power = np.abs(np.fft.rfft(data)) ** 2
    freq = np.fft.rfftfreq(data.size, 1 / 16000)
    return float(power[(freq > 420) & (freq < 460)].sum()), float(
        power[(freq < 380) | (freq > 500)].sum()
    )


async def test_normalize_and_ringtone(
    client: httpx.AsyncClient, workers: Runtime, tones: dict[str, Path], tmp_path: Path
) -> None:
    quiet = tones["quiet.flac"]  # about -36 LUFS
    job, out = await run_av(client, "normalize-audio", quiet, section="audio", into=tmp_path / "n")
    assert abs(loudness(out) - -16) <= 1.0
    assert job["result"]["data"]["measured_lufs"] < -30
    assert probe(out).audio[0]["codec"] == "flac"
    options = {"startS": 0.5, "durationS": 2, "format": "m4r"}
    _, out = await run_av(
        client, "ringtone-maker", tones["tone.mp3"], options, section="audio", into=tmp_path / "r"
    )
    assert out.suffix == ".m4r" and abs(probe(out).duration - 2.0) < 0.1
    assert rms(out, 0.0, 0.03) < 0.05 and rms(out, 0.8, 1.2) > 0.1
