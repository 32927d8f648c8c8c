"""PDF structure on pikepdf (qpdf): opening with clear errors and page caps, qpdf's page
range syntax (`1-5,8,10-z`, `r2`, `z-1`), and saving compact, unencrypted output.

qpdf walks the page tree itself, so a /Count that lies costs nothing: the pages counted
are the pages that are there. A document over `MAX_PAGES` is refused before any work.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pikepdf

from satchel.codes import Code
from satchel.media.errors import (
    OutOfRange,
    PdfEncrypted,
    PdfError,
    PdfTooManyPages,
    first_line,
)

PDF = ("application/pdf",)
MAX_PAGES = 5000  # pages one structure tool takes in one run (a merge counts them all)
MAX_SPEC_CHARS = 1000
_ITEM = re.compile(r"^(r?\d+|z)(?:-(r?\d+|z))?(?::(odd|even))?$")


@contextmanager
def open_pdf(path: Path, name: str | None = None, *, password: str = "") -> Iterator[pikepdf.Pdf]:
    """The document, closed when done; `pdf_encrypted` when a password is needed (or the
    one given is wrong), `pdf_unreadable` when qpdf cannot make sense of it even after its
    own repairs, `pdf_too_many_pages` over the cap."""
    label = name or "The PDF"
    try:
        pdf = pikepdf.open(path, password=password)
    except pikepdf.PasswordError:
        hint = "The password given is wrong." if password else "Give its password."
        raise PdfEncrypted(
            f"{label} is encrypted with a password. {hint}", reason="encrypted"
        ) from None
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        reason = first_line(exc)
        raise PdfError(f"{label} could not be read as a PDF: {reason}", reason=reason) from None
    try:
        count = len(pdf.pages)
        if count == 0:
            raise PdfError(f"{label} has no pages.", reason="no pages")
        if count > MAX_PAGES:
            raise PdfTooManyPages(
                f"{label} has {count} pages; at most {MAX_PAGES} can be processed in one run."
            )
        yield pdf
    finally:
        pdf.close()


def check_spec(spec: str) -> str:
    """Pydantic validator body: the syntax of a qpdf page range (the count comes later)."""
    _items(spec)
    return spec


def _items(spec: str) -> list[tuple[str, str | None, str | None]]:
    text = spec.replace(" ", "").lower()
    if not text or len(text) > MAX_SPEC_CHARS:
        raise ValueError("use pages and ranges such as `1-5,8,10-z` (z is the last page)")
    items = []
    for piece in text.split(","):
        match = _ITEM.match(piece)
        if match is None or match.group(1) in ("0", "r0") or match.group(2) in ("0", "r0"):
            raise ValueError(
                f"{piece!r} is not a page or a range such as `3`, `1-5`, `10-z` or `r2` "
                "(pages count from 1)"
            )
        items.append((match.group(1), match.group(2), match.group(3)))
    return items


def _page(word: str, count: int) -> int:
    if word == "z":
        return count
    number = count + 1 - int(word[1:]) if word.startswith("r") else int(word)
    if not 1 <= number <= count:
        raise OutOfRange(
            f"There is no page {word}: the file has {count} page{'s' if count != 1 else ''}.",
            code=Code.TOOL_PAGE_OUT_OF_RANGE,
        )
    return number


def select(spec: str, count: int) -> list[int]:
    """The 1-based pages `spec` names, in the order written (a range may count down, as in
    `z-1`; a page named twice appears twice, as qpdf does)."""
    pages: list[int] = []
    for start, end, parity in _items(spec):
        first = _page(start, count)
        last = first if end is None else _page(end, count)
        step = 1 if last >= first else -1
        run = list(range(first, last + step, step))
        if parity is not None:
            run = [p for i, p in enumerate(run) if (i % 2 == 0) == (parity == "odd")]
        pages += run
    return pages


def save(pdf: pikepdf.Pdf, out: Path, *, linearize: bool = False) -> Path:
    """Write with object streams and compressed streams (qpdf's defaults, made explicit)."""
    pdf.remove_unreferenced_resources()
    pdf.save(
        out,
        linearize=linearize,
        object_stream_mode=pikepdf.ObjectStreamMode.generate,
        compress_streams=True,
    )
    return out


def page_count(path: Path, name: str | None = None, *, password: str = "") -> int:
    with open_pdf(path, name, password=password) as pdf:
        return len(pdf.pages)


def pages_pdf(src: pikepdf.Pdf, pages: list[int], out: Path) -> Path:
    """A new PDF of `pages` (1-based, in order, repeats allowed) of `src`."""
    with pikepdf.new() as part:
        part.pages.extend(src.pages[p - 1] for p in pages)
        save(part, out)
    return out


_INFO = {"title": "/Title", "author": "/Author", "subject": "/Subject", "keywords": "/Keywords"}


def info(pdf: pikepdf.Pdf) -> dict[str, str | None]:
    """Title, author, subject and keywords from the document information dictionary."""
    found: dict[str, str | None] = {}
    for key, name in _INFO.items():
        value = pdf.docinfo.get(name)
        found[key] = str(value) if value is not None else None
    return found


def set_info(pdf: pikepdf.Pdf, changes: dict[str, str]) -> None:
    """Set (or, for an empty string, remove) entries of the information dictionary."""
    for key, value in changes.items():
        name = pikepdf.Name(_INFO[key])
        if value:
            pdf.docinfo[name] = value
        elif name in pdf.docinfo:
            del pdf.docinfo[name]


def _fonts(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    found = []
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == pikepdf.Name.FontDescriptor:
            found.append(obj)
    return found


def pdfa_checks(path: Path) -> dict[str, bool]:
    """What can be checked of PDF/A here: the XMP part and conformance, fonts embedded, an
    output intent, no encryption, no JavaScript."""
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        root = pdf.Root
        descriptors = _fonts(pdf)
        embedded = all(
            any(k in d for k in ("/FontFile", "/FontFile2", "/FontFile3")) for d in descriptors
        )
        return {
            "xmp_pdfa_part_2": str(meta.get("pdfaid:part", "")) == "2",
            "xmp_conformance_b": str(meta.get("pdfaid:conformance", "")).upper() == "B",
            "fonts_embedded": embedded,
            "output_intent": "/OutputIntents" in root and len(root.OutputIntents) > 0,
            "not_encrypted": not pdf.is_encrypted,
            "no_javascript": "/JavaScript" not in root.get("/Names", {}),
        }
