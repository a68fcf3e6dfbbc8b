"""The Django project every Python server of the benchmark runs, configured from ``BENCH_*`` variables."""
