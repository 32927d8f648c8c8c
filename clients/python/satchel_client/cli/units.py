"""Sizes, rates and durations for people, in one unit system: binary units (KiB, MiB, GiB),
as the server's `satchel/units.py` gives them (the client cannot import the server)."""

from __future__ import annotations

UNITS = ("B", "KiB", "MiB", "GiB", "TiB")


def human_size(n: int | float | None) -> str:
    """`184 B`, `137.6 KiB`, `2.0 MiB`; `-` when unknown."""
    if n is None:
        return "-"
    value = float(n)
    for unit in UNITS:
        if abs(value) < 1024 or unit == UNITS[-1]:
            break
        value /= 1024
    return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"


def rate_text(bytes_per_second: float) -> str:
    return f"{human_size(bytes_per_second)}/s"


def duration_text(seconds: float) -> str:
    """`0:07`, `12:30`, `1:02:03`."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
