"""Where a webhook may be sent: public http(s) addresses, unless an operator allows private
ones (`SATCHEL_WEBHOOKS_ALLOW_PRIVATE`); link-local (cloud metadata) is always refused."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from satchel.codes import Code
from satchel.errors import Invalid
from satchel.media.netguard import address_problem


def refused(message: str) -> Invalid:
    return Invalid(
        message,
        code=Code.WEBHOOK_TARGET_NOT_ALLOWED,
        fields=[{"field": "url", "message": message}],
    )


def check(url: str, *, allow_private: bool) -> None:
    """Raise `422 webhook_target_not_allowed` unless every address of the URL's host may be
    reached (checked when an endpoint is saved and again before each attempt)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise refused(f"The URL is not valid: {exc}.") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise refused("A webhook URL is http:// or https:// with a host.")
    host = parts.hostname.rstrip(".")
    try:
        infos = socket.getaddrinfo(host, port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise refused(f"The host {host!r} could not be resolved.") from exc
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if ip.is_link_local:
            raise refused(f"{host} ({ip}) is a link-local address; webhooks never go there.")
        if ip.is_loopback or ip.is_private:
            problem = None if allow_private else "a loopback or private address"
        else:
            problem = address_problem(ip)
        if problem:
            raise refused(
                f"{host} ({ip}) is {problem}; only public addresses are allowed unless "
                "SATCHEL_WEBHOOKS_ALLOW_PRIVATE is set."
            )
