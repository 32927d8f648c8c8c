"""Where the bytes of uploads that span many requests wait: multipart parts, tus appends."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from satchel.blobs import BlobStore
from satchel.blobs.multipart import AppendStore, LocalMultipartStore, MultipartStore
from satchel.uploads.models import UploadProtocol

if TYPE_CHECKING:
    from satchel.runtime import Runtime


class StagingArea(Protocol):
    def abort(self, upload_id: str, ref: str | None) -> None: ...

    def stale(self, *, cutoff: float) -> list[tuple[str, str | None]]: ...


def staging_root(blobs: BlobStore) -> Path:
    """`<data>/uploads`: beside the scratch folder, out of reach of its hourly sweep (a tus
    upload may pause for a day)."""
    return Path(blobs.scratch_dir).parent / "uploads"


def multipart_of(blobs: BlobStore, *, fsync: bool = True) -> MultipartStore:
    """Multipart parts in the blob store's own staging when it has one (S3: presigned
    UploadPart URLs; a store offers it as `multipart_store()`), else on local disk."""
    own = getattr(blobs, "multipart_store", None)
    if callable(own):
        store: MultipartStore = own()
        return store
    return LocalMultipartStore(staging_root(blobs), fsync=fsync)


def appends_of(blobs: BlobStore, *, fsync: bool = True) -> AppendStore:
    """tus appends in the blob store's shared staging when it has one (S3: any API node
    takes the next PATCH; a store offers it as `append_store()`), else on local disk."""
    own = getattr(blobs, "append_store", None)
    if callable(own):
        store: AppendStore = own()
        return store
    return LocalMultipartStore(staging_root(blobs), fsync=fsync)


def staging_of(blobs: BlobStore, protocol: str, *, fsync: bool = True) -> StagingArea:
    """The staging of an upload of this protocol. A signed PUT has none (its bytes are
    placed in the blob store); asking for it gives the local one, which is empty."""
    if protocol == UploadProtocol.MULTIPART:
        return multipart_of(blobs, fsync=fsync)
    if protocol == UploadProtocol.TUS:
        return appends_of(blobs, fsync=fsync)
    return LocalMultipartStore(staging_root(blobs), fsync=fsync)


def tus_staging(runtime: Runtime) -> AppendStore:
    return appends_of(runtime.blobs, fsync=runtime.settings.fsync)


def multipart_staging(runtime: Runtime) -> MultipartStore:
    return multipart_of(runtime.blobs, fsync=runtime.settings.fsync)
