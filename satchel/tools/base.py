"""The tool contract: what a tool declares, what it receives and what it returns.

A tool is one module with one function decorated by `@tool(...)`:

    class Settings(ToolSettings):
        width: int | None = Field(None, ge=1, le=16384)

    @tool("image", "resize", name="Resize", settings=Settings)
    def run(inputs: Inputs, settings: Settings, ctx: ToolContext) -> ToolResult:
        '''Resize an image to a width, a height or both.'''  # the catalog description
        ...

Tools know nothing of HTTP, the database or blobs: local files in, local files out (in
`ctx.workdir`), plus JSON data for tools that answer with facts (`info`, `color-palette`).
That is what lets one tool serve the tool API, batches, pipelines and stored assets alike.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from satchel.codes import Code
from satchel.errors import SatchelError
from satchel.media.errors import ResultTooLarge

SECTIONS = ("image", "video", "audio", "pdf", "files")


class ToolSettings(BaseModel):
    """Base of every tool's settings: camelCase as the seed writes them (snake_case is
    accepted too), and unknown keys refused so a typo is an error, not a silent default."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class NoSettings(ToolSettings):
    """For tools without options."""


class ToolError(SatchelError):
    """A tool could not do what was asked with this input (422, stable code)."""

    status = 422
    code = Code.TOOL_FAILED


@dataclass(frozen=True)
class InputFile:
    path: Path
    name: str  # the name the client gave, cleaned; outputs are named after it
    media_type: str

    @property
    def stem(self) -> str:
        return Path(self.name).stem or "file"


@dataclass(frozen=True)
class Inputs:
    """The files a run received: the main ones, and named extra parts (`watermark`)."""

    files: tuple[InputFile, ...]
    extras: Mapping[str, InputFile] = field(default_factory=dict)

    @property
    def first(self) -> InputFile:
        return self.files[0]


@dataclass(frozen=True)
class Extra:
    """A named extra file part (the watermark image, a mask, a logo)."""

    name: str
    accepts: tuple[str, ...] = ("image/*",)
    required: bool = True
    description: str = ""


@dataclass(frozen=True)
class InputSpec:
    """How many main files a tool takes, of which types, and its extra parts."""

    min_files: int = 1
    max_files: int | None = 1
    accepts: tuple[str, ...] = ("image/*",)
    extras: tuple[Extra, ...] = ()

    def accepts_type(self, media_type: str) -> bool:
        return matches(media_type, self.accepts)


def matches(media_type: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(media_type, p) for p in patterns)


@dataclass(frozen=True)
class OutputFile:
    path: Path
    name: str
    media_type: str

    @property
    def size(self) -> int:
        return self.path.stat().st_size


@dataclass
class ToolResult:
    files: list[OutputFile] = field(default_factory=list)
    data: dict[str, Any] | None = None  # facts, for tools that answer in JSON


@dataclass(frozen=True)
class ToolLimits:
    max_image_edge: int = 16_384
    max_image_pixels: int = 50_000_000
    max_media_seconds: float = 4 * 3600.0  # video and audio inputs, refused up front
    max_video_pixels: int = 8192 * 4320  # width × height of one video frame
    max_video_frames: int = 1_000_000
    max_output_bytes: int = 4 * 1024**3  # one video or audio result
    max_output_files: int = 1000  # files one run makes (pages, frames, parts)


