"""The notebooks' budget (at most 90 s in total and 1.5 GB of peak memory), as a report.

nbval runs each notebook on its own kernel, a child process of pytest. After the run we
add up the time spent in each notebook's cells (kernel start included) and the peak
resident memory of each notebook's kernel (VmHWM in /proc, read once after its last cell,
before nbval stops the kernel: a high-water mark needs no earlier reading), and print both
under "notebook budget", with a line saying whether the budget was met. (Not ru_maxrss of
pytest's children: in the whole suite that also counts the browser tests' Chromium and the
grader's kernels, and read 1,345 MB where the largest notebook kernel had used under
700 MB. Where /proc is missing, e.g. macOS, it falls back to that cruder figure and says so.)

It is a report, not a test: wall-clock time depends on how busy the machine is, and a test
suite that fails because someone else's job ran at the same time teaches contributors to
ignore it. CI prints the report on every run; README quotes the figures measured on CI's
2-core machine. (Memory is a property of the code, but ru_maxrss of the children is also
noisy across Python and library versions, so it is reported the same way.)
"""
from __future__ import annotations

import resource
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from benchmarks.binder_memory import peak_rss_mb

BUDGET_SECONDS = 90.0
BUDGET_MEMORY_MB = 1536.0
_durations: dict[str, float] = defaultdict(float)
_kernel_peak_mb: dict[str, float] = {}


def _kernel_pid(item):
    """The pid of the kernel that nbval runs this notebook's cells on, or None."""
    km = getattr(getattr(item.parent, "kernel", None), "km", None)
    process = getattr(getattr(km, "provisioner", None), "process", None) or getattr(km, "kernel", None)
    return getattr(process, "pid", None)


def _peak_rss_mb(pid) -> float | None:
    """VmHWM (the peak resident set) of a live process, in MB; None where /proc cannot tell.
    (The reading is benchmarks/binder_memory.py's, which measures the kernels the same way.)"""
    try:
        return peak_rss_mb(pid)
    except (OSError, KeyError, ValueError):
        return None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # After a notebook's last cell, before nbval's own teardown stops its kernel.
    last_cell = nextitem is None or nextitem.parent is not item.parent
    if ".ipynb::" in item.nodeid and last_cell:
        peak = _peak_rss_mb(_kernel_pid(item))
        if peak is not None:
            _kernel_peak_mb[item.nodeid.split("::")[0]] = peak
    yield


def pytest_runtest_logreport(report):
    if ".ipynb::" in report.nodeid:
        _durations[report.nodeid.split("::")[0]] += report.duration


def _peak_children_mb() -> float:
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return rss / 1024.0 / (1024.0 if sys.platform == "darwin" else 1.0)  # bytes on macOS


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not _durations:
        return
    tr = terminalreporter
    tr.section("notebook budget (a report: timings depend on the machine's load)")
    for name, seconds in sorted(_durations.items()):
        memory = f"  {_kernel_peak_mb[name]:6.0f} MB" if name in _kernel_peak_mb else ""
        tr.write_line(f"{seconds:7.1f} s{memory}  {name}")
    total = sum(_durations.values())
    if set(_kernel_peak_mb) >= set(_durations):
        peak, what = max(_kernel_peak_mb.values()), "peak kernel memory"
    else:
        peak, what = _peak_children_mb(), "peak memory of pytest's children (kernels and more)"
    tr.write_line(f"{total:7.1f} s  total (budget {BUDGET_SECONDS:.0f} s); "
                  f"{what} {peak:.0f} MB (budget {BUDGET_MEMORY_MB:.0f} MB)")
    all_notebooks = {p.name for p in (Path(config.rootpath) / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    if {Path(n).name for n in _durations} >= all_notebooks:
        over = []
        if total > BUDGET_SECONDS:
            over.append(f"time {total:.1f} s > {BUDGET_SECONDS:.0f} s")
        if peak > BUDGET_MEMORY_MB:
            over.append(f"memory {peak:.0f} MB > {BUDGET_MEMORY_MB:.0f} MB")
        tr.write_line("budget: " + ("OVER (" + "; ".join(over) + "); on an idle 2-core machine "
                                    "this needs looking at" if over else "met"),
                      yellow=bool(over), green=not over)
