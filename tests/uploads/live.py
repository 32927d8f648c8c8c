"""A real `satchel serve` on loopback, deterministic large files, and a faulty network."""

from __future__ import annotations

import hashlib
import random
import socket
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from tests.cli.test_serve import Server, start

KEY = "sat_uploads-test-key-0000000000000000000000"
AUTH = {"Authorization": f"Bearer {KEY}"}
MiB = 1 << 20


@contextmanager
def serving(data_dir: Path, **env: str) -> Iterator[Server]:
    """`satchel serve` without job workers (uploads only), stopped afterwards."""
    server = start(data_dir, SATCHEL_ADMIN_API_KEY=KEY, SATCHEL_WORKERS="0", **env)
    try:
        yield server
    finally:
        server.stop()


class BigWav:
    """A WAV file of any size (16-bit stereo PCM), made block by block from a seed: the
    same bytes every time, and never more than a megabyte of it in memory."""

    def __init__(self, size: int, seed: int = 0) -> None:
        assert size % 4 == 0 and size > 44
        self.size = size
        self._base = random.Random(seed).randbytes(MiB)
        data = size - 44
        self._header = (
            b"RIFF"
            + struct.pack("<I", size - 8)
            + b"WAVEfmt "
            + struct.pack("<IHHIIHH", 16, 1, 2, 48_000, 48_000 * 4, 4, 16)
            + b"data"
            + struct.pack("<I", data)
        )

    def block(self, index: int) -> bytes:
        stamped = index.to_bytes(8, "big") + self._base[8:]
        if index == 0:
            stamped = self._header + stamped[len(self._header) :]
        end = min(MiB, self.size - index * MiB)
        return stamped[:end]

    def chunks(self, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        end = self.size if end is None else end
        position = start
        while position < end:
            index, skip = divmod(position, MiB)
            piece = self.block(index)[skip : skip + end - position]
            position += len(piece)
            yield piece

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for chunk in self.chunks():
            digest.update(chunk)
        return digest.hexdigest()


@dataclass
class FlakyProxy:
    """A TCP proxy to `target` that drops its connection once, after `cut_after` bytes
    from the client: a network failure in the middle of a request body."""

    target: tuple[str, int]
    cut_after: int
    port: int = 0
    cut: bool = False

    def __post_init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._sent = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, counted: bool) -> None:
        try:
            while data := src.recv(256 * 1024):
                if counted:
                    with self._lock:
                        self._sent += len(data)
                        drop = not self.cut and self._sent > self.cut_after
                        if drop:
                            self.cut = True
                    if drop:
                        dst.sendall(data[: len(data) // 2])
                        break
                dst.sendall(data)
        except OSError:
            pass
        for sock in (src, dst):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def close(self) -> None:
        self._listener.close()
