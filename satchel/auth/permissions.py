"""The permissions a role grants, and the built-in roles."""

from __future__ import annotations

PERMISSIONS = (
    "tools:use",
    "files:own",
    "files:all",
    "apikeys:own",
    "apikeys:all",
    "pipelines:own",
    "pipelines:all",
    "settings:read",
    "settings:write",
    "users:manage",
    "teams:manage",
    "features:manage",
    "system:health",
    "audit:read",
    "compliance:manage",
    "webhooks:manage",
    "security:manage",
)

BUILTIN_ROLES: dict[str, tuple[str, frozenset[str]]] = {
    "admin": ("Everything, including other users' files and keys.", frozenset(PERMISSIONS)),
    "user": (
        "Uses tools and owns files, pipelines and API keys.",
        frozenset({"tools:use", "files:own", "apikeys:own", "pipelines:own", "settings:read"}),
    ),
}

SCOPES = ("read", "write", "admin")  # each includes the ones before it


def expand_scopes(scopes: list[str]) -> frozenset[str]:
    """Higher scopes include lower ones: admin ⊇ write ⊇ read."""
    top = max((SCOPES.index(s) for s in scopes if s in SCOPES), default=-1)
    return frozenset(SCOPES[: top + 1])
