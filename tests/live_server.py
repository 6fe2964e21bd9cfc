"""Run the real application in a uvicorn process on a free loopback port."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

# The installed command, as `make run` uses it; run from elsewhere than the checkout so that
# only what the package installs is importable.
ACCOUNTGRAPH = str(Path(sys.executable).parent / "accountgraph")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "live-server-password"


def run_cli(
    *args: str, env: dict[str, str], cwd: Path, stdin: str | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ACCOUNTGRAPH, *args],
        input=stdin,
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


@contextmanager
def live_server(
    database_url: str, workdir: Path, settings: dict[str, str] | None = None
) -> Iterator[str]:
    """Migrate ``database_url``, serve the app on it (with these ``ACCOUNTGRAPH_...``
    environment variables, if any), yield the base URL, stop the server."""
    env = {**os.environ, **(settings or {}), "ACCOUNTGRAPH_DATABASE_URL": database_url}
    run_cli("migrate", env=env, cwd=workdir)
    run_cli(
        "create-user",
        "--email",
        ADMIN_EMAIL,
        "--name",
        "Admin",
        "--role",
        "ADMIN",
        env=env,
        cwd=workdir,
        stdin=ADMIN_PASSWORD + "\n",
    )
    port = free_port()
    log = open(workdir / "server.log", "wb")
    process = subprocess.Popen(
        [ACCOUNTGRAPH, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = (workdir / "server.log").read_text(errors="replace")
                raise RuntimeError(f"server did not start:\n{output}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
