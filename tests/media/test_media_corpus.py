"""Every real file of the shared corpus gets the verdict recorded in tests/corpus.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from satchel.allowed_types import DEFAULT_ALLOWED_TYPES
from satchel.errors import SatchelError
from satchel.media import MediaLimits, sniff_file
from tests.corpus import CORPUS, EXPECTED, Accepted, Refused, corpus_files

LIMITS = MediaLimits(
    allowed_types=frozenset(DEFAULT_ALLOWED_TYPES),
    max_image_edge=16_384,
    max_image_pixels=50_000_000,
    max_audio_seconds=24 * 3600.0,
)


def _key(path: Path) -> str:
    return path.relative_to(CORPUS).as_posix()


def test_expectations_cover_the_whole_corpus() -> None:
    keys = {_key(path) for path in corpus_files()}
    assert keys, f"corpus not found at {CORPUS}"
    assert sorted(keys - EXPECTED.keys()) == [], "corpus files without a recorded verdict"
    assert sorted(EXPECTED.keys() - keys) == [], "verdicts for files no longer in the corpus"


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_corpus_file(key: str) -> None:
    path = CORPUS / key
    expected = EXPECTED[key]
    if isinstance(expected, Refused):
        with pytest.raises(SatchelError) as caught:
            sniff_file(path, declared_type=None, filename=path.name, limits=LIMITS)
        assert caught.value.code == expected.code, caught.value.message
        return
    info = sniff_file(path, declared_type=None, filename=path.name, limits=LIMITS)
    assert Accepted(info.media_type, info.kind, info.width, info.height) == expected


@pytest.mark.parametrize("key", sorted(k for k, v in EXPECTED.items() if isinstance(v, Accepted)))
def test_corpus_file_declared_as_itself(key: str) -> None:
    """Declaring the type we detect (as a browser would) never turns acceptance into refusal."""
    path = CORPUS / key
    expected = EXPECTED[key]
    assert isinstance(expected, Accepted)
    info = sniff_file(path, declared_type=expected.media_type, filename=None, limits=LIMITS)
    assert info.media_type == expected.media_type
