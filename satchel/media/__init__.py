"""Strict media type sniffing: what an upload really is, and whether it fits the limits."""

from satchel.media.sniff import check_declared_type, sniff_file
from satchel.media.types import MediaInfo, MediaLimits, kind_of, normalize_media_type

__all__ = [
    "MediaInfo",
    "MediaLimits",
    "check_declared_type",
    "kind_of",
    "normalize_media_type",
    "sniff_file",
]
