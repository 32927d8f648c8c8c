"""JPEG structure without decoding: the frame's size, and every segment and scan walked
through the end-of-image marker, cheaply, so truncated or damaged files are refused."""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass

from satchel.media.images import check_image_size
from satchel.media.source import STREAM_BLOCK, Found, Source, corrupt
from satchel.media.types import MediaLimits

_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE = frozenset({0x01, *range(0xD0, 0xD8)})
_SOS, _EOI, _DRI, _SOI = 0xDA, 0xD9, 0xDD, 0xD8
# The end of entropy-coded data: 0xFF followed by anything but a stuffed zero, a restart
# marker or another 0xFF (fill bytes before a marker).
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_RESTART = re.compile(rb"\xff[\xd0-\xd7]")


@dataclass(frozen=True)
class _Frame:
    width: int
    height: int
    sampling: dict[int, tuple[int, int]]  # component id -> (horizontal, vertical) factors

    def restart_markers(self, components: list[int], interval: int) -> int | None:
        """How many restart markers a whole scan of these components has (T.81 A.2), or
        None when it cannot be known (no restart interval)."""
        if not interval or not all(c in self.sampling for c in components):
            return None
        h_max = max(h for h, _ in self.sampling.values())
        v_max = max(v for _, v in self.sampling.values())
        if len(components) > 1:
            mcus = math.ceil(self.width / (8 * h_max)) * math.ceil(self.height / (8 * v_max))
        else:  # a non-interleaved scan: one block per MCU, of that component's size
            h, v = self.sampling[components[0]]
            mcus = math.ceil(math.ceil(self.width * h / h_max) / 8) * math.ceil(
                math.ceil(self.height * v / v_max) / 8
            )
        return math.ceil(mcus / interval) - 1


def parse_jpeg(src: Source, limits: MediaLimits) -> Found:
    """Walk every marker segment and scan through the end-of-image marker.

    Cheap on purpose: the entropy-coded data of a scan is searched block by block for the
    marker that ends it (never decoded), so a file cut off anywhere (no EOI), damaged bytes
    that form an invalid marker inside the image data, or a scan with fewer restart
    markers than its size needs, is refused as corrupt. Bytes after the EOI (a trailer,
    an appended preview) are allowed, as decoders ignore them.
    """
    pos = 2
    frame: _Frame | None = None
    interval = scans = 0
    while True:
        if src.read_at(pos, 1) != b"\xff":
            raise corrupt(f"JPEG has no marker at byte {pos} (damaged image data)")
        marker_bytes = src.read_at(pos + 1, 1)
        while marker_bytes == b"\xff":  # fill bytes are allowed before any marker
            pos += 1
            marker_bytes = src.read_at(pos + 1, 1)
        if not marker_bytes:
            if scans:
                raise corrupt("JPEG is truncated: its image data has no end-of-image marker")
            raise corrupt("JPEG is truncated before its image data")
        marker = marker_bytes[0]
        pos += 2
        if marker == _EOI:
            if frame is None or not scans:
                raise corrupt("JPEG ends before its image data")
            return Found("image/jpeg", width=frame.width, height=frame.height)
        if marker in _STANDALONE:
            continue
        if marker in (_SOI, 0x00) or marker < 0xC0:
            raise corrupt(f"JPEG has an invalid marker 0x{marker:02x} at byte {pos - 2}")
        (length,) = struct.unpack(">H", src.read_exact(pos, 2, "JPEG segment"))
        if length < 2 or pos + length > src.size:
            raise corrupt("JPEG segment length is invalid or truncated")
        if marker in _SOF_MARKERS:
            frame = _frame(src, pos, length, frame, limits)
        elif marker == _DRI:
            if length != 4:
                raise corrupt("JPEG restart interval segment is invalid")
            (interval,) = struct.unpack(">H", src.read_exact(pos + 2, 2, "JPEG restart interval"))
        elif marker == _SOS:
            if frame is None:
                raise corrupt("JPEG has image data before any frame header")
            header = src.read_exact(pos + 2, length - 2, "JPEG scan header")
            count = header[0]
            if not 1 <= count <= 4 or length != 6 + 2 * count:
                raise corrupt("JPEG scan header is inconsistent")
            expected = frame.restart_markers(list(header[1 : 1 + 2 * count : 2]), interval)
            end, restarts = _scan_end(src, pos + length, count_restarts=expected is not None)
            if expected is not None and restarts < expected:
                raise corrupt(
                    f"JPEG image data is incomplete: {restarts} of {expected} restart markers"
                )
            scans += 1
            pos = end
            continue
        pos += length


def _frame(src: Source, pos: int, length: int, seen: _Frame | None, limits: MediaLimits) -> _Frame:
    if seen is not None:
        raise corrupt("JPEG has two frame headers")
    sof = src.read_exact(pos + 2, 6, "JPEG frame header")
    height, width, components = struct.unpack(">HHB", sof[1:6])
    if length != 8 + 3 * components or components == 0:
        raise corrupt("JPEG frame header is inconsistent")
    if width == 0 or height == 0:  # a height given later (DNL) is refused too
        raise corrupt("JPEG frame header declares an empty image")
    table = src.read_exact(pos + 8, 3 * components, "JPEG frame header")
    sampling = {table[i]: (table[i + 1] >> 4, table[i + 1] & 15) for i in range(0, len(table), 3)}
    if any(not (1 <= h <= 4 and 1 <= v <= 4) for h, v in sampling.values()):
        raise corrupt("JPEG frame header has invalid sampling factors")
    check_image_size(width, height, limits)
    return _Frame(width, height, sampling)


def _scan_end(src: Source, start: int, *, count_restarts: bool) -> tuple[int, int]:
    """Where the entropy-coded data from `start` ends (the position of the marker after
    it), and how many restart markers it holds (when asked); searched a block at a time."""
    pos, carry, restarts = start, b"", 0
    while True:
        block = src.read_at(pos, STREAM_BLOCK)
        if not block:
            raise corrupt("JPEG is truncated: its image data has no end-of-image marker")
        # One byte carried over finds a marker split between two blocks (and is never
        # counted twice: a two-byte marker cannot start at a block's last byte).
        window = carry + block
        found = _SCAN_END.search(window)
        stop = found.start() if found else len(window)
        if count_restarts:
            restarts += len(_RESTART.findall(window, 0, stop))  # one C pass
        if found:
            return pos - len(carry) + found.start(), restarts
        carry = window[-1:]
        pos += len(block)
