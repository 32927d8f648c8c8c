"""Generated sounds (tone, quiet tone, tone with gaps), made once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tools.avmedia import make_tone

# three tones of 1 s with 1 s of silence between them
GAPS = [(1.0, 0.3, 440), (1.0, 0.0, 440), (1.0, 0.3, 660), (1.0, 0.0, 440), (1.0, 0.3, 880)]


@pytest.fixture(scope="session")
def tones(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tones")
    return {
        "tone.wav": make_tone(root / "tone.wav"),
        "tone.mp3": make_tone(root / "tone.mp3", codec="libmp3lame", pieces=[(3.0, 0.25, 440)]),
        "quiet.flac": make_tone(root / "quiet.flac", codec="flac", pieces=[(4.0, 0.02, 440)]),
        "mono.wav": make_tone(root / "mono.wav", layout="mono", pieces=[(1.0, 0.25, 440)]),
        "gaps.wav": make_tone(
            root / "gaps.wav",
            pieces=[
                (1.0, 0.3, 440),
                (1.0, 0.0, 440),
                (1.0, 0.3, 660),
                (1.0, 0.0, 440),
                (1.0, 0.3, 880),
            ],
        ),
        "ramp.wav": make_tone(root / "ramp.wav", pieces=[(1.0, 0.1, 440), (1.0, 0.4, 440)]),
    }
