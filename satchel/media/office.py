"""Office documents through LibreOffice, kept warm: one converter (`office_bridge.py` under
Debian's python3, holding one headless soffice) per process that converts, started on
first use and reused, so a conversion costs a load and a store, not an office start.

A conversion that hangs or kills LibreOffice costs that converter only: it is killed at
the deadline and the next conversion starts a fresh one. Install with
`apt-get install libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui
python3-uno` (or `make engines`).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import resource
import select
import shutil
import signal
import subprocess
import threading
import time
from functools import cache
from pathlib import Path
from typing import Any

from satchel.codes import Code
from satchel.media import archives
from satchel.media.errors import MediaError

SOFFICE = Path("/usr/bin/soffice")
PYTHON = Path("/usr/bin/python3")  # Debian's, which has the uno module
BRIDGE = Path(__file__).with_name("office_bridge.py")
START_SECONDS = 90.0
CONVERT_SECONDS = 240.0
INSTALL = (
    "apt-get install -y libreoffice-writer-nogui libreoffice-calc-nogui "
    "libreoffice-impress-nogui python3-uno"
)

WORD = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
    "application/msword",
    "application/rtf",
    "text/rtf",
    "text/plain",
)
SHEET = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.ms-excel",
    "text/csv",
)
SLIDES = (
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.presentation",
    "application/vnd.ms-powerpoint",
)
MACRO_TYPES = (
    "application/vnd.ms-word.document.macroenabled.12",
    "application/vnd.ms-excel.sheet.macroenabled.12",
    "application/vnd.ms-powerpoint.presentation.macroenabled.12",
)

# (filter, options, media type) by output format and document family.
FILTERS: dict[tuple[str, str], tuple[str, str, str]] = {
    ("writer", "pdf"): ("writer_pdf_Export", "", "application/pdf"),
    ("calc", "pdf"): ("calc_pdf_Export", "", "application/pdf"),
    ("impress", "pdf"): ("impress_pdf_Export", "", "application/pdf"),
    ("writer", "docx"): ("MS Word 2007 XML", "", WORD[0]),
    ("writer", "odt"): ("writer8", "", WORD[1]),
    ("writer", "rtf"): ("Rich Text Format", "", "application/rtf"),
    ("writer", "txt"): ("Text (encoded)", "UTF8", "text/plain"),
    ("calc", "xlsx"): ("Calc MS Excel 2007 XML", "", SHEET[0]),
    ("calc", "ods"): ("calc8", "", SHEET[1]),
    ("calc", "csv"): ("Text - txt - csv (StarCalc)", "44,34,76,1,,0,false,true,true", "text/csv"),
    ("impress", "pptx"): ("Impress MS PowerPoint 2007 XML", "", SLIDES[0]),
    ("impress", "odp"): ("impress8", "", SLIDES[1]),
}


class OfficeError(MediaError):
    code = Code.TOOL_FAILED


@cache
def available() -> str | None:
    """Why LibreOffice cannot convert here (with the install command), or None."""
    if not SOFFICE.is_file():
        return f"LibreOffice is not installed ({SOFFICE}); install it with: {INSTALL}"
    if not PYTHON.is_file():
        return f"Debian's python3 is missing; install it with: {INSTALL}"
    probe = subprocess.run(  # noqa: S603
        [str(PYTHON), "-c", "import uno"], capture_output=True, timeout=30, check=False
    )
    if probe.returncode != 0:
        return f"python3-uno is not installed; install it with: {INSTALL}"
    return None


def family(media_type: str) -> str:
    if media_type in SHEET:
        return "calc"
    if media_type in SLIDES:
        return "impress"
    return "writer"


def _unlimited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


class _Converter:
    """The bridge process; one conversion at a time."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(  # noqa: S603
            [str(PYTHON), "-I", str(BRIDGE)],  # -I: not our folder on sys.path
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
            # A sandbox run's address-space limit is for decoders in that process; soffice
            # maps far more than it uses and is bounded by the conversion deadline instead.
            preexec_fn=_unlimited,
        )
        reply = self._read(START_SECONDS)
        if not reply.get("ready"):
            self.kill()
            raise OfficeError("LibreOffice did not start.")

    def _read(self, timeout: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.proc.stdout], [], [], max(left, 0))
            if not ready:
                self.kill()
                raise OfficeError(
                    f"LibreOffice took over {timeout:.0f} s; the conversion was stopped.",
                    code=Code.TOOL_TIMEOUT,
                )
            line = self.proc.stdout.readline()
            if not line:
                self.kill()
                raise OfficeError("LibreOffice stopped while converting the document.")
            reply: dict[str, Any] = json.loads(line)
            return reply

    def convert(self, request: dict[str, str]) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()
        return self._read(CONVERT_SECONDS)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            # The bridge leads its own process group: its office goes with it (the bridge's
            # death signal already takes soffice.bin; this is in case it started one more).
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


