"""Budget check for the notebooks: at most 90 s in total and 1.5 GB peak memory.

nbval runs each notebook on its own kernel, a child process of pytest. After the run we
add up the time spent in each notebook's cells (kernel start included) and read the peak
resident memory of pytest's children (the kernels). The budget is enforced only when
every notebook ran, so that `pytest notebooks/03_...ipynb` alone is not judged by it.
Set AMSGRAD_SKIP_BUDGET=1 on a machine much slower than CI's.
"""
from __future__ import annotations

import os
import resource
import sys
from collections import defaultdict
from pathlib import Path

BUDGET_SECONDS = 90.0
BUDGET_MEMORY_MB = 1536.0
_durations: dict[str, float] = defaultdict(float)
_failed = []


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
    tr.section("notebook budget")
    for name, seconds in sorted(_durations.items()):
        tr.write_line(f"{seconds:7.1f} s  {name}")
    total = sum(_durations.values())
    peak = _peak_children_mb()
    tr.write_line(f"{total:7.1f} s  total (budget {BUDGET_SECONDS:.0f} s); "
                  f"peak kernel memory {peak:.0f} MB (budget {BUDGET_MEMORY_MB:.0f} MB)")
    all_notebooks = {p.name for p in (Path(config.rootpath) / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    ran = {Path(n).name for n in _durations}
    if ran >= all_notebooks and not os.environ.get("AMSGRAD_SKIP_BUDGET"):
        if total > BUDGET_SECONDS:
            _failed.append(f"notebooks took {total:.1f} s, over the {BUDGET_SECONDS:.0f} s budget")
        if peak > BUDGET_MEMORY_MB:
            _failed.append(f"peak kernel memory {peak:.0f} MB, over the {BUDGET_MEMORY_MB:.0f} MB budget")
        for msg in _failed:
            tr.write_line(f"BUDGET EXCEEDED: {msg}", red=True)


def pytest_sessionfinish(session, exitstatus):
    # terminal_summary runs after sessionfinish, so the check is repeated here to set the status
    if not _durations or os.environ.get("AMSGRAD_SKIP_BUDGET"):
        return
    all_notebooks = {p.name for p in (Path(session.config.rootpath) / "notebooks").glob("[0-9][0-9]_*.ipynb")}
    if {Path(n).name for n in _durations} >= all_notebooks:
        total = sum(_durations.values())
        if total > BUDGET_SECONDS or _peak_children_mb() > BUDGET_MEMORY_MB:
            session.exitstatus = 1
