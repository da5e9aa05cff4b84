"""Where a webhook may be sent: only to public internet addresses, unless the administrator
named the host as an on-premise peer (``DANCU_WEBHOOK_PRIVATE_HOSTS``).

A member registers a URL by name; a name can resolve to anything, including the gateway's own
network (``10.x``, ``127.0.0.1``, the cloud metadata address ``169.254.169.254``). So the name is
resolved and every address checked when the subscription is made *and* again before each
delivery (the record may have changed since), and the delivery then connects to the address that
was checked, with the name kept for TLS (SNI and certificate) and the ``Host`` header, so a
second lookup cannot swap in another address (DNS rebinding).

The resolver is a plain function (:data:`resolve_host`), so tests replace it; nothing here
touches the network in tests.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings

__all__ = [
    "Target",
    "UnresolvedTargetError",
    "UnsafeTargetError",
    "check_target",
    "is_public_address",
    "resolve_host",
    "system_resolver",
]

Resolver = Callable[[str, int], Sequence[str]]


class UnsafeTargetError(ValueError):
    """A webhook URL whose host cannot be resolved or resolves to a non-public address; the
    message names the host, the address and the reason, in Vietnamese and English."""


class UnresolvedTargetError(UnsafeTargetError):
    """The host could not be resolved (now): refused at registration, retried at delivery."""


@dataclass(frozen=True, slots=True)
class Target:
    """A checked destination: the URL to connect to (its host replaced by the checked
    address), and the original host for the ``Host`` header and TLS."""

    url: str
    host: str
    host_header: str
    address: str


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system's resolver gives for ``host``."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


#: The resolver in use (tests assign a function of their own).
resolve_host: Resolver = system_resolver


def is_public_address(address: str) -> bool:
    """Whether ``address`` is a public unicast internet address: not private, loopback,
    link-local, shared (CGNAT), multicast, reserved, documentation or unspecified, also when
    written as an IPv4-mapped IPv6 address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _allowed_private(host: str) -> bool:
    allowed: list[str] = settings.DANCU_WEBHOOK_PRIVATE_HOSTS
    return host.lower().strip("[]") in {h.lower().strip("[]") for h in allowed}


def check_target(url: str, *, resolver: Resolver | None = None) -> Target:
    """Resolve the host of ``url`` and check every address it has; raise
    :class:`UnsafeTargetError` when one is not public and the host is not an allowed
    on-premise peer. Return the address to connect to."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    if not host:
        raise UnsafeTargetError("Địa chỉ webhook không có tên máy / the webhook URL has no host")
    try:
        addresses = list((resolver or resolve_host)(host, port))
    except (OSError, UnicodeError) as exc:
        raise UnresolvedTargetError(
            f"Không phân giải được tên máy {host} / cannot resolve the host {host}: {exc}"[:300]
        ) from None
    if not addresses:
        raise UnresolvedTargetError(f"Tên máy {host} không có địa chỉ / the host {host} has no address")
    if not _allowed_private(host):
        for address in addresses:
            if not is_public_address(address):
                raise UnsafeTargetError(
                    f"Tên máy {host} trỏ tới địa chỉ không công khai {address} / the host {host} resolves to "
                    f"the non-public address {address} (allow on-premise peers with DANCU_WEBHOOK_PRIVATE_HOSTS)"
                )
    address = addresses[0]
    return Target(
        url=_with_address(parts, address), host=host, host_header=parts.netloc.rpartition("@")[2], address=address
    )


def _with_address(parts: SplitResult, address: str) -> str:
    literal = f"[{address}]" if ":" in address else address
    netloc = literal if parts.port is None else f"{literal}:{parts.port}"
    return parts._replace(netloc=netloc).geturl()
