#!/usr/bin/env python3
"""An IPython kernel for one submission, run by ``tools/grade.py`` inside its bwrap sandbox:
drops to ``--uid`` (started as root), sets the OS limits, imports what the notebooks import,
then limits its address space.  ``python grade_kernel.py --memory-mb N --cpu-s N [--uid N] -f FILE``
"""
from __future__ import annotations

import argparse
import builtins
import contextlib
import os
import resource
import sys


def set_limits(cpu_s: int, file_mb: int = 64, processes: int = 512) -> None:
    """No core dumps; ``file_mb`` MB a file, ``cpu_s`` CPU seconds (0: none), ``processes`` a user."""
    for which, value in [(resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, file_mb * 2**20),
                         (resource.RLIMIT_NPROC, processes)] + [(resource.RLIMIT_CPU, cpu_s)] * (cpu_s > 0):
        _lower_soft_limit(which, value)


def _lower_soft_limit(which: int, value: int) -> None:
    hard = resource.getrlimit(which)[1]
    resource.setrlimit(which, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))


def address_space_bytes() -> int | None:
    """This process's virtual address space now (``VmSize``), in bytes; None without /proc."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmSize:"))  # kB
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def limit_memory(memory_mb: int) -> int | None:
    """Limit ``RLIMIT_AS`` to the address space held now (after the imports: 0.7 GB with the CPU
    build of PyTorch, about 3 GB with CUDA's) plus ``memory_mb`` MB; the limit in bytes, or None."""
    baseline = address_space_bytes() if memory_mb > 0 else None
    if baseline is None:
        return None
    _lower_soft_limit(resource.RLIMIT_AS, baseline + memory_mb * 2**20)
    return resource.getrlimit(resource.RLIMIT_AS)[0]


def preload(torch: bool = True) -> None:
    """What the notebooks import, so that a submission's set-up cell finds it loaded."""
    import matplotlib.pyplot  # noqa: F401
    import matplotlib_inline.backend_inline  # noqa: F401
    import numpy  # noqa: F401
    if torch:  # not for a notebook that does not use it: seconds of CPU a submission
        with contextlib.suppress(ImportError):  # the course without torch still grades its numpy notebooks
            import torch  # noqa: F401
    import amslib.exercises  # noqa: F401
    import amslib.setup  # noqa: F401


def grader_entry_points() -> None:
    """Builtins (a ``%reset`` keeps them) through which the grader reads an answer as JSON
    (``__amsgrad_describe__(name)``) and calls a function answer (``__amsgrad_call__``)."""
    import grade_codec as codec  # next to this file (/opt in the sandbox)

    def describe(name):
        user = vars(sys.modules["__main__"])  # IPython's user namespace
        if name not in user:
            return '{"kind": "missing"}'
        value = user[name]
        if callable(value) and not isinstance(value, type):
            return '{"kind": "callable"}'
        try:
            return '{"kind": "value", "value": ' + codec.dumps(value) + '}'
        except Exception as exc:
            return codec.json.dumps({"kind": "unsupported", "error": type(exc).__name__})

    def call(name, args_json):
        args = codec.loads(args_json)
        try:
            result = vars(sys.modules["__main__"])[name](*args)
            encoded = codec.encode(result)
        except BaseException as exc:
            return codec.json.dumps({"raised": type(exc).__name__, "message": str(exc)[:300]})
        if isinstance(encoded, dict) and "__optimizer__" in encoded:  # built on the checker's parameters?
            ids = {id(a) for a in args} | {id(x) for a in args if isinstance(a, list) for x in a}
            encoded["params_are_args"] = bool(encoded["param_ids"]) and set(encoded["param_ids"]) <= ids
        return codec.json.dumps({"result": encoded}, allow_nan=False)

    builtins.__amsgrad_describe__, builtins.__amsgrad_call__ = describe, call


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--cpu-s", type=int, default=0)
    parser.add_argument("-f", dest="connection_file", required=True)
    parser.add_argument("--uid", type=int, default=0)
    parser.add_argument("--no-torch", action="store_true")
    args = parser.parse_args()
    if args.uid and os.getuid() != args.uid:  # started as root (see Sandbox in tools/grade.py)
        os.setgroups([])
        os.setgid(args.uid)
        os.setuid(args.uid)  # real, effective and saved: no way back, no capability left
    set_limits(args.cpu_s)
    preload(torch=not args.no_torch)
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(["-f", args.connection_file])
    grader_entry_points()
    limit_memory(args.memory_mb)
    app.start()


if __name__ == "__main__":
    main()
