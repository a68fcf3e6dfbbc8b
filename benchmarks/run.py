"""``make bench``: load every target in turn, several interleaved rounds, and report.

``python -m benchmarks.run`` (from the repository root, in the benchmark's
venv) runs three passes and prints what each measured:

1. **main**: all servers up at once (gunicorn with 2 sync workers per Django
   server, one Node process for Auth.js), every target of
   :data:`~benchmarks.targets.MAIN_TARGETS` loaded in turn for ``DURATION``
   seconds after a ``WARMUP``, in a rotated order each of ``ROUNDS`` rounds;
   the SQL queries and Redis commands of one read are counted in-process
   (a target marked ``sql_free``, token mode's Bearer reads, fails the run
   if it runs any);
2. **instructions**: callgrind's instructions per request for the requests of
   :data:`~benchmarks.targets.INSTRUCTION_TARGETS` (the deterministic measure
   of ``AuthMiddleware``'s cost);
3. **pinned**: each server of the pinned pass on CPU 0 with one worker, wrk on
   CPU 1, ``PINNED_ROUNDS`` rounds, for the CPU cost of a request on one core.

Before each run it waits up to ``QUIET_WAIT`` seconds (default 5) for
other jobs on the machine to leave the CPUs, and each run records how many
cores something else kept busy ("other load"), since numbers taken next to
another job are not comparable with the rest.

Then the tables (token mode's Bearer reads against the cookie reads on the
same servers among them), one PASS/FAIL line per target of the issue, and
``benchmarks/results/latest.json``, ``latest.md`` and ``chart.png``. It exits
0 when the benchmark ran, whatever the verdicts (``STRICT=1``: 1 on a FAIL).
Every server is stopped on the way out, also on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import redis

from benchmarks import report
from benchmarks.cpu import children_cpu_seconds
from benchmarks.cpu import machine_busy_seconds
from benchmarks.cpu import other_load
from benchmarks.cpu import process_cpu_seconds
from benchmarks.instructions import instructions_per_request
from benchmarks.load import CONNECTIONS
from benchmarks.load import THREADS
from benchmarks.load import run_wrk
from benchmarks.machine import describe
from benchmarks.servers import ROOT
from benchmarks.servers import Server
from benchmarks.servers import ServerSpec
from benchmarks.signin import SIGN_INS
from benchmarks.signin import Header
from benchmarks.signin import check_signed_in
from benchmarks.stats import Sample
from benchmarks.stats import Summary
from benchmarks.stats import summarize
from benchmarks.targets import INSTRUCTION_TARGETS
from benchmarks.targets import MAIN_TARGETS
from benchmarks.targets import PINNED_TARGETS
from benchmarks.targets import REDIS_URL_DEFAULT
from benchmarks.targets import Target
from benchmarks.targets import main_servers
from benchmarks.targets import pinned_servers

RESULTS = ROOT / "benchmarks" / "results"


def say(text: str) -> None:
    """Print a progress line at once."""
    print(text, flush=True)


def _options() -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(description="The session hot-path benchmark.")
    parser.add_argument("--rounds", type=int, default=int(env("ROUNDS", "5")))
    parser.add_argument("--duration", type=float, default=float(env("DURATION", "8")))
    parser.add_argument("--warmup", type=float, default=float(env("WARMUP", "2")))
    parser.add_argument(
        "--pinned-rounds", type=int, default=int(env("PINNED_ROUNDS", "0"))
    )
    parser.add_argument(
        "--callgrind-requests", type=int, default=int(env("CALLGRIND_REQUESTS", "600"))
    )
    parser.add_argument(
        "--redis-url", default=env("BENCH_REDIS_URL", REDIS_URL_DEFAULT)
    )
    parser.add_argument(
        "--quiet-wait", type=float, default=float(env("QUIET_WAIT", "5"))
    )
    parser.add_argument("--strict", action="store_true", default=env("STRICT") == "1")
    options = parser.parse_args()
    options.pinned_rounds = options.pinned_rounds or options.rounds
    options.warmup = min(options.warmup, options.duration)
    return options


def _preflight(redis_url: str) -> None:
    for tool in ("wrk", "valgrind", "node", "taskset"):
        if shutil.which(tool) is None:
            sys.exit(
                f"benchmark: {tool} is missing (make bench installs wrk; see docs/benchmarks.md)"
            )
    redis.Redis.from_url(redis_url).ping()


class Redis:
    """The Redis server the Redis store uses: its CPU time, and the keys of this run."""

    def __init__(self, url: str) -> None:
        self.client = redis.Redis.from_url(url)
        pid = int(self.client.info("server")["process_id"])
        # Readable only when redis-server runs on this machine's /proc.
        self.pid = pid if Path(f"/proc/{pid}/stat").exists() else None

    def cpu_seconds(self) -> float:
        """Return redis-server's CPU seconds so far (0 when it cannot be read)."""
        return process_cpu_seconds(self.pid) if self.pid else 0.0

    def delete_keys(self, prefixes: list[str]) -> None:
        """Delete the cache keys written under ``prefixes``."""
        for prefix in prefixes:
            for key in self.client.scan_iter(match=f"{prefix}:*", count=1000):
                self.client.delete(key)


