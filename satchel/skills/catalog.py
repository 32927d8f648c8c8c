"""The skills: named sequences of steps run on a stored asset. A step is a tool run in the
sandbox (its JSON facts become an AI result) or a composition of results already there
(tags, captions, alt text: templated from what is known, and labelled so)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from satchel.skills import compose

Compose = Callable[[dict[str, Any], dict[str, dict[str, Any]]], dict[str, Any]]


@dataclass(frozen=True)
class Step:
    name: str
    kinds: frozenset[str]  # asset kinds the step applies to; others skip it
    tool: str | None = None  # a tool id run on the asset's file
    settings: dict[str, Any] = field(default_factory=dict)
    result: str | None = None  # the AI result kind it writes
    compose: Compose | None = None  # or: builds a result from the asset and earlier results
    optional: bool = False  # a failure here does not fail the skill
    derivative: str | None = None  # the tool's first output is kept as this derivative


IMAGE = frozenset({"image"})
SOUND = frozenset({"audio", "video"})
ANY = frozenset({"image", "video", "audio", "pdf", "document", "text", "other", "data"})


@dataclass(frozen=True)
class Skill:
    name: str
    description: str
    steps: tuple[Step, ...]
    slow: bool = False

    def applies_to(self, kind: str) -> bool:
        return any(kind in s.kinds for s in self.steps if s.tool is not None) or all(
            s.tool is None for s in self.steps
        )


def _ocr_step(optional: bool = False) -> Step:
    settings = {"quality": "balanced"}
    return Step("ocr", IMAGE, tool="ocr", settings=settings, result="ocr", optional=optional)


def _faces_step(optional: bool = False) -> Step:
    return Step("detect-faces", IMAGE, tool="detect-faces", result="faces", optional=optional)


def _colors_step() -> Step:
    return Step(
        "colors", IMAGE, tool="color-palette", settings={"count": 5}, result="colors", optional=True
    )


def _described(name: str, description: str, last: Step) -> Skill:
    """A skill that gathers what is known of an image (faces, colours, OCR words, each
    optional) and then composes one result from it by rules."""
    known = (_faces_step(optional=True), _colors_step(), _ocr_step(optional=True))
    return Skill(name, description, (*known, last))


SKILLS: tuple[Skill, ...] = (
    Skill(
        "ocr",
        "Read the text in an image (Tesseract 5): the text, each word's box and confidence.",
        (_ocr_step(),),
    ),
    Skill(
        "transcribe",
        "Transcribe speech in audio or video (Whisper tiny.en): segments with times and the "
        "language.",
        (Step("transcribe", SOUND, tool="transcribe-audio", result="transcript"),),
        slow=True,
    ),
    Skill(
        "faces",
        "Find faces (MediaPipe BlazeFace): boxes, six landmarks each, and the count.",
        (_faces_step(),),
    ),
    Skill(
        "hashes",
        "Perceptual hashes (pHash, dHash) for near-duplicate search.",
        (Step("perceptual-hash", IMAGE, tool="perceptual-hash", result="hashes"),),
    ),
    Skill(
        "segment",
        "Cut out the people (MediaPipe selfie segmentation): a transparent PNG kept as the "
        "asset's `person-mask` derivative, and the share of the picture they cover.",
        (
            Step(
                "person-mask",
                IMAGE,
                tool="remove-background",
                result="segment",
                derivative="person-mask",
            ),
        ),
    ),
    Skill(
        "colors",
        "The image's dominant colours and their shares.",
        (_colors_step(),),
    ),
    _described(
        "tags",
        "Tags from what is known: the kind and format, EXIF camera and place, faces, the "
        "words of OCR text, dominant colours. Derived by rules, not by an image model.",
        Step("tags", ANY, result="tags", compose=compose.tags),
    ),
    _described(
        "caption",
        "A caption templated from metadata, faces, OCR text and colours, labelled "
        "`method: template` (no captioning model ships in any package).",
        Step("caption", ANY, result="caption", compose=compose.caption),
    ),
    _described(
        "alt-text",
        "Alt text templated like `caption` and set as the asset's alt text when it has none "
        '(`{"overwrite": true}` replaces it), labelled `method: template`.',
        Step("alt-text", ANY, result="alt_text", compose=compose.alt_text),
    ),
)
BY_NAME = {s.name: s for s in SKILLS}
