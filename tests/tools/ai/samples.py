"""Real inputs with known ground truth for the AI tools: text rendered with DejaVu, a
scanned-looking page, and error rates (character and word) against the truth."""

from __future__ import annotations

import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PARAGRAPH = (
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Satchel stores, understands and transforms files on your own server.",
    "Invoice 2047 was paid on 14 March 2026 for 318 euros and 40 cents.",
    "Every model runs offline on the processor, with weights from packages.",
)


def render(lines: tuple[str, ...] = PARAGRAPH, *, size: int = 32, margin: int = 40) -> Image.Image:
    font = ImageFont.truetype(str(DEJAVU), size)
    width = max(int(font.getlength(line)) for line in lines) + 2 * margin
    step = int(size * 1.6)
    image = Image.new("RGB", (width, step * len(lines) + 2 * margin), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * step), line, font=font, fill=(20, 20, 20))
    return image


def scanned(image: Image.Image, *, skew: float = 1.0, seed: int = 7) -> Image.Image:
    """Grey, skewed by `skew` degrees, blurred a little and sprinkled with noise."""
    grey = image.convert("L").rotate(skew, resample=Image.BICUBIC, expand=True, fillcolor=255)
    grey = grey.filter(ImageFilter.GaussianBlur(0.6))
    rng = random.Random(seed)
    pixels = grey.load()
    assert pixels is not None
    for _ in range(grey.width * grey.height // 60):
        x, y = rng.randrange(grey.width), rng.randrange(grey.height)
        pixels[x, y] = rng.choice((0, 90, 170, 255))
    return grey


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def distance(a: list[str] | str, b: list[str] | str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def normalized(text: str) -> str:
    return " ".join(text.split())


def cer(truth: str, found: str) -> float:
    truth, found = normalized(truth), normalized(found)
    return distance(truth, found) / len(truth)


def wer(truth: str, found: str) -> float:
    def words(t: str) -> list[str]:
        return ["".join(c for c in w.lower() if c.isalnum()) for w in t.split()]

    a, b = words(truth), words(found)
    return distance(a, b) / len(a)