def _start(
    specs: list[ServerSpec], workdir: Path, stack: ExitStack
) -> dict[str, Server]:
    servers = {spec.name: Server(spec, workdir) for spec in specs}
    for server in servers.values():
        server.prepare()
    for server in servers.values():
        stack.callback(server.stop)
        server.start()
        say(f"  started {server.spec.name} on {server.url}: {server.spec.describe()}")
    return servers


def _sign_in(targets: list[Target], servers: dict[str, Server]) -> dict[str, Header]:
    """Sign in once per (server, sign-in) and check every target reads signed in.

    Return the header (a ``Cookie``, or ``Authorization: Bearer``) each
    target's requests carry.
    """
    by_login: dict[tuple[str, str], Header] = {}
    headers: dict[str, Header] = {}
    for target in targets:
        login = (target.login_server, target.sign_in)
        if login not in by_login:
            by_login[login] = SIGN_INS[target.sign_in](servers[target.login_server].url)
        headers[target.key] = by_login[login]
        if target.shows_account:
            check_signed_in(
                servers[target.server].url + target.path, headers[target.key]
            )
    return headers


def _query_sign_in(target: Target, server: Server) -> str:
    """Return how ``benchmarks.queries`` signs in for ``target`` (its ``--sign-in``)."""
    if target.sign_in == "useauth-token":
        return "token"
    if server.spec.env.get("BENCH_ALLAUTH") == "1":
        return "allauth"
    if server.spec.env.get("BENCH_AUTH_MIDDLEWARE") == "0":
        return "django"  # no /api/auth endpoints without AuthMiddleware
    return "useauth"


