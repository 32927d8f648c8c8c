"""The metrics Satchel's code updates as things happen (the scrape-time ones are in
`collector`); labels are bounded sets (route templates, modes, kinds, tool ids)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

_LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
_DURATION = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0, 1800.0)

HTTP_REQUESTS = Counter(
    "satchel_http_requests", "HTTP requests answered.", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "satchel_http_request_duration_seconds",
    "Time to answer an HTTP request (to its last byte).",
    ["method", "route"],
    buckets=_LATENCY,
)
UPLOADS = Counter("satchel_uploads", "Uploads accepted, by mode.", ["mode", "deduplicated"])
UPLOAD_BYTES = Counter("satchel_upload_bytes", "Bytes of accepted uploads, by mode.", ["mode"])
JOBS_FINISHED = Counter(
    "satchel_jobs_finished", "Jobs that ended, by outcome.", ["kind", "outcome"]
)
JOB_DURATION = Histogram(
    "satchel_job_duration_seconds", "Time a job ran.", ["kind", "outcome"], buckets=_DURATION
)
WORKERS = Gauge("satchel_workers", "Job worker threads running.", multiprocess_mode="livesum")
WORKER_RESTARTS = Counter(
    "satchel_worker_restarts", "Worker processes started again after exiting."
)
TOOL_RUNS = Counter("satchel_tool_runs", "Sandboxed tool runs, by outcome.", ["tool", "outcome"])
TOOL_DURATION = Histogram(
    "satchel_tool_run_duration_seconds", "Time a tool run took.", ["tool"], buckets=_DURATION
)
SCRUB_CHECKED = Counter("satchel_scrub_checked_blobs", "Blobs a scrub checked.")
SCRUB_PROBLEMS = Counter(
    "satchel_scrub_problems", "Blobs a scrub found damaged, by problem.", ["problem"]
)
GC_DELETED = Counter("satchel_gc_deleted_blobs", "Blobs GC removed.")
GC_RECLAIMED = Counter("satchel_gc_reclaimed_bytes", "Bytes GC reclaimed.")
