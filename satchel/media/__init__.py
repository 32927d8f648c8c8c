"""Media: strict sniffing of uploads (re-exported here), and the shared engines (imaging, av,
pdfium, drawing, …) imported by module name, since they load codecs."""

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
