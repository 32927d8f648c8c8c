"""Where the bytes of uploads that span many requests wait: multipart parts, tus appends."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from satchel.blobs import BlobStore
from satchel.blobs.multipart import LocalMultipartStore, MultipartStore
from satchel.uploads.models import UploadProtocol

if TYPE_CHECKING:
    from satchel.runtime import Runtime


def staging_root(blobs: BlobStore) -> Path:
    """`<data>/uploads`: beside the scratch folder, out of reach of its hourly sweep (a tus
    upload may pause for a day)."""
    return Path(blobs.scratch_dir).parent / "uploads"


def staging_of(blobs: BlobStore, protocol: str, *, fsync: bool = True) -> MultipartStore:
    """Where an upload of this protocol stages: tus always on local disk; multipart in the
    blob store's own staging when it has one (S3: presigned UploadPart URLs; a store
    offers it as `multipart_store()`), else on local disk. A signed PUT has no staging (its
    bytes are placed in the blob store); asking for it gives the local one, which is
    empty."""
    own = getattr(blobs, "multipart_store", None)
    if protocol == UploadProtocol.MULTIPART and callable(own):
        store: MultipartStore = own()
        return store
    return LocalMultipartStore(staging_root(blobs), fsync=fsync)


def local_staging(runtime: Runtime) -> LocalMultipartStore:
    return LocalMultipartStore(staging_root(runtime.blobs), fsync=runtime.settings.fsync)


def multipart_staging(runtime: Runtime) -> MultipartStore:
    return staging_of(runtime.blobs, UploadProtocol.MULTIPART, fsync=runtime.settings.fsync)
