#!/usr/bin/env python3
"""Assignments and automatic grading of the notebooks' exercises.

    python tools/grade.py release 04                 # notebook 04's exercises as an assignment
    python tools/grade.py autograde 04_where_adam_fails   # grade submitted/*/04_where_adam_fails/
    python tools/grade.py export                     # grades.csv from everything graded so far

The course folder (``--course``, default ``build/classroom``) has nbgrader's layout:

    source/<assignment>/<notebook>.ipynb   the course notebook, solutions included (lecturer only)
    source/<assignment>/grading.json       the key: exercises, checkers, points, hidden seed
    release/<assignment>/<notebook>.ipynb  what students get: the student edition of the notebook
    submitted/<student>/<assignment>/<notebook>.ipynb   what they hand back
    autograded/<student>/<assignment>/     the submission as executed, and result.json
    feedback/<student>/<assignment>/feedback.md
    grades.csv                             student, assignment, exercise, points, ..., hint shown

How a submission is graded. It runs top to bottom on a fresh kernel (``tools/grade_kernel.py``)
in a temporary copy of its folder, with HOME and TMPDIR inside that copy, a time limit per
cell and in all, a memory limit, and an audit hook that refuses writes outside the copy and
reads of the course's notebooks and of this folder. A cell that runs past its time is
interrupted; a kernel that dies or cannot be interrupted is replaced and the notebook run
again with that cell disabled. Nothing the submission prints counts. Then, for each exercise,
the course's checker (``amslib.exercises.nbNN.check_*``) runs *here*, in the grader's own
process, which has never run the submission's code: a value answer is sent over as JSON, a
function answer is called in the kernel through a proxy, argument by argument. A function
that passes its checker is then compared with the lecturer's solution on hidden test values:
the checker's own arguments perturbed with the key's secret seed, which no student sees.
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import csv
import hashlib
import io
import json
import os
import secrets
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(TOOLS))

import grade_codec  # noqa: E402
import student  # noqa: E402  (tools/student.py)

DEFAULT_COURSE = ROOT / "build" / "classroom"
GRADE_TABLE = ["student", "assignment", "exercise", "points", "max_points", "status", "hint_shown"]
KERNEL_HELPER_NAME = "__amsgrad_grader__"
MAX_REPLY = 64 * 2**20  # bytes of one answer read from a kernel
#: Memory a submission may allocate, in MB: address space beyond what the kernel holds once it
#: has started and imported numpy, matplotlib, torch and amslib (tools/grade_kernel.py,
#: ``limit_memory``, says why it is counted from there). The course's notebooks need under 1.5 GB.
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


def find_notebook(spec: str) -> Path:
    matches = [p for p in student.notebooks() if p.name == spec or p.stem == spec or p.name.startswith(spec)]
    if len(matches) != 1:
        raise SystemExit(f"notebook {spec!r}: expected one match in notebooks/, found {[p.name for p in matches]}")
    return matches[0]


def cmd_release(args) -> int:
    path = find_notebook(args.notebook)
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


# ----------------------------------------------------------------------------- the kernel
def kernel_helper_source() -> str:
    """Code run in the submission's kernel after its cells: describe and call answers."""
    codec = (TOOLS / "grade_codec.py").read_text()
    return f'''
def {KERNEL_HELPER_NAME}():
    ns = {{}}
    exec(compile({codec!r}, "grade_codec", "exec"), ns)
    import types
    codec = types.SimpleNamespace(**ns)
    user = globals()

    def describe(name):
        if name not in user:
            return '{{"kind": "missing"}}'
        value = user[name]
        if callable(value) and not isinstance(value, type):
            return '{{"kind": "callable"}}'
        try:
            return '{{"kind": "value", "value": ' + codec.dumps(value) + '}}'
        except Exception as exc:
            return codec.json.dumps({{"kind": "unsupported", "error": type(exc).__name__}})

    def call(name, args_json):
        args = codec.loads(args_json)
        try:
            result = user[name](*args)
        except BaseException as exc:
            return codec.json.dumps({{"raised": type(exc).__name__, "message": str(exc)[:300]}})
        try:
            encoded = codec.encode(result)
        except Exception as exc:
            return codec.json.dumps({{"raised": "ValueError", "message": "answer could not be sent: " + str(exc)}})
        if isinstance(encoded, dict) and "__optimizer__" in encoded:
            arg_ids = [id(a) for a in args]
            encoded["params_are_args"] = bool(encoded["param_ids"]) and all(
                any(p == i for i in arg_ids) or any(p == id(x) for a in args if isinstance(a, list) for x in a)
                for p in encoded["param_ids"])
        return codec.json.dumps({{"result": encoded}}, allow_nan=False)

    return describe, call

{KERNEL_HELPER_NAME}_describe, {KERNEL_HELPER_NAME}_call = {KERNEL_HELPER_NAME}()
'''


