"""CPU time of a process tree, read from ``/proc`` (Linux only).

A server's CPU time is the ``utime`` + ``stime`` of its main process and of
every live descendant (gunicorn's master and workers; Node's one process with
its threads). Read it before and after a load run; the difference divided by
the requests completed is the server CPU per request.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path

_PROC = Path("/proc")
_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    # The command name (field 2) is in parentheses and may hold spaces, so
    # the fields are counted from the last ')'.
    try:
        text = (_PROC / str(pid) / "stat").read_text()
    except OSError:  # the process ended meanwhile
        return None
    return text[text.rindex(")") + 2 :].split()


def descendants(root: int) -> list[int]:
    """Return ``root`` and the pids of all its live descendants."""
    children: dict[int, list[int]] = {}
    for entry in _PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def process_cpu_seconds(pid: int) -> float:
    """Return the user + system CPU seconds ``pid`` has used so far (0 if it is gone)."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    # After the name: state(0) ppid(1) ... utime(11) stime(12).
    return (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND


def tree_cpu_seconds(root: int) -> float:
    """Return the CPU seconds used so far by ``root`` and its live descendants."""
    return sum(process_cpu_seconds(pid) for pid in descendants(root))


def machine_busy_seconds() -> float:
    """Return the CPU seconds all CPUs have spent busy since boot (``/proc/stat``)."""
    fields = (_PROC / "stat").read_text().splitlines()[0].split()[1:]
    # user nice system idle iowait irq softirq steal ...: all but idle and iowait.
    values = [int(value) for value in fields[:8]]
    return (sum(values) - values[3] - values[4]) / _TICKS_PER_SECOND


def children_cpu_seconds() -> float:
    """Return the CPU seconds of this process's finished (waited-for) children, like wrk."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def other_load(window: float, own: list[int]) -> float:
    """Return how many cores were busy over ``window`` seconds with processes outside ``own`` trees."""
    own_before = sum(tree_cpu_seconds(pid) for pid in own)
    busy_before = machine_busy_seconds()
    time.sleep(window)
    own_used = sum(tree_cpu_seconds(pid) for pid in own) - own_before
    return max(0.0, machine_busy_seconds() - busy_before - own_used) / window
