#!/usr/bin/env python3
"""The kernel that runs one student's submission for ``tools/grade.py``, inside its sandbox.

    python grade_kernel.py --memory-mb N --cpu-s N -f CONNECTION_FILE

It is an ordinary IPython kernel, which first

1. sets resource limits on its own process (inherited by anything it starts; the operating
   system enforces them): CPU seconds (``--cpu-s``), the size of one written file, no core
   dumps, the number of processes;
2. imports what the course's notebooks import (numpy, matplotlib, torch, amslib), so that
   the submission's set-up cell finds them loaded, and starts the kernel's machinery;
3. limits its address space (``RLIMIT_AS``) to what it holds then plus ``--memory-mb``: the
   memory the submission may use (see ``limit_memory``).

The wall around it is the sandbox (bubblewrap, see ``tools/grade.py``), not this process.
"""
from __future__ import annotations

import argparse
import os
import resource


def set_limits(cpu_s: int, file_mb: int, processes: int = 512) -> None:
    """No core dumps, at most ``file_mb`` MB a written file, ``cpu_s`` CPU seconds (0: no limit)
    and ``processes`` processes and threads of this user."""
    limits = [(resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, file_mb * 2**20),
              (resource.RLIMIT_NPROC, processes)]
    if cpu_s > 0:
        limits.append((resource.RLIMIT_CPU, cpu_s))
    for which, value in limits:
        _lower_soft_limit(which, value)


def _lower_soft_limit(which: int, value: int) -> None:
    _, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))


def address_space_bytes() -> int | None:
    """This process's virtual address space now (``VmSize`` of /proc/self/status), in bytes;
    None where there is no /proc (not Linux)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    return int(line.split()[1]) * 1024  # the kernel reports kB
    except (OSError, ValueError, IndexError):
        pass
    return None


def limit_memory(memory_mb: int) -> int | None:
    """Limit the address space (``RLIMIT_AS``) to what this process holds now plus
    ``memory_mb`` MB, and return the limit in bytes (None: not limited).

    Why relative to a measurement rather than a fixed total: ``RLIMIT_AS`` counts address
    space *reserved*, not memory used, and what the imports reserve depends on the build.
    Importing the CPU build of PyTorch leaves the process at about 0.7 GB of address space;
    the CUDA build that PyPI serves on Linux maps its CUDA libraries at import and leaves it
    at 2.9 GB (torch 2.1.0+cu121) to 3.2 GB (2.15.0+cu132), with no GPU in use. A fixed
    total of 4 GB therefore gave a submission 3.3 GB with one build and under 1 GB (too
    little to start the kernel) with the other. Measured after the start-up, the same
    ``memory_mb`` is what every submission may allocate, whatever the build; an allocation
    beyond it fails (NumPy and Python raise MemoryError, torch a RuntimeError) in the
    submission's cell, and the kernel lives on.
    Called once the kernel's imports and threads are up. ``memory_mb`` <= 0, or no /proc: no limit.
    """
    if memory_mb <= 0:
        return None
    baseline = address_space_bytes()
    if baseline is None:
        return None
    limit = baseline + memory_mb * 2**20
    _lower_soft_limit(resource.RLIMIT_AS, limit)
    return resource.getrlimit(resource.RLIMIT_AS)[0]


def preload() -> None:
    """What the notebooks import, loaded before the hook (torch uses ctypes at import)."""
    import matplotlib  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import matplotlib_inline.backend_inline  # noqa: F401
    import numpy  # noqa: F401
    try:
        import torch  # noqa: F401
    except ImportError:  # the course without torch still grades its numpy notebooks
        pass
    import amslib  # noqa: F401
    import amslib.exercises  # noqa: F401
    import amslib.setup  # noqa: F401


def grader_entry_points() -> None:
    """``__amsgrad_describe__(name)`` and ``__amsgrad_call__(name, args_json)``, as builtins
    (a ``%reset`` keeps them): how the grader reads an answer out of the user's namespace,
    as JSON (``grade_codec``), and calls a function answer."""
    import builtins
    import sys

    import grade_codec as codec

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
    parser.add_argument("--file-mb", type=int, default=64)
    parser.add_argument("-f", dest="connection_file", required=True)
    parser.add_argument("--uid", type=int, default=0)
    args = parser.parse_args()
    if args.uid and os.getuid() != args.uid:  # started as root (see Sandbox in tools/grade.py)
        os.setgroups([])
        os.setgid(args.uid)
        os.setuid(args.uid)  # real, effective and saved: no way back, no capability left
    set_limits(args.cpu_s, args.file_mb)
    preload()
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(["-f", args.connection_file])
    grader_entry_points()
    limit_memory(args.memory_mb)
    app.start()


if __name__ == "__main__":
    main()