class KernelDied(RuntimeError):
    pass


class CallTimeout(RuntimeError):
    pass


@dataclass
class Limits:
    cell_timeout: float = 60.0
    total_timeout: float = 600.0
    memory_mb: int = DEFAULT_MEMORY_MB
    call_timeout: float = 10.0


@dataclass
class Sandbox:
    """A temporary copy of one submission's folder, and the kernel that runs in it."""
    submission: Path
    limits: Limits
    dir: Path = field(init=False)
    km: object = None
    kc: object = None

    def __post_init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="amsgrad-grade-"))
        shutil.copytree(self.submission.parent, self.dir / "work", symlinks=False,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        for sub in ("home/.config/matplotlib", "home/.ipython", "tmp"):
            (self.dir / sub).mkdir(parents=True, exist_ok=True)
        cache = matplotlib_cache()
        for f in cache.glob("fontlist*.json"):
            shutil.copy2(f, self.dir / "home/.config/matplotlib" / f.name)

    def readable(self) -> list[str]:
        import sysconfig

        paths = {sys.prefix, sys.base_prefix, sysconfig.get_paths()["purelib"],
                 sysconfig.get_paths()["platlib"], sysconfig.get_paths()["stdlib"],
                 str(ROOT / "amslib"), str(ROOT / "data"), "/usr", "/lib", "/lib64", "/etc",
                 "/proc", "/sys", "/dev"}
        return sorted(paths)

    def start(self):
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpecManager

        spec_dir = self.dir / "kernelspec" / "amsgrad-sandbox"
        spec_dir.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, str(TOOLS / "grade_kernel.py"), "--sandbox", str(self.dir),
                "--memory-mb", str(self.limits.memory_mb),
                "--cpu-s", str(int(self.limits.total_timeout) + 30)]
        for path in self.readable():
            argv += ["--read", path]
        argv += ["-f", "{connection_file}"]
        (spec_dir / "kernel.json").write_text(json.dumps(
            {"argv": argv, "display_name": "graded submission", "language": "python"}))
        ksm = KernelSpecManager(kernel_dirs=[str(spec_dir.parent)], ensure_native_kernel=False)
        self.km = KernelManager(kernel_name="amsgrad-sandbox", kernel_spec_manager=ksm)
        home = self.dir / "home"
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
               "TMPDIR": str(self.dir / "tmp"), "TMP": str(self.dir / "tmp"), "TEMP": str(self.dir / "tmp"),
               "MPLCONFIGDIR": str(home / ".config/matplotlib"), "IPYTHONDIR": str(home / ".ipython"),
               "MPLBACKEND": "module://matplotlib_inline.backend_inline", "PYTHONDONTWRITEBYTECODE": "1",
               "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "OPENBLAS_NUM_THREADS": "1", "JPY_SESSION_NAME": "submission.ipynb", "LANG": "C.UTF-8"}
        log = open(self.dir / "kernel.log", "ab")  # the kernel's own stderr, not the grader's console
        self.km.start_kernel(cwd=str(self.dir / "work"), env=env, stdout=log, stderr=log)
        log.close()
        self.kc = self.km.blocking_client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=max(60.0, self.limits.cell_timeout))
        except RuntimeError as exc:
            raise KernelDied(f"the kernel did not start: {exc}") from None

    def run(self, code: str, timeout: float, outputs: list | None = None, user_expressions=None):
        """Execute code; return the reply. Outputs (nbformat) are appended to ``outputs``."""
        from nbformat.v4 import output_from_msg

        def hook(msg):
            kind = msg["msg_type"]
            if outputs is None or kind not in ("stream", "display_data", "execute_result", "error"):
                return
            try:
                outputs.append(output_from_msg(msg))
            except (ValueError, KeyError):
                pass

        try:
            return self.kc.execute_interactive(code, timeout=timeout, output_hook=hook,
                                               user_expressions=user_expressions or {}, allow_stdin=False,
                                               store_history=False)
        except TimeoutError:
            if not self.km.is_alive():
                raise KernelDied("the kernel died") from None
            self.km.interrupt_kernel()
            try:
                self.kc.execute_interactive("", timeout=10, store_history=False)
            except TimeoutError:
                raise KernelDied("the kernel could not be interrupted") from None
            raise CallTimeout(f"stopped after {timeout:g} s") from None
        except RuntimeError as exc:  # jupyter_client: kernel died while waiting
            raise KernelDied(str(exc)) from None

    def expression(self, code: str, expr: str, timeout: float) -> str:
        reply = self.run(code, timeout, user_expressions={"out": expr})
        if not self.km.is_alive():
            raise KernelDied("the kernel died")
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

    def stop(self):
        with contextlib.suppress(Exception):
            self.kc.stop_channels()
        with contextlib.suppress(Exception):
            self.km.shutdown_kernel(now=True)

    def cleanup(self):
        self.stop()
        denied = (self.dir / "denied.log").read_text() if (self.dir / "denied.log").exists() else ""
        shutil.rmtree(self.dir, ignore_errors=True)
        return denied


