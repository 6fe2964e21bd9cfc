"""URL safety (SSRF): forbidden destinations are refused at delivery time, after DNS
resolution, and recorded as such; the request goes to the address that was checked."""

import ipaddress
import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from models import WebhookAttempt, WebhookDelivery
from services.opportunities import move_opportunity_stage
from settings import Settings
from tests.factories import make_opportunity, stage
from tests.webhooks.conftest import make_endpoint
from tests.webhooks.receiver import Reply, running_receiver
from webhooks.delivery import Deliverer
from webhooks.fanout import fan_out
from webhooks.policy import RetryPolicy
from webhooks.sender import Sender, SenderOptions
from webhooks.urls import UnsafeDestination, address_problem, check_url

FAKE_DNS = {
    "hooks.internal.test": ["10.1.2.3"],
    # A name with a public and a loopback address: refused, as any one of them could be used.
    "mixed.example.test": ["93.184.216.34", "127.0.0.1"],
    "metadata.example.test": ["169.254.169.254"],
}


class FakeResolver:
    def __init__(self) -> None:
        self.calls: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append(host)
        if host in FAKE_DNS:
            return FAKE_DNS[host]
        if host == "hooks.example.test":
            return ["127.0.0.1"]
        if host == "localhost":
            return ["127.0.0.1"]
        raise OSError(f"no such host {host}")


def make_deliverer(clock, *, allow_private: bool, resolver: FakeResolver | None = None):
    options = SenderOptions(connect_timeout=2, read_timeout=2, allow_private=allow_private)
    sender = Sender(options, resolver) if resolver else Sender(options)
    return Deliverer(
        sender=sender,
        policy=RetryPolicy(Settings().webhook_retry_schedule, random=lambda: 0.5),
        clock=clock,
        lease=timedelta(seconds=60),
    )


@pytest.fixture
async def strict(clock) -> AsyncIterator[Deliverer]:
    """Private destinations not allowed (the production default)."""
    found = make_deliverer(clock, allow_private=False, resolver=FakeResolver())
    yield found
    await found.aclose()


