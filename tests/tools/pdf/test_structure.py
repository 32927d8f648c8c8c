"""PDF structure tools on pikepdf: pages counted, ordered, turned, cropped, locked and
unlocked, read back from the results."""

from __future__ import annotations

import io
import zipfile

import httpx
import pikepdf
import pytest

from tests.tools.helpers import call_tool, corpus, run_tool
from tests.tools.pdf.docs import numbered_pdf, open_pdf, page_numbers, texts

FOUR_PAGES = corpus("pdf/004-pdflatex-4-pages/pdflatex-4-pages.pdf")
ENCRYPTED = corpus("pdf/005-libreoffice-writer-password/libreoffice-writer-password.pdf")
SIX = ("six.pdf", numbered_pdf(6))


async def pdf_tool(
    client: httpx.AsyncClient, tool: str, files: object, settings: dict[str, object] | None = None
) -> tuple[dict[str, object], bytes]:
    return await run_tool(client, tool, files, settings, section="pdf")  # type: ignore[arg-type]


async def test_merge_keeps_the_order_of_the_files(client: httpx.AsyncClient) -> None:
    a, b = ("a.pdf", numbered_pdf(2, extra="A")), ("b.pdf", numbered_pdf(3, extra="B"))
    data, content = await pdf_tool(client, "merge-pdf", [b, a, ("c.pdf", FOUR_PAGES.read_bytes())])
    assert data["data"] == {"pages": 9, "files": 3}  # type: ignore[index]
    pages = texts(content)
    assert [p.split()[-1] for p in pages[:5]] == ["B", "B", "B", "A", "A"]
    assert "Page 1 B" in pages[0]
    body = await call_tool(client, "merge-pdf", a, section="pdf", expect=422)
    assert body["error"]["code"] == "tool_input_missing"


async def test_split_by_ranges_and_every_n(client: httpx.AsyncClient) -> None:
    data, content = await pdf_tool(client, "split-pdf", SIX, {"mode": "range", "range": "1-2,3-z"})
    names = [f["name"] for f in data["files"]]  # type: ignore[index]
    assert names[:2] == ["six-pages-1-2.pdf", "six-pages-3-6.pdf"]
    archive = zipfile.ZipFile(io.BytesIO(content))
    assert page_numbers(archive.read(names[0])) == [1, 2]
    assert page_numbers(archive.read(names[1])) == [3, 4, 5, 6]
    data, content = await pdf_tool(client, "split-pdf", SIX, {"mode": "every", "everyN": 4})
    assert data["data"]["pages"] == [4, 2]  # type: ignore[index]
    body = await call_tool(client, "split-pdf", SIX, {"mode": "range"}, section="pdf", expect=422)
    assert body["error"]["code"] == "validation_error"


@pytest.mark.parametrize(
    ("tool", "opts", "expected"),
    [
        ("extract-pages", {"range": "1-2,5,z"}, [1, 2, 5, 6]),
        ("extract-pages", {"range": "r2-r1"}, [5, 6]),
        ("remove-pages", {"pages": "2,4-5"}, [1, 3, 6]),
        ("organize-pdf", {"order": "3,1,2,5-z"}, [3, 1, 2, 5, 6]),
        ("organize-pdf", {"order": "z-1"}, [6, 5, 4, 3, 2, 1]),
        ("organize-pdf", {"order": "1-z:even"}, [2, 4, 6]),
    ],
)
async def test_page_selections(
    client: httpx.AsyncClient, tool: str, opts: dict[str, str], expected: list[int]
) -> None:
    _, content = await pdf_tool(client, tool, SIX, opts)
    assert page_numbers(content) == expected


@pytest.mark.parametrize(
    ("tool", "opts", "code", "field"),
    [
        ("extract-pages", {"range": "0-2"}, "validation_error", "settings.range"),
        ("extract-pages", {"range": "9"}, "tool_page_out_of_range", None),
        ("remove-pages", {"pages": "1-z"}, "bad_setting", None),
        ("organize-pdf", {"order": "a,b"}, "validation_error", "settings.order"),
        ("rotate-pdf", {"angle": 45}, "validation_error", "settings.angle"),
        ("crop-pdf", {"margin": 150}, "tool_crop_out_of_bounds", None),
        ("crop-pdf", {"margin": 2001}, "validation_error", "settings.margin"),
        ("protect-pdf", {}, "validation_error", "settings.userPassword"),
    ],
)
async def test_bad_requests(
    client: httpx.AsyncClient, tool: str, opts: dict[str, object], code: str, field: str | None
) -> None:
    body = await call_tool(client, tool, SIX, opts, section="pdf", expect=422)
    assert body["error"]["code"] == code, body
    if field:
        assert body["error"]["fields"][0]["field"] == field