_MPL_CACHE = None


def matplotlib_cache() -> Path:
    """A matplotlib font cache built once (each sandbox gets a copy, so no kernel rebuilds it)."""
    global _MPL_CACHE
    if _MPL_CACHE is None:
        _MPL_CACHE = Path(tempfile.mkdtemp(prefix="amsgrad-mplcache-"))
        import subprocess

        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], check=False,
                       env={**os.environ, "MPLCONFIGDIR": str(_MPL_CACHE)}, capture_output=True)
    return _MPL_CACHE


# ----------------------------------------------------------------------------- grading
def execute_submission(box: Sandbox, nb: dict, log: list[str]) -> bool:
    """Run the notebook's code cells in order. A cell that kills or hangs the kernel is
    disabled and the notebook is run again on a fresh kernel (at most 3 times). Returns
    True if a live kernel holds the submission's state afterwards."""
    deadline = time.monotonic() + box.limits.total_timeout
    disabled: set[int] = set()
    for attempt in range(4):
        box.start()
        died_at = None
        for i, cell in enumerate(nb["cells"]):
            if cell.get("cell_type") != "code":
                continue
            cell["outputs"], cell["execution_count"] = [], None
            if i in disabled:
                cell["outputs"].append({"output_type": "stream", "name": "stderr",
                                        "text": "[grader] this cell was not run: it stopped the kernel\n"})
                continue
            left = deadline - time.monotonic()
            if left <= 0:
                log.append(f"cell {cell.get('id', i)}: not run, the submission's total time "
                           f"({box.limits.total_timeout:g} s) was spent")
                continue
            try:
                box.run(student.source(cell), min(box.limits.cell_timeout, left), cell["outputs"])
            except CallTimeout as exc:
                log.append(f"cell {cell.get('id', i)}: {exc} (time limit)")
                cell["outputs"].append({"output_type": "stream", "name": "stderr",
                                        "text": f"[grader] {exc}: time limit\n"})
            except KernelDied as exc:
                died_at = i
                log.append(f"cell {cell.get('id', i)}: {exc}; run again without it")
                break
            oom = out_of_memory(cell["outputs"])
            if oom:
                log.append(f"cell {cell.get('id', i)}: ran out of memory: a submission may use "
                           f"{box.limits.memory_mb} MB ({oom})")
            if not box.km.is_alive():
                died_at = i
                log.append(f"cell {cell.get('id', i)}: the kernel died; run again without it")
                break
        if died_at is None:
            return True
        box.stop()
        disabled.add(died_at)
    return False


