"""Per-run samples and their per-target summaries."""

from __future__ import annotations

import statistics
from dataclasses import asdict
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Sample:
    """One measured load run of one target."""

    round: int
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    server_cpu_us: float  # server process tree CPU per request
    redis_cpu_us: float  # redis-server CPU per request
    other_cpu: float  # cores busy with anything but server, Redis and wrk
    errors: int


@dataclass(frozen=True)
class Summary:
    """A target's samples reduced: median and range of req/s, medians of the rest."""

    rps_median: float
    rps_min: float
    rps_max: float
    p50_ms: float
    p99_ms: float
    server_cpu_us: float
    redis_cpu_us: float
    other_cpu: float
    errors: int
    runs: int

    def as_dict(self) -> dict[str, Any]:
        """Return the summary as JSON-ready values."""
        return asdict(self)


def summarize(samples: list[Sample]) -> Summary:
    """Return the :class:`Summary` of one target's ``samples`` (at least one)."""
    rps = [sample.rps for sample in samples]
    return Summary(
        rps_median=statistics.median(rps),
        rps_min=min(rps),
        rps_max=max(rps),
        p50_ms=statistics.median(sample.p50_ms for sample in samples),
        p99_ms=statistics.median(sample.p99_ms for sample in samples),
        server_cpu_us=statistics.median(sample.server_cpu_us for sample in samples),
        redis_cpu_us=statistics.median(sample.redis_cpu_us for sample in samples),
        other_cpu=statistics.median(sample.other_cpu for sample in samples),
        errors=sum(sample.errors for sample in samples),
        runs=len(samples),
    )
