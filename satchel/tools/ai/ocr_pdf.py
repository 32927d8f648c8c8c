"""PDF OCR: a searchable PDF/A (an invisible text layer over each scanned page) with
OCRmyPDF and Tesseract, rasterized by PDFium (no Ghostscript)."""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import Field, field_validator

from satchel.codes import Code
from satchel.media import pdfium
from satchel.media.ml import ocr, unavailable
from satchel.media.ranges import check_ranges, select
from satchel.tools.base import (
    Inputs,
    InputSpec,
    ToolContext,
    ToolError,
    ToolResult,
    ToolSettings,
    tool,
)

LANGUAGES = {"en": "eng", "de": "deu", "fr": "fra", "es": "spa", "zh": "chi_sim", "ja": "jpn"}
LANGUAGES["ko"] = "kor"


class Settings(ToolSettings):
    language: Literal["auto", "en", "de", "fr", "es", "zh", "ja", "ko"] = Field(
        "en", description="The text's language (`auto`: every installed language pack)."
    )
    quality: Literal["fast", "balanced", "best"] = Field(
        "balanced",
        description="`fast`: pages that already have text are kept as they are; "
        "`balanced`: every page is read again; `best`: also rasterized at 300 dpi or more.",
    )
    pages: str = Field("all", description="`all`, or pages and ranges such as `1-3,5`.")

    _pages = field_validator("pages")(check_ranges)


def languages(choice: str) -> list[str]:
    if choice == "auto":
        return ocr.languages()[:4] or ["eng"]
    return [LANGUAGES[choice]]


def available() -> str | None:
    try:
        import ocrmypdf  # noqa: F401
    except ImportError:
        return "The ocrmypdf package is not installed (uv sync)."
    return ocr.available()


@tool(
    "pdf",
    "ocr-pdf",
    name="PDF OCR (AI)",
    settings=Settings,
    inputs=InputSpec(accepts=("application/pdf",)),
    produces=("application/pdf",),
    slow=True,
    availability=available,
)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Make a scanned PDF searchable: OCRmyPDF renders each page with PDFium, reads it with
    Tesseract 5 and lays the text invisibly over the page image, as PDF/A. The answer
    gives each page's recognized text. Languages are Tesseract's installed packs."""
    import ocrmypdf

    inp = inputs.first
    langs = languages(settings.language)
    for lang in langs:
        ocr.check_language(lang)
    with pdfium.open_pdf(inp.path, inp.name) as pdf:
        chosen = select(settings.pages, pdf.pages)
    out = ctx.output(f"{inp.stem}-ocr.pdf", "application/pdf")
    ctx.progress(5, "Reading pages")
    logging.getLogger("ocrmypdf").setLevel(logging.ERROR)
    fast = settings.quality == "fast"
    try:
        ocrmypdf.ocr(
            inp.path,
            out.path,
            language=langs,
            pages=",".join(str(n) for n in chosen) if settings.pages != "all" else None,
            rasterizer="pypdfium",
            pdfa_backend="internal",
            output_type="pdfa",
            progress_bar=False,
            jobs=1,
            skip_text=fast,
            force_ocr=not fast,
            oversample=300 if settings.quality == "best" else None,
        )
    except ocrmypdf.exceptions.EncryptedPdfError as exc:
        raise ToolError(f"{inp.name} is encrypted.", code=Code.PDF_ENCRYPTED) from exc
    except ocrmypdf.exceptions.MissingDependencyError as exc:
        raise unavailable(f"OCRmyPDF misses a program: {exc}") from exc
    except (
        ocrmypdf.exceptions.InputFileError,
        ocrmypdf.exceptions.UnsupportedImageFormatError,
    ) as exc:
        raise ToolError(f"{inp.name} could not be read: {exc}", code=Code.PDF_UNREADABLE) from exc
    with pdfium.open_pdf(out.path, out.name) as done:
        texts = [{"page": n, "text": done.text(n - 1).strip()} for n in chosen]
    return ToolResult([out], data={"pages": texts, "language": "+".join(langs)})
