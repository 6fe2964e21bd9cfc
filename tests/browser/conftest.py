"""Real-browser tests: Debian's chromium, headless, driven by Playwright over the DevTools
protocol, against servers on free 127.0.0.1 ports that the tests start and stop.

Without chromium these tests are skipped, saying so, except in CI (``CI=true``), where that is
a failure (.ci/run installs it).
"""

import contextlib
import os
import shutil
import threading
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.database import BACKEND, create_postgres_database, drop_postgres_database
from tests.live_events import Server, prepare_database, start_server

# As root, and on a machine whose network reaches nothing but loopback: no sandbox, no GPU,
# none of the browser's own background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium() -> str:
    """The chromium executable; skips the test without one (fails in CI)."""
    found = shutil.which("chromium")
    if found is None:
        reason = "chromium is not installed (Debian: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return found


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    executable = chromium()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
async def page(browser: Browser) -> AsyncIterator[Page]:
    """A page in a context of its own (no cookies, storage or cache shared with other tests),
    failing the test on an error in the page's scripts."""
    context = await browser.new_context()
    opened = await context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield opened
    finally:
        await context.close()
    assert errors == []


class _BlankPage(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<!doctype html><title>A front end</title><p>A front end"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def front_end_server() -> Iterator[int]:
    """A web server of a front end on a free 127.0.0.1 port (another origin than the API's):
    a blank page, from which a test runs its script. Yields the port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _BlankPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.asynccontextmanager
async def api_server(workdir: Path, settings: dict[str, str]) -> AsyncIterator[Server]:
    """AccountGraph on a free 127.0.0.1 port, in development mode, on a database of its own
    with an administrator (tests.live_server's), with these ``ACCOUNTGRAPH_...`` settings."""
    url = (
        await create_postgres_database()
        if BACKEND == "postgres"
        else f"sqlite://{workdir / 'browser.db'}"
    )
    try:
        env = {**prepare_database(url, workdir), **settings}
        server = start_server(env, workdir)
        try:
            yield server
        finally:
            server.stop()
    finally:
        if BACKEND == "postgres":
            await drop_postgres_database(url)
