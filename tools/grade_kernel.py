#!/usr/bin/env python3
"""The kernel that runs one student's submission for ``tools/grade.py``.

    python tools/grade_kernel.py --sandbox DIR --read DIR ... --memory-mb N --cpu-s N -f CONNECTION_FILE

It is an ordinary IPython kernel, started in the submission's sandbox folder, after it has

1. set resource limits on its own process (inherited by anything it starts): CPU seconds
   (``--cpu-s``), the size of one written file, no core dumps;
2. imported what the course's notebooks import (numpy, matplotlib, torch, amslib), so that
   the submission's set-up cell finds them loaded, and started the kernel's machinery;
3. limited its address space (``RLIMIT_AS``) to what it holds then plus ``--memory-mb``: the
   memory the submission may use (see ``limit_memory``);
4. installed a Python audit hook (PEP 578) that, from then on, refuses
   - to open for writing, create, delete, rename or chmod anything outside ``--sandbox``;
   - to open or list anything outside ``--sandbox`` and the ``--read`` folders (the Python
     installation and the course library; not the course's notebooks, its git history or
     the grader's folders, which hold the solutions), nor another process's ``/proc`` files;
   - to start processes, fork, signal other processes, open network connections, or load
     libraries and look up symbols with ctypes (the way around the hook).
   A refused operation raises PermissionError in the submission's cell and is appended to
   ``<sandbox>/denied.log``.

An audit hook cannot be removed from Python code, but it is not a security boundary against
code that finds a way into native code the hook does not see: see LECTURERS.md, "Running
the course in a class", for what this does and does not protect against.
"""
from __future__ import annotations

import argparse
import os
import resource
import sys

WRITE_EVENTS = {"os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate",
                "os.utime", "os.link", "os.symlink", "shutil.rmtree", "os.chflags", "os.lchflags",
                "os.setxattr", "os.removexattr"}
TWO_PATH_EVENTS = {"os.rename", "shutil.move", "shutil.copyfile", "shutil.copytree"}
READ_EVENTS = {"os.listdir", "os.scandir", "glob.glob", "os.listxattr", "os.getxattr"}
FORBIDDEN_EVENTS = {"subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn",
                    "os.fork", "os.forkpty", "pty.spawn", "os.killpg", "socket.connect",
                    "socket.bind", "socket.sendto", "socket.sendmsg", "ctypes.dlopen",
                    "ctypes.dlsym", "ctypes.dlsym/handle", "ctypes.cdata", "ctypes.cdata/buffer",
                    "ctypes.string_at", "ctypes.wstring_at", "ctypes.call_function",
                    "sys.remote_exec", "os.setns", "os.unshare", "resource.setrlimit",
                    "resource.prlimit", "os.chroot", "os.startfile", "webbrowser.open"}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def set_limits(cpu_s: int, file_mb: int) -> None:
    """No core dumps, at most ``file_mb`` MB a written file, ``cpu_s`` CPU seconds (0: no limit)."""
    limits = [(resource.RLIMIT_CORE, 0), (resource.RLIMIT_FSIZE, file_mb * 2**20)]
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
    Called once the kernel's imports and threads are up and before the audit hook, which
    refuses ``resource.setrlimit``. ``memory_mb`` <= 0, or no /proc: no limit.
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
    import numpy  # noqa: F401
    import matplotlib  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import matplotlib_inline.backend_inline  # noqa: F401
    try:
        import torch  # noqa: F401
    except ImportError:  # the course without torch still grades its numpy notebooks
        pass
    import amslib  # noqa: F401
    import amslib.exercises  # noqa: F401
    import amslib.setup  # noqa: F401


def install_hook(sandbox: str, readable: list[str]) -> None:
    sandbox = os.path.realpath(sandbox)
    readable = [os.path.realpath(p) for p in readable] + [sandbox]
    writable = [sandbox]
    log_fd = os.open(os.path.join(sandbox, "denied.log"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    realpath, fspath, write, getpid = os.path.realpath, os.fspath, os.write, os.getpid
    sep = os.sep

    own = str(getpid())

    def inside(path: str, roots) -> bool:
        if path.startswith("/proc/"):  # /proc/cpuinfo yes; another process's files (the grader's) no
            first = path.split("/")[2]
            if first.isdigit() and first != own:
                return False
        return any(path == r or path.startswith(r + sep) for r in roots)

    def resolve(path):
        if isinstance(path, int) or path is None:
            return None  # an already open file descriptor: was checked when it was opened
        try:
            path = fspath(path)
        except TypeError:
            return None
        if isinstance(path, bytes):
            path = path.decode(errors="replace")
        return realpath(path)

    def deny(event: str, detail: str):
        try:
            write(log_fd, f"{event} {detail}\n".encode(errors="replace"))
        except OSError:
            pass
        raise PermissionError(f"not allowed while grading: {event} {detail}")

    def hook(event, args):
        if event == "open":
            path = resolve(args[0])
            if path is None or path in ("/dev/null", "/dev/urandom", "/dev/random"):
                return
            mode, flags = args[1], args[2]
            writing = (mode is not None and any(ch in mode for ch in "wax+")) or (
                mode is None and isinstance(flags, int) and flags & WRITE_FLAGS)
            if writing and not inside(path, writable):
                deny("write", path)
            if not writing and not inside(path, readable):
                deny("read", path)
        elif event in WRITE_EVENTS:
            path = resolve(args[0])
            if path is not None and not inside(path, writable):
                deny(event, path)
        elif event in TWO_PATH_EVENTS:
            for arg in args[:2]:
                path = resolve(arg)
                if path is not None and not inside(path, writable):
                    deny(event, path)
        elif event in READ_EVENTS:
            path = resolve(args[0]) if args else None
            if path is not None and not inside(path, readable):
                deny(event, path)
        elif event == "os.kill":
            if args[0] != getpid():
                deny(event, str(args[0]))
        elif event in FORBIDDEN_EVENTS:
            deny(event, "")

    sys.addaudithook(hook)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sandbox", required=True)
    parser.add_argument("--read", action="append", default=[])
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--cpu-s", type=int, default=0)
    parser.add_argument("--file-mb", type=int, default=64)
    parser.add_argument("-f", dest="connection_file", required=True)
    args = parser.parse_args()
    os.chdir(os.path.join(args.sandbox, "work"))
    set_limits(args.cpu_s, args.file_mb)
    preload()
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize(["-f", args.connection_file])
    limit_memory(args.memory_mb)
    install_hook(args.sandbox, args.read)
    app.start()


if __name__ == "__main__":
    main()
