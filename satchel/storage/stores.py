"""`Stores`: the blob store a running Satchel uses, routing each blob to where it lives.

Managed storage (the data folder, or `SATCHEL_BLOBS_URL=s3://…`) holds everything by
default; an asset uploaded to a storage connection keeps its original and derivatives in
that bucket (`assets.store` is the connection id). Writers are chosen by location, and so
are reads, presigned URLs and local copies for an asset: `at(asset.store)`. The same bytes
in two owners' buckets are two objects in two places that two people control, so an
address alone never picks a bucket for serving. The protocol's own read methods (a lookup
by address across every location) are for the lifecycle passes only (GC, scrub, repair),
which check rows against whatever holds the bytes. Deletes from a connection re-check that
nothing in that connection still points at the address. Locks are the managed store's,
plus an advisory lock over PostgreSQL so that they hold across nodes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from satchel.blobs.base import BlobEntry, BlobStore, BlobWriter, SharedFiles
from satchel.blobs.local import LocalBlobStore
from satchel.blobs.multipart import AppendStore, MultipartStore
from satchel.codes import Code
from satchel.db import Database
from satchel.errors import NotFound
from satchel.storage.crypto import CredentialBox
from satchel.storage.egress import Egress, guarded_client
from satchel.storage.locations import held_at, locations_of
from satchel.storage.models import StorageConnection

if TYPE_CHECKING:  # boto3 loads when a bucket is first used, not in every process
    from satchel.blobs.s3 import S3BlobStore, S3Location

log = logging.getLogger("satchel.storage")


def connection_not_found(connection_id: str) -> NotFound:
    return NotFound(
        f"No storage connection {connection_id}.", code=Code.STORAGE_CONNECTION_NOT_FOUND
    )


def connection_location(row: StorageConnection, box: CredentialBox) -> S3Location:
    from satchel.blobs.s3 import S3Location

    creds = box.open(row.credentials, bound_to=row.id)
    return S3Location(
        bucket=row.bucket,
        prefix=row.prefix,
        endpoint_url=row.endpoint_url,
        region=row.region,
        access_key_id=creds["access_key_id"],
        secret_access_key=creds["secret_access_key"],
    )


class Stores:
    """A `BlobStore` over managed storage plus every storage connection."""

    def __init__(
        self,
        managed: BlobStore,
        *,
        db: Database,
        box: CredentialBox,
        presign: bool,
        egress: Egress | None = None,
    ) -> None:
        self.managed = managed
        self.egress = egress or Egress()
        self.db = db
        self.box = box
        self.presign = presign
        self.scratch_dir: Path = managed.scratch_dir
        self._connections: dict[str, S3BlobStore] = {}
        self._guard = threading.Lock()

    # Local-store conveniences (tests and tools that look at the data folder directly).
    def _local(self) -> LocalBlobStore:
        if not isinstance(self.managed, LocalBlobStore):
            raise TypeError("managed storage is not a local folder")
        return self.managed

    def path_of(self, sha256: str) -> Path:
        return self._local().path_of(sha256)

    @property
    def blob_dir(self) -> Path:
        return self._local().blob_dir

    @property
    def tmp_dir(self) -> Path:
        return self._local().tmp_dir

    def store(self, location: str | None) -> BlobStore:
        """The store for a location (None: managed)."""
        if location is None:
            return self.managed
        with self._guard:
            found = self._connections.get(location)
        if found is not None:
            return found
        with self.db.session() as session:
            row = session.get(StorageConnection, location)
            if row is None:
                raise connection_not_found(location)
            where = connection_location(row, self.box)
        from satchel.blobs.s3 import S3BlobStore

        store = S3BlobStore(
            where,
            scratch_dir=self.scratch_dir,
            presign=self.presign,
            client=guarded_client(where, self.egress),
        )
        with self._guard:
            return self._connections.setdefault(location, store)

    def at(self, location: str | None) -> BlobStore:
        """The store holding one location's bytes: what serving an asset reads from."""
        return self.store(location)

    def forget(self, location: str) -> None:
        """Drop a cached connection store (after its settings changed or it was deleted)."""
        with self._guard:
            self._connections.pop(location, None)

    def connection_ids(self) -> list[str]:
        with self.db.session() as session:
            return list(
                session.scalars(select(StorageConnection.id).order_by(StorageConnection.id))
            )

    def _locate(self, sha256: str) -> BlobStore:
        """Any location holding the address (lifecycle passes only; see the docstring)."""
        with self.db.session() as session:
            found = locations_of(session, sha256)
        if not found or None in found:
            return self.managed
        return self.store(sorted(loc for loc in found if loc is not None)[0])

    # The BlobStore protocol.
    def writer(self, location: str | None = None) -> BlobWriter:
        return self.store(location).writer()

    def lock(self, sha256: str) -> AbstractContextManager[None]:
        if not self.db.is_postgres:
            return self.managed.lock(sha256)
        return self._cluster_lock(sha256)

    @contextmanager
    def _cluster_lock(self, sha256: str) -> Iterator[None]:
        # Over PostgreSQL the API nodes and workers may be on other machines: the managed
        # store's process and file locks, then an advisory lock every node sees.
        with self.managed.lock(sha256), self.db.named_lock(f"blob:{sha256}"):
            yield

    def size_of(self, sha256: str) -> int | None:
        return self._locate(sha256).size_of(sha256)

    def read(self, sha256: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        return self._locate(sha256).read(sha256, start, end)

    def delete(self, sha256: str, location: str | None = None) -> None:
        """Managed: remove (the caller has checked nothing points at it). A connection:
        remove unless something in that connection still points at it."""
        if location is None:
            self.managed.delete(sha256)
            return
        with self.db.session() as session:
            if held_at(session, sha256, location):
                return
        with suppress(NotFound):  # the connection is gone; its bytes are the owner's business
            self.store(location).delete(sha256)

    # Without a location these mean managed storage (avatars, covers): never a lookup.
    def local_copy(self, sha256: str) -> AbstractContextManager[Path]:
        return self.managed.local_copy(sha256)

    def presign_get(
        self, sha256: str, *, expires_in: int, filename: str, media_type: str, attachment: bool
    ) -> str | None:
        return self.managed.presign_get(
            sha256,
            expires_in=expires_in,
            filename=filename,
            media_type=media_type,
            attachment=attachment,
        )

    def iter_blobs(self) -> Iterator[BlobEntry]:
        return self.managed.iter_blobs()

    @property
    def multipart_store(self) -> Callable[[], MultipartStore] | None:
        """Multipart staging in managed storage's bucket (presigned parts), when it is S3;
        None: uploads stage on local disk (satchel.uploads.staging.staging_of)."""
        managed = self.managed
        return getattr(managed, "multipart_store", None)  # S3 stores have one

    @property
    def append_store(self) -> Callable[[], AppendStore] | None:
        """tus staging in managed storage's bucket, when it is S3 (any node can take the
        next PATCH); None: tus stages on this node's disk."""
        return getattr(self.managed, "append_store", None)

    @property
    def shared_files(self) -> SharedFiles | None:
        """Named temporary files (tool workspaces, staged avatars) in managed storage's
        bucket, when it is S3, so any node can read them; None: they stay on local disk."""
        make = getattr(self.managed, "shared_files", None)  # S3 stores have one
        return make() if make is not None else None
