"""PDF and ZIP-based files: the PDF frame, and office documents told apart inside ZIP."""

from __future__ import annotations

import re
import zipfile

from satchel.media.source import Found, Source, corrupt

ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")

_PDF_TAIL = 1024  # readers accept junk after %%EOF; so do we, within this window
_PDF_PAGES = re.compile(rb"<<(?:(?!<<|>>).)*?/Type\s*/Pages\b(?:(?!<<|>>).)*?>>", re.S)
_PDF_COUNT = re.compile(rb"/Count\s+(\d+)")

_OOXML_MAIN = {
    "word/document.xml": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/workbook.xml": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/presentation.xml": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    ),
}
_OOXML_MACROS = {
    "word/document.xml": "application/vnd.ms-word.document.macroenabled.12",
    "xl/workbook.xml": "application/vnd.ms-excel.sheet.macroenabled.12",
    "ppt/presentation.xml": "application/vnd.ms-powerpoint.presentation.macroenabled.12",
}
_MAX_SMALL_MEMBER = 256 * 1024


def pdf_header_at(head: bytes) -> int:
    """Where `%PDF-` starts; readers allow junk before it within the first KiB."""
    return head.find(b"%PDF-", 0, 1024)


def parse_pdf(src: Source) -> Found:
    if b"%%EOF" not in src.tail(_PDF_TAIL):
        raise corrupt("PDF is truncated: no %%EOF marker at its end")
    pages = _page_count(src.head) or _page_count(src.tail(64 * 1024))
    return Found("application/pdf", pages=pages)


def _page_count(data: bytes) -> int | None:
    """The root page tree's /Count, when it sits uncompressed in the bytes we already read."""
    for match in _PDF_PAGES.finditer(data):
        body = match.group(0)
        if b"/Parent" in body:
            continue
        count = _PDF_COUNT.search(body)
        if count:
            return int(count.group(1))
    return None


def parse_zip(src: Source) -> Found:
    try:
        with zipfile.ZipFile(src.file) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if infos and infos[0].filename == "mimetype":
                declared = _small(archive, infos[0]).decode("ascii", "replace").strip()
                if declared.startswith("application/"):
                    return Found(declared, related=frozenset({"application/zip"}))
            if "[Content_Types].xml" in names:
                types = _small(archive, archive.getinfo("[Content_Types].xml")).lower()
                for part, media_type in _OOXML_MAIN.items():
                    if part in names:
                        if b"macroenabled" in types:
                            return Found(_OOXML_MACROS[part])
                        return Found(media_type, related=frozenset({"application/zip"}))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as exc:
        raise corrupt(f"ZIP archive is damaged: {exc}") from exc
    return Found("application/zip")


def _small(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > _MAX_SMALL_MEMBER:
        raise corrupt(f"ZIP member {info.filename} is implausibly large")
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError) as exc:
        raise corrupt(f"ZIP member {info.filename} cannot be read: {exc}") from exc
