"""Every corpus file the sniffer accepts either processes or fails with a clear reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from satchel.processing.processors import ProcessingFailed, run_processor
from tests.corpus import CORPUS, EXPECTED, Accepted

# The only accepted files that cannot be processed, and why (checked, so a change shows up).
KNOWN_FAILURES = {
    "audio/sample_bitrate.oggtheora": "could not be decoded: End of file",  # headers only
    "audio/too-short.mp3": "could not be decoded: Invalid data",  # neither mutagen nor FFmpeg
    "pdf/005-libreoffice-writer-password/libreoffice-writer-password.pdf": "encrypted",
    "pdf/017-unreadable-meta-data/unreadablemetadata.pdf": "could not be opened",
}

NORMALIZED_KEYS = frozenset(
    [
        "width",
        "height",
        "orientation",
        "frames",
        "camera_make",
        "camera_model",
        "lens",
        "taken_at",
        "gps",
        "color_space",
        "icc_profile",
        "dominant_colors",
        "lqip",
        "duration",
        "fps",
        "video_codec",
        "audio_codec",
        "bitrate",
        "rotation",
        "sample_rate",
        "channels",
        "tags",
        "pages",
        "title",
        "author",
        "pdf_info",
        "page_width_pt",
        "page_height_pt",
        "text_chars",
        "lines",
        "rows",
        "columns",
        "json_valid",
        "json_type",
        "json_items",
        "slides",
        "dxf_version",
        "primitives",
    ]
)
ACCEPTED = sorted(key for key, verdict in EXPECTED.items() if isinstance(verdict, Accepted))


@pytest.mark.parametrize("key", ACCEPTED)
def test_accepted_corpus_file_processes(key: str, tmp_path: Path) -> None:
    verdict = EXPECTED[key]
    assert isinstance(verdict, Accepted)
    try:
        result = run_processor(
            CORPUS / key, media_type=verdict.media_type, kind=verdict.kind, out_dir=tmp_path
        )
    except ProcessingFailed as failure:
        assert key in KNOWN_FAILURES, f"{key} failed: {failure.reason}"
        assert KNOWN_FAILURES[key] in failure.reason
        assert "\n" not in failure.reason and str(CORPUS) not in failure.reason
        return
    assert key not in KNOWN_FAILURES, f"{key} now processes: update KNOWN_FAILURES"
    assert set(result.metadata) <= NORMALIZED_KEYS, set(result.metadata) - NORMALIZED_KEYS
    assert len(json.dumps(result.metadata)) < 64_000
    assert len(json.dumps(result.raw)) < 256_000
    for derivative in result.derivatives:
        assert derivative.path.parent == tmp_path
        assert derivative.path.stat().st_size > 0
    if verdict.kind == "image":
        size = {result.metadata["width"], result.metadata["height"]}
        assert size == {verdict.width, verdict.height}  # the same, perhaps turned upright
        assert {d.kind for d in result.derivatives} == {"thumbnail", "preview"}
    if verdict.kind in ("audio", "video"):
        assert result.metadata.get("duration", 0) > 0 or key.endswith(".mp3")
