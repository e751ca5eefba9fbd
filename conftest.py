"""The notebooks' budget (at most 90 s in total and 1.5 GB of peak memory), as a report.

nbval runs each notebook on its own kernel, a child process of pytest. After the run we
add up the time spent in each notebook's cells (kernel start included) and read the peak
resident memory of pytest's children (the kernels), and print both under "notebook
budget", with a line saying whether the budget was met.

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

BUDGET_SECONDS = 90.0
BUDGET_MEMORY_MB = 1536.0
_durations: dict[str, float] = defaultdict(float)


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
        tr.write_line(f"{seconds:7.1f} s  {name}")
    total = sum(_durations.values())
    peak = _peak_children_mb()
    tr.write_line(f"{total:7.1f} s  total (budget {BUDGET_SECONDS:.0f} s); "
                  f"peak kernel memory {peak:.0f} MB (budget {BUDGET_MEMORY_MB:.0f} MB)")
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
