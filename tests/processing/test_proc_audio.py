"""Audio processor: durations against mutagen, tags, waveforms, and long-file sampling."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import mutagen
import numpy as np
import pytest
import pyvips

from satchel.processing.processors import ProcessingFailed, ProcessLimits
from tests.corpus import CORPUS
from tests.processing.conftest import Process

AUDIO = CORPUS / "audio"


@pytest.mark.parametrize(
    ("name", "media_type", "codec"),
    [
        ("silence-44-s.flac", "audio/flac", "flac"),
        ("silence-44-s.mp3", "audio/mpeg", "mp3float"),
        ("vbri.mp3", "audio/mpeg", "mp3float"),
        ("has-tags.m4a", "audio/m4a", "aac"),
        ("alac.m4a", "audio/m4a", "alac"),
        ("example.opus", "audio/opus", "opus"),
        ("multipage-setup.ogg", "audio/ogg", "vorbis"),
        ("empty.spx", "audio/ogg", "speex"),
        ("8k-1ch-3.5s-silence.aif", "audio/aiff", "pcm_s16be"),
        ("silence-2s-PCM-44100-16-ID3v23.wav", "audio/wav", "pcm_s16le"),
        ("ep7.m4b", "audio/mp4", "aac"),
    ],
)
def test_duration_matches_mutagen(process: Process, name: str, media_type: str, codec: str) -> None:
    info = mutagen.File(str(AUDIO / name)).info
    result = process(AUDIO / name, media_type)
    meta = result.metadata
    assert meta["duration"] == pytest.approx(info.length, abs=0.01)
    assert meta["audio_codec"] == codec
    assert meta["channels"] == info.channels
    # a file browsers cannot play as stored (ALAC, FLAC, Speex, AIFF) also gets a rendition
    waveform, *rest = result.derivatives
    assert [d.kind for d in rest] in ([], ["playable"])
    assert (waveform.kind, waveform.media_type) == ("waveform", "image/png")
    image = pyvips.Image.new_from_file(str(waveform.path))
    assert (image.width, image.height) == (1000, 200)


def test_known_durations(process: Process) -> None:
    assert process(AUDIO / "8k-1ch-3.5s-silence.aif", "audio/aiff").metadata["duration"] == 3.5
    assert process(AUDIO / "11k-1ch-2s-silence.aif", "audio/aiff").metadata["duration"] == 2.0


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("silence-44-s.flac", "audio/flac"),  # Vorbis comments
        ("silence-44-s.mp3", "audio/mpeg"),  # ID3v2
        ("silence-2s-PCM-44100-16-ID3v23.wav", "audio/wav"),  # ID3 in a RIFF chunk
    ],
)
def test_tags(process: Process, name: str, media_type: str) -> None:
    tags = process(AUDIO / name, media_type).metadata["tags"]
    assert tags["title"] == "Silence"
    assert tags["album"] == "Quod Libet Test Data"
    assert "piman" in tags["artist"]
    assert tags["date"] == "2004"


def test_mp4_atoms(process: Process) -> None:
    assert process(AUDIO / "has-tags.m4a", "audio/m4a").metadata["tags"]["artist"] == "Test Artist"


def test_huge_tags_are_bounded(process: Process) -> None:
    raw = process(AUDIO / "multipagecomment.ogg", "audio/ogg").raw
    assert all(len(value) <= 256 for value in raw["tags"].values())


def _sine(path: Path, seconds: float, rate: int = 8000) -> None:
    t = np.arange(int(seconds * rate)) / rate
    loudness = np.where(t < seconds / 2, 0.9, 0.1)  # loud first half, quiet second half
    samples = (loudness * np.sin(2 * math.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())


@pytest.mark.parametrize("decode_limit", [600.0, 1.0])
def test_waveform_shows_the_loudness(process: Process, tmp_path: Path, decode_limit: float) -> None:
    """The same picture whether decoded end to end or sampled in windows (a long file)."""
    path = tmp_path / "sine.wav"
    _sine(path, 6.0)
    limits = ProcessLimits(max_audio_decode_seconds=decode_limit)
    result = process(path, "audio/wav", limits)
    assert result.metadata["duration"] == pytest.approx(6.0)
    image = pyvips.Image.new_from_file(str(result.derivatives[0].path))
    alpha = np.ndarray(buffer=image[3].write_to_memory(), dtype=np.uint8, shape=(200, 1000))
    heights = (alpha > 0).sum(axis=0)
    assert np.median(heights[50:450]) > 150  # loud: nearly full height
    assert np.median(heights[550:950]) < 40  # quiet: a narrow band


def test_metadata_without_decodable_sound_is_kept(process: Process) -> None:
    result = process(AUDIO / "flac_application.flac", "audio/flac")
    assert result.metadata["tags"]["artist"] == "Belle and Sebastian"
    assert result.derivatives == []
    assert "decode_error" in result.raw


def test_undecodable_audio_fails_clearly(process: Process) -> None:
    with pytest.raises(ProcessingFailed, match="could not be decoded"):
        process(AUDIO / "too-short.mp3", "audio/mpeg")
