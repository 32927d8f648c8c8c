"""Tools that join files or take a video apart: merge-videos, replace-audio,
video-to-frames, video-to-gif, video-to-webp, and merge-audio."""

from __future__ import annotations

import itertools
import zipfile
from pathlib import Path

import httpx
import pyvips

from satchel.runtime import Runtime
from tests.tools.avmedia import make_tone, probe, rms, run_av, samples


async def test_merge_videos_normalises_to_the_first(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    files = [clips["h264.mp4"], clips["vp9.webm"], clips["odd.mkv"]]  # 2 s + 2 s + 1 s silent
    job, out = await run_av(client, "merge-videos", files, into=tmp_path)
    got = probe(out)
    assert got.size == (320, 240) and got.video[0]["codec"] == "h264"
    assert abs(got.duration - 5.0) < 0.25
    assert job["result"]["data"]["clips"] == 3
    assert rms(out, 0.2, 3.8) > 0.1 and rms(out, 4.2, 4.9) < 0.01  # the silent clip is silent


async def test_replace_audio(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    tone = make_tone(tmp_path / "low.wav", pieces=[(3.0, 0.25, 220)])
    _, out = await run_av(client, "replace-audio", [clips["odd.mkv"], tone], into=tmp_path / "o")
    got = probe(out)
    assert got.video and got.audio and abs(got.duration - 1.0) < 0.15
    assert rms(out) > 0.1


async def test_video_to_frames_gif_and_webp(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    src = clips["h264.mp4"]  # 50 frames
    job, out = await run_av(
        client, "video-to-frames", src, {"mode": "nth", "n": 10}, into=tmp_path / "a"
    )
    assert job["result"]["data"]["frames"] == 5
    with zipfile.ZipFile(out) as z:
        names = sorted(n for n in z.namelist() if n.endswith(".png"))
        assert len(names) == 5 and names[0].endswith("00000000ms.png")
        first = pyvips.Image.new_from_buffer(z.read(names[0]), "")
        assert (first.width, first.height) == (320, 240)
    stamps = {"mode": "timestamps", "timestamps": [0.5, 1.0, 9.0], "format": "jpg"}
    job, out = await run_av(client, "video-to-frames", src, stamps, into=tmp_path / "b")
    assert job["result"]["data"]["frames"] == 3
    gif = {"fps": 5, "width": 160, "startS": 0.5, "durationS": 1.0}
    _, out = await run_av(client, "video-to-gif", src, gif, into=tmp_path / "c")
    image = pyvips.Image.new_from_file(str(out), n=-1)
    assert image.get("n-pages") == 5 and image.width == 160
    webp = {"fps": 10, "width": 100, "loop": False}
    _, out = await run_av(client, "video-to-webp", src, webp, into=tmp_path / "d")
    image = pyvips.Image.new_from_file(str(out), n=-1)
    assert image.get("n-pages") == 20 and image.width == 100 and image.get("loop") == 1


async def test_merge_audio(client: httpx.AsyncClient, workers: Runtime, tmp_path: Path) -> None:
    a = make_tone(tmp_path / "a.wav", pieces=[(1.0, 0.25, 440)])
    b = make_tone(
        tmp_path / "b.flac", codec="flac", rate=22050, layout="mono", pieces=[(1.5, 0.0, 440)]
    )
    _, out = await run_av(
        client, "merge-audio", [a, b], {"format": "flac"}, section="audio", into=tmp_path / "o"
    )
    got = probe(out)
    assert got.audio[0]["codec"] == "flac" and got.audio[0]["rate"] == 44100
    assert abs(samples(out).size / 16000 - 2.5) < 0.05
    assert rms(out, 0.1, 0.9) > 0.2 and rms(out, 1.2, 2.4) < 0.001


async def test_reverse_video(
    client: httpx.AsyncClient, workers: Runtime, clips: dict[str, Path], tmp_path: Path
) -> None:
    import numpy as np

    from tests.tools.avmedia import frames

    src = clips["h264.mp4"]  # the red bar grows frame by frame
    _, out = await run_av(client, "reverse-video", src, into=tmp_path)
    shown = frames(out)
    assert len(shown) == 50 and abs(probe(out).duration - 2.0) < 0.15

    def bar(pixels: np.ndarray) -> int:  # type: ignore[type-arg]
        return int(np.count_nonzero(pixels[120][:, 0] > 128))

    widths = [bar(p) for _, p in shown]
    assert widths[0] > 300 and widths[-1] < 15
    assert all(a >= b - 3 for a, b in itertools.pairwise(widths))  # shrinking
    assert rms(out) > 0.1


async def test_images_to_video(client: httpx.AsyncClient, workers: Runtime, tmp_path: Path) -> None:
    import numpy as np

    from tests.tools.avmedia import frames
    from tests.tools.helpers import PHOTO

    red = pyvips.Image.black(64, 32).new_from_image([255, 0, 0]).cast("uchar")
    png = ("red.png", red.pngsave_buffer())
    options = {"secondsPerImage": 1, "resolution": "square", "fps": 10}
    _, out = await run_av(client, "images-to-video", [PHOTO, png], options, into=tmp_path)
    got = probe(out)
    assert got.size == (1080, 1080) and abs(got.duration - 2.0) < 0.15
    shown = frames(out)
    assert len(shown) == 20
    last = shown[-1][1]
    assert last[540, 540, 0] > 200 and last[540, 540, 1] < 60  # the red picture, centred
    assert np.asarray(last[5, 540]).max() < 30  # on black bars (64×32 fits as 1080×540)
