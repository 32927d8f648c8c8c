"""Content-addressed blob storage: the `BlobStore` protocol and its implementations."""

from satchel.blobs.base import CHUNK_SIZE, BlobInfo, BlobStore, BlobWriter, write_file
from satchel.blobs.local import LocalBlobStore
from satchel.blobs.verify import read_verified

__all__ = [
    "CHUNK_SIZE",
    "BlobInfo",
    "BlobStore",
    "BlobWriter",
    "LocalBlobStore",
    "read_verified",
    "write_file",
]
