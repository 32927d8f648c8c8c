"""Which network addresses a server-side browser may reach: public ones only.

The guarded browser (`satchel.media.browser`) loads pages chosen by callers, so every
address it connects to is checked: no loopback, private, link-local (cloud metadata
169.254.169.254), CGNAT, multicast, reserved or unspecified addresses, in IPv4 or IPv6
(mapped, 6to4, Teredo and NAT64 addresses are judged by the IPv4 address inside them),
and DNS names are judged by every address they resolve to. `GuardProxy` is a forward
proxy the browser must use: it resolves each host once, checks the addresses and
connects to the checked address itself, so a DNS answer that changes between the check
and the connection (rebinding) cannot get through, and redirects, subresources and
WebSockets are each checked as new connections.

`SATCHEL_TOOLS_ALLOW_LOOPBACK=1` additionally allows 127.0.0.0/8 and ::1. It exists for
the test suite, which can only serve pages on 127.0.0.1; never set it on a server.
"""

from __future__ import annotations

import ipaddress
import os
import select
import socket
import socketserver
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from satchel.codes import Code
from satchel.media.errors import UrlRefused

ALLOW_LOOPBACK_ENV = "SATCHEL_TOOLS_ALLOW_LOOPBACK"  # test-only
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_HEAD_LIMIT = 64 * 1024
_IDLE_SECONDS = 30.0

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def loopback_allowed() -> bool:
    return os.environ.get(ALLOW_LOOPBACK_ENV, "") == "1"


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def address_problem(ip: IPAddress) -> str | None:
    """Why this address may not be reached, or None when it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_v4(ip)
        if inner is not None:
            return address_problem(inner)
        if ip.scope_id:
            return "a scoped (link-local) address"
    if ip.is_loopback:
        return None if loopback_allowed() else "a loopback address"
    if ip.is_link_local:
        return "a link-local address (where cloud metadata lives)"
    if ip.is_private or ip.is_unspecified or ip.is_reserved or ip.is_multicast:
        return "a private, reserved or multicast address"
    if not ip.is_global:  # CGNAT 100.64.0.0/10, benchmarking, documentation ranges, …
        return "not a public address"
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` resolves to, all of which must be public (else UrlRefused)."""
    if not host:
        raise UrlRefused("The URL has no host.")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UrlRefused(
            f"The host {host!r} could not be resolved.", code=Code.URL_UNRESOLVABLE
        ) from exc
    addresses: list[IPAddress] = []
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        problem = address_problem(ip)
        if problem:
            where = host if host == str(ip) else f"{host} ({ip})"
            raise UrlRefused(f"{where} is {problem}; only public addresses are allowed.")
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise UrlRefused(f"The host {host!r} has no address.", code=Code.URL_UNRESOLVABLE)
    return addresses


def check_url(url: str) -> tuple[str, int]:
    """(host, port) of an http(s) URL whose host is public; UrlRefused otherwise."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UrlRefused(f"The URL is not valid: {exc}.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UrlRefused(f"Only http and https URLs can be captured, not {scheme or 'this'}:.")
    host = (parts.hostname or "").rstrip(".")
    port = port or (443 if scheme == "https" else 80)
    resolve(host, port)
    return host, port


# The forward proxy -----------------------------------------------------------------------


@dataclass
class GuardLog:
    refused: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, target: str, reason: str, code: str) -> None:
        with self.lock:
            if len(self.refused) < 200:
                self.refused.append({"target": target, "reason": reason, "code": code})


def _split_target(target: str, default_port: int) -> tuple[str, int]:
    if target.startswith("["):
        host, _, rest = target[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    else:
        host, _, port = target.rpartition(":") if ":" in target else (target, "", "")
    return host.rstrip("."), int(port) if port else default_port


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        client: socket.socket = self.request
        client.settimeout(_IDLE_SECONDS)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = client.recv(8192)
            if not chunk or len(head) > _HEAD_LIMIT:
                return
            head += chunk
        header, _, rest = head.partition(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        method, target, version = [*lines[0].split(" "), "", "", ""][:3]
        try:
            if method.upper() == "CONNECT":
                host, port = _split_target(target, 443)
                upstream = self._connect(host, port, f"{host}:{port}")
                client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
                self._pipe(client, upstream, rest)
                return
            parts = urlsplit(target)
            if parts.scheme.lower() != "http" or not parts.hostname:
                raise UrlRefused(f"The proxy only forwards http URLs, not {target[:100]!r}.")
            host, port = parts.hostname.rstrip("."), parts.port or 80
            upstream = self._connect(host, port, target)
        except UrlRefused as exc:
            body = exc.message.encode()
            client.sendall(
                b"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                + f"X-Satchel-Refused: {exc.code}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
                + body
            )
            return
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        kept = [
            line
            for line in lines[1:]
            if line.split(":", 1)[0].strip().lower() not in ("proxy-connection", "connection")
        ]
        request = "\r\n".join([f"{method} {path} {version}", *kept, "Connection: close", "", ""])
        self._pipe(client, upstream, request.encode("latin-1") + rest)

    def _connect(self, host: str, port: int, target: str) -> socket.socket:
        try:
            addresses = resolve(host, port)
        except UrlRefused as exc:
            self.server.log.add(target, exc.message, exc.code)
            raise
        last: OSError | None = None
        for ip in addresses:  # connect to the address that was checked, never re-resolve
            try:
                return socket.create_connection((str(ip), port), timeout=_IDLE_SECONDS)
            except OSError as exc:
                last = exc
        refused = UrlRefused(
            f"Could not connect to {host}:{port}: {last}", code=Code.URL_UNREACHABLE
        )
        self.server.log.add(target, refused.message, refused.code)
        raise refused

    @staticmethod
    def _pipe(client: socket.socket, upstream: socket.socket, first: bytes) -> None:
        try:
            if first:
                upstream.sendall(first)
            sockets = [client, upstream]
            while True:
                ready, _, _ = select.select(sockets, [], [], _IDLE_SECONDS)
                if not ready:
                    return
                for sock in ready:
                    data = sock.recv(65536)
                    if not data:
                        return
                    (upstream if sock is client else client).sendall(data)
        except OSError:
            return
        finally:
            upstream.close()


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    log: GuardLog


class GuardProxy:
    """A forward proxy on 127.0.0.1 that only connects to public addresses."""

    def __init__(self) -> None:
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.log = GuardLog()
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def refused(self) -> list[dict[str, str]]:
        with self.server.log.lock:
            return list(self.server.log.refused)

    def __enter__(self) -> GuardProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
