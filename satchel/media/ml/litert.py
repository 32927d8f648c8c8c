"""TensorFlow Lite models (MediaPipe's, vendored in `models/`) on ai-edge-litert, one
interpreter per model and process, one thread each."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from satchel.media import ml

if TYPE_CHECKING:  # numpy loads when a model runs, not with the features catalog
    import numpy as np

MODELS = Path(__file__).parent / "models"
PINNED = {
    "face_detection_full_range.tflite": (
        "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3"
    ),
    "face_detection_short_range.tflite": (
        "3bc182eb9f33925d9e58b5c8d59308a760f4adea8f282370e428c51212c26633"
    ),
    "selfie_segmentation.tflite": (
        "8d13b7fae74af625c641226813616a2117bd6bca19eb3b75574621fc08557f27"
    ),
}

_interpreters: dict[str, Any] = {}
_lock = threading.Lock()


def available(name: str) -> str | None:
    if not ml.installed("ai_edge_litert"):
        return "The ai-edge-litert package is not installed (uv sync)."
    if not (MODELS / name).is_file():
        return f"The model file {name} is missing from {MODELS}."
    return None


def run(name: str, tensor: np.ndarray[Any, Any]) -> list[np.ndarray[Any, Any]]:
    """The model's outputs (in declaration order) for one input tensor."""
    with _lock:
        interpreter = _interpreters.get(name)
        if interpreter is None:
            why = available(name)
            if why:
                raise ml.unavailable(why)
            ml.check_model(MODELS / name, PINNED[name])
            from ai_edge_litert.interpreter import Interpreter

            interpreter = Interpreter(model_path=str(MODELS / name), num_threads=1)
            interpreter.allocate_tensors()
            _interpreters[name] = interpreter
        interpreter.set_tensor(interpreter.get_input_details()[0]["index"], tensor)
        interpreter.invoke()
        return [interpreter.get_tensor(d["index"]).copy() for d in interpreter.get_output_details()]


def letterbox(rgb: np.ndarray[Any, Any], size: int) -> tuple[np.ndarray[Any, Any], float, int, int]:
    """The image fitted into a size×size square (padded, centred) as a float tensor in
    [-1, 1], with the scale and the padding to map results back."""
    import numpy as np
    from PIL import Image

    height, width = rgb.shape[:2]
    scale = size / max(width, height)
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    small = np.asarray(Image.fromarray(rgb).resize((w, h), Image.Resampling.BILINEAR))
    square = np.zeros((size, size, 3), dtype=np.float32)
    pad_x, pad_y = (size - w) // 2, (size - h) // 2
    square[pad_y : pad_y + h, pad_x : pad_x + w] = small.astype(np.float32) / 127.5 - 1.0
    return square[None], scale, pad_x, pad_y
