"""Named files in managed storage's bucket, for what must not live on one node's disk in
scale-out mode: tool workspaces (`<prefix>/shared/workspaces/<job id>/…`) and avatars
between their signed PUT and their completion (`<prefix>/shared/avatars/…`).

Unlike blobs these are keyed by name, not content; they are temporary, and whoever wrote
them removes them (the workspace sweep, the avatar's completion).
"""

from __future__ import annotations

import builtins
import os
import tempfile
from pathlib import Path

from satchel.blobs.s3 import S3BlobStore


class S3SharedFiles:
    """put, get, list and delete files by key under `<prefix>/shared/`."""

    def __init__(self, store: S3BlobStore) -> None:
        self.client = store.client
        self.bucket = store.bucket
        self.root = f"{store.prefix}/shared/" if store.prefix else "shared/"

    def put_file(self, key: str, path: Path) -> None:
        self.client.upload_file(str(path), self.bucket, self.root + key)

    def get_file(self, key: str, path: Path) -> bool:
        """Copy the file at `key` to `path` (atomically); False when there is none."""
        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.root + key)["Body"]
        except self.client.exceptions.NoSuchKey:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=".get-")
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in body.iter_chunks(1 << 20):
                    fh.write(chunk)
            os.replace(name, path)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return True

    def list(self, prefix: str) -> list[tuple[str, float]]:
        """(key under the root, last modified as a Unix time) for every file under `prefix`."""
        found = []
        pages = self.client.get_paginator("list_objects_v2")
        for page in pages.paginate(Bucket=self.bucket, Prefix=self.root + prefix):
            for item in page.get("Contents", []):
                key = item["Key"].removeprefix(self.root)
                found.append((key, item["LastModified"].timestamp()))
        return found

    def delete(self, keys: builtins.list[str]) -> None:
        for start in range(0, len(keys), 1000):
            batch = [{"Key": self.root + k} for k in keys[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch})  # type: ignore[typeddict-item]
