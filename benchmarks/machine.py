"""What the benchmark ran on: the machine and the versions of everything measured."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
from importlib.metadata import version
from pathlib import Path

from benchmarks.servers import AUTHJS_DIR
from benchmarks.servers import ROOT


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return "missing"
    return (done.stdout or done.stderr).strip().splitlines()[0]


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _npm_version(package: str) -> str:
    manifest = AUTHJS_DIR / "node_modules" / package / "package.json"
    return str(json.loads(manifest.read_text())["version"])


def _redis_version(url: str) -> str:
    import redis

    info = redis.Redis.from_url(url).info("server")
    return str(info["redis_version"])


def _commit() -> str:
    """Return the checked-out commit, marked ``+changes`` if django_useauth/ differs from it."""
    head = _first_line(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"])
    if not re.fullmatch(r"[0-9a-f]{7,40}", head):
        return "unknown"
    changed = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "django_useauth"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{head}+changes" if changed else head


def describe(redis_url: str) -> dict[str, str]:
    """Return the machine and the versions, as ``name: value`` strings."""
    return {
        "nproc": str(os.cpu_count()),
        "cpu": _cpu_model(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": version("Django"),
        "django-useauth": f"{version('django-useauth')} ({_commit()})",
        "django-allauth": version("django-allauth"),
        "django-redis": version("django-redis"),
        "pyjwt": version("PyJWT"),
        "gunicorn": version("gunicorn"),
        "redis-py": version("redis"),
        "hiredis": version("hiredis"),
        "redis-server": _redis_version(redis_url),
        "node": _first_line(["node", "--version"]),
        "@auth/express": _npm_version("@auth/express"),
        "@auth/core": _npm_version("@auth/core"),
        "express": _npm_version("express"),
        "wrk": _first_line(["wrk", "--version"]).split(" [")[0],
        "valgrind": _first_line(["valgrind", "--version"]),
    }
