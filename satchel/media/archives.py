"""ZIP archives read and written within budgets: member count, total and per-member size
(counted while inflating, never believed from the headers), compression ratio, and member
names (no absolute paths, `..`, drive letters, symlinks or device files).

Office packages (DOCX, XLSX, EPUB) are ZIPs too: `check_package` runs the same budgets
over them before a parser sees a byte.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from satchel.codes import Code
from satchel.media.errors import MediaError

MAX_MEMBERS = 1000
MAX_TOTAL = 1024 * 1024 * 1024  # 1 GiB unpacked
MAX_MEMBER = 256 * 1024 * 1024
MAX_RATIO = 100  # unpacked / packed, for members over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024
CHUNK = 1024 * 1024


class ArchiveUnsafe(MediaError):
    """The archive holds something that is never extracted (a path out of the folder, a
    link, a device) or is built to exhaust memory or disk (a bomb)."""

    code = Code.ARCHIVE_UNSAFE


class ArchiveUnreadable(MediaError):
    code = Code.TOOL_INPUT_CORRUPT


@dataclass(frozen=True)
class Member:
    path: str  # the cleaned relative path
    size: int


def _open(path: Path, name: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveUnreadable(f"{name} is not a readable ZIP archive: {exc}") from None


def clean_path(raw: str, name: str) -> str:
    """A member name as a safe relative POSIX path, or ArchiveUnsafe."""
    text = raw.replace("\\", "/")
    parts = PurePosixPath(text).parts
    if (
        text.startswith("/")
        or (len(text) > 1 and text[1] == ":")
        or ".." in parts
        or any(ord(c) < 32 for c in text)
    ):
        raise ArchiveUnsafe(f"{name}: the entry {raw!r} points outside the archive's folder.")
    return "/".join(p for p in parts if p not in ("", "."))


def _kind(info: zipfile.ZipInfo) -> int:
    return (info.external_attr >> 16) & 0o170000 if info.create_system == 3 else 0


def check(
    path: Path, name: str, *, max_members: int = MAX_MEMBERS, max_total: int = MAX_TOTAL
) -> list[zipfile.ZipInfo]:
    """The archive's file members after every header-level check (names, kinds, counts,
    declared sizes and ratios); sizes are counted again while inflating."""
    with _open(path, name) as archive:
        infos = archive.infolist()
    if len(infos) > max_members:
        raise ArchiveUnsafe(f"{name} has {len(infos)} entries; at most {max_members} are read.")
    total, files = 0, []
    for info in infos:
        clean_path(info.filename, name)
        kind = _kind(info)
        if kind == stat.S_IFLNK:
            raise ArchiveUnsafe(f"{name}: the entry {info.filename!r} is a symbolic link.")
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise ArchiveUnsafe(f"{name}: the entry {info.filename!r} is a device or FIFO.")
        if info.is_dir():
            continue
        _budget(info.filename, info.file_size, info.compress_size, name)
        total += info.file_size
        if total > max_total:
            raise ArchiveUnsafe(f"{name} unpacks to over {max_total // 2**20} MiB.")
        files.append(info)
    return files


def _budget(member: str, size: int, packed: int, name: str) -> None:
    if size > MAX_MEMBER:
        raise ArchiveUnsafe(f"{name}: {member!r} unpacks to over {MAX_MEMBER // 2**20} MiB.")
    if size > RATIO_FLOOR and size > MAX_RATIO * max(packed, 1):
        raise ArchiveUnsafe(
            f"{name}: {member!r} is compressed {size // max(packed, 1)}:1, "
            f"more than the {MAX_RATIO}:1 a real file has (a ZIP bomb?)."
        )


def check_package(path: Path, name: str, *, max_total: int = MAX_TOTAL) -> None:
    """Budgets for an office package or EPUB before its parser opens it."""
    check(path, name, max_members=10 * MAX_MEMBERS, max_total=max_total)


def extract(path: Path, name: str, folder: Path) -> Iterator[tuple[Member, Path]]:
    """Each file member written under `folder` (as a flat numbered file), with its cleaned
    path; inflation stops at the member's budget whatever its header declared."""
    infos = check(path, name)
    total = 0
    with _open(path, name) as archive:
        for i, info in enumerate(infos):
            target = folder / f"{i:05d}"
            written = 0
            try:
                with archive.open(info) as source, target.open("wb") as sink:
                    while chunk := source.read(CHUNK):
                        written += len(chunk)
                        total += len(chunk)
                        _budget(info.filename, written, info.compress_size, name)
                        if total > MAX_TOTAL:
                            raise ArchiveUnsafe(f"{name} unpacks to over {MAX_TOTAL // 2**20} MiB.")
                        sink.write(chunk)
            except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as exc:
                raise ArchiveUnreadable(
                    f"{name}: {info.filename!r} cannot be read: {exc}"
                ) from None
            except RuntimeError as exc:  # encrypted members
                raise ArchiveUnreadable(f"{name}: {info.filename!r}: {exc}") from None
            yield Member(clean_path(info.filename, name), written), target


def create(members: list[tuple[str, Path]], out: Path) -> Path:
    """A deflated ZIP of (name in the archive, file) pairs."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for arcname, source in members:
            archive.write(source, arcname)
    return out
