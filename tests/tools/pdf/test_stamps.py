"""Watermarks, page numbers, n-up and booklets: text and placement read back with PDFium,
pages' order read from their text."""

from __future__ import annotations

import httpx
import pypdfium2
import pytest

from tests.tools.helpers import call_tool, pixels, run_tool
from tests.tools.pdf.docs import numbered_pdf, open_pdf, texts

SIX = ("six.pdf", numbered_pdf(6, size=(300, 400)))


def text_boxes(data: bytes, page: int = 0) -> list[tuple[str, tuple[float, ...]]]:
    """(text, box) of each text object on a page, form XObjects included."""
    doc = pypdfium2.PdfDocument(data)
    try:
        tp = doc[page].get_textpage()
        found = []
        for obj in doc[page].get_objects(max_depth=4):
            if obj.type == pypdfium2.raw.FPDF_PAGEOBJ_TEXT:
                bounds = obj.get_bounds()
                found.append((tp.get_text_bounded(*bounds).strip(), tuple(bounds)))
        return found
    finally:
        doc.close()


def placed(data: bytes, page: int, labels: list[str]) -> list[tuple[str, tuple[float, ...]]]:
    """(label, box of its first character) of each label found on the page, by position."""
    doc = pypdfium2.PdfDocument(data)
    try:
        tp = doc[page].get_textpage()
        found = []
        for label in labels:
            hit = tp.search(label, match_whole_word=True).get_next()
            if hit:
                found.append((label, tuple(tp.get_charbox(hit[0]))))
        return found
    finally:
        doc.close()


LABELS = [f"Page {n}" for n in range(1, 7)]


async def test_watermark_is_a_layer_over_each_page(client: httpx.AsyncClient) -> None:
    data, out = await run_tool(
        client, "watermark-pdf", SIX,
        {"text": "CONFIDENTIAL", "opacity": 0.5, "rotation": 0, "fontSize": 30}, section="pdf",
    )  # fmt: skip
    assert data["data"]["pages"] == 6
    pages = texts(out)
    assert all("CONFIDENTIAL" in p and f"Page {i}" in p for i, p in enumerate(pages, 1))
    box = dict(text_boxes(out))["CONFIDENTIAL"]
    assert abs((box[0] + box[2]) / 2 - 150) < 2 and abs((box[1] + box[3]) / 2 - 200) < 2
    with open_pdf(out) as pdf:  # the original content stream is untouched, a layer added
        assert len(pdf.pages[0].obj.Resources.XObject) == 1
    _, unicode_mark = await run_tool(
        client, "watermark-pdf", SIX, {"text": "Ελληνικά 中", "position": "tl", "rotation": 0},
        section="pdf",
    )  # fmt: skip
    assert "Ελληνικά" in texts(unicode_mark)[0]
    (_, tl_box), *_ = [t for t in text_boxes(unicode_mark) if "Ελληνικά" in t[0]]
    assert tl_box[0] == pytest.approx(24, abs=2) and tl_box[3] == pytest.approx(376, abs=2)


async def test_page_numbers(client: httpx.AsyncClient) -> None:
    _, out = await run_tool(
        client, "pdf-page-numbers", SIX,
        {"position": "br", "pattern": "Page {n} of {total}", "start": 3}, section="pdf",
    )  # fmt: skip
    for i in range(6):
        boxes = dict(text_boxes(out, i))
        label = f"Page {i + 3} of 8"
        assert label in boxes, boxes
        assert boxes[label][2] == pytest.approx(276, abs=2)  # right edge at the margin
        assert boxes[label][1] == pytest.approx(24, abs=3)  # near the bottom
    body = await call_tool(
        client, "pdf-page-numbers", SIX, {"position": "middle"}, section="pdf", expect=422
    )
    assert body["error"]["fields"][0]["field"] == "settings.position"


async def test_nup_and_booklet_orders(client: httpx.AsyncClient) -> None:
    data, out = await run_tool(client, "nup-pdf", SIX, {"perSheet": 4}, section="pdf")
    assert data["data"]["sheets"] == 2
    first = sorted(placed(out, 0, LABELS), key=lambda t: (-round(t[1][1]), t[1][0]))
    assert [t for t, _ in first] == ["Page 1", "Page 2", "Page 3", "Page 4"]
    with open_pdf(out) as pdf:
        assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 300, 400]
    data, out = await run_tool(client, "nup-pdf", SIX, {"perSheet": 2}, section="pdf")
    with open_pdf(out) as pdf:  # two portrait pages side by side: a landscape sheet
        assert [round(float(v)) for v in pdf.pages[0].mediabox] == [0, 0, 400, 300]
    data, out = await run_tool(client, "booklet-pdf", SIX, section="pdf")
    assert data["data"]["order"] == [[None, 1], [2, None], [6, 3], [4, 5]]
    sides = [sorted(placed(out, i, LABELS), key=lambda t: t[1][0]) for i in range(4)]
    assert [[t for t, _ in s] for s in sides] == [
        ["Page 1"],
        ["Page 2"],
        ["Page 6", "Page 3"],
        ["Page 4", "Page 5"],
    ]
    assert sides[0][0][1][0] > 200  # page 1 on the right half of the first side
    data, _ = await run_tool(client, "booklet-pdf", SIX, {"perSheet": 4}, section="pdf")
    assert data["data"]["order"] == [[None, 1, 2, None], [6, 3, 4, 5]]
    body = await call_tool(client, "nup-pdf", SIX, {"perSheet": 5}, section="pdf", expect=422)
    assert body["error"]["fields"][0]["field"] == "settings.perSheet"


async def test_watermark_shows(client: httpx.AsyncClient) -> None:
    _, out = await run_tool(
        client, "watermark-pdf", SIX,
        {"text": "X", "fontSize": 200, "opacity": 1, "color": "#ff0000"}, section="pdf",
    )  # fmt: skip
    _, png = await run_tool(client, "pdf-to-image", ("w.pdf", out), {"pages": "1", "dpi": 36},
                            section="pdf")  # fmt: skip
    px = pixels(png)
    red = (px[..., 0] > 200) & (px[..., 1] < 60) & (px[..., 2] < 60)
    assert red.sum() > 200
