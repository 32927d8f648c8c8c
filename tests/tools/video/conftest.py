"""A small generated video corpus, made once per test module run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tools.avmedia import make_video


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("clips")
    return {
        "h264.mp4": make_video(root / "h264.mp4"),
        "hevc.mov": make_video(root / "hevc.mov", codec="libx265", size=(240, 160)),
        "vp9.webm": make_video(root / "vp9.webm", codec="libvpx-vp9", audio="libopus"),
        "mpeg4.avi": make_video(root / "mpeg4.avi", codec="mpeg4", audio="libmp3lame"),
        "odd.mkv": make_video(
            root / "odd.mkv", size=(321, 241), audio=None, seconds=1.0, pix_fmt="yuv444p"
        ),
    }