def cases(port: int) -> list[tuple[str, str]]:
    return [
        (f"http://127.0.0.1:{port}/hooks", "refused: 127.0.0.1 is a loopback address"),
        (f"http://[::1]:{port}/hooks", "refused: ::1 is a loopback address"),
        (
            f"http://localhost:{port}/hooks",
            "refused: localhost resolves to 127.0.0.1, a loopback address",
        ),
        (
            "http://169.254.169.254/latest/meta-data/",
            "refused: 169.254.169.254 is a cloud metadata address",
        ),
        ("http://[fd00:ec2::254]/latest", "refused: fd00:ec2::254 is a cloud metadata address"),
        ("http://100.100.100.200/", "refused: 100.100.100.200 is a cloud metadata address"),
        (
            "http://metadata.google.internal/computeMetadata/v1/",
            "'metadata.google.internal' is a cloud metadata service",
        ),
        (
            "http://metadata.example.test/",
            "refused: metadata.example.test resolves to 169.254.169.254, a cloud metadata address",
        ),
        (
            f"http://[::ffff:127.0.0.1]:{port}/hooks",
            "refused: ::ffff:127.0.0.1 is a loopback address (127.0.0.1 embedded)",
        ),
        (
            "http://[::ffff:169.254.169.254]/",
            "refused: ::ffff:169.254.169.254 is a cloud metadata address (169.254.169.254 embedded)",
        ),
        (
            f"http://2130706433:{port}/hooks",
            "'2130706433' is a numerically encoded address; write it as a dotted quad",
        ),
        (
            f"http://0177.0.0.1:{port}/hooks",
            "'0177.0.0.1' is a numerically encoded address; write it as a dotted quad",
        ),
        (
            f"http://0x7f.0.0.1:{port}/hooks",
            "'0x7f.0.0.1' is a numerically encoded address; write it as a dotted quad",
        ),
        (
            f"http://127.1:{port}/hooks",
            "'127.1' is a numerically encoded address; write it as a dotted quad",
        ),
        ("http://10.0.0.5/", "refused: 10.0.0.5 is a private address"),
        ("http://172.16.0.1/", "refused: 172.16.0.1 is a private address"),
        ("http://192.168.1.1/", "refused: 192.168.1.1 is a private address"),
        (
            "http://hooks.internal.test/",
            "refused: hooks.internal.test resolves to 10.1.2.3, a private address",
        ),
        (
            f"http://mixed.example.test:{port}/",
            "refused: mixed.example.test resolves to 127.0.0.1, a loopback address",
        ),
        ("http://169.254.10.10/", "refused: 169.254.10.10 is a link-local address"),
        ("http://[fe80::1]/", "refused: fe80::1 is a link-local address"),
        ("http://100.64.0.1/", "refused: 100.64.0.1 is a carrier-grade NAT address"),
        ("http://[fd12:3456::1]/", "refused: fd12:3456::1 is a unique-local address"),
        (
            "http://[2002:7f00:1::]/",
            "refused: 2002:7f00:1:: is a loopback address (127.0.0.1 embedded)",
        ),
        (
            "http://[64:ff9b::a00:1]/",
            "refused: 64:ff9b::a00:1 is a private address (10.0.0.1 embedded)",
        ),
        ("http://0.0.0.0/", "refused: 0.0.0.0 is the unspecified address"),
        ("http://224.0.0.1/", "refused: 224.0.0.1 is a multicast address"),
        # IPv4 written inside IPv6 in the less common forms, and site-local IPv6.
        (
            f"http://[::127.0.0.1]:{port}/hooks",
            "refused: ::7f00:1 is a loopback address (127.0.0.1 embedded)",
        ),
        (
            "http://[::a9fe:a9fe]/",
            "refused: ::a9fe:a9fe is a cloud metadata address (169.254.169.254 embedded)",
        ),
        (
            f"http://[::ffff:0:127.0.0.1]:{port}/hooks",
            "refused: ::ffff:0:7f00:1 is a loopback address (127.0.0.1 embedded)",
        ),
        (
            f"http://[64:ff9b:1::7f00:1]:{port}/hooks",
            "refused: 64:ff9b:1::7f00:1 is a loopback address (127.0.0.1 embedded)",
        ),
        ("http://[fec0::1]/", "refused: fec0::1 is a site-local address"),
        (
            "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
            "refused: 2001:0:4136:e378:8000:63bf:80ff:fffe is a loopback address"
            " (127.0.0.1 embedded)",
        ),
        ("http://[2001:db8::1]/", "refused: 2001:db8::1 is a documentation address"),
        ("http://[100::1]/", "refused: 100::1 is a discard-only address"),
        ("http://198.18.0.1/", "refused: 198.18.0.1 is a benchmarking address"),
        ("ftp://example.com/hooks", "the URL must start with http:// or https://"),
        ("file:///etc/passwd", "the URL must start with http:// or https://"),
    ]


CASE_COUNT = len(cases(1))


@pytest.mark.parametrize("index", range(CASE_COUNT))
async def test_each_forbidden_destination_is_refused_and_recorded(receiver, strict, clock, index):
    url, error = cases(receiver.port)[index]
    endpoint, _ = await make_endpoint(url)
    deal = await make_opportunity()
    target = await stage("New business", "Qualification")
    await move_opportunity_stage(opportunity_id=deal.pk, stage_id=target.pk, actor_id=None)
    await fan_out(limit=100, at=clock())
    assert await strict.deliver_due(100) == 1
    assert receiver.requests == []
    delivery = await WebhookDelivery.get(endpoint_id=endpoint.pk)
    assert delivery.status == "FAILED"  # refused destinations are not retried
    assert await WebhookAttempt.filter(delivery_id=delivery.pk).values(
        "number", "status_code", "outcome", "error"
    ) == [{"number": 1, "status_code": None, "outcome": "FAILED", "error": error}]


def test_there_are_at_least_twelve_distinct_forbidden_cases():
    assert CASE_COUNT >= 12
    assert len({error for _, error in cases(1)}) >= 12


