"""Tags, captions and alt text composed by rules from what is known about an asset (its
metadata, faces, OCR text, colours). No model writes these: each result says
`method: template`, and names the results it was made from."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

Results = dict[str, dict[str, Any]]

_STOP = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "is",
        "are",
        "was",
        "were",
        "be",
        "this",
        "that",
        "it",
        "its",
        "as",
        "not",
        "no",
        "yes",
        "you",
        "your",
        "we",
        "our",
        "they",
        "their",
        "he",
        "she",
        "his",
        "her",
        "them",
    ]
)
_WORD = re.compile(r"[A-Za-zÀ-ÿ]{3,}")
# Named colours (sRGB) for words: the nearest name to each dominant colour.
_COLOURS = {
    "black": (0, 0, 0),
    "white": (255, 255, 255),
    "grey": (128, 128, 128),
    "red": (200, 30, 30),
    "orange": (240, 140, 20),
    "yellow": (240, 220, 40),
    "green": (40, 160, 60),
    "blue": (40, 80, 200),
    "purple": (130, 50, 160),
    "pink": (240, 150, 190),
    "brown": (130, 80, 40),
    "beige": (225, 205, 170),
    "teal": (0, 128, 128),
    "navy": (20, 30, 90),
}


def colour_name(rgb: list[int]) -> str:
    return min(
        _COLOURS, key=lambda n: sum((a - b) ** 2 for a, b in zip(rgb, _COLOURS[n], strict=True))
    )


def colour_words(results: Results, limit: int = 2) -> list[str]:
    names: list[str] = []
    for entry in results.get("colors", {}).get("colors", []):
        if entry.get("share", 0) < 0.1:
            continue
        name = colour_name(entry["rgb"])
        if name not in names:
            names.append(name)
    return names[:limit]


def ocr_words(results: Results, limit: int = 8) -> list[str]:
    text = results.get("ocr", {}).get("text", "") or ""
    counts = Counter(w.lower() for w in _WORD.findall(text) if w.lower() not in _STOP)
    return [w for w, _ in counts.most_common(limit)]


def face_count(results: Results) -> int | None:
    faces = results.get("faces")
    return None if faces is None else int(faces.get("count", 0))


def _sources(results: Results) -> list[str]:
    return sorted(k for k in ("faces", "ocr", "colors", "transcript") if k in results)


def tags(asset: dict[str, Any], results: Results) -> dict[str, Any]:
    found: list[str] = [asset["kind"]]
    subtype = asset["media_type"].split("/", 1)[-1].split("+")[0]
    found.append(subtype)
    info = asset.get("info") or {}
    if info.get("camera_make"):
        found += ["photo", str(info["camera_make"]).split()[0].lower()]
    if info.get("gps"):
        found.append("geotagged")
    count = face_count(results)
    if count == 1:
        found += ["person", "face", "portrait"]
    elif count:
        found += ["people", "faces", "group"]
    words = ocr_words(results)
    if words:
        found.append("text")
    found += colour_words(results)
    width, height = asset.get("width"), asset.get("height")
    if width and height:
        found.append(
            "landscape"
            if width > height * 1.1
            else "portrait-orientation"
            if height > width * 1.1
            else "square"
        )
    found += words
    unique = list(dict.fromkeys(t for t in found if t))
    return {"tags": unique, "method": "rules", "sources": _sources(results)}


def _describe(asset: dict[str, Any], results: Results) -> str:
    kind = asset["kind"]
    info = asset.get("info") or {}
    noun = {"image": "image", "video": "video", "audio": "audio recording", "pdf": "PDF"}.get(
        kind, "file"
    )
    if kind == "image" and info.get("camera_make"):
        noun = "photo"
    parts: list[str] = []
    count = face_count(results)
    if count == 1:
        parts.append("one face")
    elif count:
        parts.append(f"{count} faces")
    colours = colour_words(results)
    text = (results.get("ocr", {}).get("text") or "").strip()
    sentence = f"{'An' if noun[0] in 'aeiouAEIOU' else 'A'} {noun}"
    if parts:
        sentence += " with " + " and ".join(parts)
    if colours:
        sentence += ", mostly " + " and ".join(colours)
    if text:
        snippet = " ".join(text.split())
        snippet = snippet if len(snippet) <= 80 else snippet[:77].rsplit(" ", 1)[0] + "…"
        sentence += f', with the text "{snippet}"'
    transcript = (results.get("transcript", {}).get("text") or "").strip()
    if transcript:
        snippet = transcript if len(transcript) <= 80 else transcript[:77].rsplit(" ", 1)[0] + "…"
        sentence += f', in which someone says "{snippet}"'
    camera = " ".join(str(info[k]) for k in ("camera_make", "camera_model") if info.get(k))
    if camera:
        sentence += f", taken with a {camera}"
    return sentence + "."


def caption(asset: dict[str, Any], results: Results) -> dict[str, Any]:
    return {"text": _describe(asset, results), "method": "template", "sources": _sources(results)}


def alt_text(asset: dict[str, Any], results: Results) -> dict[str, Any]:
    return {"text": _describe(asset, results), "method": "template", "sources": _sources(results)}
