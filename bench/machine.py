"""The machine a run measured, and how busy other processes kept it meanwhile."""

from __future__ import annotations

import os
import platform
import re
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def describe() -> dict:
    """CPU count and model, Python version, platform, load average at the start."""
    return {"cpu_count": os.cpu_count(), "python": sys.version.split()[0],
            "platform": platform.platform(), "processor": cpu_model(),
            "loadavg_at_start": load_average()}


def speed() -> dict[str, float]:
    """Milliseconds for fixed work, best of five: a pure-Python loop and, when numpy is there,
    the matrix products of one of the model's layers for a 64-token text. This machine's speed
    drifts by the hour with no load of ours or others' to show for it; timed at the start and
    the end of a run, these say whether two runs' figures are comparable."""
    def best(work) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            work()
            times.append((time.perf_counter() - started) * 1000)
        return round(min(times), 1)

    found = {"python_ms": best(lambda: sum(i * i for i in range(1_000_000)))}
    try:
        import numpy as np
    except ImportError:
        return found
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 384), dtype=np.float32)
    qkv, out, up, down = (rng.standard_normal(shape, dtype=np.float32)
                          for shape in ((384, 1152), (384, 384), (384, 1536), (1536, 384)))

    def layers() -> None:
        for _ in range(20):
            _ = (x @ qkv, x @ out, (x @ up) @ down)  # one layer's products, discarded

    found["numpy_ms"] = best(layers)
    return found


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo (or platform's guess)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return platform.processor()
    match = re.search(r"^model name\s*:\s*(.+)$", text, re.M)
    return match.group(1).strip() if match else platform.processor()


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages."""
    return [round(x, 2) for x in os.getloadavg()]


def machine_cpu() -> float:
    """CPU seconds all processes have used since boot (user, nice, system, irq, softirq)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    return sum(int(fields[i]) for i in (0, 1, 2, 5, 6)) / CLOCK_TICKS


def own_cpu() -> float:
    """CPU seconds used by this process and its waited-for children."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


@contextmanager
def phase(name: str, background: dict[str, float]) -> Iterator[None]:
    """Record in background[name] the cores other processes kept busy during the block."""
    started, machine, own = time.perf_counter(), machine_cpu(), own_cpu()
    yield
    seconds = time.perf_counter() - started
    others = (machine_cpu() - machine) - (own_cpu() - own)
    background[name] = round(max(others, 0.0) / seconds, 2) if seconds > 0 else 0.0
