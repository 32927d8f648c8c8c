"""Ghostscript (Debian's, AGPL, run as a separate program, never linked): PDF/A-2
conversion and colour conversion to grey, with -dSAFER and a deadline.

Install with `apt-get install -y ghostscript` (or `make engines`).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from satchel.codes import Code
from satchel.media.errors import MediaError

GS = "gs"
SECONDS = 240
INSTALL = "apt-get install -y ghostscript"
SRGB = Path("/usr/share/color/icc/ghostscript/srgb.icc")

# The output intent PDF/A needs: sRGB, from Ghostscript's own ICC profiles.
_PDFA_DEF = """%!
[/_objdef {{icc_PDFA}} /type /stream /OBJ pdfmark
[{{icc_PDFA}} << /N 3 >> /PUT pdfmark
[{{icc_PDFA}} ({icc}) (r) file /PUT pdfmark
[/_objdef {{OutputIntent_PDFA}} /type /dict /OBJ pdfmark
[{{OutputIntent_PDFA}} <<
  /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {{icc_PDFA}}
  /OutputConditionIdentifier (sRGB) /Info (sRGB IEC61966-2.1)
>> /PUT pdfmark
[{{Catalog}} << /OutputIntents [ {{OutputIntent_PDFA}} ] >> /PUT pdfmark
"""


class GhostscriptError(MediaError):
    code = Code.TOOL_FAILED


def available() -> str | None:
    if shutil.which(GS) is None:
        return f"Ghostscript is not installed; install it with: {INSTALL}"
    return None


def run(args: list[str], src: Path, out: Path, name: str, *, first: Path | None = None) -> Path:
    """Ghostscript's pdfwrite over `src` (after the PostScript file `first`, if any)."""
    reason = available()
    if reason:
        raise GhostscriptError(reason, code=Code.TOOL_UNAVAILABLE)
    command = [GS, "-q", "-dSAFER", "-dBATCH", "-dNOPAUSE", "-sDEVICE=pdfwrite",
               *args, "-o", str(out), *([str(first)] if first else []), str(src)]  # fmt: skip
    try:
        done = subprocess.run(  # noqa: S603
            command, capture_output=True, timeout=SECONDS, check=False, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        raise GhostscriptError(
            f"Ghostscript took over {SECONDS} s on {name}.", code=Code.TOOL_TIMEOUT
        ) from None
    if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
        detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
        raise GhostscriptError(
            f"Ghostscript could not rewrite {name}: {detail[-1] if detail else 'no output'}"
        )
    return out


def grayscale(src: Path, out: Path, name: str) -> Path:
    return run(
        ["-sColorConversionStrategy=Gray", "-dProcessColorModel=/DeviceGray",
         "-dCompatibilityLevel=1.5", "-dAutoRotatePages=/None"],
        src, out, name,
    )  # fmt: skip


def pdfa(src: Path, out: Path, name: str) -> Path:
    """PDF/A-2b: fonts embedded, sRGB output intent, XMP identification, no encryption."""
    definition = out.with_name(".pdfa_def.ps")
    definition.write_text(_PDFA_DEF.format(icc=str(SRGB)))
    try:
        return run(
            ["-dPDFA=2", "-dPDFACompatibilityPolicy=1", "-sColorConversionStrategy=RGB",
             "-dEmbedAllFonts=true", "-dAutoRotatePages=/None",
             f"--permit-file-read={SRGB}"],
            src, out, name, first=definition,
        )  # fmt: skip
    finally:
        definition.unlink(missing_ok=True)
