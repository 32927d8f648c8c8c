"""Face detection: MediaPipe BlazeFace (full range, TFLite) with its anchor decoder and
weighted non-maximum suppression; boxes and six landmarks in the image's pixels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from satchel.media.ml import litert

MODEL = "face_detection_full_range.tflite"
SIZE = 192
LANDMARKS = ("rightEye", "leftEye", "noseTip", "mouth", "rightEar", "leftEar")
NMS_IOU = 0.3


def available() -> str | None:
    return litert.available(MODEL)


def _anchors() -> np.ndarray[Any, np.dtype[np.float32]]:
    # Full range: one SSD layer of stride 4 (48×48 cells, one anchor each), as in
    # MediaPipe's face_detection_full_range graph.
    cells = SIZE // 4
    ys, xs = np.mgrid[0:cells, 0:cells]
    return np.stack([(xs.ravel() + 0.5) / cells, (ys.ravel() + 0.5) / cells], axis=1).astype(
        np.float32
    )


ANCHORS = _anchors()


@dataclass
class Face:
    score: float
    box: tuple[float, float, float, float]  # left, top, width, height (pixels)
    landmarks: dict[str, tuple[float, float]]

    def json(self) -> dict[str, Any]:
        left, top, width, height = self.box
        return {
            "confidence": round(self.score, 3),
            "box": {
                "left": round(left),
                "top": round(top),
                "width": round(width),
                "height": round(height),
            },
            "landmarks": {
                k: {"x": round(x), "y": round(y)} for k, (x, y) in self.landmarks.items()
            },
        }


def _iou(box: np.ndarray[Any, Any], others: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    x0 = np.maximum(box[0], others[:, 0])
    y0 = np.maximum(box[1], others[:, 1])
    x1 = np.minimum(box[2], others[:, 2])
    y1 = np.minimum(box[3], others[:, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (others[:, 2] - others[:, 0]) * (others[:, 3] - others[:, 1])
    return np.asarray(inter / np.maximum(area + areas - inter, 1e-9))


def detect(rgb: np.ndarray[Any, Any], *, threshold: float = 0.5) -> list[Face]:
    """Faces in an (height, width, 3) RGB array, most confident first."""
    tensor, scale, pad_x, pad_y = litert.letterbox(rgb, SIZE)
    regressors, scores = litert.run(MODEL, tensor)
    raw = regressors[0] / SIZE  # offsets in units of the input square
    score = 1.0 / (1.0 + np.exp(-np.clip(scores[0, :, 0], -100, 100)))
    keep = np.where(score >= threshold)[0]
    if keep.size == 0:
        return []
    centres = ANCHORS[keep] + raw[keep, 0:2]
    half = raw[keep, 2:4] / 2
    boxes = np.concatenate([centres - half, centres + half], axis=1)
    points = ANCHORS[keep, None, :] + raw[keep, 4:16].reshape(-1, 6, 2)
    order = np.argsort(-score[keep])
    faces: list[Face] = []
    remaining = order
    while remaining.size:
        best = remaining[0]
        overlap = _iou(boxes[best], boxes[remaining])
        group = remaining[overlap >= NMS_IOU]
        remaining = remaining[overlap < NMS_IOU]
        weights = score[keep][group][:, None]  # weighted NMS: average the cluster
        box = (boxes[group] * weights).sum(axis=0) / weights.sum()
        marks = (points[group] * weights[:, :, None]).sum(axis=0) / weights.sum()
        faces.append(_to_pixels(float(score[keep][best]), box, marks, scale, pad_x, pad_y, rgb))
    return faces


def _to_pixels(
    score: float,
    box: np.ndarray[Any, Any],
    marks: np.ndarray[Any, Any],
    scale: float,
    pad_x: int,
    pad_y: int,
    rgb: np.ndarray[Any, Any],
) -> Face:
    height, width = rgb.shape[:2]

    def px(x: float, y: float) -> tuple[float, float]:
        return (
            min(max((x * SIZE - pad_x) / scale, 0.0), float(width)),
            min(max((y * SIZE - pad_y) / scale, 0.0), float(height)),
        )

    x0, y0 = px(float(box[0]), float(box[1]))
    x1, y1 = px(float(box[2]), float(box[3]))
    landmarks = {
        name: px(float(x), float(y)) for name, (x, y) in zip(LANDMARKS, marks, strict=True)
    }
    return Face(score, (x0, y0, x1 - x0, y1 - y0), landmarks)


DETECT_EDGE = 1280  # faces are looked for in a copy this big (the model sees 192×192)


def find(image: Any, *, threshold: float = 0.5) -> list[Face]:
    """Faces in a decoded vips image, in its own pixels."""
    from satchel.media import ml

    scale = min(1.0, DETECT_EDGE / max(image.width, image.height))
    small = image.resize(scale) if scale < 1.0 else image
    found = detect(ml.rgb_array(small), threshold=threshold)
    if scale == 1.0:
        return found
    k = 1 / scale
    for face in found:
        left, top, width, height = face.box
        face.box = (left * k, top * k, width * k, height * k)
        face.landmarks = {n: (x * k, y * k) for n, (x, y) in face.landmarks.items()}
    return found


def threshold_for(sensitivity: float) -> float:
    """The seed's sensitivity (0–1, higher finds more) as a score threshold."""
    return round(0.85 - 0.6 * sensitivity, 3)
