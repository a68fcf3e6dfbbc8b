"""The benchmark of the session hot path (``make bench``); see ``docs/benchmarks.md``."""
