"""`python -m bench [NAME ...] [--assets N]`: run every benchmark in turn, or only the ones
named; `--assets N` sets how many assets the list benchmark (default 100 000) and the
scale_out search half (default 1 000 000) seed."""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import Callable

from bench import (
    ai_peers,
    av_peers,
    doc_peers,
    download,
    idle_memory,
    image_peers,
    listing,
    multipart_s3,
    photos_ready,
    scale_out,
    small_uploads,
    upload_put,
    upload_resumable,
    upload_rss,
)

BENCHMARKS: dict[str, Callable[[], None]] = {
    "upload_put": upload_put.run,
    "small_uploads": small_uploads.run,
    "download": download.run,
    "list": listing.run,
    "upload_rss": upload_rss.run,
    "idle_memory": idle_memory.run,
    "photos_ready": photos_ready.run,
    "image_peers": image_peers.run,
    "upload_resumable": upload_resumable.run,
    "multipart_s3": multipart_s3.run,
    "scale_out": scale_out.run,
    "doc_peers": doc_peers.run,
    "av_peers": av_peers.run,
    "ai_peers": ai_peers.run,
}


def main(args: list[str]) -> int:
    names = list(args)
    if "--assets" in names:
        at = names.index("--assets")
        os.environ["BENCH_ASSETS"] = names[at + 1] if at + 1 < len(names) else ""
        del names[at : at + 2]
        if not os.environ["BENCH_ASSETS"].isdigit():
            print("--assets takes a number of assets")
            return 2
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    failed = []
    for name in names or list(BENCHMARKS):
        print(f"== {name}", flush=True)
        start = time.perf_counter()
        try:
            BENCHMARKS[name]()
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"== {name} took {time.perf_counter() - start:.0f} s", flush=True)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
