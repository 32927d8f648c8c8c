"""split-audio, waveform-image and audio-metadata."""

from __future__ import annotations

import zipfile
from pathlib import Path

import httpx
import numpy as np
import pyvips

from satchel.runtime import Runtime
from tests.tools.avmedia import AUDIO_CORPUS, finish, make_tone, probe, rms, run_av, start_av


async def test_split_audio_by_time_parts_and_silence(
    client: httpx.AsyncClient, workers: Runtime, tones: dict[str, Path], tmp_path: Path
) -> None:
    gaps = tones["gaps.wav"]  # 5 s: tone, silence, tone, silence, tone
    cases = [
        ({"mode": "time", "segmentS": 2}, [2.0, 2.0, 1.0]),
        ({"mode": "parts", "parts": 4}, [1.25] * 4),
        ({"mode": "silence", "thresholdDb": -40, "minSilenceS": 0.5}, [1.5, 2.0, 1.5]),
    ]
    for i, (options, lengths) in enumerate(cases):
        _job, out = await run_av(
            client, "split-audio", gaps, options, section="audio", into=tmp_path / str(i)
        )
        folder = tmp_path / f"x{i}"
        with zipfile.ZipFile(out) as z:
            names = sorted(n for n in z.namelist() if n.endswith(".wav"))
            z.extractall(folder)
        got = [probe(folder / n).duration for n in names]
        assert len(got) == len(lengths), (options, got)
        assert all(abs(a - b) < 0.06 for a, b in zip(got, lengths, strict=True)), (options, got)
        if options["mode"] == "silence":
            assert all(rms(folder / n) > 0.1 for n in names)


async def test_waveform_image(
    client: httpx.AsyncClient, workers: Runtime, tones: dict[str, Path], tmp_path: Path
) -> None:
    ramp = tones["ramp.wav"]  # quiet second, loud second
    options = {"width": 200, "height": 100, "color": "#ff0000"}
    _, out = await run_av(client, "waveform-image", ramp, options, section="audio", into=tmp_path)
    image = pyvips.Image.new_from_file(str(out))
    assert (image.width, image.height, image.bands) == (200, 100, 4)
    alpha = np.ndarray(buffer=image.write_to_memory(), dtype=np.uint8, shape=(100, 200, 4))[..., 3]
    quiet, loud = (
        (alpha[:, 20:80] > 0).sum(axis=0).mean(),
        (alpha[:, 120:180] > 0).sum(axis=0).mean(),
    )
    assert 10 < quiet < 20 and 50 < loud < 62  # peaks 0.1×√2 and 0.4×√2 (mono mix) of 50 px


async def test_audio_metadata_read_write_strip(
    client: httpx.AsyncClient, workers: Runtime, tmp_path: Path
) -> None:
    tagged = AUDIO_CORPUS / "id3v22-test.mp3"
    job = await finish(
        client, (await start_av(client, "audio-metadata", tagged, {}, section="audio"))["job_id"]
    )
    tags = job["result"]["data"]["tags"]
    assert tags, job
    write = {"title": "Nocturne", "artist": "Satchel", "album": "Tests"}
    _, out = await run_av(
        client, "audio-metadata", tagged, write, section="audio", into=tmp_path / "w"
    )
    got = probe(out).tags
    assert (got["title"], got["artist"], got["album"]) == ("Nocturne", "Satchel", "Tests")
    _, out = await run_av(
        client, "audio-metadata", out, {"strip": True}, section="audio", into=tmp_path / "s"
    )
    got = probe(out).tags
    assert not {"title", "artist", "album"} & set(got)
    assert abs(probe(out).duration - probe(tagged).duration) < 0.1
    flac = make_tone(tmp_path / "t.flac", codec="flac")
    _, out = await run_av(
        client, "audio-metadata", flac, {"artist": "X"}, section="audio", into=tmp_path / "f"
    )
    assert probe(out).tags.get("ARTIST", probe(out).tags.get("artist")) == "X"
