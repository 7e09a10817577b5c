"""CPU time of a server and every process under it, read from /proc (Linux): what a load step
cost the server, summed over the signalling process, a media process and any children."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["ProcessTreeCpu"]

_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int, proc: Path) -> tuple[int, float] | None:
    """(parent pid, CPU seconds of the process and its reaped children)."""
    try:
        text = (proc / str(pid) / "stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: split after its closing one.
    fields = text[text.rindex(")") + 2 :].split()
    ppid = int(fields[1])
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return ppid, (utime + stime + cutime + cstime) / _TICKS


class ProcessTreeCpu:
    """`seconds()` is the CPU used so far by `root` and its live descendants (their reaped
    children included: a short-lived TTS child counts once it is waited for)."""

    def __init__(self, root: int, *, proc: Path = Path("/proc")) -> None:
        self.root = root
        self.proc = proc

    def pids(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in self.proc.iterdir():
            if entry.name.isdigit():
                found = _stat(int(entry.name), self.proc)
                if found is not None:
                    parents[int(entry.name)] = found[0]
        tree = {self.root}
        grew = True
        while grew:
            grew = False
            for pid, ppid in parents.items():
                if ppid in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        return sorted(tree)

    def seconds(self) -> float:
        total = 0.0
        for pid in self.pids():
            found = _stat(pid, self.proc)
            if found is not None:
                total += found[1]
        return total

    def per_process(self) -> dict[int, float]:
        """CPU seconds of each process of the tree (does each core carry work?)."""
        out: dict[int, float] = {}
        for pid in self.pids():
            found = _stat(pid, self.proc)
            if found is not None:
                out[pid] = found[1]
        return out
