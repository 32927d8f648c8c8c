"""The SDK's public names: exactly `__all__`, each importable, and nothing of `satchel`."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import satchel_client


def test_all_lists_every_public_name_and_only_those() -> None:
    exported = set(satchel_client.__all__)
    assert len(exported) == len(satchel_client.__all__)
    for name in exported:
        assert hasattr(satchel_client, name), name
    public = {
        name
        for name, value in vars(satchel_client).items()
        if not name.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", "").startswith("satchel_client")
    }
    assert public == exported - {"__version__"}
    for required in ("Client", "AsyncClient", "SatchelError", "Asset", "NotFound"):
        assert required in exported


def test_every_error_carries_code_message_and_fields() -> None:
    for name in satchel_client.__all__:
        value = getattr(satchel_client, name)
        if inspect.isclass(value) and issubclass(value, satchel_client.SatchelError):
            err = value("went wrong", code="some_code", fields=[{"field": "x", "message": "m"}])
            assert (err.code, err.message, err.fields) == (
                "some_code",
                "went wrong",
                [{"field": "x", "message": "m"}],
            )
            assert isinstance(value("x").code, str) and value("x").code


def test_sdk_imports_nothing_from_satchel() -> None:
    package = Path(satchel_client.__file__).parent
    pyproject = (package.parent / "pyproject.toml").read_text()
    assert 'dependencies = ["httpx>=0.27"]' in pyproject
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] != "satchel", f"{source.name} imports {name}"
