"""URL safety: which destinations a webhook may be sent to (no SSRF).

Checked twice: when an endpoint is saved (the URL's shape, and a literal address) and at
every attempt, after DNS resolution. The request then connects to the address that was
checked, so a name that resolves differently a moment later (DNS rebinding) changes nothing.
"""

import ipaddress
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, urlsplit, urlunsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Awaitable[list[str]]]

# Instance metadata services: refused even when private destinations are allowed.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
    )
)
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})
# An allow-list: an address may receive webhooks only when it is outside every block below
# (IPv6: and inside global unicast, 2000::/3). Python's ``is_global`` is not enough: up to
# 3.12 it calls IPv4-compatible (``::127.0.0.1``), IPv4-translated, local-use NAT64 and
# site-local (``fec0::1``) addresses global. Kinds in PRIVATE_KINDS are let through by
# ACCOUNTGRAPH_WEBHOOK_ALLOW_PRIVATE; the others never are.
_IPV4_BLOCKS = tuple(
    (ipaddress.IPv4Network(network), kind)
    for network, kind in (
        ("0.0.0.0/8", "a 'this network' address"),
        ("10.0.0.0/8", "a private address"),
        ("100.64.0.0/10", "a carrier-grade NAT address"),
        ("127.0.0.0/8", "a loopback address"),
        ("169.254.0.0/16", "a link-local address"),
        ("172.16.0.0/12", "a private address"),
        ("192.0.0.0/24", "an IETF protocol assignment"),
        ("192.0.2.0/24", "a documentation address"),
        ("192.31.196.0/24", "an AS112 address"),
        ("192.52.193.0/24", "an AMT address"),
        ("192.88.99.0/24", "a 6to4 relay address"),
        ("192.168.0.0/16", "a private address"),
        ("192.175.48.0/24", "an AS112 address"),
        ("198.18.0.0/15", "a benchmarking address"),
        ("198.51.100.0/24", "a documentation address"),
        ("203.0.113.0/24", "a documentation address"),
        ("224.0.0.0/4", "a multicast address"),
        ("240.0.0.0/4", "a reserved address"),
    )
)
_IPV6_BLOCKS = tuple(
    (ipaddress.IPv6Network(network), kind)
    for network, kind in (
        ("::1/128", "a loopback address"),
        ("::/96", "an IPv4-compatible address"),
        ("::ffff:0:0:0/96", "an IPv4-translated address"),
        ("64:ff9b:1::/48", "a local-use NAT64 address"),
        ("100::/64", "a discard-only address"),
        ("2001::/32", "a Teredo address"),
        ("2001::/23", "an IETF protocol assignment"),
        ("2001:db8::/32", "a documentation address"),
        ("2002::/16", "a 6to4 address"),
        ("3fff::/20", "a documentation address"),
        ("5f00::/16", "a segment routing address"),
        ("fc00::/7", "a unique-local address"),
        ("fe80::/10", "a link-local address"),
        ("fec0::/10", "a site-local address"),
        ("ff00::/8", "a multicast address"),
    )
)
GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
IPV4_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# Prefixes whose last 32 bits are an IPv4 address (IPv4-compatible, IPv4-translated, NAT64).
_IPV4_IN_LOW_BITS = tuple(
    ipaddress.IPv6Network(n) for n in ("::/96", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48")
)
PRIVATE_KINDS = frozenset(
    {
        "a loopback address",
        "a private address",
        "a link-local address",
        "a carrier-grade NAT address",
        "a unique-local address",
        "a site-local address",
    }
)
# Host names made only of digits, dots and hex or octal prefixes: inet_aton reads "2130706433",
# "0177.0.0.1" and "0x7f.1" as 127.0.0.1, and libraries disagree about such forms.
_NUMERIC_HOST = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+))*\.?$", re.IGNORECASE)


