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
CARRIER_GRADE_NAT = ipaddress.ip_network("100.64.0.0/10")
NAT64 = ipaddress.ip_network("64:ff9b::/96")
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
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None:
            kind = address_problem(embedded, allow_private=allow_private)
            return f"{kind} ({embedded} embedded)" if kind else None
    if address in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_global:
        return None
    kind = _private_kind(address)
    if allow_private and kind is not None:
        return None
    return kind or "a reserved address"


def _private_kind(address: IPAddress) -> str | None:
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if isinstance(address, ipaddress.IPv4Address) and address in CARRIER_GRADE_NAT:
        return "a carrier-grade NAT address"
    if isinstance(address, ipaddress.IPv6Address) and address in ipaddress.ip_network("fc00::/7"):
        return "a unique-local address"
    if address.is_private:
        return "a private address"
    return None


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
        raise UnsafeDestination(f"refused: {literal} is {problem}")


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
            raise UnsafeDestination(f"refused: {address} is {problem}")
        if problem:
            raise UnsafeDestination(f"refused: {host} resolves to {address}, {problem}")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Destination(
        scheme=parts.scheme, host=host, port=port, address=str(addresses[0]), path=path
    )
