"""OCR: the text of an image, with each word's box and confidence (Tesseract 5)."""

from __future__ import annotations

from typing import Any, Literal

from PIL import Image
from pydantic import Field

from satchel.media import imaging
from satchel.media.ml import ocr, rgb_array
from satchel.tools.base import Inputs, ToolContext, ToolResult, ToolSettings, tool

# The seed's language names and ISO 639-1 codes, in Tesseract's spelling.
ALIASES = {
    "en": "eng",
    "de": "deu",
    "fr": "fra",
    "es": "spa",
    "it": "ita",
    "pt": "por",
    "nl": "nld",
    "zh": "chi_sim",
    "ja": "jpn",
    "ko": "kor",
    "ru": "rus",
}
MIN_TEXT_EDGE = {"fast": 0, "balanced": 1000, "best": 2000}  # small images are enlarged
MAX_EDGE = {"fast": 2000, "balanced": 5000, "best": 8000}


class Settings(ToolSettings):
    language: str = Field(
        "eng",
        description="Tesseract language code(s) (`eng`, `deu`, `eng+fra`), an ISO 639-1 "
        "code (`en`, `de`) or `auto` (every installed language).",
        max_length=60,
    )
    quality: Literal["fast", "balanced", "best"] = Field(
        "balanced", description="`fast` shrinks large images; `best` enlarges small ones."
    )
    enhance: bool = Field(
        False,
        description="Clean the input first: grey, speckles removed (3×3 median), contrast "
        "stretched. For noisy or faint scans; `best` always does it.",
    )
    layout: Literal["auto", "single-column", "single-block", "single-line", "sparse"] = Field(
        "auto", description="Page layout: Tesseract's page segmentation mode."
    )


def language_of(value: str) -> str:
    if value == "auto":
        return "+".join(ocr.languages()[:4]) or "eng"
    return "+".join(ALIASES.get(part, part) for part in value.lower().split("+"))


def prepare(image: Any, settings: Settings) -> tuple[Image.Image, float]:
    """The image as Tesseract should see it, and the scale applied."""
    pixels = Image.fromarray(rgb_array(image))
    if settings.enhance or settings.quality == "best":
        from PIL import ImageFilter, ImageOps

        # At the scan's own resolution, where a speck is one pixel and the median removes it.
        grey = pixels.convert("L").filter(ImageFilter.MedianFilter(3))
        pixels = ImageOps.autocontrast(grey, cutoff=1)
    elif image.bands < 3:
        pixels = pixels.convert("L")  # as the CLI reads a grey scan: one band, not three
    edge = max(pixels.width, pixels.height)
    scale = 1.0
    if edge > MAX_EDGE[settings.quality]:
        scale = MAX_EDGE[settings.quality] / edge
    elif edge < MIN_TEXT_EDGE[settings.quality]:
        scale = min(4.0, MIN_TEXT_EDGE[settings.quality] / edge)
    if scale != 1.0:
        size = (max(1, round(pixels.width * scale)), max(1, round(pixels.height * scale)))
        pixels = pixels.resize(size, Image.Resampling.LANCZOS)
    return pixels, scale


@tool(
    "image",
    "ocr",
    name="OCR / Text Extraction",
    settings=Settings,
    produces=("text/plain",),
    pipeline=False,
    availability=ocr.available,
)
def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
    """Extract the text of an image with Tesseract 5 (on the CPU, offline), as plain text
    plus every word with its box (in the image's pixels, after EXIF orientation) and
    confidence (0–100). Languages are Tesseract's installed language packs
    (`apt-get install tesseract-ocr-<lang>`)."""
    lang = language_of(settings.language)
    ocr.check_language(lang)
    image = imaging.load_input(inputs.first)
    ctx.progress(10, "Reading text")
    pixels, scale = prepare(image, settings)
    page = ocr.recognize(pixels, lang=lang, layout=settings.layout)
    words = []
    for word in page.words:
        item = word.json()
        item["box"] = {k: round(v / scale) for k, v in item["box"].items()}
        words.append(item)
    out = ctx.output(f"{inputs.first.stem}.txt", "text/plain")
    out.path.write_text(page.text + "\n", encoding="utf-8")
    data = {
        "text": page.text,
        "language": lang,
        "engine": f"tesseract {ocr.version()}",
        "confidence": round(page.confidence, 1),
        "wordCount": len(words),
        "words": words,
    }
    return ToolResult(files=[out], data=data)
