"""Random access to the stored upload, and the result each format parser hands back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from satchel.codes import Code
from satchel.errors import Invalid

HEAD_SIZE = 64 * 1024
STREAM_BLOCK = 1024 * 1024


class Source:
    """An open upload: its size, its first bytes kept in memory, and reads at any offset."""

    def __init__(self, file: BinaryIO, size: int) -> None:
        self.file = file
        self.size = size
        self.head = file.read(HEAD_SIZE)

    def read_at(self, offset: int, length: int) -> bytes:
        """Up to `length` bytes at `offset` (short at the end of the file, never beyond it)."""
        if offset < 0 or length <= 0 or offset >= self.size:
            return b""
        end = offset + length
        if end <= len(self.head):
            return self.head[offset:end]
        self.file.seek(offset)
        return self.file.read(min(length, self.size - offset))

    def read_exact(self, offset: int, length: int, what: str) -> bytes:
        data = self.read_at(offset, length)
        if len(data) != length:
            raise corrupt(f"{what} is truncated")
        return data

    def blocks(self, offset: int, length: int) -> Iterator[bytes]:
        """Stream `length` bytes from `offset` in bounded blocks: huge files stay out of memory."""
        end = min(self.size, offset + length)
        while offset < end:
            block = self.read_at(offset, min(STREAM_BLOCK, end - offset))
            if not block:
                return
            offset += len(block)
            yield block

    def tail(self, length: int) -> bytes:
        start = max(0, self.size - length)
        return self.read_at(start, self.size - start)


def corrupt(message: str) -> Invalid:
    return Invalid(message, code=Code.ASSET_FILE_CORRUPT)


@dataclass(frozen=True)
class Found:
    """A parser's verdict on content it recognised.

    `media_type` is what the content says when nothing is declared; `choices` are other
    types the same bytes are equally valid as (a declared type or extension picks among
    them); `related` are declared types that do not contradict the content but do not
    change the answer either (audio/mp4 declared for a video MP4).
    """

    media_type: str
    width: int | None = None
    height: int | None = None
    duration: float | None = None
    pages: int | None = None
    sample_rate: int | None = None
    channels: int | None = None
    choices: frozenset[str] = frozenset()
    related: frozenset[str] = frozenset()
    # True when the only evidence is "this is valid text": then the extension may contradict.
    weak: bool = False
