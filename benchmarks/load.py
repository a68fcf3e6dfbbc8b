"""Drive one load run with Debian's ``wrk`` and read its figures.

``wrk`` keeps ``connections`` connections busy for ``duration`` seconds,
sending the same ``GET`` with one header (the ``Cookie`` of a sign-in, or
token mode's ``Authorization: Bearer``); ``wrk_report.lua`` prints the
counts and latency percentiles as JSON at the end.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.signin import Header

_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"
_MARK = "BENCH_JSON "

CONNECTIONS = 16
THREADS = 2


@dataclass(frozen=True)
class LoadResult:
    """What one wrk run measured; latencies in milliseconds."""

    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int  # connect/read/write errors, timeouts and non-2xx/3xx answers

    @property
    def rps(self) -> float:
        """Requests completed per second."""
        return self.requests / self.seconds


def run_wrk(
    url: str, header: Header | None, duration: float, cpus: str | None = None
) -> LoadResult:
    """Run wrk against ``url`` with ``header`` for ``duration`` seconds (pinned to ``cpus`` if given)."""
    command = [
        "wrk",
        f"--threads={THREADS}",
        f"--connections={CONNECTIONS}",
        f"--duration={max(1, round(duration))}s",
        "--timeout=10s",
        f"--script={_SCRIPT}",
    ]
    if header:
        name, value = header
        command += ["--header", f"{name}: {value}"]
    command.append(url)
    if cpus is not None:
        command = ["taskset", "-c", cpus, *command]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    line = next(line for line in output.splitlines() if line.startswith(_MARK))
    data = json.loads(line[len(_MARK) :])
    return LoadResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        # With gunicorn's sync workers every answer closes its connection;
        # wrk then reconnects, which it does not count as an error.
        errors=data["connect_errors"]
        + data["read_errors"]
        + data["write_errors"]
        + data["timeouts"]
        + data["status_errors"],
    )
