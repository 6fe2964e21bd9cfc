"""A PostgreSQL cluster of one test's own, which the test may stop, freeze and resume.

The shared server at 127.0.0.1:5432 must never be stopped, so the outage tests start their own
with ``initdb`` and ``postgres`` (from ``$PG_BIN`` or ``/usr/local/bin``, else ``PATH``) in a
temporary directory, on a free loopback port. PostgreSQL refuses to run as root, so under
root it runs as the ``postgres`` user. Without the binaries the tests are skipped with the
reason, except in CI (``CI=true``), where that is a failure.
"""

import contextlib
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from tests.live_server import free_port


def _binary(name: str) -> str | None:
    for directory in (os.environ.get("PG_BIN"), "/usr/local/bin"):
        if directory and (Path(directory) / name).is_file():
            return str(Path(directory) / name)
    return shutil.which(name)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


class PrivatePostgres:
    """One cluster: ``start()``, ``stop()`` (a clean shutdown), ``freeze()`` / ``thaw()``
    (SIGSTOP / SIGCONT to the server and every backend: it accepts connections and answers
    nothing), ``close()`` (stop and remove everything)."""

    def __init__(self) -> None:
        initdb, postgres = _binary("initdb"), _binary("postgres")
        if initdb is None or postgres is None:
            _unavailable("PostgreSQL's initdb and postgres binaries are not installed")
        assert initdb is not None and postgres is not None
        self._postgres = postgres
        self._user: dict[str, Any] = {}
        if os.geteuid() == 0:
            try:
                account = pwd.getpwnam("postgres")
            except KeyError:
                _unavailable("running as root, and there is no 'postgres' user to run PostgreSQL")
            self._user = {"user": account.pw_uid, "group": account.pw_gid}
        self.root = Path(tempfile.mkdtemp(prefix="accountgraph-pg-"))
        self.data = self.root / "data"
        self.data.mkdir()
        if self._user:
            for path in (self.root, self.data):
                os.chown(path, self._user["user"], self._user["group"])
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"
        self._process: subprocess.Popen[bytes] | None = None
        self._frozen = False
        subprocess.run(
            [
                *(initdb, "--no-sync", "-D", str(self.data), "-U", "postgres", "-A", "trust"),
                *("-E", "UTF8", "--locale=C"),
            ],
            check=True,
            capture_output=True,
            timeout=120,
            **self._user,
        )

    def start(self) -> None:
        log = open(self.root / "server.log", "ab")
        self._process = subprocess.Popen(
            [
                *(self._postgres, "-D", str(self.data), "-p", str(self.port), "-k", str(self.root)),
                *("-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"),
                *("-c", "full_page_writes=off", "-c", "synchronous_commit=off"),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **self._user,
        )
        log.close()
        deadline = time.monotonic() + 60
        while (
            not (self.data / "postmaster.pid").is_file()
            or "ready"
            not in ((self.data / "postmaster.pid").read_text().splitlines()[-1:] or [""])[0]
        ):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start:\n{self.log()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """A fast shutdown: clients are disconnected, new connections refused."""
        if self._process is None:
            return
        self.thaw()
        self._process.send_signal(signal.SIGINT)
        self._process.wait(timeout=60)
        self._process = None

    def _processes(self) -> list[int]:
        """The server and its children (each backend runs in a session of its own)."""
        assert self._process is not None
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError):
                # pid (comm) state ppid ...: comm may hold spaces, so split after it.
                fields = stat.read_text().rpartition(")")[2].split()
                if int(fields[1]) == self._process.pid:
                    children.append(int(stat.parent.name))
        return [self._process.pid, *children]

    def freeze(self) -> None:
        # The server first, so that it starts no backend while they are being stopped.
        for pid in self._processes():
            os.kill(pid, signal.SIGSTOP)
        self._frozen = True

    def thaw(self) -> None:
        if self._process is not None and self._frozen:
            for pid in reversed(self._processes()):
                os.kill(pid, signal.SIGCONT)
        self._frozen = False

    def log(self) -> str:
        return (self.root / "server.log").read_text(errors="replace")

    def close(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
