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

    def __init__(self, kind: str, chain: Chain, *, tail: Chain, offset: float = 0.0) -> None:
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
            chain = [*UPRIGHT.get(turn, []), *self.chain, *self.tail]
            sink_name = "buffersink"
        else:
            source = graph.add_abuffer(
                sample_rate=frame.sample_rate,
                format=frame.format.name,
                layout=frame.layout.name,
                time_base=frame.time_base or Fraction(1, frame.sample_rate),
            )
            chain = [*self.chain, *self.tail]
            sink_name = "abuffersink"
        last = source
        for name, args in chain:
            node = graph.add(name, args) if args else graph.add(name)
            last.link_to(node)
            last = node
        last.link_to(graph.add(sink_name))
        graph.configure()
        return graph

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
            self.graph.push(frame)
        except pyav.EOFError:
            self.closed = True
            return []
        out: list[Frame] = []
        while True:
            try:
                got = self.graph.pull()
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