def masked_url(url: str) -> str:
    """``url`` as the audit log keeps it: user info, query string and fragment replaced by
    ``***`` (``https://***@hooks.example/x?***``), since receivers often put tokens there
    and the log is read by more people than manage the endpoint."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    netloc = parts.netloc
    if "@" in netloc:
        netloc = "***@" + netloc.rsplit("@", 1)[1]
    query = "***" if parts.query else ""
    fragment = "***" if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


class UnsafeDestination(Exception):
    """The URL or the address it resolves to may not receive webhooks."""


@dataclass(frozen=True)
class Destination:
    """Where one attempt connects: the checked address, and the name the URL used."""

    scheme: str
    host: str
    port: int
    address: str
    path: str

    @property
    def url(self) -> str:
        """The URL with the checked address in place of the name."""
        address = f"[{self.address}]" if ":" in self.address else self.address
        return f"{self.scheme}://{address}:{self.port}{self.path}"

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == default else f"{host}:{self.port}"


def parse(url: str) -> SplitResult:
    """Check the URL's shape: http(s), a host, no credentials, no numerically encoded address."""
    if len(url) > 2000:
        raise UnsafeDestination("the URL is longer than 2000 characters")
    if any(c.isspace() or ord(c) < 32 for c in url):
        raise UnsafeDestination("the URL must not contain spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeDestination(f"the URL is not valid: {exc}") from None
    if parts.scheme not in ("http", "https"):
        raise UnsafeDestination("the URL must start with http:// or https://")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeDestination("the URL has no host")
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination("the URL must not contain a user name or password")
    if port == 0:
        raise UnsafeDestination("the URL's port must be between 1 and 65535")
    if _NUMERIC_HOST.match(host) and not _is_dotted_quad(host):
        raise UnsafeDestination(
            f"'{host}' is a numerically encoded address; write it as a dotted quad"
        )
    if host.lower() in METADATA_HOSTS:
        raise UnsafeDestination(f"'{host}' is a cloud metadata service")
    return parts


def _is_dotted_quad(host: str) -> bool:
    pieces = host.split(".")
    return len(pieces) == 4 and all(
        p.isdigit() and str(int(p)) == p and int(p) < 256 for p in pieces
    )


def address_problem(address: IPAddress, *, allow_private: bool) -> str | None:
    """What kind of address ``address`` is when it may not receive webhooks ("a loopback
    address"), or None when it may."""
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_unspecified:
        return "the unspecified address"
    if isinstance(address, ipaddress.IPv6Address):
        embedded = embedded_ipv4(address)
        if embedded is not None:
            kind = address_problem(embedded, allow_private=allow_private)
            if kind:
                return f"{kind} ({embedded} embedded)"
            if address in IPV4_MAPPED or address in NAT64:
                return None  # reaches that IPv4 address, which may receive webhooks
    kind = _special_kind(address)
    if kind is None:
        return None
    if allow_private and kind in PRIVATE_KINDS:
        return None
    return kind


# Compared by value: from Python 3.13 on, ``is_loopback`` of an IPv4-mapped address is that
# of the IPv4 address it carries.
_IPV6_LOOPBACK = ipaddress.IPv6Address("::1")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries: IPv4-mapped or -compatible, IPv4-translated,
    NAT64 (both prefixes), 6to4 or Teredo (its client address)."""
    if address == _IPV6_LOOPBACK:
        return None  # ::1 is inside ::/96 but carries no IPv4 address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    if any(address in network for network in _IPV4_IN_LOW_BITS):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _special_kind(address: IPAddress) -> str | None:
    """The special-purpose block ``address`` is in (IANA's registries), or None."""
    if isinstance(address, ipaddress.IPv4Address):
        blocks: tuple[tuple[Any, str], ...] = _IPV4_BLOCKS
        if address == ipaddress.IPv4Address("255.255.255.255"):
            return "the broadcast address"
    else:
        blocks = _IPV6_BLOCKS
    for network, kind in blocks:
        if address in network:
            return kind
    if isinstance(address, ipaddress.IPv6Address) and address not in GLOBAL_UNICAST:
        return "a reserved address"
    return None


def shown(address: IPAddress) -> str:
    """An address as messages show it, the same on every Python: an IPv4-mapped IPv6 address
    with its IPv4 part in dotted form (Python 3.13's ``str``; earlier versions print hex)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return f"::ffff:{address.ipv4_mapped}"
    return str(address)


def check_url(url: str, *, allow_private: bool) -> None:
    """What can be known before delivery: the URL's shape and a literal address in it."""
    parts = parse(url)
    host = (parts.hostname or "").rstrip(".")
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        return
    problem = address_problem(literal, allow_private=allow_private)
    if problem:
        raise UnsafeDestination(f"refused: {shown(literal)} is {problem}")


async def system_resolver(host: str, port: int) -> list[str]:
    import asyncio

    infos = await asyncio.get_running_loop().getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP
    )
    return [str(info[4][0]) for info in infos]


async def resolve_destination(
    url: str, *, allow_private: bool, resolver: Resolver = system_resolver
) -> Destination:
    """Resolve the URL's host now and check every address it has; refuse if any is unsafe."""
    parts = parse(url)
    host = (parts.hostname or "").rstrip(".")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            found = await resolver(host, port)
        except OSError as exc:
            raise LookupError(f"could not resolve {host}: {exc}") from None
        addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in found]
        if not addresses:
            raise LookupError(f"{host} has no address")
    for address in addresses:
        problem = address_problem(address, allow_private=allow_private)
        if problem and literal is not None:
            raise UnsafeDestination(f"refused: {shown(address)} is {problem}")
        if problem:
            raise UnsafeDestination(f"refused: {host} resolves to {shown(address)}, {problem}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Destination(
        scheme=parts.scheme, host=host, port=port, address=str(addresses[0]), path=path
    )