@pytest.mark.parametrize("index", range(CASE_COUNT))
def test_a_forbidden_literal_or_malformed_url_is_refused_when_saved(index):
    url, error = cases(8080)[index]
    resolved_later = "resolves to" in error
    if resolved_later:
        check_url(url, allow_private=False)  # a name: only delivery-time resolution can tell
        return
    with pytest.raises(UnsafeDestination) as refused:
        check_url(url, allow_private=False)
    assert str(refused.value) == error


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("http://169.254.169.254/", "refused: 169.254.169.254 is a cloud metadata address"),
        (
            "http://2130706433/",
            "'2130706433' is a numerically encoded address; write it as a dotted quad",
        ),
        ("http://0.0.0.0/", "refused: 0.0.0.0 is the unspecified address"),
        ("http://user:secret@127.0.0.1/", "the URL must not contain a user name or password"),
    ],
)
def test_allowing_private_destinations_still_refuses_metadata_and_tricks(url, error):
    with pytest.raises(UnsafeDestination) as refused:
        check_url(url, allow_private=True)
    assert str(refused.value) == error


async def test_the_request_goes_to_the_address_that_was_checked(receiver, clock):
    resolver = FakeResolver()
    deliverer = make_deliverer(clock, allow_private=True, resolver=resolver)
    replies = iter([Reply(status=500), Reply(status=200)])
    receiver.reply = lambda request: next(replies)
    try:
        endpoint, _ = await make_endpoint(f"http://hooks.example.test:{receiver.port}/in?x=1")
        deal = await make_opportunity()
        target = await stage("New business", "Qualification")
        await move_opportunity_stage(opportunity_id=deal.pk, stage_id=target.pk, actor_id=None)
        await fan_out(limit=100, at=clock())
        await deliverer.deliver_due(100)
        clock.advance(seconds=5)
        await deliverer.deliver_due(100)
    finally:
        await deliverer.aclose()
    # Resolved afresh for every attempt, and connected to exactly what was resolved.
    assert resolver.calls == ["hooks.example.test", "hooks.example.test"]
    assert [r.path for r in receiver.requests] == ["/in?x=1", "/in?x=1"]
    assert [r.headers["host"] for r in receiver.requests] == [
        f"hooks.example.test:{receiver.port}"
    ] * 2
    delivery = await WebhookDelivery.get(endpoint_id=endpoint.pk)
    assert delivery.status == "SUCCEEDED"


async def test_a_name_that_does_not_resolve_is_retried(strict, clock):
    await make_endpoint("http://nowhere.example.test/")
    deal = await make_opportunity()
    target = await stage("New business", "Qualification")
    await move_opportunity_stage(opportunity_id=deal.pk, stage_id=target.pk, actor_id=None)
    await fan_out(limit=100, at=clock())
    await strict.deliver_due(100)
    [attempt] = await WebhookAttempt.all()
    assert (attempt.outcome, attempt.error) == (
        "RETRYING",
        "could not resolve nowhere.example.test: no such host nowhere.example.test",
    )


def certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway authority and a certificate it signed for hooks.example.test."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "1",
        "-subj",
        "/CN=AccountGraph test authority",
        # The extensions Python 3.13's strict X.509 verification requires of an authority.
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=hooks.example.test",
    )
    (directory / "san.cnf").write_text(
        "subjectAltName=DNS:hooks.example.test\n"
        "authorityKeyIdentifier=keyid,issuer\n"
        "basicConstraints=critical,CA:FALSE\n"
        "keyUsage=critical,digitalSignature,keyEncipherment\n"
        "extendedKeyUsage=serverAuth\n"
    )
    openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "1",
        "-extfile",
        "san.cnf",
    )
    return directory / "ca.pem", directory / "server.pem", directory / "server.key"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
async def test_https_connects_to_the_checked_address_and_verifies_the_urls_host(tmp_path, clock):
    authority, certificate, key = certificates(tmp_path)
    server_side = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_side.load_cert_chain(certificate, key)
    trusted = ssl.create_default_context(cafile=str(authority))
    resolver = FakeResolver()
    options = SenderOptions(connect_timeout=2, read_timeout=2, allow_private=True, verify=trusted)
    deliverer = Deliverer(
        sender=Sender(options, resolver),
        policy=RetryPolicy(Settings().webhook_retry_schedule, random=lambda: 0.5),
        clock=clock,
    )
    try:
        with running_receiver(tls=server_side) as receiver:
            good, _ = await make_endpoint(f"https://hooks.example.test:{receiver.port}/in")
            # Resolves to the same address, but the certificate is not for this name.
            FAKE_DNS["other.example.test"] = ["127.0.0.1"]
            bad, _ = await make_endpoint(f"https://other.example.test:{receiver.port}/in")
            deal = await make_opportunity()
            target = await stage("New business", "Qualification")
            await move_opportunity_stage(opportunity_id=deal.pk, stage_id=target.pk, actor_id=None)
            await fan_out(limit=100, at=clock())
            await deliverer.deliver_due(100)
    finally:
        FAKE_DNS.pop("other.example.test", None)
        await deliverer.aclose()
    [request] = receiver.requests
    assert request.headers["host"] == f"hooks.example.test:{receiver.port}"
    assert (await WebhookDelivery.get(endpoint_id=good.pk)).status == "SUCCEEDED"
    [attempt] = await WebhookAttempt.filter(delivery__endpoint_id=bad.pk)
    assert attempt.status_code is None and attempt.outcome == "RETRYING"
    assert attempt.error is not None and "certificate verify failed" in attempt.error
    assert "other.example.test" in attempt.error