def out_of_memory(outputs: list) -> str | None:
    """The error of a cell whose allocation the memory limit refused, as "Name: message";
    None if the cell did not fail so. NumPy and Python raise MemoryError, torch a
    RuntimeError saying it "can't allocate memory"."""
    for out in outputs:
        if out.get("output_type") != "error":
            continue
        name, value = out.get("ename", ""), out.get("evalue", "")
        if name == "MemoryError" or (name == "RuntimeError" and "can't allocate memory" in value):
            return f"{name}: {value}"[:200]
    return None


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
    """Stands for a function that lives in the submission's kernel: each call sends the
    arguments over as JSON and decodes the result. Records the calls, for the hidden cases."""

    def __init__(self, box: Sandbox, name: str):
        self.box, self.name, self.calls = box, name, []

    def __call__(self, *args):
        import copy as _copy

        self.calls.append(_copy.deepcopy(args))
        code = f"__amsgrad_out__ = {KERNEL_HELPER_NAME}_call({self.name!r}, {grade_codec.dumps(args)!r})"
        try:
            text = self.box.expression(code, "__amsgrad_out__", self.box.limits.call_timeout)
        except CallTimeout as exc:
            raise TimeoutError(f"your function did not return: {exc}") from None
        reply = json.loads(text)
        if "raised" in reply:
            raise RuntimeError(f"{reply['raised']}: {reply.get('message', '')}")
        result = grade_codec.decode(reply.get("result"))
        if isinstance(result, dict) and "optimizer" in result:
            result = rebuild_optimizer(result, args, json.loads(text)["result"].get("params_are_args"))
        return result


def rebuild_optimizer(desc: dict, args, params_are_args: bool):
    """A torch optimizer of the class and settings the submission's function built, on the
    checker's own parameters if the function used them (else on fresh ones)."""
    import torch

    cls = getattr(torch.optim, desc["optimizer"], None)
    if not (isinstance(cls, type) and issubclass(cls, torch.optim.Optimizer)) or not desc["module"].startswith("torch.optim"):
        raise TypeError(f"expected a torch.optim optimizer, got {desc['optimizer']}")
    params = args[0] if params_are_args else [torch.nn.Parameter(torch.zeros(1))]
    hyper = {k: v for k, v in desc["hyper"].items() if isinstance(k, str)}
    import inspect

    accepted = inspect.signature(cls).parameters
    return cls(params, **{k: v for k, v in hyper.items() if k in accepted})


