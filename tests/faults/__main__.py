"""``python -m tests.faults [--quick] [--only STORE] [--fault FAULT]``: the matrix, its table and test-artifacts/faults.json."""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from tests.faults.scenarios import FAULTS
from tests.faults.scenarios import FULL
from tests.faults.scenarios import QUICK
from tests.faults.scenarios import STORES
from tests.faults.scenarios import Lab
from tests.faults.scenarios import Result
from tests.faults.scenarios import matrix
from tests.faults.scenarios import table
from tests.faults.servers import missing_binaries
from tests.live import ROOT


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.faults", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="3 s outages and 20 users instead of 10 s and 50",
    )
    parser.add_argument(
        "--only",
        choices=sorted(STORES),
        action="append",
        help="this store only (repeatable)",
    )
    parser.add_argument(
        "--fault",
        choices=sorted(FAULTS),
        action="append",
        help="this fault only (repeatable)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "test-artifacts" / "faults.json",
        help="the JSON results",
    )
    return parser


def main(argv: list[str] | None = None) -> list[Result]:
    """Run the scenarios chosen by ``argv``; print the table, write the JSON; the results."""
    options = parser().parse_args(argv)
    # Stopped by a SIGTERM (a CI timeout): the finally below still stops the
    # servers this run started.
    stopped = signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    missing = missing_binaries()
    if missing:  # pragma: no cover - the machines that run this have them
        raise SystemExit(f"missing programs: {', '.join(missing)}")
    scenarios = [
        s
        for s in matrix()
        if s.store.name in (options.only or STORES)
        and s.fault in (options.fault or FAULTS)
    ]
    phases = QUICK if options.quick else FULL
    directory = Path(tempfile.mkdtemp(prefix="useauth-faults-"))
    lab = Lab(directory)
    results = []
    try:
        lab.setup()
        for scenario in scenarios:
            print(f"{scenario.label} …", file=sys.stderr, flush=True)
            try:
                results.append(lab.run(scenario, phases))
            except Exception as error:  # pragma: no cover - a demo that cannot start
                # The others still run; this one is left out of the table.
                print(f"  did not run: {error!r}", file=sys.stderr, flush=True)
                continue
            print(f"  {results[-1].violations() or 'ok'}", file=sys.stderr, flush=True)
    finally:
        lab.close()
        signal.signal(signal.SIGTERM, stopped)
        shutil.rmtree(directory, ignore_errors=True)
    print(table(results))
    options.out.parent.mkdir(parents=True, exist_ok=True)
    options.out.write_text(json.dumps([asdict(r) for r in results], indent=2))
    return results


if __name__ == "__main__":
    main()
