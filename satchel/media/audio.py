"""Audio validators: WAV, AIFF, MP3, AAC, FLAC and raw PCM, by the daemon's structural rules."""

from __future__ import annotations

import math
import struct

from satchel.codes import Code
from satchel.errors import Invalid
from satchel.media.source import Found, Source, corrupt

# WAV format tags we accept: PCM, IEEE float, and WAVE_FORMAT_EXTENSIBLE wrapping either.
_WAV_PCM, _WAV_FLOAT, _WAV_EXTENSIBLE = 1, 3, 0xFFFE
_WAV_GUID_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
_RIFF_SENTINELS = (0, 0xFFFFFFFF)  # streaming writers leave the length unknown
RAW_PCM_WIDTHS = {"audio/pcm": 2, "audio/l16": 2, "audio/l24": 3}

_MPEG_BITRATES = {
    (1, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (1, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (1, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (2, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (2, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (2, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_MPEG_RATES = (44100, 48000, 32000)
_AAC_RATES = (
    96000,
    88200,
    64000,
    48000,
    44100,
    32000,
    24000,
    22050,
    16000,
    12000,
    11025,
    8000,
    7350,
)
_MP3_SEARCH = 64 * 1024  # how far past the tags a first frame may start (padding, junk)
# What may legitimately follow the last MPEG frame.
_TRAILERS = (b"TAG", b"APETAGEX", b"LYRICS", b"ID3")


def not_supported(message: str) -> Invalid:
    return Invalid(message, code=Code.ASSET_CONTENT_TYPE_NOT_ALLOWED)


# --- WAV --------------------------------------------------------------------------------


def parse_wav(src: Source) -> Found:
    (riff_size,) = struct.unpack("<I", src.head[4:8])
    if riff_size not in _RIFF_SENTINELS and riff_size + 8 not in (src.size, src.size - 1):
        raise corrupt(f"WAV RIFF length says {riff_size + 8} bytes but the file has {src.size}")
    pos = 12
    fmt: tuple[int, int, int, int, int, int] | None = None
    data_size: int | None = None
    while pos + 8 <= src.size:
        cid, size = struct.unpack("<4sI", src.read_at(pos, 8))
        start = pos + 8
        if cid == b"data":
            if size in _RIFF_SENTINELS and riff_size in _RIFF_SENTINELS:
                size = src.size - start
            elif start + size > src.size:
                raise corrupt("WAV data chunk is truncated")
            data_size = size
        elif start + size > src.size:
            raise corrupt(f"WAV {cid!r} chunk is truncated")
        elif cid == b"fmt ":
            fmt = _wav_format(src.read_exact(start, min(size, 40), "WAV fmt chunk"))
        pos = start + size + (size & 1)
    if fmt is None:
        raise corrupt("WAV has no fmt chunk")
    if data_size is None or data_size == 0:
        raise corrupt("WAV has no audio data")
    _tag, channels, rate, byte_rate, align, _bits = fmt
    if data_size % align:
        raise corrupt(f"WAV data size {data_size} is not a multiple of its frame size {align}")
    return Found("audio/wav", duration=data_size / byte_rate, sample_rate=rate, channels=channels)


def _wav_format(chunk: bytes) -> tuple[int, int, int, int, int, int]:
    if len(chunk) < 16:
        raise corrupt("WAV fmt chunk is too short")
    tag, channels, rate, byte_rate, align, bits = struct.unpack("<HHIIHH", chunk[:16])
    encoding = tag
    if tag == _WAV_EXTENSIBLE:
        if len(chunk) < 40 or chunk[26:40] != _WAV_GUID_TAIL:
            raise corrupt("WAV extensible fmt chunk is incomplete")
        (encoding,) = struct.unpack("<H", chunk[24:26])
    if encoding not in (_WAV_PCM, _WAV_FLOAT):
        raise not_supported(f"WAV encoding 0x{encoding:04x} is not supported (only PCM or float)")
    if channels == 0 or rate == 0 or bits == 0:
        raise corrupt("WAV fmt chunk declares zero channels, sample rate or sample size")
    if encoding == _WAV_FLOAT and bits not in (32, 64):
        raise corrupt(f"WAV float samples of {bits} bits are not coherent")
    if align != channels * ((bits + 7) // 8) or byte_rate != rate * align:
        raise corrupt("WAV fmt chunk block alignment or byte rate is incoherent")
    return tag, channels, rate, byte_rate, align, bits


# --- AIFF -------------------------------------------------------------------------------


def _extended(data: bytes) -> float:
    """An 80-bit IEEE 754 extended float, as AIFF stores its sample rate."""
    exponent, mantissa = struct.unpack(">HQ", data)
    sign = -1.0 if exponent & 0x8000 else 1.0
    exponent &= 0x7FFF
    if exponent == 0 and mantissa == 0:
        return 0.0
    if exponent - 16383 > 64:  # no real sample rate is that large; avoid float overflow
        return float("inf")
    return float(sign * math.ldexp(mantissa, exponent - 16383 - 63))


def parse_aiff(src: Source) -> Found:
    (form_size,) = struct.unpack(">I", src.head[4:8])
    if form_size + 8 not in (src.size, src.size - 1):
        raise corrupt(f"AIFF FORM length says {form_size + 8} bytes but the file has {src.size}")
    pos = 12
    comm: tuple[int, int, int, float] | None = None
    sound = False
    while pos + 8 <= src.size:
        cid, size = struct.unpack(">4sI", src.read_at(pos, 8))
        if pos + 8 + size > src.size:
            raise corrupt(f"AIFF {cid!r} chunk is truncated")
        if cid == b"COMM":
            data = src.read_exact(pos + 8, min(size, 18), "AIFF COMM chunk")
            if size < 18:
                raise corrupt("AIFF COMM chunk is too short")
            channels, frames, bits = struct.unpack(">hIh", data[:8])
            comm = (channels, frames, bits, _extended(data[8:18]))
        elif cid == b"SSND":
            sound = size > 8
        pos += 8 + size + (size & 1)
    if comm is None:
        raise corrupt("AIFF has no COMM chunk")
    channels, frames, bits, rate = comm
    if channels <= 0 or bits <= 0 or not 0 < rate < 1e7:
        raise corrupt("AIFF COMM chunk declares invalid channels, sample size or sample rate")
    if frames and not sound:
        raise corrupt("AIFF declares samples but has no sound data")
    media_type = "audio/aiff"
    return Found(media_type, duration=frames / rate, sample_rate=round(rate), channels=channels)


# --- MPEG audio (MP3) -------------------------------------------------------------------


def id3_end(src: Source, pos: int = 0) -> int:
    """Offset just past any ID3v2 tags starting at pos (several may be stacked)."""
    while True:
        header = src.read_at(pos, 10)
        if len(header) < 10 or header[:3] != b"ID3":
            return pos
        if header[3] == 0xFF or header[4] == 0xFF or any(b & 0x80 for b in header[6:10]):
            raise corrupt("ID3 tag header is invalid")
        size = (header[6] << 21) | (header[7] << 14) | (header[8] << 7) | header[9]
        pos += 10 + size + (10 if header[5] & 0x10 else 0)


def _mpeg_frame(header: bytes) -> tuple[int, int, int, int, int] | None:
    """(frame length, sample rate, channels, samples per frame, kbps) of a valid frame header."""
    if len(header) < 4 or header[0] != 0xFF or header[1] & 0xE0 != 0xE0:
        return None
    version_bits = (header[1] >> 3) & 3
    layer = 4 - ((header[1] >> 1) & 3)
    bitrate_index, rate_index = header[2] >> 4, (header[2] >> 2) & 3
    if version_bits == 1 or layer == 4 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    version = 1 if version_bits == 3 else 2
    kbps = _MPEG_BITRATES[(version, layer)][bitrate_index]
    rate = _MPEG_RATES[rate_index] >> {3: 0, 2: 1, 0: 2}[version_bits]
    padding = (header[2] >> 1) & 1
    if layer == 1:
        length, samples = (12 * kbps * 1000 // rate + padding) * 4, 384
    elif layer == 2 or version == 1:
        length, samples = 144 * kbps * 1000 // rate + padding, 1152
    else:
        length, samples = 72 * kbps * 1000 // rate + padding, 576
    channels = 1 if header[3] >> 6 == 3 else 2
    return length, rate, channels, samples, kbps


def parse_mpeg_audio(src: Source, start: int) -> Found:
    window = src.read_at(start, _MP3_SEARCH + 4)
    i = window.find(b"\xff")
    while 0 <= i < len(window) - 3:
        frame = _mpeg_frame(window[i : i + 4])
        if frame is not None:
            length, rate, channels, _samples, _kbps = frame
            at = start + i
            following = src.read_at(at + length, 8)
            nxt = _mpeg_frame(following[:4])
            confirmed = (
                at + length == src.size
                or following.startswith(_TRAILERS)
                or (nxt is not None and nxt[1] == rate)
            )
            if at + length <= src.size and confirmed:
                duration = _mp3_duration(src, at, frame)
                return Found(
                    "audio/mpeg",
                    duration=duration,
                    sample_rate=rate,
                    channels=channels,
                    choices=frozenset({"audio/mpga"}),
                )
        i = window.find(b"\xff", i + 1)
    raise corrupt("MP3 has no complete MPEG audio frame")


def _mp3_duration(src: Source, at: int, frame: tuple[int, int, int, int, int]) -> float:
    length, rate, channels, samples, kbps = frame
    data = src.read_at(at, min(length, 256))
    version1 = samples == 1152 and rate >= 32000
    side = (32 if channels == 2 else 17) if version1 else (17 if channels == 2 else 9)
    xing = data[4 + side : 4 + side + 12]
    if xing[:4] in (b"Xing", b"Info") and len(xing) == 12:
        flags, frames = struct.unpack(">II", xing[4:12])
        if flags & 1 and frames:
            return float(frames * samples / rate)
    vbri = data[36:54]  # VBRI sits at a fixed offset: tag, version, delay, quality, bytes, frames
    if vbri[:4] == b"VBRI" and len(vbri) == 18:
        (frames,) = struct.unpack(">I", vbri[14:18])
        if frames:
            return float(frames * samples / rate)
    return float((src.size - at) * 8 / (kbps * 1000))


# --- AAC --------------------------------------------------------------------------------


def _adts_frame(header: bytes) -> tuple[int, int, int] | None:
    """(frame length, sample rate, channel configuration) of a valid ADTS header."""
    if len(header) < 7 or header[0] != 0xFF or header[1] & 0xF6 != 0xF0:
        return None
    rate_index = (header[2] >> 2) & 0xF
    channels = ((header[2] & 1) << 2) | (header[3] >> 6)
    length = ((header[3] & 3) << 11) | (header[4] << 3) | (header[5] >> 5)
    minimum = 7 if header[1] & 1 else 9
    if rate_index >= len(_AAC_RATES) or length < minimum:
        return None
    return length, _AAC_RATES[rate_index], channels


def parse_adts(src: Source, start: int) -> Found:
    frame = _adts_frame(src.read_at(start, 7))
    if frame is None:
        raise corrupt("AAC ADTS header is invalid (sample rate or frame length)")
    length, rate, channels = frame
    if start + length > src.size:
        raise corrupt("AAC is truncated inside its first frame")
    following = src.read_at(start + length, 8)
    if following and not following.startswith(_TRAILERS):
        nxt = _adts_frame(following[:7])
        if nxt is None or nxt[1] != rate:
            raise corrupt("AAC second ADTS frame is invalid (bounded frame length broken)")
    frames = (src.size - start) / length
    return Found(
        "audio/aac",
        duration=frames * 1024 / rate,
        sample_rate=rate,
        channels=channels or None,  # 0: the layout is given in-band by a program config
    )


def parse_adif(src: Source) -> Found:
    bits = int.from_bytes(src.read_exact(4, 17, "ADIF header"), "big")
    total = 17 * 8
    pos = 0

    def take(n: int) -> int:
        nonlocal pos
        value = (bits >> (total - pos - n)) & ((1 << n) - 1)
        pos += n
        return value

    if take(1):
        pos += 72  # copyright id
    take(2)  # original/copy, home
    constant = take(1) == 0
    bitrate = take(23)
    take(4)  # number of program config elements - 1
    if constant:
        take(20)  # buffer fullness
    take(4 + 2)  # element tag, object type
    rate_index = take(4)
    if rate_index >= len(_AAC_RATES):
        raise corrupt("AAC ADIF program config has an invalid sample rate")
    rate = _AAC_RATES[rate_index]
    duration = src.size * 8 / bitrate if bitrate else None
    return Found("audio/aac", duration=duration, sample_rate=rate)


# --- FLAC -------------------------------------------------------------------------------


def read_streaminfo(block: bytes) -> tuple[int, int, int]:
    """(sample rate, channels, total samples) of a 34-byte STREAMINFO, after checking it."""
    min_block, max_block = struct.unpack(">HH", block[:4])
    packed = int.from_bytes(block[10:18], "big")
    rate = packed >> 44
    channels = ((packed >> 41) & 7) + 1
    bits = ((packed >> 36) & 31) + 1
    total = packed & ((1 << 36) - 1)
    if min_block < 16 or max_block < min_block:
        raise corrupt(f"FLAC STREAMINFO block sizes {min_block}..{max_block} are invalid")
    if rate == 0 or bits < 4:
        raise corrupt("FLAC STREAMINFO declares no sample rate or an invalid sample size")
    return rate, channels, total


def parse_flac(src: Source, start: int) -> Found:
    pos = start + 4
    info: tuple[int, int, int] | None = None
    while True:
        header = src.read_exact(pos, 4, "FLAC metadata block header")
        last, btype = header[0] & 0x80, header[0] & 0x7F
        length = int.from_bytes(header[1:4], "big")
        if pos + 4 + length > src.size:
            raise corrupt("FLAC metadata block runs past the end of the file")
        if info is None:
            if btype != 0 or length != 34:
                raise corrupt("FLAC does not start with a 34-byte STREAMINFO block")
            info = read_streaminfo(src.read_exact(pos + 4, 34, "FLAC STREAMINFO"))
        elif btype == 0:
            raise corrupt("FLAC has a second STREAMINFO block")
        elif btype == 127:
            raise corrupt("FLAC metadata block type 127 is invalid")
        elif btype == 6:
            _check_picture(src.read_exact(pos + 4, length, "FLAC picture block"))
        pos += 4 + length
        if last:
            break
    sync = src.read_at(pos, 2)
    if len(sync) < 2 or sync[0] != 0xFF or sync[1] & 0xFE != 0xF8:
        raise corrupt("FLAC has no audio frame after its metadata")
    rate, channels, total = info
    return Found(
        "audio/flac",
        duration=total / rate if total else None,
        sample_rate=rate,
        channels=channels,
    )


def _check_picture(block: bytes) -> None:
    """The picture block's inner lengths must fit inside it (CVE-era crafted files lie)."""
    try:
        pos = 4
        for _ in range(2):  # MIME type, then description
            (n,) = struct.unpack(">I", block[pos : pos + 4])
            pos += 4 + n
        pos += 16
        (n,) = struct.unpack(">I", block[pos : pos + 4])
        pos += 4 + n
    except struct.error as exc:
        raise corrupt("FLAC picture block is shorter than its contents") from exc
    if pos > len(block):
        raise corrupt("FLAC picture block is shorter than its contents")


# --- raw PCM ----------------------------------------------------------------------------


def check_raw_pcm(src: Source, media_type: str) -> Found:
    width = RAW_PCM_WIDTHS[media_type]
    if src.size % width:
        raise corrupt(
            f"{media_type} payload of {src.size} bytes is not a whole number of "
            f"{width}-byte samples"
        )
    return Found(media_type)
