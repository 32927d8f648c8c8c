"""Subtitles (PyAV's demuxers and decoders for SRT, WebVTT, ASS/SSA, MOV text): cues read
from a subtitle file or a video's subtitle stream, written as SRT, and drawn onto frames
(the bundled FFmpeg has no libass `subtitles` filter: cues are typeset by the imaging
engine and blended in)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from av.subtitles.subtitle import AssSubtitle
from av.video.frame import VideoFrame

from satchel.media import typeset
from satchel.media.avedit import StreamMissing, opened
from satchel.media.pixels import ImageLimits

MAX_CUES = 20_000
_OVERRIDES = re.compile(r"\{[^}]*\}")
_TAGS = re.compile(r"</?(b|i|u|s|font)[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def plain(ass: str) -> str:
    """The text of an ASS dialogue event (or plain cue) without styling."""
    parts = ass.split(",", 8)
    if len(parts) == 9 and parts[0].strip().isdigit():  # ReadOrder,Layer,Style,…,Text
        ass = parts[8]
    text = _OVERRIDES.sub("", ass).replace("\\N", "\n").replace("\\n", "\n").replace("\\h", " ")
    return _TAGS.sub("", text).strip()


def cues(path: Path, name: str = "The subtitle file") -> list[Cue]:
    """Every cue of the first subtitle stream, in time order."""
    found: list[Cue] = []
    with opened(path, name) as container:
        if not container.streams.subtitles:
            raise StreamMissing(f"{name} has no subtitles.")
        stream = container.streams.subtitles[0]
        for packet in container.demux(stream):
            if packet.pts is None or packet.time_base is None:
                continue
            start = float(packet.pts * packet.time_base)
            end = start + float((packet.duration or 0) * packet.time_base)
            for sub in packet.decode():
                rects = [sub] if isinstance(sub, AssSubtitle) else getattr(sub, "rects", ())
                texts = [plain(_ass_text(r)) for r in rects if isinstance(r, AssSubtitle)]
                text = "\n".join(t for t in texts if t)
                if text:
                    found.append(Cue(start, max(end, start + 0.04), text))
            if len(found) > MAX_CUES:
                break
    return sorted(found, key=lambda c: c.start)


def _ass_text(rect: AssSubtitle) -> str:
    raw = rect.ass
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _stamp(seconds: float) -> str:
    ms = max(0, round(seconds * 1000))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d},{ms % 1000:03d}"


def to_srt(found: list[Cue]) -> str:
    return "".join(
        f"{i}\n{_stamp(c.start)} --> {_stamp(c.end)}\n{c.text}\n\n"
        for i, c in enumerate(found, start=1)
    )


class Burner:
    """A frame hook that draws the cue showing at each frame's time near its bottom."""

    def __init__(self, found: list[Cue], *, size: int, limits: ImageLimits) -> None:
        self.cues = found
        self.size = size
        self.limits = limits
        self.layers: dict[tuple[int, int], np.ndarray[Any, Any]] = {}
        self.at = 0  # index of the first cue that has not ended yet

    def layer(self, index: int, width: int) -> np.ndarray[Any, Any]:
        key = (index, width)
        if key not in self.layers:
            self.layers.clear()  # one cue at a time is drawn: keep memory flat
            mask = typeset.render_text(
                self.cues[index].text,
                face=typeset.face("dejavu-sans", bold=True),
                size=self.size,
                limits=self.limits,
                wrap_width=max(16, int(width * 0.9)),
                align="center",
            )
            border = max(1, self.size // 12)
            image = typeset.stroked(
                typeset.pad(mask, border), [255, 255, 255, 255], [0, 0, 0, 255], border
            )
            self.layers[key] = np.ndarray(
                buffer=image.write_to_memory(),
                dtype=np.uint8,
                shape=(image.height, image.width, image.bands),
            )
        return self.layers[key]

    def __call__(self, frame: VideoFrame, at: float) -> VideoFrame:
        while self.at < len(self.cues) and self.cues[self.at].end <= at:
            self.at += 1
        showing = [
            i
            for i in range(self.at, min(self.at + 4, len(self.cues)))
            if self.cues[i].start <= at < self.cues[i].end
        ]
        if not showing:
            return frame
        rgb = frame.to_ndarray(format="rgb24")
        height, width = rgb.shape[:2]
        bottom = height - max(4, height // 20)
        for index in reversed(showing):
            layer = self.layer(index, width)[:height, :width]
            h, w = layer.shape[:2]
            y, x = max(0, bottom - h), max(0, (width - w) // 2)
            alpha = layer[..., 3:4].astype(np.float32) / 255
            region = rgb[y : y + h, x : x + w].astype(np.float32)
            blended = region * (1 - alpha) + layer[..., :3].astype(np.float32) * alpha
            rgb[y : y + h, x : x + w] = blended.astype(np.uint8)
            bottom = y
        out = VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format=frame.format.name)
        return out
