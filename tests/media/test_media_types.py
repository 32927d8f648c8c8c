"""Media type normalization, aliases and kinds."""

from __future__ import annotations

from types import ModuleType

import pytest

import satchel.media
from satchel.allowed_types import DEFAULT_ALLOWED_TYPES
from satchel.config import Settings
from satchel.media import MediaLimits, kind_of, normalize_media_type
from satchel.media.types import ALIASES, KINDS


@pytest.mark.parametrize(("alias", "canonical"), sorted(ALIASES.items()))
def test_alias_normalizes(alias: str, canonical: str) -> None:
    assert normalize_media_type(alias) == canonical
    assert normalize_media_type(alias.upper() + "; charset=utf-8") == canonical


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("audio/webm;codecs=opus", "audio/webm"),
        ('Audio/WebM ; codecs="opus"', "audio/webm"),
        ("text/csv; charset=utf-8", "text/csv"),
        ("application/csv", "text/csv"),
        ("text/x-csv", "text/csv"),
        ("text/comma-separated-values", "text/csv"),
        ("image/vnd.dxf", "application/dxf"),
        ("image/x-dxf", "application/dxf"),
        ("application/x-dxf", "application/dxf"),
        ("audio/mp3", "audio/mpeg"),
        ("audio/x-mp3", "audio/mpeg"),
        ("audio/mpeg3", "audio/mpeg"),
        ("audio/mpga", "audio/mpga"),
        ("audio/x-aac", "audio/aac"),
        ("audio/x-flac", "audio/flac"),
        ("audio/x-opus", "audio/opus"),
        ("audio/x-pcm", "audio/pcm"),
        ("audio/x-m4a", "audio/m4a"),
        ("audio/x-wav", "audio/wav"),
        ("audio/wave", "audio/wav"),
        ("audio/vnd.wave", "audio/wav"),
        ("image/jpg", "image/jpeg"),
        ("audio/x-aiff", "audio/aiff"),
        ("image/png", "image/png"),
    ],
)
def test_normalize(value: str, expected: str) -> None:
    assert normalize_media_type(value) == expected


def test_every_alias_target_is_canonical() -> None:
    assert all(target not in ALIASES for target in ALIASES.values())


@pytest.mark.parametrize(
    ("media_type", "kind"),
    [
        ("image/png", "image"),
        ("image/svg+xml", "image"),
        ("video/webm", "video"),
        ("audio/pcm", "audio"),
        ("application/pdf", "document"),
        ("application/dxf", "document"),
        ("application/vnd.oasis.opendocument.text", "document"),
        ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "document"),
        ("text/csv", "text"),
        ("text/markdown", "text"),
        ("application/json", "data"),
        ("application/zip", "archive"),
        ("application/x-executable", "other"),
        ("image/jpg", "image"),
    ],
)
def test_kind_of(media_type: str, kind: str) -> None:
    assert kind_of(media_type) == kind


def test_every_default_type_has_a_kind() -> None:
    for media_type in DEFAULT_ALLOWED_TYPES:
        assert normalize_media_type(media_type) == media_type
        assert kind_of(media_type) in KINDS
        assert kind_of(media_type) != "other"


def test_limits_from_settings() -> None:
    settings = Settings(allowed_media_types=["image/JPG", "audio/x-wav"], max_image_edge=100)
    limits = MediaLimits.from_settings(settings)
    assert limits.allowed_types == frozenset({"image/jpeg", "audio/wav"})
    assert limits.max_image_edge == 100
    assert limits.max_image_pixels == settings.max_image_pixels
    assert limits.max_audio_seconds == settings.max_audio_seconds


def test_all_is_complete() -> None:
    public = {name for name in vars(satchel.media) if not name.startswith("_")}
    # submodules (the sniffing parsers, the engines) appear here once anything imports them
    modules = {name for name, value in vars(satchel.media).items() if isinstance(value, ModuleType)}
    assert set(satchel.media.__all__) == public - modules