@pytest.mark.parametrize(
    ("address", "strict", "allowing_private"),
    [
        # Each form from the finding, then its neighbours.
        ("::127.0.0.1", "a loopback address (127.0.0.1 embedded)", "an IPv4-compatible address"),
        ("::7f00:1", "a loopback address (127.0.0.1 embedded)", "an IPv4-compatible address"),
        (
            "::a9fe:a9fe",
            "a cloud metadata address (169.254.169.254 embedded)",
            "a cloud metadata address (169.254.169.254 embedded)",
        ),
        (
            "::ffff:0:127.0.0.1",
            "a loopback address (127.0.0.1 embedded)",
            "an IPv4-translated address",
        ),
        (
            "64:ff9b:1::7f00:1",
            "a loopback address (127.0.0.1 embedded)",
            "a local-use NAT64 address",
        ),
        ("fec0::1", "a site-local address", None),
        ("::1", "a loopback address", None),
        ("::", "the unspecified address", "the unspecified address"),
        ("::ffff:127.0.0.1", "a loopback address (127.0.0.1 embedded)", None),
        ("::ffff:8.8.8.8", None, None),  # the connection goes to 8.8.8.8 itself
        ("64:ff9b::808:808", None, None),  # NAT64 to a public address (IPv6-only networks)
        ("64:ff9b::a00:1", "a private address (10.0.0.1 embedded)", None),
        ("::8.8.8.8", "an IPv4-compatible address", "an IPv4-compatible address"),
        ("64:ff9b:1::808:808", "a local-use NAT64 address", "a local-use NAT64 address"),
        ("2002:808:808::", "a 6to4 address", "a 6to4 address"),
        ("2002:a00:1::", "a private address (10.0.0.1 embedded)", "a 6to4 address"),
        (
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "a documentation address (192.0.2.45 embedded)",
            "a documentation address (192.0.2.45 embedded)",
        ),
        ("2001:2::1", "an IETF protocol assignment", "an IETF protocol assignment"),
        ("2001:db8::1", "a documentation address", "a documentation address"),
        ("3fff::1", "a documentation address", "a documentation address"),
        ("5f00::1", "a segment routing address", "a segment routing address"),
        ("100::1", "a discard-only address", "a discard-only address"),
        ("4000::1", "a reserved address", "a reserved address"),
        ("fd12::1", "a unique-local address", None),
        ("fe80::1", "a link-local address", None),
        ("ff02::1", "a multicast address", "a multicast address"),
        ("2606:4700::1111", None, None),
        ("2a00:1450:4001::1", None, None),
        ("8.8.8.8", None, None),
        ("0.1.2.3", "a 'this network' address", "a 'this network' address"),
        ("192.0.0.8", "an IETF protocol assignment", "an IETF protocol assignment"),
        ("192.88.99.1", "a 6to4 relay address", "a 6to4 relay address"),
        ("203.0.113.9", "a documentation address", "a documentation address"),
        ("240.0.0.1", "a reserved address", "a reserved address"),
        ("255.255.255.255", "the broadcast address", "the broadcast address"),
        ("100.64.0.1", "a carrier-grade NAT address", None),
        ("192.168.1.1", "a private address", None),
        ("169.254.169.254", "a cloud metadata address", "a cloud metadata address"),
    ],
)
def test_only_global_unicast_addresses_outside_special_blocks_are_allowed(
    address, strict, allowing_private
):
    parsed = ipaddress.ip_address(address)
    assert address_problem(parsed, allow_private=False) == strict
    assert address_problem(parsed, allow_private=True) == allowing_private
