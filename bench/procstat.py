"""CPU time and memory of processes, read from /proc (Linux), for CPU-ms per alert.

A process's CPU is utime + stime of itself and of its threads; what its children used counts
once they are reaped (cutime + cstime), so `tree_cpu` of a parent that forks workers
(uvicorn --workers, the PostgreSQL postmaster with one backend per connection) holds the
short-lived ones too. For PostgreSQL the whole cluster is counted: the postmaster, every
backend alive now, and every backend that has come and gone (the postmaster's cutime), so a
new connection's fork and authentication are in the figure.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat_fields(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    # comm is in parentheses and may hold spaces: fields start after the last ')'.
    return text[text.rindex(")") + 2 :].split()


def _children(pid: int) -> list[int]:
    # /proc/PID/task/TID/children needs CONFIG_PROC_CHILDREN, which not every kernel has.
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat_fields(int(entry.name))[1]) == pid:
                    found.append(int(entry.name))
            except (FileNotFoundError, ProcessLookupError, ValueError):
                continue
    return found


def tree_cpu(pid: int) -> float:
    """Seconds of CPU used by `pid`, its live descendants and its reaped children."""
    try:
        fields = _stat_fields(pid)
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    # fields[11..14] are utime, stime, cutime, cstime (stat(5) fields 14-17).
    own = sum(int(v) for v in fields[11:15]) / TICKS
    return own + sum(tree_cpu(child) for child in _children(pid))


def tree_rss_mb(pid: int) -> float:
    """Resident memory of `pid` and its live descendants, in MB."""
    try:
        pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return pages * PAGE / 1e6 + sum(tree_rss_mb(child) for child in _children(pid))


def postmaster_pid() -> int:
    """The PostgreSQL cluster's postmaster: the `postgres` process whose parent is not one."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            parent = int(_stat_fields(int(entry.name))[1])
            parent_comm = Path(f"/proc/{parent}/comm").read_text().strip() if parent else ""
        except (FileNotFoundError, ProcessLookupError, ValueError):
            continue
        if comm == "postgres" and parent_comm != "postgres":
            return int(entry.name)
    raise RuntimeError("no PostgreSQL postmaster found in /proc")


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


@dataclass
class CpuMeter:
    """CPU seconds of some process trees between `start()` and `stop()`."""

    pids: dict[str, int]

    def __post_init__(self) -> None:
        self._before: dict[str, float] = {}
        self.used: dict[str, float] = {}

    def start(self) -> None:
        self._before = {name: tree_cpu(pid) for name, pid in self.pids.items()}

    def stop(self) -> dict[str, float]:
        self.used = {name: tree_cpu(pid) - self._before[name] for name, pid in self.pids.items()}
        return self.used
