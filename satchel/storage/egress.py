"""Where a storage connection may send requests: public addresses, or the operator's list.

A storage connection makes the server send HEAD/GET/PUT/DELETE to an endpoint the caller
chose, so the endpoint is judged like the html-to-image guard judges a page
(`satchel.media.netguard`): no loopback, private, link-local (cloud metadata), CGNAT,
multicast or reserved address, whatever a name resolves to. It is judged when the
connection is probed or saved, and again at every TCP connection a bucket client opens:
the client's connections resolve the host once, check every address and connect to the
checked one (a DNS answer that changes afterwards cannot point the next request inward).
`SATCHEL_STORAGE_PRIVATE_ENDPOINTS` lists the private hosts, addresses or networks an
operator allows (a MinIO on the LAN: `["minio.lan", "10.0.0.0/8"]`).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from satchel.codes import Code
from satchel.errors import SatchelError
from satchel.media.netguard import IPAddress, address_problem

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from satchel.blobs.s3 import S3Location


class EndpointRefused(SatchelError):
    """The endpoint is (or resolves to) an address storage connections may not reach."""

    status = 422
    code = Code.STORAGE_ENDPOINT_REFUSED


@dataclass(frozen=True)
class Egress:
    """The operator's allow-list of private endpoints (host names, addresses, networks)."""

    allowed: tuple[str, ...] = ()

    def _networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        found = []
        for entry in self.allowed:
            try:
                found.append(ipaddress.ip_network(entry.strip(), strict=False))
            except ValueError:
                continue  # a host name
        return found

    def problem(self, host: str, ip: IPAddress) -> str | None:
        if host.lower() in {e.strip().lower() for e in self.allowed}:
            return None
        if any(ip in net for net in self._networks()):
            return None
        if ip.is_loopback:  # the browser guard's test switch does not apply here
            return "a loopback address"
        return address_problem(ip)

    def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address of `host`, each allowed (else EndpointRefused)."""
        host = host.rstrip(".")
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise EndpointRefused(f"The storage endpoint {host!r} could not be resolved.") from exc
        addresses: list[IPAddress] = []
        for info in infos:
            ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
            problem = self.problem(host, ip)
            if problem:
                raise EndpointRefused(
                    f"The storage endpoint is {problem}; storage connections reach public "
                    "addresses only (an operator can allow private ones with "
                    "SATCHEL_STORAGE_PRIVATE_ENDPOINTS)."
                )
            if ip not in addresses:
                addresses.append(ip)
        if not addresses:
            raise EndpointRefused(f"The storage endpoint {host!r} has no address.")
        return addresses

    def check_url(self, url: str | None) -> None:
        """An endpoint URL a connection may use (None: AWS S3)."""
        if url is None:
            return
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as exc:
            raise EndpointRefused("The storage endpoint URL is not valid.") from exc
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.username:
            raise EndpointRefused("The storage endpoint must be an http(s)://host[:port] URL.")
        self.resolve(parts.hostname, port)


def _pinned(base: Any, egress: Egress) -> type:
    """A connection class that connects only to an address `egress` checked just now."""

    def _new_conn(self: Any) -> Any:
        original = self._dns_host
        addresses = egress.resolve(original, self.port)
        self._dns_host = str(addresses[0])  # TLS still verifies the certificate of `host`
        try:
            return base._new_conn(self)
        finally:
            self._dns_host = original

    return type(f"Pinned{base.__name__}", (base,), {"_new_conn": _new_conn})


def guarded_client(
    location: S3Location, egress: Egress, *, timeout: float = 60.0, retries: int = 4
) -> S3Client:
    """A bucket client whose every connection goes to an allowed address."""
    from botocore.awsrequest import (
        AWSHTTPConnection,
        AWSHTTPConnectionPool,
        AWSHTTPSConnection,
        AWSHTTPSConnectionPool,
    )

    from satchel.blobs.s3 import make_client

    egress.check_url(location.endpoint_url)
    client = make_client(location, timeout=timeout, retries=retries)
    pools = client._endpoint.http_session._pool_classes_by_scheme  # type: ignore[attr-defined]
    http = _pinned(AWSHTTPConnection, egress)
    https = _pinned(AWSHTTPSConnection, egress)
    # Replaced in place: the pool manager shares this dict.
    pools["http"] = type("PinnedPool", (AWSHTTPConnectionPool,), {"ConnectionCls": http})
    pools["https"] = type("PinnedTLSPool", (AWSHTTPSConnectionPool,), {"ConnectionCls": https})
    return client