async def test_rotation_is_read_back(client: httpx.AsyncClient) -> None:
    _, content = await pdf_tool(client, "rotate-pdf", SIX, {"angle": 90, "range": "2-3"})
    _, again = await pdf_tool(client, "rotate-pdf", ("r.pdf", content), {"angle": 270})
    with open_pdf(content) as pdf, open_pdf(again) as pdf2:
        assert [int(p.obj.get("/Rotate", 0)) for p in pdf.pages] == [0, 90, 90, 0, 0, 0]
        assert [int(p.obj.get("/Rotate", 0)) % 360 for p in pdf2.pages] == [
            270,
            0,
            0,
            270,
            270,
            270,
        ]


async def test_protect_then_unlock(client: httpx.AsyncClient) -> None:
    _, locked = await pdf_tool(
        client, "protect-pdf", SIX, {"userPassword": "s3cret", "ownerPassword": "boss"}
    )
    with pytest.raises(pikepdf.PasswordError):
        open_pdf(locked)
    with open_pdf(locked, "s3cret") as pdf:
        assert (
            pdf.encryption.R == 6
            and pdf.encryption.bits == 256
            and "aes" in str(pdf.encryption.stream_method).lower()
        )
    body = await call_tool(client, "pdf-to-text", ("l.pdf", locked), section="pdf", expect=422)
    assert body["error"]["code"] == "pdf_encrypted"
    body = await call_tool(
        client, "unlock-pdf", ("l.pdf", locked), {"password": "wrong"}, section="pdf", expect=422
    )
    assert body["error"]["code"] == "pdf_encrypted" and "wrong" in body["error"]["message"]
    data, unlocked = await pdf_tool(client, "unlock-pdf", ("l.pdf", locked), {"password": "boss"})
    assert data["data"] == {"was_encrypted": True}  # type: ignore[index]
    with open_pdf(unlocked) as pdf:
        assert not pdf.is_encrypted
    assert page_numbers(unlocked) == [1, 2, 3, 4, 5, 6]
    _, corpus_unlocked = await pdf_tool(
        client, "unlock-pdf", ENCRYPTED, {"password": "openpassword"}
    )
    assert texts(corpus_unlocked)[0]  # readable without a password now


async def test_repair_and_linearize(client: httpx.AsyncClient) -> None:
    good = numbered_pdf(3)
    broken = good[: good.rindex(b"xref")] + b"%%EOF\n"  # the cross-reference table is gone
    data, repaired = await pdf_tool(client, "repair-pdf", ("broken.pdf", broken))
    assert page_numbers(repaired) == [1, 2, 3]
    assert data["data"]["warnings"]  # type: ignore[index]
    _, web = await pdf_tool(client, "linearize-pdf", FOUR_PAGES)
    with open_pdf(web) as pdf:
        assert pdf.is_linearized and len(pdf.pages) == 4


async def test_crop_sets_the_crop_box(client: httpx.AsyncClient) -> None:
    _, content = await pdf_tool(client, "crop-pdf", SIX, {"margin": 20})
    with open_pdf(content) as pdf:
        assert [float(v) for v in pdf.pages[0].cropbox] == [20, 20, 280, 180]


async def test_metadata_and_text(client: httpx.AsyncClient) -> None:
    data, content = await pdf_tool(
        client, "pdf-metadata", SIX, {"title": "Zürich report", "author": "Ana", "keywords": "a, b"}
    )
    assert data["data"]["after"]["title"] == "Zürich report"  # type: ignore[index]
    with open_pdf(content) as pdf:
        assert str(pdf.docinfo["/Author"]) == "Ana"
        assert pdf.open_metadata()["dc:title"] == "Zürich report"
    data, text = await pdf_tool(client, "pdf-to-text", FOUR_PAGES, {"pages": "1-2"})
    pages = text.decode().split("\f")
    assert len(pages) == 2 and data["data"]["pages"] == 2  # type: ignore[index]
    assert len(pages[0]) > 100


async def test_the_page_cap(client: httpx.AsyncClient) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(72, 72))
    for _ in range(13):  # 2**13 = 8192, plus doubling to over 10,000
        pdf.pages.extend(list(pdf.pages))
    buf = io.BytesIO()
    pdf.save(buf)
    body = await call_tool(
        client, "rotate-pdf", ("big.pdf", buf.getvalue()), section="pdf", expect=422
    )
    assert body["error"]["code"] == "pdf_too_many_pages"
    assert (await client.get("/api/v1/health")).status_code == 200
