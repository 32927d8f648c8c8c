"""Settings: every `SATCHEL_*` environment variable, with its default and what it does."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from satchel.allowed_types import DEFAULT_ALLOWED_TYPES
from satchel.codes import Code
from satchel.config_checks import (
    MAKE_ONE,
    ConfigurationError,
    check_preset,
    refuse_weak,
)

GiB = 1024**3


CLUSTER_KEY_CHARS = 32


class Settings(BaseSettings):
    """Read from `SATCHEL_*` environment variables (and a `.env` file, when present)."""

    model_config = SettingsConfigDict(env_prefix="SATCHEL_", env_file=".env", extra="ignore")

    host: str = Field("127.0.0.1", description="Address the HTTP server listens on.")
    port: int = Field(8080, description="Port the HTTP server listens on.")
    data_dir: Path = Field(
        Path("./satchel-data"), description="Folder for the database, blobs and temporary files."
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the metadata database; default: SQLite in the data folder.",
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names links may be built on when SATCHEL_BASE_URL is not set "
        "(JSON list); other Host headers are not trusted.",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or networks of the reverse proxies in front of Satchel (JSON "
        'list, e.g. ["127.0.0.1", "10.0.0.0/8"]): only a request from one of them has its '
        "client address taken from X-Forwarded-For (the nearest address not a proxy); by "
        "default the header is ignored.",
    )
    base_url: str | None = Field(
        None,
        description="Public origin used in absolute links (signed URLs); default: the request's.",
    )
    admin_api_key: SecretStr | None = Field(
        None, description="API key given to the admin user at first start (for automation)."
    )
    secret_key: SecretStr | None = Field(
        None,
        description="Key for signing URLs and sealing storage credentials; default: a random "
        "key kept in the data folder. Required (the same on every node, 32+ characters) "
        "when SATCHEL_DATABASE_URL is PostgreSQL.",
    )
    sealing_key: SecretStr | None = Field(
        None,
        description="A key of its own for sealing storage credentials (else the secret key "
        "seals them); credentials sealed before stay readable.",
    )
    previous_secret_keys: list[SecretStr] = Field(
        default_factory=list,
        description="Keys used before a rotation (JSON list): links they signed still "
        "verify and credentials they sealed still open. Remove them after the grace period "
        "(the longest link, SATCHEL_SIGNED_URL_MAX_SECONDS).",
    )
    max_upload_bytes: int = Field(
        10 * GiB, description="Largest accepted upload, in bytes (413 asset_file_too_large)."
    )
    allowed_media_types: list[str] = Field(
        default_factory=lambda: list(DEFAULT_ALLOWED_TYPES),
        description="Media types accepted on upload (JSON list); others are refused.",
    )
    max_image_edge: int = Field(
        16_384, description="Largest width or height of an image, read from its header."
    )
    max_image_pixels: int = Field(
        50_000_000, description="Largest width × height of an image, read from its header."
    )
    max_audio_seconds: float = Field(
        24 * 3600.0, description="Longest audio duration declared or computed from the header."
    )
    max_description_chars: int = Field(1000, description="Longest description or alt text.")
    signed_url_max_seconds: int = Field(
        7 * 24 * 3600, description="Longest lifetime of a signed URL, in seconds."
    )
    upload_url_seconds: int = Field(
        3600, description="Lifetime of the signed PUT URL of a two-step upload, in seconds."
    )
    multipart_threshold_bytes: int = Field(
        100 * 1024**2,
        ge=1,
        description="Announced uploads larger than this are multipart (presigned parts).",
    )
    multipart_part_bytes: int = Field(
        64 * 1024**2,
        ge=5 * 1024**2,
        description="Part size of multipart uploads (raised so no upload needs 10,000 parts).",
    )
    multipart_part_url_seconds: int = Field(
        900, ge=1, description="Lifetime of one part's presigned PUT URL, in seconds."
    )
    resumable_upload_seconds: int = Field(
        24 * 3600,
        ge=60,
        description="A multipart or tus upload not finished this long after it began expires.",
    )
    session_hours: int = Field(
        7 * 24, ge=1, description="Lifetime of a login session, in hours (7 days by default)."
    )
    cookie_secure: bool | None = Field(
        None,
        description="Mark session cookies Secure (sent over HTTPS only); default: on when "
        "SATCHEL_BASE_URL is https://.",
    )
    queue_url: str | None = Field(
        None, description="redis://… to queue jobs in Redis; default: SQLite in the data folder."
    )
    redis_url: str | None = Field(
        None,
        description="redis://… shared by every node for rate-limit counters; default: "
        "counted in each process (right for one node).",
    )
    rate_limit_per_min: int = Field(
        0,
        ge=0,
        description="Requests a minute allowed per API key (or session) and, separately, per "
        "client address (the seed's RATE_LIMIT_PER_MIN); more answer 429 with Retry-After. "
        "0 turns the limit off.",
    )
    rate_limit_exempt_admin: bool = Field(
        False, description="Admin-scope keys skip the rate limit (off: they count like any)."
    )
    api_processes: int = Field(
        1,
        ge=1,
        le=64,
        description="HTTP server processes of `satchel serve` (more use more cores for "
        "Python work such as tools; each is a separate process of about 100 MiB).",
    )
    workers: int = Field(2, ge=0, description="Job worker threads started by `satchel serve`.")
    job_stale_seconds: float = Field(
        60.0, gt=0, description="A running job without a heartbeat this long is re-run."
    )
    processing_seconds: float = Field(
        120.0, gt=0, description="Time budget of one asset's processing."
    )
    gc_grace_seconds: float = Field(
        3600.0, ge=0, description="GC leaves bytes and temporary files younger than this."
    )
    gc_interval_seconds: float = Field(
        0.0,
        ge=0,
        description="Run GC every this many seconds, once across the cluster (a lease in "
        "the database); 0: only when asked (`satchel gc`, POST /api/v1/gc).",
    )
    trash_days: float = Field(
        30.0,
        ge=0,
        description="Trashed assets are deleted for good (the delete engine, then GC) after "
        "this many days, by the worker's periodic sweep.",
    )
    tmp_grace_seconds: float = Field(
        3600.0, ge=0, description="Startup repair removes temporary files older than this."
    )
    tool_concurrency: int = Field(
        default_factory=lambda: os.cpu_count() or 2,
        ge=1,
        description="Tool runs, batch items, pipelines and renditions at once in one API "
        "process, each in a sandbox process of its own (the seed's CONCURRENT_JOBS).",
    )
    tool_seconds: float = Field(
        60.0, gt=0, description="Wall-clock limit of one tool run, batch item or rendition."
    )
    tool_job_seconds: float = Field(
        1800.0, gt=0, description="Wall-clock limit of one queued (slow or async) tool run."
    )
    tool_memory_mb: int = Field(
        1536,
        ge=0,
        description="Address space one tool run may add to its sandbox process, in MiB "
        "(0: no limit).",
    )
    tool_media_seconds: float = Field(
        4 * 3600.0, gt=0, description="Longest video or audio a tool takes, in seconds."
    )
    tool_video_pixels: int = Field(
        8192 * 4320, gt=0, description="Largest width × height of a video a tool takes."
    )
    tool_video_frames: int = Field(
        1_000_000, gt=0, description="Most frames of a video a tool takes."
    )
    tool_output_bytes: int = Field(
        4 * GiB, gt=0, description="Largest video or audio file a tool may write, in bytes."
    )
    rendition_presets: list[str] = Field(
        default_factory=lambda: [
            "w=160&h=160&fit=cover",
            "w=320",
            "w=640",
            "w=1280",
            "w=1920",
        ],
        description="The renditions (w, h, fit, q; any format unless given) callers "
        "without a key or signature may ask of public assets (JSON list of query strings); "
        "other sizes need the owner's key or a signed link from /render-url.",
    )
    renditions_per_asset: int = Field(
        20,
        ge=1,
        description="Cached renditions kept per asset; past it the least recently served "
        "is deleted and its bytes reclaimed.",
    )
    tool_max_files: int = Field(
        1000,
        ge=1,
        description="Most files one tool run makes (pages of a PDF, frames, parts); a run "
        "that would make more is refused before it starts (tool_result_too_large).",
    )
    tool_modules: list[str] = Field(
        default_factory=list,
        description="Python modules whose tools are added to the catalog (JSON list), "
        "besides those registered through the `satchel.tools` entry points.",
    )
    run_enrichment: bool = Field(
        True,
        description="Whether uploads run AI enrichment after processing when they do not "
        "say (`runEnrichment`).",
    )
    enrichment_skills: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "image": ["hashes", "faces", "ocr", "tags", "caption"],
            "audio": ["transcribe"],
            "video": ["transcribe"],
        },
        description="Which skills enrichment runs per asset kind (JSON object of kind → "
        "skill names).",
    )
    max_batch_size: int = Field(
        500, ge=0, description="Most files in one tool batch (MAX_BATCH_SIZE); 0: no limit."
    )
    max_pipeline_steps: int = Field(
        50, ge=0, description="Most steps in one pipeline (MAX_PIPELINE_STEPS); 0: no limit."
    )
    tool_workspace_seconds: float = Field(
        3600.0, gt=0, description="How long tool results stay downloadable, in seconds."
    )
    blobs_url: str | None = Field(
        None,
        description="s3://bucket/prefix to keep blobs in S3-compatible storage; "
        "default: the data folder.",
    )
    s3_endpoint_url: str | None = Field(
        None, description="S3 endpoint (R2, SeaweedFS, MinIO…); default: AWS."
    )
    s3_access_key_id: SecretStr | None = Field(
        None, description="S3 access key id; default: boto3's usual credential chain."
    )
    s3_secret_access_key: SecretStr | None = Field(None, description="S3 secret access key.")
    s3_region: str | None = Field(None, description="S3 region (default us-east-1).")
    s3_presign_downloads: bool = Field(
        True,
        description="Answer /content of S3-stored assets with a 307 to a presigned GET "
        "(bytes then bypass Satchel and its per-chunk checks; /raw is always checked).",
    )
    storage_private_endpoints: list[str] = Field(
        default_factory=list,
        description="Private hosts, addresses or networks storage connections may reach "
        '(JSON list, e.g. ["minio.lan", "10.0.0.0/8"]); by default only public addresses.',
    )
    s3_presign_seconds: int = Field(
        300, ge=1, description="Lifetime of the presigned GETs /content redirects to."
    )
    fsync: bool = Field(
        True, description="fsync blobs and folders before acknowledging a write (keep it on)."
    )
    log_level: str = Field("info", description="Log level of the server.")
    log_format: str = Field(
        "auto",
        pattern="^(auto|json|text)$",
        description="json (one object per line), text, or auto: text on a terminal, else json.",
    )
    metrics_token: SecretStr | None = Field(
        None,
        description="Bearer token that may read /metrics (besides keys with system:health).",
    )
    webhooks_allow_private: bool = Field(
        False,
        description="Let webhook endpoints target loopback and private addresses "
        "(link-local stays refused); for receivers inside your own network.",
    )
    webhook_retry_seconds: float = Field(
        10.0,
        gt=0,
        description="Wait before a failed webhook delivery's first retry; each next wait is "
        "5 times longer, at most 10 hours (8 attempts span about 21 hours).",
    )
    webhook_max_attempts: int = Field(
        8, ge=1, le=20, description="Attempts of one webhook delivery before it is given up."
    )
    webhook_disable_after: int = Field(
        5,
        ge=1,
        description="An endpoint whose this many deliveries in a row were given up is disabled.",
    )
    webhook_timeout_seconds: float = Field(
        10.0, gt=0, description="How long one webhook attempt waits for the receiver's answer."
    )

    _presets = field_validator("rendition_presets")(lambda v: [check_preset(e) for e in v])

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return (self.base_url or "").lower().startswith("https://")

    @property
    def sqlite_path(self) -> Path:
        return self.data_dir / "satchel.db"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.sqlite_path.resolve()}"

    @property
    def scale_out(self) -> bool:
        """A database other nodes can share (PostgreSQL): several API nodes and workers,
        possibly on other machines, may be running against it."""
        return not self.resolved_database_url.startswith("sqlite")

    def check(self) -> None:
        """Refuse settings that cannot work or are unsafe. A configured key or secret that
        is easy to guess is refused (it opens the admin account or forges signed links).
        Scale-out needs the signing and sealing key from configuration: a key each node
        made for itself in its own data folder would make one node's signed URLs,
        sessions' CSRF tokens and sealed storage credentials unreadable on every other."""
        refuse_weak(
            SATCHEL_ADMIN_API_KEY=self.admin_api_key,
            SATCHEL_SECRET_KEY=self.secret_key,
            SATCHEL_METRICS_TOKEN=self.metrics_token,
        )
        if not self.scale_out:
            return
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if len(key) < CLUSTER_KEY_CHARS:
            raise ConfigurationError(
                "Satchel on a shared database (SATCHEL_DATABASE_URL is not SQLite) needs "
                f"SATCHEL_SECRET_KEY, at least {CLUSTER_KEY_CHARS} characters and the same "
                f"on every API node and worker (it signs URLs and seals storage credentials); "
                f"{MAKE_ONE}.",
                code=Code.SECRET_KEY_REQUIRED,
            )


@lru_cache
def get_settings() -> Settings:
    return Settings()


def reference() -> str:
    """Every setting as a Markdown table: variable, default, description (the README's
    reference section is this text; a test keeps the two equal)."""
    rows = ["| variable | default | what it does |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        text = (field.description or "").replace("|", "\\|")
        rows.append(f"| `SATCHEL_{name.upper()}` | {_default(default)} | {text} |")
    return "\n".join(rows) + "\n"


def _default(value: object) -> str:
    if value in (None, [], {}, ""):
        return "none"
    if isinstance(value, (list, dict)):
        shown = json.dumps(value, ensure_ascii=False)
        if len(shown) > 60:  # a long list: its size and first entries
            head = list(value)[:3]
            return f"{len(value)} entries: `{', '.join(map(str, head))}`, …"
        return f"`{shown}`"
    return f"`{json.dumps(value) if isinstance(value, bool) else value}`"