def solution_function(key: dict, exercise: dict, source_nb: dict):
    """The lecturer's solution function for a function exercise (from the source notebook's
    solution cell), defined here with the notebook's imports; None if there is none."""
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
    if isinstance(args, tuple):
        return tuple(perturbed(a, rng) for a in args)
    if isinstance(args, list):
        return [perturbed(a, rng) for a in args]
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
    seed = (int(key["hidden_seed"]) * 1000003 + sum(map(ord, exercise["id"]))) % 2**32
    rng = np.random.default_rng(seed)
    calls = [c for c in proxy.calls if any(isinstance(a, np.ndarray) for a in c)]
    picks = rng.choice(len(calls), size=min(int(key.get("hidden_cases", 5)), len(calls)), replace=False) if calls else []
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
    """Grade one submitted notebook. Returns the result (also written by the caller)."""
    start = time.monotonic()
    log: list[str] = []
    try:
        nb = json.loads(path.read_text())
        if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
            raise ValueError("not a notebook")
        nb["cells"] = [c for c in nb["cells"] if isinstance(c, dict)]
    except (OSError, ValueError, RecursionError) as exc:
        nb, log = None, [f"the notebook could not be read: {exc}"]
    box = Sandbox(path, limits)
    results = []
    try:
        alive = execute_submission(box, nb, log) if nb is not None else False
        if alive:
            try:
                box.run(kernel_helper_source(), limits.call_timeout * 3)
            except (CallTimeout, KernelDied) as exc:
                alive = False
                log.append(f"the grader could not read the answers: {exc}")
        for exercise in key["exercises"]:
            results.append(grade_exercise(box, exercise, key, source_nb, checkers, alive))
    finally:
        denied = box.cleanup()
    if denied:
        log += [f"refused: {line}" for line in denied.splitlines()[:20]]
    return {"notebook": nb, "exercises": results, "log": log, "seconds": round(time.monotonic() - start, 2)}


