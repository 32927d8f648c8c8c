"""Pandoc (the binary inside the pypandoc-binary wheel) for Markdown, HTML, DOCX and EPUB,
always run with `--sandbox`: it reads only the input it is given and fetches nothing
(remote images and includes are left out, never downloaded)."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

from satchel.codes import Code
from satchel.media import archives
from satchel.media.errors import MediaError

SECONDS = 120
INSTALL = "uv sync (pypandoc-binary ships pandoc), or apt-get install -y pandoc"
FORMATS = {
    "text/markdown": "gfm",
    "text/plain": "markdown",
    "text/html": "html",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/epub+zip": "epub",
}


class PandocError(MediaError):
    code = Code.TOOL_FAILED


@cache
def binary() -> str | None:
    try:
        import pypandoc  # type: ignore[import-untyped]

        path = Path(pypandoc.get_pandoc_path())
    except (ImportError, OSError):
        return None
    return str(path) if path.is_file() else None


def available() -> str | None:
    return None if binary() else f"pandoc is not installed; install it with: {INSTALL}"


def convert(
    src: Path, out: Path, *, source: str, target: str, name: str, args: tuple[str, ...] = ()
) -> Path:
    """`src` (pandoc reader `source`) written as `target` at `out`, sandboxed."""
    exe = binary()
    if exe is None:
        raise PandocError(f"pandoc is not installed; install it with: {INSTALL}",
                          code=Code.TOOL_UNAVAILABLE)  # fmt: skip
    if source in ("docx", "epub"):
        archives.check_package(src, name)
    command = [exe, "--sandbox", "-f", source, "-t", target, *args, "-o", str(out), str(src)]
    try:
        done = subprocess.run(  # noqa: S603
            command, capture_output=True, timeout=SECONDS, check=False, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        raise PandocError(
            f"pandoc took over {SECONDS} s on {name}.", code=Code.TOOL_TIMEOUT
        ) from None
    if done.returncode != 0 or not out.is_file():
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PandocError(f"{name} could not be converted: {detail[-1] if detail else 'no output'}")
    return out


def reader(media_type: str) -> str:
    return FORMATS.get(media_type, "markdown")


def to_html(src: Path, out: Path, *, source: str, name: str, title: str) -> Path:
    """A standalone HTML5 page; pictures inside the source (EPUB, DOCX) embedded."""
    return convert(
        src, out, source=source, target="html5", name=name,
        args=("--standalone", "--embed-resources", "--metadata", f"title={title}"),
    )  # fmt: skip


def to_pdf(src: Path, out: Path, *, source: str, name: str, title: str) -> int:
    """Through HTML, printed by the sealed-off browser; returns the refused requests."""
    from satchel.media import browser

    page = out.with_name(".print.html")
    to_html(src, page, source=source, name=name, title=title)
    try:
        return browser.print_pdf(page.read_text(encoding="utf-8"), out)
    finally:
        page.unlink(missing_ok=True)


def with_browser() -> str | None:
    """Why the tools that print through Chromium cannot run, or None."""
    from satchel.media import browser

    return available() or browser.available()
