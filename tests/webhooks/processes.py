"""Real `accountgraph serve` and `accountgraph worker` processes on the test database."""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.live_server import ACCOUNTGRAPH, free_port


def environment(database_url: str, **settings: str) -> dict[str, str]:
    env = {**os.environ, "ACCOUNTGRAPH_DATABASE_URL": database_url}
    env["ACCOUNTGRAPH_WEBHOOK_ALLOW_PRIVATE"] = "true"
    env["ACCOUNTGRAPH_WEBHOOK_POLL_SECONDS"] = "0.05"
    env.update({f"ACCOUNTGRAPH_{name.upper()}": value for name, value in settings.items()})
    return env


class Process:
    def __init__(self, popen: subprocess.Popen, log: Path, base: str | None = None) -> None:
        self.popen = popen
        self.log = log
        self.base = base

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs."""
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> int:
        """SIGTERM, and wait for the clean stop."""
        if self.popen.poll() is None:
            self.popen.terminate()
        try:
            return self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise


def _wait_until(ready, process: Process, what: str) -> None:
    deadline = time.monotonic() + 60
    while not ready():
        if process.popen.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start:\n{process.output()}")
        time.sleep(0.05)


@contextmanager
def running(args: list[str], env: dict[str, str], workdir: Path, name: str) -> Iterator[Process]:
    log_path = workdir / f"{name}.log"
    with open(log_path, "wb") as log:
        popen = subprocess.Popen(
            [ACCOUNTGRAPH, *args], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    process = Process(popen, log_path)
    try:
        yield process
    finally:
        process.stop()  # SIGTERM: a clean stop records the batch in flight


@contextmanager
def server(env: dict[str, str], workdir: Path, name: str = "server") -> Iterator[Process]:
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    with running(args, env, workdir, name) as process:
        process.base = f"http://127.0.0.1:{port}"

        def ready() -> bool:
            try:
                return httpx.get(f"{process.base}/healthz", timeout=1).status_code == 200
            except httpx.TransportError:
                return False

        _wait_until(ready, process, "server")
        yield process


@contextmanager
def worker(env: dict[str, str], workdir: Path, name: str = "worker") -> Iterator[Process]:
    with running(["worker"], env, workdir, name) as process:
        _wait_until(lambda: "webhook worker started" in process.output(), process, "worker")
        yield process
