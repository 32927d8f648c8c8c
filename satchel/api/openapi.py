"""Writing the OpenAPI document that is checked into the repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def main() -> None:
    from satchel.api.app import create_app

    target = Path("openapi.json")
    target.write_text(render(create_app().openapi()))
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
