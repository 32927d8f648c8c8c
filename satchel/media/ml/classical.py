"""Classical image repair with OpenCV: denoising tiers, inpainting, scratch detection,
and local sharpening. The AI tools that have no bundled model use these, and say so."""

from __future__ import annotations

from typing import Any

import numpy as np

Array = np.ndarray[Any, Any]


def denoise(rgb: Array, tier: str, strength: float) -> Array:
    """`quick`: 3×3 median; `balanced`: bilateral filter; `quality`: non-local means;
    `maximum`: non-local means with a wider search. `strength` 0–1."""
    import cv2

    if tier == "quick":
        return np.asarray(cv2.medianBlur(rgb, 3))
    if tier == "balanced":
        sigma = 20 + 80 * strength
        return np.asarray(cv2.bilateralFilter(rgb, 7, sigma, sigma))
    h = 3 + 12 * strength
    window = 21 if tier == "quality" else 35
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    out = cv2.fastNlMeansDenoisingColored(bgr, None, h, h, 7, window)
    return np.asarray(cv2.cvtColor(out, cv2.COLOR_BGR2RGB))


def inpaint(rgb: Array, mask: Array, radius: int = 5) -> Array:
    """Fill the mask's pixels (non-zero) from their surroundings (Telea's fast marching)."""
    import cv2

    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    out = cv2.inpaint(bgr, (mask > 0).astype(np.uint8) * 255, radius, cv2.INPAINT_TELEA)
    return np.asarray(cv2.cvtColor(out, cv2.COLOR_BGR2RGB))


def scratches(rgb: Array, sensitivity: float = 0.5) -> Array:
    """A mask of thin bright or dark lines (morphological top-hat and black-hat on grey,
    thresholded), grown by a pixel: what a scratch or a crease looks like on a print."""
    import cv2

    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
    bright = cv2.morphologyEx(grey, cv2.MORPH_TOPHAT, kernel)
    dark = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, kernel)
    level = 80 - 50 * sensitivity
    mask = ((bright > level) | (dark > level)).astype(np.uint8) * 255
    return np.asarray(cv2.dilate(mask, np.ones((3, 3), np.uint8)))


def sharpen(rgb: Array, amount: float) -> Array:
    """Unsharp mask: the image plus `amount` × (image − its blur)."""
    import cv2

    blur = cv2.GaussianBlur(rgb, (0, 0), 2.0)
    return np.asarray(cv2.addWeighted(rgb, 1 + amount, blur, -amount, 0))


def blend(base: Array, top: Array, mask: Array) -> Array:
    """`top` where the 0–255 mask is high, `base` where it is low, soft in between."""
    weight = (mask.astype(np.float32) / 255.0)[..., None]
    return np.asarray(np.clip(top * weight + base * (1 - weight), 0, 255).astype(np.uint8))


def ellipse_mask(
    shape: tuple[int, int], boxes: list[tuple[float, float, float, float]], grow: float
) -> Array:
    """A feathered 0–255 mask of an ellipse around each (left, top, width, height) box."""
    import cv2

    mask = np.zeros(shape, dtype=np.uint8)
    for left, top, w, h in boxes:
        centre = (round(left + w / 2), round(top + h / 2))
        axes = (max(1, round(w * (0.5 + grow))), max(1, round(h * (0.5 + grow))))
        cv2.ellipse(mask, centre, axes, 0, 0, 360, 255, -1)
    radius = max(3, round(min(shape) / 100)) | 1
    return np.asarray(cv2.GaussianBlur(mask, (radius * 2 + 1, radius * 2 + 1), 0))
