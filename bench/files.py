"""Test files in formats the sniffer accepts, streamed to disk (never whole in memory)."""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path
from typing import IO

_BLOCK = 1 << 20
# PCM 16-bit stereo 48 kHz: 4-byte frames, so 1 GiB of file is ~93 minutes of audio.
_CHANNELS, _RATE, _BITS = 2, 48_000, 16
_ALIGN = _CHANNELS * _BITS // 8
WAV_HEADER = 44


def _wav_header(data_size: int) -> bytes:
    fmt = struct.pack("<HHIIHH", 1, _CHANNELS, _RATE, _RATE * _ALIGN, _ALIGN, _BITS)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_size)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", data_size)
    )


def _noise() -> bytearray:
    return bytearray(os.urandom(_BLOCK))


def _stream(fh: IO[bytes], nbytes: int, seed: bytearray) -> None:
    """`nbytes` of noise: one random block, each copy stamped with its index so none repeat."""
    write = fh.write
    index = 0
    while nbytes > 0:
        seed[:8] = index.to_bytes(8, "little")
        take = min(nbytes, _BLOCK)
        write(seed if take == _BLOCK else seed[:take])
        nbytes -= take
        index += 1


def write_wav(path: Path, size: int) -> Path:
    """A valid PCM WAV of exactly `size` bytes (rounded down to whole frames), fsynced."""
    data_size = (size - WAV_HEADER) // _ALIGN * _ALIGN
    if not 0 < data_size <= 0xFFFFFFFF - 36:
        raise ValueError("a WAV holds between 1 frame and 4 GiB")
    with path.open("wb") as fh:
        fh.write(_wav_header(data_size))
        _stream(fh, data_size, _noise())
        fh.flush()
        os.fsync(fh.fileno())
    return path


def wav_bytes(size: int) -> bytes:
    """A small WAV of `size` bytes with random samples (distinct on every call)."""
    data_size = (size - WAV_HEADER) // _ALIGN * _ALIGN
    return _wav_header(data_size) + os.urandom(data_size)


def write_zip64(path: Path, payload: int) -> Path:
    """A ZIP64 archive holding one stored (uncompressed) member of `payload` bytes, fsynced."""
    with path.open("wb") as raw:
        with (
            zipfile.ZipFile(raw, "w", compression=zipfile.ZIP_STORED) as archive,
            archive.open("payload.bin", "w", force_zip64=True) as member,
        ):
            _stream(member, payload, _noise())
        raw.flush()
        os.fsync(raw.fileno())
    return path
