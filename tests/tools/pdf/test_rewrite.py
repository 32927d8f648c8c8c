"""Flatten, redact, grayscale and PDF/A: what each promises, read back from the result
(no term left in text or content streams, no script left, no colour left, PDF/A marks)."""

from __future__ import annotations

import io

import httpx
import pikepdf
import pytest

from satchel.media import ghostscript
from tests.tools.helpers import call_tool, corpus, pixels, run_tool
from tests.tools.pdf.docs import numbered_pdf, open_pdf, texts

FORMS = corpus("pdf/012-libreoffice-form/libreoffice-form.pdf")
COLOUR = corpus("pdf/003-pdflatex-image/pdflatex-image.pdf")
needs_gs = pytest.mark.skipif(ghostscript.available() is not None, reason="no Ghostscript")


def hostile_pdf() -> bytes:
    """A form with JavaScript on open, a JavaScript name tree and a launch link."""
    pdf = pikepdf.open(FORMS)
    js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS="app.alert(1)"))
    pdf.Root.OpenAction = js
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("x"), js]))
    )
    launch = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 50, 50],
        A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe")),
    )  # fmt: skip
    page = pdf.pages[0].obj
    page.Annots = pikepdf.Array([*page.get("/Annots", []), pdf.make_indirect(launch)])
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


def all_stream_bytes(data: bytes) -> bytes:
    with open_pdf(data) as pdf:
        chunks = []
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    chunks.append(obj.read_bytes())
                except pikepdf.PdfError:
                    chunks.append(obj.read_raw_bytes())
        return b"".join(chunks)


async def test_flatten_bakes_fields_and_strips_actions(client: httpx.AsyncClient) -> None:
    source = hostile_pdf()
    data, out = await run_tool(client, "flatten-pdf", ("form.pdf", source), section="pdf")
    removed = data["data"]["removed"]
    assert removed["javascript"] == 1 and removed["actions"] >= 1
    with open_pdf(out) as pdf:
        assert "/AcroForm" not in pdf.Root and "/OpenAction" not in pdf.Root
        assert "/Names" not in pdf.Root or "/JavaScript" not in pdf.Root.Names
        for page in pdf.pages:
            for annot in page.obj.get("/Annots", []):
                assert annot.get("/Subtype") != pikepdf.Name.Widget
                assert "/A" not in annot or pikepdf.Name.Launch != annot.A.S
    assert b"app.alert" not in all_stream_bytes(out)
    _, before = await run_tool(
        client, "pdf-to-image", FORMS, {"pages": "1", "dpi": 36}, section="pdf"
    )
    _, after = await run_tool(
        client, "pdf-to-image", ("f.pdf", out), {"pages": "1", "dpi": 36}, section="pdf"
    )
    assert abs(int(pixels(before).mean()) - int(pixels(after).mean())) <= 2  # fields still drawn


async def test_redacted_terms_are_gone(client: httpx.AsyncClient) -> None:
    extra = {2: "Alice Smith", 4: "ALICE and Bob"}
    source = numbered_pdf(5, extra=extra)
    with open_pdf(source) as pdf:
        pdf.docinfo["/Title"] = "About alice"
        buf = io.BytesIO()
        pdf.save(buf)
    data, out = await run_tool(
        client, "redact-pdf", ("r.pdf", buf.getvalue()), {"terms": ["alice"]}, section="pdf"
    )
    assert data["data"] == {"matches": {"alice": 2}, "pages": [2, 4]}
    pages = texts(out)
    assert pages[0] == "Page 1" and pages[2] == "Page 3" and pages[4] == "Page 5"  # kept
    assert "alice" not in " ".join(pages).lower()
    assert b"alice" not in all_stream_bytes(out).lower()
    with open_pdf(out) as pdf:
        assert "/Title" not in pdf.docinfo and len(pdf.pages) == 5
    _, strict = await run_tool(
        client, "redact-pdf", ("r.pdf", source), {"terms": ["Alice"], "caseSensitive": True},
        section="pdf",
    )  # fmt: skip
    assert "ALICE" in texts(strict)[3] and "Alice" not in texts(strict)[1]
    _, png = await run_tool(
        client, "pdf-to-image", ("s.pdf", strict), {"pages": "2", "dpi": 72}, section="pdf"
    )
    assert (pixels(png)[90:99, 70:95] < 30).mean() > 0.9  # a black box where the name was
    body = await call_tool(
        client, "redact-pdf", ("r.pdf", source), {"terms": [" "]}, section="pdf", expect=422
    )
    assert body["error"]["fields"][0]["field"].startswith("settings.terms")


@needs_gs
async def test_grayscale(client: httpx.AsyncClient) -> None:
    _, out = await run_tool(client, "grayscale-pdf", COLOUR, section="pdf")
    _, png = await run_tool(
        client, "pdf-to-image", ("g.pdf", out), {"pages": "1", "dpi": 50}, section="pdf"
    )
    px = pixels(png).astype(int)
    assert abs(px[..., 0] - px[..., 1]).max() <= 2 and abs(px[..., 1] - px[..., 2]).max() <= 2
    _, original = await run_tool(
        client, "pdf-to-image", COLOUR, {"pages": "1", "dpi": 50}, section="pdf"
    )
    po = pixels(original).astype(int)
    assert abs(po[..., 0] - po[..., 2]).max() > 30  # the source had colour to lose


@needs_gs
async def test_pdfa(client: httpx.AsyncClient) -> None:
    data, out = await run_tool(client, "pdfa-convert", COLOUR, section="pdf")
    assert data["data"]["conformance"] == "PDF/A-2B" and all(data["data"]["checks"].values())
    with open_pdf(out) as pdf:
        meta = pdf.open_metadata()
        assert str(meta["pdfaid:part"]) == "2"
        assert pdf.Root.OutputIntents[0].S == pikepdf.Name.GTS_PDFA1
    assert texts(out)[0][:40] == texts(COLOUR.read_bytes())[0][:40]
    _, locked = await run_tool(client, "protect-pdf", COLOUR, {"userPassword": "x"}, section="pdf")
    body = await call_tool(client, "pdfa-convert", ("l.pdf", locked), section="pdf", expect=422)
    assert body["error"]["code"] == "pdf_encrypted"
