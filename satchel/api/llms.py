"""`/llms.txt` and `/llms-full.txt` (llmstxt.org), generated from the OpenAPI document so
they never drift from the routes: the index lists every operation by tag; the full text
adds parameters, request bodies and answers with their fields."""

from __future__ import annotations

from typing import Any

_METHODS = ("get", "post", "put", "patch", "delete", "head")

_INTRO = """Every route is under /api/v1 (also /v1). Send `Authorization: Bearer <API key>`.
Success is {"data": ..., "meta": {...}}; an error is an HTTP status with
{"error": {"code", "message", "fields"}} and a stable snake_case code. Lists take `limit`
and `cursor` and answer `meta.next_cursor` and `meta.has_more`. Ids carry a type prefix
(ast_, spc_, job_, key_, usr_, whk_, msg_)."""


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    rows = []
    for path, item in doc.get("paths", {}).items():
        for method in _METHODS:
            if (op := item.get(method)) is not None:
                tag = (op.get("tags") or ["other"])[0]
                rows.append((tag, method.upper(), path, op))
    return sorted(rows, key=lambda r: r[0])


def index(doc: dict[str, Any], *, base: str) -> str:
    info = doc.get("info", {})
    out = [f"# {info.get('title', 'API')}", "", f"> {info.get('summary', '')}", "", _INTRO, ""]
    out += [
        f"- [OpenAPI document]({base}/api/v1/openapi.json): the full, machine-readable API",
        f"- [Full text]({base}/llms-full.txt): every operation with its fields",
        "",
    ]
    tag = None
    for op_tag, method, path, op in _operations(doc):
        if op_tag != tag:
            tag = op_tag
            out += ["", f"## {tag}", ""]
        out.append(f"- {method} {path}: {op.get('summary', '')}")
    return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"


def _ref(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "items" in schema:
        return f"list of {_ref(schema['items'])}"
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " | ".join(_ref(s) for s in schema[key])
    return str(schema.get("type", "any"))


def _fields(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> list[str]:
    if "$ref" in schema:
        schema = components.get(_ref(schema), {})
    required = set(schema.get("required", []))
    lines = []
    for name, prop in schema.get("properties", {}).items():
        mark = " (required)" if name in required else ""
        text = prop.get("description") or ""
        lines.append(
            f"{'  ' * depth}- `{name}`: {_ref(prop)}{mark}" + (f". {text}" if text else "")
        )
    return lines


def full(doc: dict[str, Any], *, base: str) -> str:
    components = doc.get("components", {}).get("schemas", {})
    out = [index(doc, base=base).rstrip(), "", "# Operations"]
    for _, method, path, op in _operations(doc):
        out += ["", f"## {method} {path}", "", op.get("summary", "")]
        if op.get("description"):
            out += ["", op["description"].strip()]
        params = op.get("parameters", [])
        if params:
            out += ["", "Parameters:"]
            for p in params:
                need = " (required)" if p.get("required") else ""
                desc = p.get("description", "")
                kind = _ref(p.get("schema", {}))
                out.append(
                    f"- `{p['name']}` in {p['in']}: {kind}{need}" + (f". {desc}" if desc else "")
                )
        for media, body in op.get("requestBody", {}).get("content", {}).items():
            schema = body.get("schema", {})
            out += ["", f"Body ({media}): {_ref(schema)}"]
            for alt in schema.get("oneOf", [schema]):
                out += _fields(alt, components)
        for status, answer in op.get("responses", {}).items():
            if status in ("4XX", "5XX") or not str(status).startswith("2"):
                continue
            schema = answer.get("content", {}).get("application/json", {}).get("schema", {})
            out += [
                "",
                f"Answer {status}: {_ref(schema) if schema else answer.get('description', '')}",
            ]
            data = components.get(_ref(schema), {}).get("properties", {}).get("data", {})
            out += _fields(data.get("items", data), components)
    return "\n".join(out) + "\n"
