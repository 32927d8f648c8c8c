"""What visitors get as an original: the stored bytes, or an image without its location,
camera and other private metadata (made once by the strip-metadata tool, cached)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from satchel.assets import content, service
from satchel.assets.content import Payload
from satchel.assets.models import Asset, Derivative
from satchel.runtime import Runtime
from satchel.tools.base import InputFile, Inputs

# The original without location, camera and other private metadata, as visitors get it: a
# cached derivative (`r:` kinds are caches, not part of the asset's view).
STRIPPED = "r:stripped"


def strippable(asset: Asset) -> bool:
    """Whether visitors get the stripped copy of this asset (images; SVG is text)."""
    return asset.media_type.startswith("image/") and asset.media_type not in content.ACTIVE_TYPES


def visitor_original(runtime: Runtime, asset: Asset, *, strip: bool) -> Payload:
    """What a visitor downloads as the original: the stored bytes, or (when `strip` and the
    asset is an image) the copy the strip-metadata tool made, cached as a derivative. The
    asset was loaded with its blob; the owner's own routes never come here."""
    assert asset.blob is not None
    if not (strip and strippable(asset)):
        return Payload(asset.blob, asset.media_type, asset.filename, asset.created_at, asset.store)
    row = _stripped(runtime, asset.id) or _strip(runtime, asset)
    filename = asset.filename
    if row.media_type != asset.media_type:  # re-encoded into another format (e.g. GIF → PNG)
        filename = f"{asset.filename.rsplit('.', 1)[0]}.{row.media_type.split('/')[-1]}"
    return Payload(row.blob, row.media_type, filename, row.created_at, asset.store)


def _stripped(runtime: Runtime, asset_id: str) -> Derivative | None:
    with runtime.db.session() as session:
        return session.get(Derivative, (asset_id, STRIPPED))


def _strip(runtime: Runtime, asset: Asset) -> Derivative:
    """Make the stripped copy in the sandbox (the strip-metadata tool, the same engine as
    /tools/image/strip-metadata) and cache it."""
    from satchel.processing.service import store_derivative
    from satchel.runs import service as runs
    from satchel.tools import registry

    tool = registry.get("strip-metadata")
    assert asset.blob is not None
    store = runtime.blobs.at(asset.store)
    scratch = runtime.blobs.scratch_dir
    with (
        tempfile.TemporaryDirectory(dir=scratch, prefix="strip-") as work,
        store.local_copy(asset.blob.sha256) as source,
    ):
        inputs = Inputs((InputFile(source, asset.filename, asset.media_type),))
        result = runs.run_in_sandbox(runtime, runs.Plan(tool=tool), inputs, {}, workdir=Path(work))
        made = result.files[0]
        store_derivative(
            db=runtime.db,
            blobs=runtime.blobs,
            asset_id=asset.id,
            kind=STRIPPED,
            path=made.path,
            media_type=made.media_type,
            width=asset.width,
            height=asset.height,
            location=asset.store,
        )
    row = _stripped(runtime, asset.id)
    if row is None:  # the asset was deleted meanwhile
        raise service.not_found(asset.id)
    return row
