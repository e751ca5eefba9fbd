#!/usr/bin/env python3
"""Binder's limits, measured: one CPU, 2 GB of memory for everything a learner runs.

    prlimit --as=2147483648 taskset -c 0 python benchmarks/binder_memory.py   # ~3 min
    python benchmarks/binder_memory.py --json out.json       # also write the numbers

Under ``prlimit --as=2147483648`` every process (each kernel) gets at most 2 GiB of address
space, a harder bound than resident memory: a notebook that needs more fails to execute
(checked: with 600 MB, notebook 07 fails). Exit status 1 if a notebook fails or the kernels
together hold more than 2 GiB.

Each notebook is executed top to bottom in its own kernel (as JupyterLab runs it), with
the process pinned to one CPU when started under ``taskset -c 0`` (the kernels inherit
it; the script says how many CPUs it had). The kernels are NOT shut down: this is a
learner who follows the navigation links from 00 to 09 and leaves every tab open. After
each notebook the script reads, from /proc:

- the kernel's peak resident memory (VmHWM): what that notebook needs on its own;
- the proportional set size (Pss, from smaps_rollup) of every kernel still running, summed:
  what they occupy together, shared libraries (libtorch, MKL) counted once in all.

It then shows what Binder's idle-kernel culling (binder/jupyter_server_config.json) does:
the kernels of the notebooks left behind are shut down, as the server would after their
idle time, and the total is read again.

The limit is 2048 MiB (mybinder.org); the course's own budget is 1.5 GB a notebook.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_MB = 2048.0


def proc_kb(pid: int, path: str, key: str) -> float:
    for line in Path(f"/proc/{pid}/{path}").read_text().splitlines():
        if line.startswith(key + ":"):
            return float(line.split()[1])
    raise KeyError(key)


def pss_mb(pid: int) -> float:
    return proc_kb(pid, "smaps_rollup", "Pss") / 1024.0


def peak_rss_mb(pid: int) -> float:
    return proc_kb(pid, "status", "VmHWM") / 1024.0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", help="write the measurements to this file")
    parser.add_argument("notebooks", nargs="*", help="default: every notebook, in order")
    args = parser.parse_args(argv)

    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    paths = [Path(p) for p in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    cpus = len(os.sched_getaffinity(0))
    print(f"CPUs available to the kernels: {cpus}{'' if cpus == 1 else ' (run under taskset -c 0 for Binder one CPU)'}")
    print(f"{'notebook':44} {'time':>7} {'peak RSS':>9} {'all kernels (PSS)':>18}")
    alive, rows = [], []
    try:
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            km = KernelManager(kernel_name="python3")
            km.start_kernel(cwd=str(path.parent))
            alive.append((path.name, km))
            start = time.perf_counter()
            NotebookClient(nb, km=km, timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
            seconds = time.perf_counter() - start
            pid = km.provisioner.process.pid
            peak = peak_rss_mb(pid)
            total = sum(pss_mb(k.provisioner.process.pid) for _, k in alive)
            rows.append({"notebook": path.name, "seconds": round(seconds, 1), "peak_rss_mb": round(peak),
                         "all_kernels_pss_mb": round(total)})
            print(f"{path.name:44} {seconds:6.1f}s {peak:7.0f} MB {total:15.0f} MB")
        walk_total = rows[-1]["all_kernels_pss_mb"]
        # Culling: the server shuts down kernels idle for longer than cull_idle_timeout;
        # a learner on the last notebook has left the others idle. Shut them down as it would.
        for _, km in alive[:-1]:
            km.shutdown_kernel(now=False)
        time.sleep(1.0)
        last_name, last = alive[-1]
        after_cull = pss_mb(last.provisioner.process.pid)
    finally:
        for _, km in alive:
            if km.is_alive():
                km.shutdown_kernel(now=True)
    worst = max(rows, key=lambda r: r["peak_rss_mb"])
    print(f"largest single notebook: {worst['notebook']} at {worst['peak_rss_mb']} MB peak RSS "
          f"(limit {LIMIT_MB:.0f} MB): {'within' if worst['peak_rss_mb'] < LIMIT_MB else 'OVER'}")
    print(f"all {len(rows)} kernels left running: {walk_total} MB PSS: "
          f"{'within' if walk_total < LIMIT_MB else 'OVER'} the {LIMIT_MB:.0f} MB limit")
    print(f"after culling the idle kernels (only {last_name} left): {after_cull:.0f} MB PSS")
    failed = worst["peak_rss_mb"] >= LIMIT_MB or walk_total >= LIMIT_MB
    if args.json:
        Path(args.json).write_text(json.dumps({"cpus": cpus, "notebooks": rows, "all_kernels_pss_mb": walk_total,
                                               "after_culling_pss_mb": round(after_cull)}, indent=1) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
