"""doc_peers: document tools against the programs people would otherwise run, in one run.

(a) word-to-pdf of a 20-page DOCX through the tool API (upload and download included, the
    warm converter started by a first run) vs a cold `soffice --headless --convert-to pdf`
    of the same file (its profile made beforehand); goal ≥ 3× faster.
(b) merge-pdf of ten corpus PDFs through the tool API vs `qpdf --empty --pages ... --`;
    goal: Satchel's time ≤ 1.25 × qpdf's (ratio qpdf÷Satchel ≥ 0.8).
(c) compress-pdf (quality 50) vs Ghostscript's `/ebook` preset on the corpus PDFs that hold
    images: total size reduction; goal: within 10 percentage points of Ghostscript's.
"""

from __future__ import annotations

import io
import json
import subprocess
import time
import zipfile
from pathlib import Path

import httpx

from bench.common import median, report, work_dir
from bench.server import Satchel

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpus/pdf"
MERGE = ["001-trivial", "002-trivial-libre-office-writer", "003-pdflatex-image",
         "004-pdflatex-4-pages", "006-pdflatex-outline", "008-reportlab-inline-image",
         "010-pdflatex-forms", "011-google-doc-document", "013-reportlab-overlay",
         "015-arabic"]  # fmt: skip
IMAGES = ["003-pdflatex-image", "007-imagemagick-images", "011-google-doc-document",
          "018-base64-image", "019-grayscale-image", "023-cmyk-image"]  # fmt: skip
RUNS = 5
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def corpus_pdf(folder: str) -> Path:
    return sorted((CORPUS / folder).glob("*.pdf"))[0]


def docx(pages: int) -> bytes:
    """A DOCX of `pages` pages, each a heading and a few paragraphs of text."""
    text = "The quick brown fox jumps over the lazy dog, again and again. " * 8
    body = ""
    for n in range(1, pages + 1):
        brk = '<w:r><w:br w:type="page"/></w:r>' if n > 1 else ""
        body += f"<w:p>{brk}<w:r><w:t>Chapter {n}</w:t></w:r></w:p>"
        body += f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" * 4
    types = (
        '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
        'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        "</Relationships>"
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", types)
        z.writestr("_rels/.rels", rels)
        z.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {_W}><w:body>'
                   f"{body}</w:body></w:document>")  # fmt: skip
    return buf.getvalue()


Answer = tuple[float, bytes, dict[str, object]]


def tool(
    client: httpx.Client,
    section: str,
    name: str,
    files: list[tuple[str, bytes]],
    settings: dict[str, object] | None = None,
) -> Answer:
    """Seconds for one run (upload, run, download), the result and the answer's data."""
    t0 = time.perf_counter()
    response = client.post(
        f"/api/v1/tools/{section}/{name}",
        files=[("file", f) for f in files],
        data={"settings": json.dumps(settings or {})},
    )
    response.raise_for_status()
    data = response.json()["data"]
    content = client.get(data["download_url"]).content
    return time.perf_counter() - t0, content, data


def timed(command: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    return time.perf_counter() - t0


def run() -> None:
    with work_dir("doc_peers") as work, Satchel(work / "data") as server:
        client = httpx.Client(
            base_url=f"http://127.0.0.1:{server.port}", headers=server.auth, timeout=600
        )
        document = work / "twenty.docx"
        document.write_bytes(docx(20))
        files = [("twenty.docx", document.read_bytes())]
        _, _, data = tool(client, "pdf", "word-to-pdf", files)  # starts the converter
        pages = data["data"]["pages"]  # type: ignore[index]
        ours = median([tool(client, "pdf", "word-to-pdf", files)[0] for _ in range(RUNS)])
        profile = f"-env:UserInstallation=file://{work / 'profile'}"
        cold_cmd = ["soffice", profile, "--headless", "--convert-to", "pdf",
                    "--outdir", str(work / "cold"), str(document)]  # fmt: skip
        timed(cold_cmd)  # the profile is made here, not timed
        cold = median([timed(cold_cmd) for _ in range(RUNS)])
        ratio = cold / ours
        report(
            "doc_peers word-to-pdf",
            f"20-page DOCX ({pages} PDF pages): tool API median {ours * 1000:.0f} ms"
            f" vs cold soffice {cold * 1000:.0f} ms, {RUNS} runs each",
            f"{ratio:.2f}x", "≥ 3×", ratio >= 3,
        )  # fmt: skip

        pdfs = [corpus_pdf(f) for f in MERGE]
        parts = [(p.name, p.read_bytes()) for p in pdfs]
        tool(client, "pdf", "merge-pdf", parts)
        ours = median([tool(client, "pdf", "merge-pdf", parts)[0] for _ in range(RUNS)])
        qpdf_cmd = ["qpdf", "--empty", "--pages", *map(str, pdfs), "--", str(work / "m.pdf")]
        qpdf = median([timed(qpdf_cmd) for _ in range(RUNS)])
        ratio = qpdf / ours
        report(
            "doc_peers merge-pdf",
            f"10 corpus PDFs: tool API median {ours * 1000:.0f} ms vs qpdf CLI "
            f"{qpdf * 1000:.0f} ms, {RUNS} runs each",
            f"{ratio:.2f}", "≥ 0.8", ratio >= 0.8,
        )  # fmt: skip

        original = ours_total = gs_total = 0
        for folder in IMAGES:
            path = corpus_pdf(folder)
            _, small, _ = tool(client, "pdf", "compress-pdf", [(path.name, path.read_bytes())],
                               {"quality": 50})  # fmt: skip
            gs_out = work / f"gs-{folder}.pdf"
            subprocess.run(
                ["gs", "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite",
                 "-dPDFSETTINGS=/ebook", "-o", str(gs_out), str(path)],
                check=True, capture_output=True, timeout=600,
            )  # fmt: skip
            original += path.stat().st_size
            ours_total += len(small)
            gs_total += gs_out.stat().st_size
        ours_cut, gs_cut = 1 - ours_total / original, 1 - gs_total / original
        gap = (gs_cut - ours_cut) * 100
        report(
            "doc_peers compress-pdf",
            f"{len(IMAGES)} corpus PDFs with images, {original} B: compress-pdf q50 → "
            f"{ours_total} B ({ours_cut:.1%} smaller) vs gs /ebook → {gs_total} B "
            f"({gs_cut:.1%} smaller)",
            f"gap {gap:.1f} points", "within 10 points", gap <= 10,
        )  # fmt: skip