_LOCK = threading.Lock()
_converter: _Converter | None = None


def _close() -> None:
    if _converter is not None:
        _converter.kill()


atexit.register(_close)


def convert(src: Path, out: Path, *, fmt: str, media_type: str, name: str) -> dict[str, Any]:
    """`src` (of `media_type`) converted to `fmt` at `out`; the facts LibreOffice gives
    (`pages` for text documents). Packages are checked against the archive budgets first."""
    global _converter
    reason = available()
    if reason:
        raise OfficeError(reason, code=Code.TOOL_UNAVAILABLE)
    if src.read_bytes()[:2] == b"PK":
        archives.check_package(src, name)
    kind = family(media_type)
    chosen = FILTERS.get((kind, fmt))
    if chosen is None:
        raise OfficeError(f"A {kind} document cannot be converted to {fmt}.", code=Code.BAD_CHOICE)
    filter_name, options, _ = chosen
    # LibreOffice picks its import filter by extension: give it one it expects.
    staged = out.with_name(f".source{_extension(media_type)}")
    shutil.copyfile(src, staged)
    request = {"src": str(staged), "dst": str(out), "filter": filter_name, "options": options}
    try:
        with _LOCK:
            if _converter is None or not _converter.alive():
                if _converter is not None:
                    _converter.kill()  # its pipes closed too
                _converter = _Converter()
            try:
                reply = _converter.convert(request)
            except OfficeError:
                _converter = None
                raise
    finally:
        staged.unlink(missing_ok=True)
    if not reply.get("ok") or not out.is_file() or out.stat().st_size == 0:
        detail = reply.get("error") or "no output"
        raise OfficeError(f"{name} could not be converted by LibreOffice ({detail}).")
    return {k: v for k, v in reply.items() if k != "ok"}


_EXTENSIONS = {
    WORD[0]: ".docx", WORD[1]: ".odt", "application/msword": ".doc", "application/rtf": ".rtf",
    "text/rtf": ".rtf", "text/plain": ".txt", SHEET[0]: ".xlsx", SHEET[1]: ".ods",
    "application/vnd.ms-excel": ".xls", "text/csv": ".csv", SLIDES[0]: ".pptx",
    SLIDES[1]: ".odp", "application/vnd.ms-powerpoint": ".ppt", MACRO_TYPES[0]: ".docm",
    MACRO_TYPES[1]: ".xlsm", MACRO_TYPES[2]: ".pptm",
}  # fmt: skip


def _extension(media_type: str) -> str:
    return _EXTENSIONS.get(media_type, ".bin")


def media_type_of(kind: str, fmt: str) -> str:
    return FILTERS[(kind, fmt)][2]


def outputs(media_types: tuple[str, ...], formats: tuple[str, ...]) -> tuple[str, ...]:
    """The media types a tool converting `media_types` to `formats` produces."""
    kind = family(media_types[0])
    return tuple(media_type_of(kind, f) for f in formats)
