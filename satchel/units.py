"""Sizes for people: `5 GiB (5,368,709,120 bytes)` in messages about limits."""

from __future__ import annotations

UNITS = ("bytes", "KiB", "MiB", "GiB", "TiB")


def size_text(n: int) -> str:
    """Binary units, with the exact count after them when they round (one unit system:
    KiB/MiB/GiB, as the CLI shows sizes)."""
    value = float(n)
    for unit in UNITS:
        if abs(value) < 1024 or unit == UNITS[-1]:
            break
        value /= 1024
    if unit == "bytes":
        return f"{n:,} bytes"
    shown = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return f"{shown} {unit} ({n:,} bytes)"
