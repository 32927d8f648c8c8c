"""An export ZIP (a rewound temporary file) as a download that closes the file after."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from satchel.assets.filenames import content_disposition


def zip_download(out: IO[bytes], name: str) -> StreamingResponse:
    def chunks() -> Iterator[bytes]:
        while chunk := out.read(1 << 20):
            yield chunk

    return StreamingResponse(
        chunks(),
        media_type="application/zip",
        headers={"Content-Disposition": content_disposition(name, attachment=True)},
        background=BackgroundTask(out.close),
    )