def grade_exercise(box, exercise, key, source_nb, checkers, alive) -> dict:
    row = {"exercise": exercise["id"], "max_points": exercise["points"], "points": 0,
           "status": "error", "hint_shown": ""}
    checker = checkers[exercise["module"], exercise["checker"]]
    name = exercise["answer"]
    if not alive:
        row["hint_shown"] = "the notebook could not be run to the end (see the log)"
        return row
    if not name.isidentifier():
        row["hint_shown"] = f"the key's answer {name!r} is not a variable name"
        return row
    try:
        desc = json.loads(box.expression(f"__amsgrad_out__ = {KERNEL_HELPER_NAME}_describe({name!r})",
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
        row["hint_shown"] = f"the answer could not be read: {type(exc).__name__}: {exc}"[:300]
        return row
    ok, message = verdict_of(checker, answer)
    if ok and proxy is not None:
        ok, hidden = hidden_cases_pass(proxy, solution_function(key, exercise, source_nb), key, exercise)
        message = message if ok else hidden
    row["hint_shown"] = message
    if ok:
        row["points"], row["status"] = exercise["points"], "correct"
    elif message.startswith("Not attempted"):
        row["status"] = "not attempted"
    else:
        row["status"] = "wrong"
    return row


def course_fingerprint() -> str:
    """A hash of the course library and notebooks, checked after each submission."""
    h = hashlib.sha256()
    for base in (ROOT / "amslib", ROOT / "notebooks"):
        for p in sorted(base.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(ROOT)).encode())
                h.update(p.read_bytes())
    return h.hexdigest()


def load_checkers(key: dict) -> dict:
    import importlib

    return {(e["module"], e["checker"]): getattr(importlib.import_module(e["module"]), e["checker"])
            for e in key["exercises"]}


def feedback_text(student_id: str, assignment: str, result: dict) -> str:
    rows = result["exercises"]
    got, total = sum(r["points"] for r in rows), sum(r["max_points"] for r in rows)
    lines = [f"# Feedback: {assignment}", "", f"Student: {student_id}. Points: {got} of {total}.", "",
             "| Exercise | Points | Result | What the checker said |", "|---|---|---|---|"]
    for r in rows:
        hint = r["hint_shown"].replace("|", "\\|") or "-"
        lines.append(f"| {r['exercise']} | {r['points']} / {r['max_points']} | {r['status']} | {hint} |")
    if result["log"]:
        lines += ["", "While running your notebook:", ""] + [f"- {line}" for line in result["log"]]
    return "\n".join(lines) + "\n"


def cmd_autograde(args) -> int:
    course, assignment = args.course, args.assignment
    key_path = course / "source" / assignment / "grading.json"
    if not key_path.exists():
        raise SystemExit(f"{key_path} is missing: run `tools/grade.py release` first")
    key = json.loads(key_path.read_text())
    source_nb = json.loads((course / "source" / assignment / key["notebook"]).read_text())
    checkers = load_checkers(key)
    limits = Limits(args.timeout, args.total_timeout, args.memory_mb, args.call_timeout)
    submissions = sorted((course / "submitted").glob(f"*/{assignment}/{key['notebook']}"))
    if args.student:
        submissions = [p for p in submissions if p.parents[1].name in args.student]
    if not submissions:
        print(f"no submissions: put them at {course / 'submitted' / '<student>' / assignment / key['notebook']}")
    fingerprint = course_fingerprint()
    start = time.monotonic()
    matplotlib_cache()  # built once, before any worker starts
    if args.jobs > 1:  # one grading process per submission at a time; each has its own kernel
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(args.jobs)
        results = pool.map(_grade_one, [(p, key, source_nb, limits) for p in submissions])
    else:
        results = (grade_submission(p, key, source_nb, limits, checkers) for p in submissions)
    for path, result in zip(submissions, results):
        student_id = path.parents[1].name
        if course_fingerprint() != fingerprint:
            raise SystemExit(f"the course files changed while grading {student_id}: stopped, check them (git status)")
        out = course / "autograded" / student_id / assignment
        out.mkdir(parents=True, exist_ok=True)
        if result["notebook"] is not None:
            student.write_notebook(result.pop("notebook"), out / key["notebook"])
        else:
            result.pop("notebook")
        (out / "result.json").write_text(json.dumps(result, indent=1) + "\n")
        fb = course / "feedback" / student_id / assignment
        fb.mkdir(parents=True, exist_ok=True)
        (fb / "feedback.md").write_text(feedback_text(student_id, assignment, result))
        got = sum(r["points"] for r in result["exercises"])
        print(f"{student_id}: {got} / {sum(r['max_points'] for r in result['exercises'])} "
              f"({result['seconds']:.1f} s)", flush=True)
    print(f"graded {len(submissions)} submissions of {assignment} in {time.monotonic() - start:.1f} s")
    shutil.rmtree(matplotlib_cache(), ignore_errors=True)
    return cmd_export(args)


def _grade_one(job):
    path, key, source_nb, limits = job
    return grade_submission(path, key, source_nb, limits, load_checkers(key))


def cmd_export(args) -> int:
    rows = []
    for result_path in sorted((args.course / "autograded").glob("*/*/result.json")):
        result = json.loads(result_path.read_text())
        for r in result["exercises"]:
            rows.append({"student": result_path.parents[1].name, "assignment": result_path.parent.name,
                         **{k: r[k] for k in ("exercise", "points", "max_points", "status", "hint_shown")}})
    with open(args.course / "grades.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, GRADE_TABLE)
        writer.writeheader()
        writer.writerows(rows)
    print(f"{args.course / 'grades.csv'}: {len(rows)} rows")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--course", type=Path, default=DEFAULT_COURSE,
                        help="the course folder (default build/classroom)")
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
    p.add_argument("--call-timeout", type=float, default=10.0,
                   help="seconds for one call of a submitted function by a checker (default 10)")
    p.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB,
                   help="memory a submission may allocate, beyond what the kernel holds after its start-up "
                        f"and imports (default {DEFAULT_MEMORY_MB}; 0: no limit)")
    p.add_argument("--jobs", type=int, default=1,
                   help="submissions graded at once, one process and kernel each (default 1; at most the CPU count)")
    p.set_defaults(func=cmd_autograde)
    p = sub.add_parser("export", help="grades.csv from autograded/")
    p.set_defaults(func=cmd_export)
    args = parser.parse_args(argv)
    if getattr(args, "memory_mb", 0) < 0:
        parser.error(f"Invalid --memory-mb: {args.memory_mb} (must be >= 0; 0: no limit)")
    args.course = args.course.resolve()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
