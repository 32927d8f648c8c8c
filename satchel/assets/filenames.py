"""Making client-supplied file names safe to store and to send back in headers."""

from __future__ import annotations

import mimetypes
import unicodedata
from urllib.parse import quote

MAX_FILENAME_BYTES = 255


def clean_filename(
    name: str | None, *, fallback: str = "upload", media_type: str | None = None
) -> str:
    """A display name without folders, control characters or surrounding dots and spaces.

    A name that is only an extension keeps it (`"  .png"` → `upload.png`); a name with
    nothing left (`"..."`, `""`) becomes `fallback`, with the extension of `media_type`
    when one is given (`upload.pdf`).
    """
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().rstrip(". ")
    if name.startswith("."):
        rest = name.lstrip(". ")
        name = f"{fallback}.{rest}" if rest else ""
    encoded = name.encode()
    if len(encoded) > MAX_FILENAME_BYTES:
        stem, dot, ext = name.rpartition(".")
        keep = ext if dot and len(ext.encode()) <= 16 else ""
        budget = MAX_FILENAME_BYTES - len(keep.encode()) - (1 if keep else 0)
        head = (stem if keep else name).encode()[:budget].decode(errors="ignore")
        name = f"{head}.{keep}" if keep else head
        name = name.strip().rstrip(". ")
    if name:
        return name
    extension = mimetypes.guess_extension(media_type or "") if media_type else None
    return f"{fallback}{extension}" if extension else fallback


def content_disposition(filename: str, *, attachment: bool) -> str:
    """RFC 6266: an ASCII `filename` for old clients plus the exact `filename*` (RFC 5987)."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    ascii_name = "".join(c if c.isprintable() and c not in '"\\;' else "_" for c in ascii_name)
    ascii_name = ascii_name.strip() or "download"
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"
