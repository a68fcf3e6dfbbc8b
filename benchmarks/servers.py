"""Start and stop the servers under load, each in a process group of its own.

A :class:`ServerSpec` says what to run (the benchmark's Django project under
gunicorn with some ``BENCH_*`` environment, or the Auth.js server under
Node) and, optionally, which CPUs to pin it to. :class:`Server` prepares its
fresh SQLite database, starts it on a free loopback port, waits until it
answers and stops it again: the whole process group gets SIGTERM, then
SIGKILL if anything is left after a few seconds.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Literal

import requests

from benchmarks.cpu import tree_cpu_seconds

ROOT = Path(__file__).resolve().parent.parent
AUTHJS_DIR = ROOT / "benchmarks" / "authjs"

#: The one account every server knows.
USERNAME = "bench"
PASSWORD = "bench-password"
NAME = "Bench User"
EMAIL = "bench@example.com"
ACCOUNT_ENV = {
    "BENCH_USERNAME": USERNAME,
    "BENCH_PASSWORD": PASSWORD,
    "BENCH_NAME": NAME,
    "BENCH_EMAIL": EMAIL,
}


def free_port() -> int:
    """Return a loopback TCP port that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class ServerSpec:
    """What one server runs: ``kind``, its ``BENCH_*`` environment, workers and CPU pinning."""

    name: str
    kind: Literal["django", "authjs"]
    env: dict[str, str] = field(default_factory=dict)
    workers: int = 2
    cpus: str | None = None  # a taskset CPU list, e.g. "0"
    #: The server whose SQLite file this one shares (it prepares it); for a
    #: server without the endpoints that sign in.
    database: str | None = None

    def describe(self) -> str:
        """Return a one-line description for the report."""
        pinned = f", pinned to CPU {self.cpus}" if self.cpus else ""
        if self.kind == "authjs":
            return f"node benchmarks/authjs/server.mjs (one process{pinned})"
        settings = " ".join(f"{k}={v}" for k, v in sorted(self.env.items()))
        return (
            f"gunicorn --workers {self.workers} --worker-class sync "
            f"({settings}{pinned})"
        )


class Server:
    """A running server of :class:`ServerSpec`; use :meth:`start` and :meth:`stop`."""

    def __init__(self, spec: ServerSpec, workdir: Path) -> None:
        self.spec = spec
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = workdir
        self.log_path = workdir / f"{spec.name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.env = self._environment()

    def _environment(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("BENCH_", "DJANGO_"))
        }
        env.update(ACCOUNT_ENV)
        env.update(self.spec.env)
        if self.spec.kind == "django":
            env["DJANGO_SETTINGS_MODULE"] = "benchmarks.site.settings"
            database = self.spec.database or self.spec.name
            env["BENCH_DB_PATH"] = str(self.workdir / f"{database}.sqlite3")
            env["PYTHONPATH"] = str(ROOT)
        else:
            env["AUTH_SECRET"] = "useauth-benchmark-not-secret-" + "y" * 32
        env["PORT"] = str(self.port)
        return env

    def _command(self) -> list[str]:
        if self.spec.kind == "authjs":
            command = ["node", str(AUTHJS_DIR / "server.mjs")]
        else:
            command = [
                sys.executable,
                "-m",
                "gunicorn",
                "benchmarks.site.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.spec.workers),
                "--worker-class",
                "sync",
                "--worker-tmp-dir",
                "/dev/shm",
                "--no-control-socket",
                "--log-level",
                "warning",
            ]
        if self.spec.cpus is not None:
            command = ["taskset", "-c", self.spec.cpus, *command]
        return command

    def prepare(self) -> None:
        """Create the fresh database and the account (Django servers that own one)."""
        if self.spec.kind == "django" and self.spec.database is None:
            subprocess.run(
                [sys.executable, "-m", "benchmarks.site.prepare"],
                cwd=ROOT,
                env=self.env,
                check=True,
            )

    def start(self) -> None:
        """Start the server in its own process group and wait until it answers."""
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                self._command(),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        probe = "/auth/csrf" if self.spec.kind == "authjs" else "/bench/untouched"
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.spec.name} exited at start; see {self.log_path}:\n"
                    + self.log_path.read_text()[-2000:]
                )
            try:
                requests.get(self.url + probe, timeout=1).raise_for_status()
                return
            except requests.RequestException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def cpu_seconds(self) -> float:
        """Return the CPU seconds the server's process tree has used so far."""
        assert self.process is not None
        return tree_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        """Stop the whole process group: SIGTERM, then SIGKILL after 10 s."""
        process, self.process = self.process, None
        if process is None:
            return
        group = process.pid  # start_new_session: the leader's pid is the group's
        try:
            os.killpg(group, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(group, signal.SIGKILL)  # whatever is left of the group
        except ProcessLookupError:
            pass
        process.wait()
