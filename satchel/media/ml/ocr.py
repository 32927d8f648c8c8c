"""OCR: Tesseract 5 through tesserocr (the library in-process, one API object per language
set and process), with Debian's language data (`tesseract-ocr-<lang>`)."""

from __future__ import annotations

import functools
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from satchel.media import ml

TESSDATA_DIRS = (
    Path("/usr/share/tesseract-ocr/5/tessdata"),
    Path("/usr/share/tesseract-ocr/4.00/tessdata"),
    Path("/usr/share/tessdata"),
)
INSTALL = "apt-get install -y tesseract-ocr tesseract-ocr-eng"
_LANG = re.compile(r"^[a-z_]{3,8}(\+[a-z_]{3,8})*$", re.IGNORECASE)
# Page segmentation modes by name (Tesseract's numbers).
LAYOUTS = {"auto": 3, "single-column": 4, "single-block": 6, "single-line": 7, "sparse": 11}


def tessdata() -> Path | None:
    return next((d for d in TESSDATA_DIRS if (d / "eng.traineddata").is_file()), None) or next(
        (d for d in TESSDATA_DIRS if d.is_dir() and any(d.glob("*.traineddata"))), None
    )


def languages() -> list[str]:
    """Installed language codes (`eng`, `deu`, …), `osd` left out."""
    folder = tessdata()
    if folder is None:
        return []
    return sorted(p.stem for p in folder.glob("*.traineddata") if p.stem != "osd")


def available() -> str | None:
    if not ml.installed("tesserocr"):
        return "The tesserocr package is not installed (uv sync)."
    if tessdata() is None:
        return f"No Tesseract language data is installed ({INSTALL})."
    return None


def missing_languages(lang: str) -> list[str]:
    have = set(languages())
    return [code for code in lang.split("+") if code not in have]


def check_language(lang: str) -> None:
    if not _LANG.match(lang):
        raise ml.unavailable(f"Not a Tesseract language code: {lang!r}.")
    missing = missing_languages(lang)
    if missing:
        packages = " ".join(f"tesseract-ocr-{m.replace('_', '-')}" for m in missing)
        raise ml.unavailable(
            f"OCR language {'+'.join(missing)} is not installed (apt-get install -y {packages})."
        )


@dataclass
class Word:
    text: str
    confidence: float
    box: tuple[int, int, int, int]  # left, top, width, height
    line: int

    def json(self) -> dict[str, Any]:
        left, top, width, height = self.box
        return {
            "text": self.text,
            "confidence": round(self.confidence, 1),
            "box": {"left": left, "top": top, "width": width, "height": height},
            "line": self.line,
        }


@dataclass
class Page:
    text: str
    words: list[Word] = field(default_factory=list)

    @property
    def confidence(self) -> float:
        if not self.words:
            return 0.0
        return sum(w.confidence for w in self.words) / len(self.words)


_apis: dict[tuple[str, int], Any] = {}
_api_lock = threading.Lock()


@functools.cache
@functools.cache
def version() -> str | None:
    """Tesseract's version, without loading it into this process (`GET /features` asks in
    the API process): from the wheel's bundled library name, else asked of a child."""
    if not ml.installed("tesserocr"):
        return None
    folder = ml.package_dir("tesserocr")
    if folder is not None:
        for lib in sorted((folder.parent / "tesserocr.libs").glob("libtesseract*.so.*")):
            return lib.name.split(".so.", 1)[1]
    script = "import tesserocr; print(tesserocr.tesseract_version().split()[1])"
    out = subprocess.run(  # noqa: S603  # our own interpreter, fixed code
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    return (out.stdout.strip() or None) if out.returncode == 0 else None


def _api(lang: str, psm: int) -> Any:
    import tesserocr

    key = (lang, psm)
    api = _apis.get(key)
    if api is None:
        api = tesserocr.PyTessBaseAPI(path=str(tessdata()) + "/", lang=lang, psm=psm)
        _apis[key] = api
    return api


def recognize(image: Any, *, lang: str = "eng", layout: str = "auto", dpi: int = 300) -> Page:
    """Text, and each word with its confidence (0–100) and box, of a PIL image."""

    check_language(lang)
    with _api_lock:  # a TessBaseAPI is not thread-safe; each process has its own
        api = _api(lang, LAYOUTS[layout])
        api.SetImage(image)
        api.SetSourceResolution(dpi)
        try:
            return _read(api)
        except RuntimeError:  # tesserocr's "No text returned": a page without text
            return Page(text="")
        finally:
            api.Clear()


def _read(api: Any) -> Page:
    import tesserocr

    api.Recognize()
    text = api.GetUTF8Text()
    words: list[Word] = []
    level, line = tesserocr.RIL.WORD, -1
    it = api.GetIterator()
    while it is not None:
        if it.IsAtBeginningOf(tesserocr.RIL.TEXTLINE):
            line += 1
        word, box = it.GetUTF8Text(level), it.BoundingBox(level)
        if word and word.strip() and box is not None:
            x0, y0, x1, y1 = box
            confidence = float(it.Confidence(level))
            words.append(Word(word, confidence, (x0, y0, x1 - x0, y1 - y0), line))
        if not it.Next(level):
            break
    return Page(text=text.strip(), words=words)
