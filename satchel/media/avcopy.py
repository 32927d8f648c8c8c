"""Stream copies (PyAV): rewrite a container without decoding, keeping some streams,
cutting at keyframes, and replacing or clearing the tags. Fast and lossless; what
mute-video, video-metadata, the quick trim and embed-subtitles use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import av as pyav
from av.container import OutputContainer
from av.packet import Packet
from av.stream import Stream

from satchel.media.avedit import (
    AV_TIME_BASE,
    AvLimits,
    Progress,
    Reporter,
    StreamMissing,
    opened,
    probe,
)
from satchel.media.avencode import Profile, Writer


def remux(
    src: Path,
    dst: Path,
    profile: Profile,
    *,
    limits: AvLimits,
    kinds: Sequence[str] = ("video", "audio", "subtitle"),
    start: float = 0.0,
    end: float | None = None,
    metadata: Mapping[str, str] | None = None,
    keep_tags: bool = True,
    extra: Path | None = None,
    extra_tags: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    name: str = "The file",
) -> None:
    """Copy the streams of `kinds` from `src` into `profile`'s container. With `start`,
    the copy begins at the keyframe before it; tags are kept unless `keep_tags` is False,
    `metadata` is set on top. `extra` adds the streams of a second file (a subtitle file)."""
    with opened(src, name) as container:
        facts = probe(container, limits, name)
        chosen = [s for s in container.streams if s.type in kinds and s.codec_context]
        if not chosen:
            raise StreamMissing(f"{name} has no {' or '.join(kinds)} stream to keep.")
        out = pyav.open(str(dst), "w", format=profile.container, options=dict(profile.options))
        assert isinstance(out, OutputContainer)
        writer = Writer(dst, profile, kinds=set(), rate=None, max_bytes=limits.max_output_bytes)
        try:
            if keep_tags:
                out.metadata.update(container.metadata)
            out.metadata.update(metadata or {})
            pairs = {s.index: out.add_stream_from_template(s) for s in chosen}
            for s in chosen:
                target = pairs[s.index]
                if keep_tags:
                    target.metadata.update(s.metadata)
            others = _extra(extra, out, extra_tags)
            if start > 0:
                container.seek(int(start * AV_TIME_BASE))
            report = Reporter((end or facts.duration) - start, progress, writer)
            offsets: dict[int, int] = {}
            for packet in container.demux(chosen):
                if packet.dts is None or packet.pts is None or packet.time_base is None:
                    continue
                at = float(packet.pts * packet.time_base)
                if end is not None and at >= end:
                    if packet.stream.type == "video" or len(chosen) == 1:
                        break
                    continue
                index = packet.stream.index
                shift = offsets.setdefault(index, packet.dts if start > 0 else 0)
                packet.pts -= shift
                packet.dts -= shift
                packet.stream = pairs[index]
                out.mux(packet)
                report(at - start)
            for packet, stream in others:
                packet.stream = stream
                out.mux(packet)
            out.close()
        except BaseException:
            writer.out = out
            writer.abort()
            raise
        writer.check_size()


def _extra(
    path: Path | None, out: OutputContainer, tags: Mapping[str, str] | None
) -> list[tuple[Packet[Any], Stream]]:
    """The packets of a small side file (subtitles), read whole: they are written last."""
    if path is None:
        return []
    found: list[tuple[Packet[Any], Stream]] = []
    with opened(path, "The subtitle file") as side:
        for s in side.streams:
            target = out.add_stream_from_template(s)
            target.metadata.update(tags or {})
            for packet in side.demux(s):
                if packet.dts is not None:
                    found.append((packet, target))
    return found
