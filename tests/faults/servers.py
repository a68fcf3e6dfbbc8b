"""Redis and PostgreSQL servers of our own, on spare loopback ports, that a scenario stops and restarts."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import redis

from tests.live import free_port

# Debian's postgresql package keeps its programs off PATH, one directory per
# major version: the newest first.
PG_DIRECTORIES = (
    Path("/usr/local/bin"),
    *sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
        reverse=True,
    ),
)
START_TIMEOUT = 30  # seconds for a server to answer after it starts


def postgres_binary(name: str) -> str | None:
    """The path of a PostgreSQL program (``initdb``, ``pg_ctl``), or None."""
    candidates = (directory / name for directory in PG_DIRECTORIES)
    return shutil.which(name) or next(
        (str(path) for path in candidates if path.is_file()), None
    )


def missing_binaries() -> list[str]:
    """The programs the fault tests need and cannot find."""
    needed = {
        "redis-server": shutil.which("redis-server"),
        "redis-cli": shutil.which("redis-cli"),
        "initdb": postgres_binary("initdb"),
        "pg_ctl": postgres_binary("pg_ctl"),
    }
    return [name for name, path in needed.items() if path is None]


def _wait(ready: Callable[[], object], what: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            ready()
        except (
            Exception
        ):  # pragma: no cover - still starting: both are usually ready at once
            time.sleep(0.05)
            continue
        return
    raise RuntimeError(f"{what} did not start")  # pragma: no cover - a broken server


class RedisServer:
    """``redis-server`` on a free port; ``appendonly`` keeps every write (fsync always)."""

    def __init__(self, directory: Path, *, appendonly: bool) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory / f"redis-{self.port}"
        self.directory.mkdir(parents=True)
        self.appendonly = appendonly
        self.process: subprocess.Popen[bytes] | None = None
        atexit.register(self.close)

    def start(self) -> None:
        """Start (or restart, on the same port and data) and wait for PING."""
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes" if self.appendonly else "no",
            "--appendfsync",
            "always",
            "--dir",
            str(self.directory),
            # DEBUG SLEEP pauses the server; Redis 7 refuses DEBUG unless allowed.
            "--enable-debug-command",
            "local",
        ]
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=log)
        client = redis.Redis(port=self.port, socket_timeout=1)
        _wait(client.ping, "redis-server")
        client.close()

    def stop(self) -> None:
        """SIGTERM, and wait for the exit (AOF flushed)."""
        assert self.process is not None, "redis-server is not running"
        process, self.process = self.process, None
        process.terminate()
        process.wait(timeout=30)

    def close(self) -> None:
        """Stop the server if it runs (it may be stopped by a fault)."""
        if (
            self.process is not None
        ):  # pragma: no branch - None at exit, or after a failure
            self.stop()

    def pause(self, seconds: float) -> threading.Thread:
        """``DEBUG SLEEP seconds`` from a thread (the command blocks); join it to wait for the end."""
        thread = threading.Thread(
            target=subprocess.run,
            args=(["redis-cli", "-p", str(self.port), "DEBUG", "SLEEP", str(seconds)],),
            kwargs={"capture_output": True, "check": True},
        )
        thread.start()
        return thread


class PostgresServer:
    """A PostgreSQL cluster of its own (``initdb -A trust``) in a temporary directory, on a free port.

    initdb refuses to run as root: as root, every program runs as ``postgres``.
    """

    def __init__(self) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="useauth-faults-pg-"))
        self.data = self.directory / "data"
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:  # pragma: no branch - the machines we run on are root
            shutil.chown(self.directory, "postgres", "postgres")
        self.running = False
        atexit.register(self.remove)

    def _run(self, program: str, *args: str) -> None:
        command = [str(postgres_binary(program)), *args]
        if self.as_postgres:  # pragma: no branch - see __init__
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.directory)

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"
        )
        self.start()

    def start(self) -> None:
        """Start (or restart on the same port and data directory); return once it answers."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1"
            f" -c unix_socket_directories={self.directory} -c fsync=off"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.directory / "log"),
            "-o",
            options,
            "-w",
            "start",
        )
        self.running = True
        _wait(
            lambda: psycopg.connect(self.url("postgres"), connect_timeout=1).close(),
            "PostgreSQL",
        )

    def stop(self) -> None:
        """``pg_ctl stop -m fast``: every connection is closed."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.running = False

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, statement: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            connection.execute(statement)

    def create_database(self, template: str | None = None) -> str:
        """A new database (a copy of ``template``), its name."""
        name = f"useauth_faults_{uuid.uuid4().hex[:12]}"
        copy = f' TEMPLATE "{template}"' if template else ""
        self.execute(f'CREATE DATABASE "{name}"{copy}')
        return name

    def drop_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def remove(self) -> None:
        """Stop the server if it runs and delete its directory."""
        if self.running:  # pragma: no branch - at exit, it ran once already
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