@dataclass
class ToolContext:
    """What a running tool may use: a folder for its outputs, limits, progress reports."""

    workdir: Path
    limits: ToolLimits = field(default_factory=ToolLimits)
    report: Callable[[int, str | None], None] = lambda _p, _m: None
    _names: set[str] = field(default_factory=set)

    def progress(self, percent: int, message: str | None = None) -> None:
        self.report(max(0, min(100, int(percent))), message)

    def output(self, name: str, media_type: str) -> OutputFile:
        """A new output file's path in the workdir (names made unique and safe); refused
        past the run's file cap, whatever the tool checked up front."""
        if len(self._names) >= self.limits.max_output_files:
            raise too_many_files(len(self._names) + 1, self.limits.max_output_files)
        clean = safe_name(name)
        stem, dot, ext = clean.rpartition(".")
        candidate, n = clean, 1
        while candidate in self._names:
            n += 1
            candidate = f"{stem}-{n}.{ext}" if dot else f"{clean}-{n}"
        self._names.add(candidate)
        return OutputFile(self.workdir / candidate, candidate, media_type)


def too_many_files(count: int, limit: int) -> ResultTooLarge:
    return ResultTooLarge(
        f"That makes {count} files; at most {limit} are made in one run (SATCHEL_TOOL_MAX_FILES)."
    )


_UNSAFE = re.compile(r"[^\w.\- ()+]+", re.UNICODE)


def safe_name(name: str) -> str:
    """A file name without folders, control characters or leading dots."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .") or "file"
    return name[:200]


S = TypeVar("S", bound=ToolSettings)
RunFn = Callable[[Inputs, Any, ToolContext], ToolResult]


@dataclass(frozen=True)
class Action:
    """A tool's sub-route (`edit-metadata/inspect`): runs at once, returns data or a file."""

    name: str
    run: RunFn
    settings: type[ToolSettings] = NoSettings
    description: str = ""


@dataclass(frozen=True)
class Tool(Generic[S]):
    section: str
    id: str
    name: str
    description: str
    settings: type[S]
    run: RunFn
    inputs: InputSpec = InputSpec()
    produces: tuple[str, ...] = ("image/*",)  # what the main output may be
    slow: bool = False  # answer 202 and run on a worker
    pipeline: bool = True  # one file in, one file out: usable as a pipeline step
    experimental: bool = False
    availability: Callable[[], str | None] | None = None  # why it cannot run here, or None
    actions: Mapping[str, Action] = field(default_factory=dict)
    # False for a tool whose engine runs in processes of its own (Chromium), which reserve
    # far more address space than they use: the sandbox then sets no address-space limit.
    memory_limit: bool = True
    # Other sections whose routes also answer for this tool (the seed's clients look for
    # pdf-to-image under /tools/image/ too); its id stays one across sections.
    also_in: tuple[str, ...] = ()

    def unavailable(self) -> str | None:
        return self.availability() if self.availability is not None else None

    def schema(self) -> dict[str, Any]:
        return self.settings.model_json_schema(by_alias=True)


def tool(
    section: str,
    tool_id: str,
    *,
    name: str,
    settings: type[ToolSettings] = NoSettings,
    inputs: InputSpec = InputSpec(),
    produces: tuple[str, ...] = ("image/*",),
    slow: bool = False,
    pipeline: bool | None = None,
    experimental: bool = False,
    availability: Callable[[], str | None] | None = None,
    actions: tuple[Action, ...] = (),
    memory_limit: bool = True,
    also_in: tuple[str, ...] = (),
) -> Callable[[RunFn], Tool[Any]]:
    """Declare a tool; its description is the decorated function's docstring."""
    if section not in SECTIONS:
        raise ValueError(f"unknown section {section!r}")

    def declare(fn: RunFn) -> Tool[Any]:
        doc = (fn.__doc__ or "").strip()
        if not doc:
            raise ValueError(f"tool {tool_id} needs a docstring (its description)")
        single = inputs.min_files == 1 and inputs.max_files == 1
        return Tool(
            section=section,
            id=tool_id,
            name=name,
            description=" ".join(doc.split()),
            settings=settings,
            run=fn,
            inputs=inputs,
            produces=produces,
            slow=slow,
            pipeline=single if pipeline is None else pipeline,
            experimental=experimental,
            availability=availability,
            actions={a.name: a for a in actions},
            memory_limit=memory_limit,
            also_in=also_in,
        )

    return declare
