"""Instructions per request, counted by valgrind's callgrind: a noise-free cost.

``python -m benchmarks.instructions --path P --header "Name: value" --requests
N`` (with a server's environment; the header is the ``Cookie`` of a sign-in or
``Authorization: Bearer``) sets Django up, sends ``WARMUP`` requests and then
``N`` more straight through Django's WSGI handler, the entry point gunicorn
calls, and exits. :func:`instructions_per_request` runs it under callgrind twice,
with two values of ``N``: the difference of the two totals divided by the
difference of ``N`` is the cost of one request, without the start-up both
runs share. Instruction counts do not depend on the machine's load, so two
such figures can be compared to well under 1%, which wrk's req/s cannot do on
a shared 2-core machine.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from benchmarks.signin import Header

WARMUP = 50

_ROOT = Path(__file__).resolve().parent.parent
_TOTAL = re.compile(rb"^(?:summary|totals):\s*(\d+)", re.MULTILINE)


def _environ(path: str, header: Header) -> dict[str, object]:
    name, value = header
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        # As a WSGI server passes a request header (PEP 3333).
        "HTTP_" + name.upper().replace("-", "_"): value,
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def serve(path: str, header: Header, requests: int) -> None:
    """Send ``WARMUP + requests`` GETs of ``path`` with ``header`` through the WSGI handler; fail on a non-200."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.site.settings")
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    statuses: list[str] = []

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: Any = None
    ) -> Callable[[bytes], object]:
        statuses.append(status)
        return lambda data: None

    for _ in range(WARMUP + requests):
        body = application(_environ(path, header), start_response)
        b"".join(body)
        body.close()
        if not statuses[-1].startswith("200"):
            raise RuntimeError(f"{path} answered {statuses[-1]}")


def _callgrind_total(env: dict[str, str], args: list[str]) -> int:
    with tempfile.TemporaryDirectory() as directory:
        out = Path(directory) / "callgrind.out"
        subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-m",
                "benchmarks.instructions",
                *args,
            ],
            cwd=_ROOT,
            env={**env, "PYTHONHASHSEED": "0"},
            check=True,
            capture_output=True,
        )
        match = _TOTAL.search(out.read_bytes())
        if match is None:
            raise RuntimeError("callgrind wrote no total")
        return int(match.group(1))


def instructions_per_request(
    env: dict[str, str], path: str, header: Header, small: int, large: int
) -> float:
    """Return the instructions one GET of ``path`` with ``header`` costs, from runs of ``small`` and ``large`` requests."""
    name, value = header
    args = ["--path", path, "--header", f"{name}: {value}", "--requests"]
    low = _callgrind_total(env, [*args, str(small)])
    high = _callgrind_total(env, [*args, str(large)])
    return (high - low) / (large - small)


def main() -> None:
    """Serve the requests asked for on the command line (run under callgrind)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", required=True)
    parser.add_argument("--header", required=True, help='"Name: value"')
    parser.add_argument("--requests", type=int, required=True)
    arguments = parser.parse_args()
    name, _, value = arguments.header.partition(":")
    serve(arguments.path, (name.strip(), value.strip()), arguments.requests)


if __name__ == "__main__":
    main()
