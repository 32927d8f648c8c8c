"""People segmentation: MediaPipe selfie segmentation (TFLite, 256×256), a soft person
mask at the image's own size. People only: no generic-object model ships under a licence
and in a package we can use by default."""

from __future__ import annotations

from typing import Any

import numpy as np
from PIL import Image

from satchel.media.ml import litert

MODEL = "selfie_segmentation.tflite"
SIZE = 256


def available() -> str | None:
    return litert.available(MODEL)


def person_mask(rgb: np.ndarray[Any, Any]) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """An (height, width) 0–255 mask: 255 where a person (or what they hold) is."""
    height, width = rgb.shape[:2]
    small = np.asarray(Image.fromarray(rgb).resize((SIZE, SIZE), Image.Resampling.BILINEAR))
    tensor = (small.astype(np.float32) / 255.0)[None]
    (out,) = litert.run(MODEL, tensor)
    soft = Image.fromarray(np.clip(out[0, :, :, 0] * 255, 0, 255).astype(np.uint8))
    return np.asarray(soft.resize((width, height), Image.Resampling.BILINEAR))


def find(image: Any, *, max_edge: int = 1024) -> np.ndarray[Any, np.dtype[np.uint8]]:
    """The person mask of a decoded vips image (computed on a copy at most `max_edge`)."""
    from satchel.media import ml

    scale = min(1.0, max_edge / max(image.width, image.height))
    small = image.resize(scale) if scale < 1.0 else image
    mask = person_mask(ml.rgb_array(small))
    if scale < 1.0:
        mask = np.asarray(
            Image.fromarray(mask).resize((image.width, image.height), Image.Resampling.BILINEAR)
        )
    return mask
