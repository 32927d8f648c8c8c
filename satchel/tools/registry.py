"""Finding tools: every entry point of the `satchel.tools` group, built-in ones included.

An entry point may name a `Tool`, or a module or package: every `Tool` defined at the top
level of the module (or of any module in the package) is registered. Satchel's own
sections are packages (`satchel.tools.image`), so a new tool is one new module.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from functools import cache
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

from satchel.codes import Code
from satchel.errors import NotFound
from satchel.tools.base import Tool

GROUP = "satchel.tools"
log = logging.getLogger("satchel.tools")


def _from_module(module: ModuleType) -> list[Tool[Any]]:
    found = [v for v in vars(module).values() if isinstance(v, Tool)]
    if hasattr(module, "__path__"):  # a package: its modules too
        for info in pkgutil.iter_modules(module.__path__, module.__name__ + "."):
            if not info.name.rsplit(".", 1)[-1].startswith("_"):
                found += _from_module(importlib.import_module(info.name))
    return found


_EXTRA: list[ModuleType] = []


def add_module(module: ModuleType) -> None:
    """Register the tools of a module that no entry point names (`SATCHEL_TOOL_MODULES`)."""
    if module not in _EXTRA:
        _EXTRA.append(module)
        tools.cache_clear()


@cache
def tools() -> dict[str, Tool[Any]]:
    """Every registered tool by id (ids are unique across sections: pipelines use them)."""
    registry: dict[str, Tool[Any]] = {}
    sources: list[tuple[str, Any]] = [(ep.value, ep.load()) for ep in entry_points(group=GROUP)]
    sources += [(m.__name__, m) for m in _EXTRA]
    for where, loaded in sources:
        found = [loaded] if isinstance(loaded, Tool) else _from_module(loaded)
        for item in found:
            other = registry.get(item.id)
            if other is not None and other is not item:
                raise RuntimeError(f"two tools are called {item.id!r} ({where})")
            registry[item.id] = item
    return dict(sorted(registry.items(), key=lambda kv: (kv[1].section, kv[0])))


def get(
    tool_id: str, *, section: str | None = None, disabled: frozenset[str] = frozenset()
) -> Tool[Any]:
    found = tools().get(tool_id)
    if (
        found is None
        or tool_id in disabled
        or (section is not None and section != found.section and section not in found.also_in)
    ):
        where = f"{section}/{tool_id}" if section else tool_id
        raise NotFound(f"No tool {where}.", code=Code.TOOL_NOT_FOUND)
    return found
