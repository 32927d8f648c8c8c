"""Linear FFmpeg filter chains over decoded frames (PyAV graphs), built from the first
frame a stream decodes, so a decoder that reports its format late or changes it is fine.

A chain is a list of `(filter, arguments)` pairs, e.g. `[("scale", "1280:-2"),
("fps", "30")]`: the bundled FFmpeg's filters, in order. Frames come out with times
rebased to start at `offset` seconds (0 for the first file, the end of the previous one
when files are joined).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import av as pyav
from av.audio.frame import AudioFrame
from av.filter import Graph
from av.filter.context import FilterContext
from av.video.frame import VideoFrame

Chain = Sequence[tuple[str, str]]
Frame = VideoFrame | AudioFrame

# Turns that show a frame upright, as filters (phone clips carry a display matrix).
UPRIGHT: dict[int, Chain] = {
    90: [("transpose", "clock")],
    180: [("hflip", ""), ("vflip", "")],
    270: [("transpose", "cclock")],
}


class Track:
    """One output stream's chain: feed decoded frames, get filtered frames with times."""

    def __init__(
        self,
        kind: str,
        chain: Chain,
        *,
        tail: Chain,
        offset: float = 0.0,
        backdrop: Chain | None = None,
        overlay: tuple[VideoFrame, str, str] | None = None,
    ) -> None:
        self.kind = kind
        self.chain = list(chain)
        self.tail = list(tail)  # the encoder's format, appended after the chain
        self.offset = offset
        self.graph: Graph | None = None
        self.first: float | None = None
        self.last = offset  # time of the last frame out, seconds
        self.step = 0.0  # duration of the last frame out
        self.upright = True
        self.closed = False  # the chain ended (a trim's end): later frames are dropped
        self.backdrop = backdrop  # a background made from the picture itself (blur-pad)
        self.overlay = overlay  # a still RGBA picture and its x, y expressions (watermarks)
        self.overlay_source: FilterContext | None = None
        self.source: FilterContext
        self.sink: FilterContext

    def _build(self, frame: Frame) -> Graph:
        graph = Graph()
        if isinstance(frame, VideoFrame):
            source = graph.add_buffer(
                width=frame.width,
                height=frame.height,
                format=frame.format,
                time_base=frame.time_base or Fraction(1, 90000),
            )
            turn = (-round(frame.rotation)) % 360 if self.upright else 0
            last = _link(graph, source, UPRIGHT.get(turn, []))
            if self.backdrop is not None:
                last = self._over_backdrop(graph, last)
            last = _link(graph, last, self.chain)
            if self.overlay is not None:
                last = self._under_overlay(graph, last)
            last = _link(graph, last, self.tail)
            sink = graph.add("buffersink")
        else:
            source = graph.add_abuffer(
                sample_rate=frame.sample_rate,
                format=frame.format.name,
                layout=frame.layout.name,
                time_base=frame.time_base or Fraction(1, frame.sample_rate),
            )
            last = _link(graph, source, [*self.chain, *self.tail])
            sink = graph.add("abuffersink")
        last.link_to(sink)
        graph.configure()
        self.source, self.sink = source, sink
        if self.overlay is not None and self.overlay_source is not None:
            self.overlay_source.push(self.overlay[0])
            self.overlay_source.push(None)
        return graph

    def _over_backdrop(self, graph: Graph, last: FilterContext) -> FilterContext:
        """The picture split in two: the backdrop chain makes the background, the rest of
        the chain the picture, overlaid on it in the middle."""
        assert self.backdrop is not None
        split = graph.add("split", "2")
        last.link_to(split)
        back = _link(graph, split, self.backdrop)
        front = _link(graph, split, self.chain, output=1)
        self.chain = []
        overlay = graph.add("overlay", "x=(W-w)/2:y=(H-h)/2")
        back.link_to(overlay, 0, 0)
        front.link_to(overlay, 0, 1)
        return overlay

    def _under_overlay(self, graph: Graph, last: FilterContext) -> FilterContext:
        """A still RGBA picture over every frame (pushed once; the overlay repeats it)."""
        assert self.overlay is not None
        picture, x, y = self.overlay
        still = graph.add_buffer(
            width=picture.width, height=picture.height, format=picture.format,
            time_base=Fraction(1, 1000),
        )  # fmt: skip
        self.overlay_source = still
        overlay = graph.add("overlay", f"x={x}:y={y}:eof_action=repeat:format=auto")
        last.link_to(overlay, 0, 0)
        still.link_to(overlay, 0, 1)
        return overlay

    def feed(self, frame: Frame | None) -> list[Frame]:
        """Filtered frames for one decoded frame (None: the end, flush the chain)."""
        if self.closed:
            return []
        if self.graph is None:
            if frame is None:
                return []
            self.graph = self._build(frame)
        if frame is not None and isinstance(frame, VideoFrame):
            frame.pict_type = pyav.video.frame.PictureType.NONE  # let the encoder choose
        try:
            self.source.push(frame)
        except pyav.EOFError:
            self.closed = True
            return []
        out: list[Frame] = []
        while True:
            try:
                got = self.sink.pull()
            except (pyav.BlockingIOError, pyav.EOFError):
                return out
            if isinstance(got, VideoFrame | AudioFrame):
                out.append(got)

    def clock(self, frame: Frame) -> float:
        """The frame's output time in seconds (from `offset` on); also remembers it."""
        t = float(frame.time) if frame.time is not None else self.last + self.step
        if self.first is None:
            self.first = t
        out = t - self.first + self.offset
        if isinstance(frame, AudioFrame) and frame.sample_rate:
            self.step = frame.samples / frame.sample_rate
        elif out > self.last:
            self.step = out - self.last
        self.last = max(self.last, out)
        return out

    @property
    def end(self) -> float:
        """Where a file joined after this one starts."""
        return self.last + (self.step or 0.04)


def _link(graph: Graph, last: FilterContext, chain: Chain, *, output: int = 0) -> FilterContext:
    for name, args in chain:
        node = graph.add(name, args) if args else graph.add(name)
        last.link_to(node, output, 0)
        last, output = node, 0
    return last
