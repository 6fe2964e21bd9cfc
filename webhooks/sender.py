"""One HTTP attempt: resolve and check the destination, connect to the checked address,
POST the signed body, and keep what came back (the first KiB of the response)."""

import asyncio
import importlib.util
import ssl
import sys
import time
from dataclasses import dataclass

import httpx

from webhooks.policy import AttemptResult
from webhooks.urls import Resolver, UnsafeDestination, resolve_destination, system_resolver

# httpcore imports the optional sniffio on every lock it makes; when it is not installed each
# attempt pays for several failed module searches (a quarter of a worker's CPU time). A None
# entry makes that import fail at once, which is all httpcore needs to choose asyncio.
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

RESPONSE_LIMIT = 1024
USER_AGENT = "AccountGraph-Webhooks/1.0"


@dataclass
class SenderOptions:
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    allow_private: bool = False
    # Certificates are checked against the system's trusted authorities; tests pass their own.
    verify: ssl.SSLContext | bool = True


class Sender:
    """Sends attempts. Redirects are never followed and proxies from the environment are
    ignored, so a request goes only to the address that passed the check."""

    def __init__(self, options: SenderOptions, resolver: Resolver = system_resolver) -> None:
        self.options = options
        self.resolver = resolver
        timeout = httpx.Timeout(
            connect=options.connect_timeout,
            read=options.read_timeout,
            write=options.read_timeout,
            pool=options.connect_timeout,
        )
        # Plain HTTP connections are pooled by address; TLS connections are not reused, as a
        # pooled connection to an address could carry another host name's certificate.
        self._http = httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,
            timeout=timeout,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
        )
        self._https = httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,
            verify=options.verify,
            timeout=timeout,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=0),
        )

    async def aclose(self) -> None:
        await self._http.aclose()
        await self._https.aclose()

    @property
    def deadline(self) -> float:
        """The longest one attempt may take, end to end."""
        return self.options.connect_timeout + self.options.read_timeout

    async def send(self, *, url: str, headers: dict[str, str], body: str) -> AttemptResult:
        started = time.perf_counter()

        def elapsed() -> int:
            return int((time.perf_counter() - started) * 1000)

        try:
            destination = await resolve_destination(
                url, allow_private=self.options.allow_private, resolver=self.resolver
            )
        except UnsafeDestination as exc:
            return AttemptResult(error=str(exc), refused=True, duration_ms=elapsed())
        except LookupError as exc:
            return AttemptResult(error=str(exc), duration_ms=elapsed())
        https = destination.scheme == "https"
        client = self._https if https else self._http
        request_headers = {
            "host": destination.host_header,
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            **headers,
        }
        extensions = {"sni_hostname": destination.host} if https else {}
        try:
            async with asyncio.timeout(self.deadline):
                async with client.stream(
                    "POST",
                    destination.url,
                    content=body.encode(),
                    headers=request_headers,
                    extensions=extensions,
                ) as response:
                    text = await _read_start(response)
                    return AttemptResult(
                        status_code=response.status_code,
                        body=text,
                        error=_redirect_note(response),
                        retry_after=response.headers.get("retry-after"),
                        duration_ms=elapsed(),
                    )
        except (TimeoutError, httpx.TimeoutException):
            return AttemptResult(
                error=f"timed out after {elapsed() / 1000:.1f} s", duration_ms=elapsed()
            )
        except httpx.HTTPError as exc:
            return AttemptResult(
                error=f"{type(exc).__name__}: {exc}"[:1000] or type(exc).__name__,
                duration_ms=elapsed(),
            )


async def _read_start(response: httpx.Response) -> str:
    received = bytearray()
    async for chunk in response.aiter_bytes():
        received += chunk
        if len(received) >= RESPONSE_LIMIT:
            break
    return bytes(received[:RESPONSE_LIMIT]).decode("utf-8", errors="replace")


def _redirect_note(response: httpx.Response) -> str | None:
    if response.is_redirect:
        return f"redirect to {response.headers.get('location', '?')[:500]} not followed"
    return None