def _count_queries(
    targets: list[Target], servers: dict[str, Server]
) -> dict[str, dict[str, Any]]:
    """Count the SQL queries and Redis commands of one steady-state read of each Django target.

    One in-process count per (server, way of signing in). Raise when a read
    was not signed in, or when a ``sql_free`` target ran SQL.
    """
    groups: dict[tuple[str, str], list[Target]] = {}
    for target in targets:
        server = servers[target.server]
        if server.spec.kind == "django":
            how = _query_sign_in(target, server)
            groups.setdefault((target.server, how), []).append(target)
    counts: dict[str, dict[str, Any]] = {}
    for (name, how), mine in groups.items():
        server = servers[name]
        output = subprocess.run(
            [sys.executable, "-m", "benchmarks.queries", "--sign-in", how]
            + sorted({target.path for target in mine}),
            cwd=ROOT,
            env=server.env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        by_path = json.loads(output)
        for target in mine:
            counts[target.key] = by_path[target.path]
            if (
                not by_path[target.path]["signed_in"]
                or by_path[target.path]["status"] != 200
            ):
                raise RuntimeError(
                    f"query count of {target.key} was not a signed-in read"
                )
            if target.sql_free and by_path[target.path]["sql"] != 0:
                raise RuntimeError(
                    f"{target.key} should run no SQL; one read ran "
                    f"{by_path[target.path]['sql']} queries"
                )
    return counts


def _wait_for_quiet(redis_server: Redis, limit: float) -> None:
    """Wait up to ``limit`` seconds for other jobs to leave the CPUs (less than 0.2 cores busy).

    "Other" is everything but this process's tree (the servers are its
    children) and redis-server.
    """
    own = [os.getpid()] + ([redis_server.pid] if redis_server.pid else [])
    deadline = time.monotonic() + limit
    while (load := other_load(0.5, own)) > 0.2:
        if time.monotonic() > deadline:
            say(
                f"  (the machine is busy with other work: {load:.2f} cores; measuring anyway)"
            )
            return
        time.sleep(1)


def _measure(
    server: Server,
    redis_server: Redis,
    url: str,
    header: Header,
    duration: float,
    wrk_cpus: str | None,
    number: int,
) -> Sample:
    """Run wrk once and account the CPU time it cost the server, Redis and anything else."""
    server_before = server.cpu_seconds()
    redis_before = redis_server.cpu_seconds()
    wrk_before = children_cpu_seconds()
    busy_before = machine_busy_seconds()
    result = run_wrk(url, header, duration, wrk_cpus)
    server_cpu = server.cpu_seconds() - server_before
    redis_cpu = redis_server.cpu_seconds() - redis_before
    wrk_cpu = children_cpu_seconds() - wrk_before
    busy = machine_busy_seconds() - busy_before
    # Whatever else kept the CPUs busy meanwhile (another job on a shared machine).
    other = max(0.0, busy - server_cpu - redis_cpu - wrk_cpu) / result.seconds
    return Sample(
        round=number,
        requests=result.requests,
        rps=result.rps,
        p50_ms=result.p50_ms,
        p99_ms=result.p99_ms,
        server_cpu_us=server_cpu / result.requests * 1e6,
        redis_cpu_us=redis_cpu / result.requests * 1e6,
        other_cpu=other,
        errors=result.errors,
    )


def _rounds(
    targets: list[Target],
    servers: dict[str, Server],
    headers: dict[str, Header],
    redis_server: Redis,
    options: argparse.Namespace,
    rounds: int,
    wrk_cpus: str | None,
) -> dict[str, list[Sample]]:
    """Load each target ``rounds`` times, interleaved, the order rotated every round."""
    samples: dict[str, list[Sample]] = {target.key: [] for target in targets}
    for number in range(rounds):
        order = targets[number % len(targets) :] + targets[: number % len(targets)]
        for target in order:
            server = servers[target.server]
            url = server.url + target.path
            header = headers[target.key]
            _wait_for_quiet(redis_server, options.quiet_wait)
            if options.warmup > 0:
                run_wrk(url, header, options.warmup, wrk_cpus)
            sample = _measure(
                server,
                redis_server,
                url,
                header,
                options.duration,
                wrk_cpus,
                number + 1,
            )
            if target.shows_account:
                check_signed_in(url, header)  # still signed in after the load
            samples[target.key].append(sample)
            say(
                f"  round {number + 1}/{rounds}  {target.key:<16} {sample.rps:>8,.0f} req/s  "
                f"p50 {sample.p50_ms:6.2f} ms  p99 {sample.p99_ms:6.2f} ms  "
                f"CPU {sample.server_cpu_us:6,.0f} µs/req  "
                f"other load {sample.other_cpu:4.2f} cores  errors {sample.errors}"
            )
    return samples


def _instructions(
    servers: dict[str, Server], headers: dict[str, Header], requests: int
) -> dict[str, float]:
    """Count callgrind's instructions per request of each instruction target, two at a time."""
    by_key = {target.key: target for target in MAIN_TARGETS}

    def measure(key: str) -> float:
        target = by_key[key]
        server = servers[target.server]
        return instructions_per_request(
            server.env, target.path, headers[key], small=100, large=100 + requests
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        values = list(pool.map(measure, INSTRUCTION_TARGETS))
    return dict(zip(INSTRUCTION_TARGETS, values, strict=True))


def _summaries(samples: dict[str, list[Sample]]) -> dict[str, Summary]:
    return {key: summarize(runs) for key, runs in samples.items()}


def _stop_on_sigterm() -> None:
    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def main() -> int:
    """Run the three passes, print the report, write the results; return the exit status."""
    options = _options()
    _stop_on_sigterm()
    _preflight(options.redis_url)
    started = time.monotonic()
    machine = describe(options.redis_url)
    say("Machine and versions:")
    for name, value in machine.items():
        say(f"  {name}: {value}")
    say(
        f"Load: wrk, {CONNECTIONS} connections, {THREADS} threads, {options.duration:g} s per run "
        f"after a {options.warmup:g} s warm-up; {options.rounds} rounds (pinned: {options.pinned_rounds})"
    )
    redis_server = Redis(options.redis_url)
    prefixes: list[str] = []
    with (
        tempfile.TemporaryDirectory(prefix="useauth-bench-") as directory,
        ExitStack() as stack,
    ):
        workdir = Path(directory)
        stack.callback(redis_server.delete_keys, prefixes)

        say("Main pass: starting the servers")
        specs = main_servers(options.redis_url)
        prefixes += [
            s.env["BENCH_CACHE_PREFIX"] for s in specs if "BENCH_CACHE_PREFIX" in s.env
        ]
        with ExitStack() as servers_up:
            servers = _start(specs, workdir, servers_up)
            headers = _sign_in(MAIN_TARGETS, servers)
            counts = _count_queries(MAIN_TARGETS, servers)
            say(
                "  SQL queries / Redis commands per read: "
                + ", ".join(
                    f"{key} {c['sql']}/{c['redis']}" for key, c in counts.items()
                )
            )
            main_samples = _rounds(
                MAIN_TARGETS,
                servers,
                headers,
                redis_server,
                options,
                options.rounds,
                None,
            )
        say("Main pass done; servers stopped")

        say(
            f"Instructions pass: callgrind, {options.callgrind_requests} requests per measure"
        )
        instructions = _instructions(servers, headers, options.callgrind_requests)
        for key, count in instructions.items():
            say(f"  {key:<16} {count:,.0f} instructions/request")

        say("Pinned pass: servers on CPU 0 (1 worker), wrk on CPU 1")
        specs = pinned_servers(options.redis_url)
        prefixes += [
            s.env["BENCH_CACHE_PREFIX"] for s in specs if "BENCH_CACHE_PREFIX" in s.env
        ]
        with ExitStack() as servers_up:
            pinned = _start(specs, workdir, servers_up)
            pinned_headers = _sign_in(PINNED_TARGETS, pinned)
            pinned_samples = _rounds(
                PINNED_TARGETS,
                pinned,
                pinned_headers,
                redis_server,
                options,
                options.pinned_rounds,
                "1",
            )
        say("Pinned pass done; servers stopped")
        server_descriptions = {
            **{name: s.spec.describe() for name, s in servers.items()},
            **{name: s.spec.describe() for name, s in pinned.items()},
        }

    main_summaries = _summaries(main_samples)
    pinned_summaries = _summaries(pinned_samples)
    verdicts = report.verdicts(main_summaries, counts, pinned_summaries, instructions)
    bearer = report.bearer_vs_cookie(main_summaries, instructions)
    elapsed = time.monotonic() - started
    tables = "\n\n".join(
        [
            report.main_table(main_summaries, counts),
            report.pinned_table(pinned_summaries),
            report.instructions_table(instructions),
            report.bearer_table(bearer),
            report.verdict_lines(verdicts),
        ]
    )
    say("")
    say(tables)
    RESULTS.mkdir(exist_ok=True)
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "elapsed_s": round(elapsed),
        "machine": machine,
        "load": {
            "tool": "wrk",
            "connections": CONNECTIONS,
            "threads": THREADS,
            "duration_s": options.duration,
            "warmup_s": options.warmup,
            "rounds": options.rounds,
            "pinned_rounds": options.pinned_rounds,
            "callgrind_requests": options.callgrind_requests,
        },
        "servers": server_descriptions,
        "queries": counts,
        "main": {key: s.as_dict() for key, s in main_summaries.items()},
        "main_samples": {
            key: [vars(s) for s in runs] for key, runs in main_samples.items()
        },
        "pinned": {key: s.as_dict() for key, s in pinned_summaries.items()},
        "pinned_samples": {
            key: [vars(s) for s in runs] for key, runs in pinned_samples.items()
        },
        "instructions_per_request": instructions,
        "bearer_vs_cookie": bearer,
    }
    report.write_json(RESULTS / "latest.json", results, verdicts)
    (RESULTS / "latest.md").write_text(tables + "\n")
    subtitle = (
        f"{results['date']}, {machine['nproc']} × {machine['cpu']}, {options.rounds} rounds "
        f"× {options.duration:g} s (pinned: {options.pinned_rounds})"
    )
    report.write_chart(
        RESULTS / "chart.png", main_summaries, pinned_summaries, subtitle
    )
    say(f"\nWrote {RESULTS.relative_to(ROOT)}/latest.json, latest.md and chart.png")
    say(f"The benchmark took {elapsed / 60:.1f} minutes.")
    failed = any(not verdict.passed for verdict in verdicts)
    return 1 if options.strict and failed else 0


if __name__ == "__main__":
    sys.exit(main())
