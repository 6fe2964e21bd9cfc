"""What the suite starts for itself: a private PostgreSQL cluster, scratch databases and
``accountgraph serve`` processes. Everything here ends only processes it started, by PID."""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import signal
import sqlite3
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.run import ROOT, create_admin_key, free_port, log_tail, pg_dsn, wait_ready

PG_BIN = Path(os.environ.get("RELIABILITY_PG_BIN", "/usr/local/bin"))
CLI = ROOT / ".venv" / "bin" / "accountgraph"


def accountgraph_cli() -> Path:
    """The project's command line next to the running interpreter (the venv's)."""
    import sys

    beside = Path(sys.executable).parent / "accountgraph"
    return beside if beside.exists() else CLI


def run_cli(url: str, *args: str) -> str:
    env = {**os.environ, "ACCOUNTGRAPH_DATABASE_URL": url}
    done = subprocess.run(
        [str(accountgraph_cli()), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"accountgraph {args[0]} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


# --- PostgreSQL -----------------------------------------------------------------------------


def _as_postgres_user() -> Callable[[], None] | None:
    """initdb and the server refuse to run as root: drop to the `postgres` account then."""
    if os.geteuid() != 0:
        return None
    account = pwd.getpwnam("postgres")

    def demote() -> None:
        os.setgid(account.pw_gid)
        os.setuid(account.pw_uid)

    return demote


@dataclass
class PostgresCluster:
    """A throw-away cluster: ``initdb`` in a temp dir, trust auth, a free loopback port."""

    directory: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="ag-rel-pg-")))
    port: int = 0

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def log(self) -> Path:
        return self.directory / "postgres.log"

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        done = subprocess.run(
            command, preexec_fn=_as_postgres_user(), capture_output=True, text=True, cwd="/"
        )
        if done.returncode != 0:
            raise RuntimeError(f"{command[0]} failed:\n{done.stdout}{done.stderr}")

    def init(self) -> None:
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres")
            os.chown(self.directory, account.pw_uid, account.pw_gid)
        self.port = free_port()
        self._run(
            str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
            "--auth=trust", "-E", "UTF8", "--no-sync", "--no-instructions",
        )  # fmt: skip
        self.start()

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 "
            "-c max_connections=200 -c fsync=off"
        )
        self._run(
            str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def postmaster_pid(self) -> int | None:
        pidfile = self.data / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(pidfile.read_text().splitlines()[0])
        return None

    def processes(self) -> list[int]:
        """The postmaster and its children (the backends and auxiliary processes)."""
        root = self.postmaster_pid()
        if root is None:
            return []
        children = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                if parent == root:
                    children.append(int(entry.name))
        return [root, *children]

    def signal_all(self, signum: int) -> int:
        pids = self.processes()
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)
        return len(pids)

    def destroy(self) -> None:
        if self.port and self.postmaster_pid() is not None:
            self.signal_all(signal.SIGCONT)
            with contextlib.suppress(Exception):
                self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


async def _pg_execute(url: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(pg_dsn(url, "postgres"))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


# --- databases ------------------------------------------------------------------------------


@dataclass
class Template:
    """A migrated, seeded database (demo data, a bench ADMIN and its API key) that each
    scenario copies, so every scenario starts from the same rows."""

    kind: str  # "sqlite" or "postgres"
    url: str
    api_key: str
    cluster: PostgresCluster | None = None
    directory: Path | None = None
    copies: int = 0

    @classmethod
    def build(cls, kind: str, work: Path) -> Template:
        cluster = None
        work.mkdir(parents=True, exist_ok=True)
        try:
            if kind == "sqlite":
                url = f"sqlite://{work / 'template.db'}"
            else:
                cluster = PostgresCluster()
                cluster.init()
                url = cluster.url("ag_template")
                asyncio.run(_pg_execute(url, 'CREATE DATABASE "ag_template"'))
            run_cli(url, "migrate")
            run_cli(url, "seed", "--demo")
            key = create_admin_key(url)
        except BaseException:  # Ctrl-C too: stop the cluster we started
            if cluster is not None:
                cluster.destroy()
            raise
        return cls(kind, url, key, cluster, work)

    def copy(self) -> str:
        """A fresh scratch database with the template's rows; its URL."""
        self.copies += 1
        if self.kind == "sqlite":
            assert self.directory is not None
            target = self.directory / f"scenario{self.copies}.db"
            source = self.url.removeprefix("sqlite://")
            with (
                contextlib.closing(sqlite3.connect(source)) as src,
                contextlib.closing(sqlite3.connect(target)) as dst,
            ):
                src.backup(dst)
            return f"sqlite://{target}"
        assert self.cluster is not None
        name = f"ag_scenario{self.copies}"
        asyncio.run(_pg_execute(self.url, f'CREATE DATABASE "{name}" TEMPLATE "ag_template"'))
        return self.cluster.url(name)

    def destroy(self) -> None:
        if self.cluster is not None:
            self.cluster.destroy()


# --- servers --------------------------------------------------------------------------------


@dataclass
class AppServer:
    """``accountgraph serve`` on a free loopback port, in its own session (process group)."""

    name: str
    url: str
    log_dir: Path
    workers: int = 1
    port: int = 0
    process: subprocess.Popen | None = None
    starts: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def start(self) -> None:
        if not self.port:
            self.port = free_port()
        self.starts += 1
        command = [str(accountgraph_cli()), "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", str(self.workers)]
        with self.log_path.open("ab") as log:
            log.write(f"--- start {self.starts} ---\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**os.environ, "ACCOUNTGRAPH_DATABASE_URL": self.url},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # Ctrl-C reaches the suite only; it stops these itself
            )

    def pids(self) -> list[int]:
        """The server's process and, with --workers, its worker processes."""
        if self.process is None:
            return []
        root = self.process.pid
        found = [root]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    if int(stat[1]) == root:
                        found.append(int(entry.name))
        return found

    def rss_bytes(self) -> int:
        total = 0
        for pid in self.pids():
            with contextlib.suppress(OSError, ValueError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        return total

    async def wait_ready(self, seconds: float = 60) -> None:
        await wait_ready(self.name, self.base, self.process, self.log_path, seconds)

    def log_tail(self, lines: int = 30) -> str:
        return log_tail(self.log_path, lines)

    def kill(self) -> None:
        """SIGKILL the server's process group (the process we started and its workers)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        """SIGTERM the process we started, SIGKILL its group after 15 s."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
