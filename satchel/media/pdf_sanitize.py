"""Flattening and sanitising: annotations and form fields baked into the page content by
PDFium, then every active part removed by pikepdf (JavaScript, open and additional
actions, launch and URI-less actions, embedded files, the interactive form itself)."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium

from satchel.media import pdf_structure as structure
from satchel.media.pdfium import LOCK

FLAT_PRINT = 1  # bake what would print
_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/SubmitForm", "/ResetForm",
                   "/Rendition", "/Movie", "/Sound", "/GoToE", "/RichMediaExecute"}  # fmt: skip


def flatten_pages(src: Path, name: str) -> bytes:
    """The document with every page's annotations and form fields drawn into its content."""
    with structure.open_pdf(src, name):  # refusals (encrypted, damaged, page cap) first
        pass
    with LOCK:
        doc = pdfium.PdfDocument(str(src))
        try:
            doc.init_forms()
            for index in range(len(doc)):
                page = doc[index]
                try:
                    page.flatten(FLAT_PRINT)
                finally:
                    page.close()
            buf = io.BytesIO()
            doc.save(buf)
            return buf.getvalue()
        finally:
            doc.close()


def _strip_action(holder: pikepdf.Object) -> int:
    removed = 0
    if "/AA" in holder:
        del holder["/AA"]
        removed += 1
    action = holder.get("/A")
    if isinstance(action, pikepdf.Dictionary) and str(action.get("/S")) in _ACTIVE_ACTIONS:
        del holder["/A"]
        removed += 1
    return removed


def sanitize(pdf: pikepdf.Pdf) -> dict[str, int]:
    """Remove everything that acts: returns what was removed, by kind."""
    root = pdf.Root
    removed = {"javascript": 0, "actions": 0, "embedded_files": 0, "forms": 0}
    if "/OpenAction" in root:
        del root["/OpenAction"]
        removed["actions"] += 1
    removed["actions"] += _strip_action(root)
    names = root.get("/Names")
    if isinstance(names, pikepdf.Dictionary):
        for key, kind in (("/JavaScript", "javascript"), ("/EmbeddedFiles", "embedded_files")):
            if key in names:
                del names[key]
                removed[kind] += 1
    if "/AcroForm" in root:
        del root["/AcroForm"]
        removed["forms"] += 1
    for page in pdf.pages:
        removed["actions"] += _strip_action(page.obj)
        for annot in page.obj.get("/Annots", []):
            if isinstance(annot, pikepdf.Dictionary):
                removed["actions"] += _strip_action(annot)
    return removed


def flatten(src: Path, out: Path, name: str) -> dict[str, int]:
    flat = flatten_pages(src, name)
    with pikepdf.open(io.BytesIO(flat)) as pdf:
        removed = sanitize(pdf)
        structure.save(pdf, out)
    return removed
