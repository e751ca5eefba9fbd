#!/usr/bin/env python3
"""Binder's limits, measured: one CPU, 2 GB of memory for everything a learner runs.

    prlimit --as=2147483648 taskset -c 0 python benchmarks/binder_memory.py   # ~2 min
    python benchmarks/binder_memory.py --json out.json       # also write the numbers

Under ``prlimit --as=2147483648`` every process (each kernel) gets at most 2 GiB of address
space, a harder bound than resident memory: a notebook that needs more fails to execute
(checked: with 600 MB, notebook 07 fails).

Each notebook is executed top to bottom in its own kernel (as JupyterLab runs it), with
the process pinned to one CPU when started under ``taskset -c 0`` (the kernels inherit
it; the script says how many CPUs it had). It walks the notebooks twice, reading from
/proc after each notebook the kernel's peak resident memory (VmHWM: what that notebook
needs on its own) and the proportional set size (Pss, from smaps_rollup) of every kernel
still running, summed (shared libraries such as libtorch counted once in all):

1. **Every tab left open**: no kernel is shut down, a learner who runs all ten notebooks
   one after the other within Binder's idle time. Reported, not a gate: with ten
   notebooks, five of them loading PyTorch (about 280-310 MB of PSS each), it sits at
   about 1.9-2.0 GB, at Binder's limit once the Jupyter server's ~70 MB is added.
2. **A learner's walk with Binder's culling** (binder/jupyter_server_config.json: kernels
   idle for 10 minutes are shut down, also with their tab open): the kernels of the
   current notebook and the WINDOW - 1 before it stay alive, as for a learner who moves
   through WINDOW notebooks within 10 minutes (each takes 20-45 minutes to study).

Exit status 1 if a notebook fails, if one notebook alone peaks above the limit, or if the
walk with culling (plus SERVER_MB for the Jupyter server) goes over the limit.
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
#: The Jupyter server's own memory on Binder (jupyter-server with JupyterLab, measured ~70 MB).
SERVER_MB = 70.0
#: How many kernels a learner's walk keeps alive: the current notebook and two before it.
WINDOW = 3


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

    paths = [Path(p) for p in args.notebooks] or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    cpus = len(os.sched_getaffinity(0))
    print(f"CPUs available to the kernels: {cpus}{'' if cpus == 1 else ' (run under taskset -c 0 for Binder one CPU)'}")
    rows = walk(paths, keep=None, title="every tab left open")
    window = walk(paths, keep=WINDOW, title=f"a walk with culling: the last {WINDOW} kernels alive")
    worst = max(rows, key=lambda r: r["peak_rss_mb"])
    all_open = rows[-1]["all_kernels_pss_mb"]
    walk_max = max(r["all_kernels_pss_mb"] for r in window)
    print(f"largest single notebook: {worst['notebook']} at {worst['peak_rss_mb']} MB peak RSS "
          f"(limit {LIMIT_MB:.0f} MB): {'within' if worst['peak_rss_mb'] < LIMIT_MB else 'OVER'}")
    print(f"every tab left open, all {len(rows)} kernels: {all_open} MB PSS, {all_open + SERVER_MB:.0f} MB with "
          f"the server: {'within' if all_open + SERVER_MB < LIMIT_MB else 'OVER'} the {LIMIT_MB:.0f} MB limit "
          "(reported; Binder's culling is what keeps a learner below it)")
    print(f"a walk with culling ({WINDOW} kernels alive at most): at most {walk_max} MB PSS, "
          f"{walk_max + SERVER_MB:.0f} MB with the server: "
          f"{'within' if walk_max + SERVER_MB < LIMIT_MB else 'OVER'} the {LIMIT_MB:.0f} MB limit")
    failed = worst["peak_rss_mb"] >= LIMIT_MB or walk_max + SERVER_MB >= LIMIT_MB
    if args.json:
        Path(args.json).write_text(json.dumps({"cpus": cpus, "notebooks": rows, "all_kernels_pss_mb": all_open,
                                               "window": WINDOW, "walk": window,
                                               "walk_max_pss_mb": walk_max, "server_mb": SERVER_MB},
                                              indent=1) + "\n")
    return 1 if failed else 0


def walk(paths, keep, title):
    """Run the notebooks in turn, each in a new kernel; shut down the oldest kernel when more
    than ``keep`` are alive (None: never). One row per notebook: time, the kernel's peak
    RSS, and the PSS of all kernels alive after it ran."""
    # Imported here, not at the top: the test suite's conftest.py imports peak_rss_mb from
    # this module and should not pay for Jupyter's client libraries.
    import nbformat
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    print(f"{title}:")
    print(f"{'notebook':44} {'time':>7} {'peak RSS':>9} {'kernels alive (PSS)':>20}")
    alive, rows = [], []
    try:
        for path in paths:
            nb = nbformat.read(path, as_version=4)
            km = KernelManager(kernel_name="python3")
            km.start_kernel(cwd=str(path.parent))
            alive.append(km)
            start = time.perf_counter()
            NotebookClient(nb, km=km, timeout=600, resources={"metadata": {"path": str(path.parent)}}).execute()
            seconds = time.perf_counter() - start
            peak = peak_rss_mb(km.provisioner.process.pid)
            total = sum(pss_mb(k.provisioner.process.pid) for k in alive)
            rows.append({"notebook": path.name, "seconds": round(seconds, 1), "peak_rss_mb": round(peak),
                         "kernels_alive": len(alive), "all_kernels_pss_mb": round(total)})
            print(f"{path.name:44} {seconds:6.1f}s {peak:7.0f} MB {total:12.0f} MB ({len(alive)})")
            if keep is not None and len(alive) >= keep:
                alive.pop(0).shutdown_kernel(now=False)     # as the server culls an idle kernel
    finally:
        for km in alive:
            if km.is_alive():
                km.shutdown_kernel(now=True)
    return rows


if __name__ == "__main__":
    sys.exit(main())
