"""The shape of the package, checked: which folder may import what, and file sizes.

- No module imports a `_private` name (or module) from another folder.
- `satchel/tools/` (the pure catalog) and `satchel/media/` (the engines) import nothing
  of the database, blobs, jobs, the API, the runtime or the web framework; `media/`
  nothing of `tools/` either.
- No router module imports another router module.
- No file in `satchel/` is longer than 400 lines.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "satchel"
MAX_LINES = 400
SERVICES = ("satchel.db", "satchel.blobs", "satchel.jobs", "satchel.api", "satchel.runtime")
WEB = ("fastapi", "starlette")
FORBIDDEN = {
    "tools": (*SERVICES, *WEB),
    "media": (*SERVICES, *WEB, "satchel.tools", "satchel.runs"),
}


def _modules() -> Iterator[tuple[Path, str]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        yield path, ".".join(p for p in parts if p != "__init__")


MODULES = dict(_modules())


def _imports(path: Path, module: str) -> Iterator[tuple[int, str, list[str]]]:
    """(line, imported module, imported names) for every import, nested ones included."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, []
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            yield node.lineno, base, [a.name for a in node.names]


def _folder(module: str, *, is_package: bool) -> str:
    return module if is_package else module.rpartition(".")[0]


def _is_router(path: Path) -> bool:
    tree = ast.parse(path.read_text())
    return any(
        isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Call)
        and getattr(node.value.func, "id", None) == "APIRouter"
        for node in tree.body
    )


ROUTERS = {name for name, path in ((m, p) for p, m in MODULES.items()) if _is_router(path)}


def _private(dotted: str) -> bool:
    return any(
        part.startswith("_") and not (part.startswith("__") and part.endswith("__"))
        for part in dotted.split(".")
    )


def test_no_private_name_crosses_a_folder() -> None:
    problems = []
    for path, module in MODULES.items():
        here = _folder(module, is_package=path.name == "__init__.py")
        for line, target, names in _imports(path, module):
            if not target.startswith("satchel"):
                continue
            for name in names or [""]:
                full = f"{target}.{name}" if name else target
                is_module = f"{target}.{name}" in MODULES.values() or name == ""
                owner = (
                    _folder(full, is_package=(PACKAGE.parent / full.replace(".", "/")).is_dir())
                    if is_module
                    else target
                    if (PACKAGE.parent / target.replace(".", "/")).is_dir()
                    else target.rpartition(".")[0]
                )
                if _private(full) and owner != here:
                    problems.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {full}")
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("folder", sorted(FORBIDDEN))
def test_lower_layers_import_nothing_above_them(folder: str) -> None:
    problems = []
    for path, module in MODULES.items():
        if not module.startswith(f"satchel.{folder}"):
            continue
        for line, target, _ in _imports(path, module):
            if any(target == f or target.startswith(f + ".") for f in FORBIDDEN[folder]):
                problems.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target}")
    assert problems == [], "\n".join(problems)


def test_no_router_imports_a_router() -> None:
    assert ROUTERS, "the check found no routers at all"
    problems = []
    for path, module in MODULES.items():
        if module not in ROUTERS:
            continue
        for line, target, names in _imports(path, module):
            hits = [target] if target in ROUTERS else []
            hits += [f"{target}.{n}" for n in names if f"{target}.{n}" in ROUTERS]
            problems += [f"{path.relative_to(PACKAGE.parent)}:{line} imports {h}" for h in hits]
    assert problems == [], "\n".join(problems)


def test_no_file_is_longer_than_400_lines() -> None:
    long = {
        str(path.relative_to(PACKAGE.parent)): n
        for path in PACKAGE.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}, long


def test_error_codes_are_named_constants() -> None:
    """`code=` and `code =` take a `Code` member, never a bare string (satchel/codes.py)."""
    problems = []
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            values = []
            if isinstance(node, ast.Call):
                values = [k.value for k in node.keywords if k.arg == "code"]
            elif isinstance(node, ast.Assign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(getattr(t, "id", None) == "code" for t in targets) and node.value:
                    values = [node.value]
            elif isinstance(node, ast.Dict):
                values = [
                    v
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == "code"
                ]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    where = f"{path.relative_to(PACKAGE.parent)}:{value.lineno}"
                    problems.append(f"{where} code {value.value!r}")
    assert problems == [], "\n".join(problems)
