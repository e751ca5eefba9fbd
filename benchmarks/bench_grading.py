"""How long does grading a class take? ``python -m benchmarks.bench_grading [--jobs 2]``

Releases one notebook as an assignment (default 04_where_adam_fails; ``--notebook 05``
another), makes a class of ``--students`` (default 30) submissions offline, and grades them
with ``python -m tools.grade autograde`` exactly as ``make grade`` does (its default limits, two
submissions at a time unless ``--jobs N``). Each submission is the whole notebook, run top
to bottom on its own kernel in its own bubblewrap sandbox; the class is a fixed mix, in turn:

* right: the worked solutions pasted under the exercises (tests/grading_common.py's copier);
* wrong: every exercise answered with a value no exercise asks for;
* blank: the released notebook as handed out.

Prints the wall time of the grading (in all and per submission, and each submission's own
time as the grader reports it), the CPU seconds of the grader and its workers (as the
operating system counts them for finished child processes; the kernels in their bwrap
sandboxes are not counted), the load average before and after, and the points of each kind.
Exits non-zero unless every right submission earns every point, every blank one none, every
wrong one fewer than all, and no exercise's status is "error": the time of a grader that has
stopped grading is not worth reporting. Takes minutes; not part of the test suite.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests import grading_common

ROOT = Path(__file__).resolve().parents[1]

KINDS = ("right", "wrong", "blank")
GRADER = [sys.executable, "-m", "tools.grade"]


def make_class(course: Path, notebook: str, students: int) -> tuple[str, dict, dict]:
    """Release ``notebook`` into ``course`` and write the class's submissions there.
    Returns the assignment, its key and {student: kind}."""
    subprocess.run(GRADER + ["--course", str(course), "release", notebook], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    (assignment,) = [p.name for p in (course / "source").iterdir()]
    key = json.loads((course / "source" / assignment / "grading.json").read_text())
    name = key["notebook"]
    source_nb = json.loads((course / "source" / assignment / name).read_text())
    released = json.loads((course / "release" / assignment / name).read_text())
    made = {"right": grading_common.copier(released, key, source_nb),
            "wrong": grading_common.wrong(released, key),
            "blank": released}
    kinds = {}
    for i in range(students):
        kind = KINDS[i % len(KINDS)]
        student_id = f"s{i + 1:02d}_{kind}"
        folder = course / "submitted" / student_id / assignment
        folder.mkdir(parents=True)
        (folder / name).write_text(json.dumps(made[kind]))
        kinds[student_id] = kind
    return assignment, key, kinds


def cpu_seconds_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def problems_with(results: dict, kinds: dict) -> list[str]:
    """What is wrong with the points ({student: result.json}), given each student's kind."""
    problems = []
    for student_id, kind in kinds.items():
        rows = results[student_id]["exercises"]
        got, full = sum(r["points"] for r in rows), sum(r["max_points"] for r in rows)
        errors = [r["exercise"] for r in rows if r["status"] == "error"]
        if errors:
            problems.append(f"{student_id}: status error on {', '.join(errors)}")
        if ((kind == "right" and got != full) or (kind == "blank" and got != 0)
                or (kind == "wrong" and got >= full)):
            problems.append(f"{student_id} ({kind}): {got} of {full} points")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebook", default="04_where_adam_fails",
                        help="notebook to release: file name, stem or number prefix (default 04_where_adam_fails)")
    parser.add_argument("--students", type=int, default=30, help="submissions in the class (default 30)")
    parser.add_argument("--jobs", type=int, default=2,
                        help="passed to python -m tools.grade autograde (default 2, as its own)")
    parser.add_argument("--course", type=Path,
                        help="course folder to keep (must not exist yet; default: a temporary one, deleted)")
    args = parser.parse_args(argv)
    if args.students < 1:
        parser.error("--students must be at least 1")

    with tempfile.TemporaryDirectory(prefix="amsgrad-bench-grading-") as tmp:
        course = (args.course or Path(tmp) / "course").resolve()
        course.mkdir(parents=True)
        assignment, key, kinds = make_class(course, args.notebook, args.students)
        command = GRADER + ["--course", str(course), "autograde", assignment, "--jobs", str(args.jobs)]
        counts = {k: list(kinds.values()).count(k) for k in KINDS}
        print(f"{args.students} submissions of {assignment} ({', '.join(f'{n} {k}' for k, n in counts.items())}; "
              f"{len(key['exercises'])} exercises), --jobs {args.jobs}, on {os.cpu_count()} CPUs, "
              f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
        print(f"command: {shlex.join(command)}")
        print(f"load average before (1, 5, 15 min): {load()}", flush=True)

        cpu, start = cpu_seconds_of_children(), time.monotonic()
        proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        wall, cpu = time.monotonic() - start, cpu_seconds_of_children() - cpu
        after = load()
        if proc.returncode != 0:
            print(proc.stdout + proc.stderr)
            print(f"FAILED: tools/grade.py exited with {proc.returncode}")
            return 1

        results = {s: json.loads((course / "autograded" / s / assignment / "result.json").read_text())
                   for s in kinds}
        own = [r["seconds"] for r in results.values()]
        n = len(kinds)
        print(f"wall time: {wall:.1f} s in all, {wall / n:.1f} s a submission "
              f"(each submission's own time: median {statistics.median(own):.1f} s, "
              f"min {min(own):.1f} s, max {max(own):.1f} s)")
        print(f"CPU time of the grader and its workers: {cpu:.1f} s, {cpu / n:.1f} s a submission "
              "(the kernels in their bwrap sandboxes are not counted: their usage does not reach this process)")
        print(f"load average after (1, 5, 15 min): {after}")
        full = sum(e["points"] for e in key["exercises"])
        for kind in (k for k in KINDS if counts[k]):
            of_kind = [results[s] for s, k in kinds.items() if k == kind]
            points = sorted({sum(r["points"] for r in result["exercises"]) for result in of_kind})
            print(f"points, {kind}: {' or '.join(map(str, points))} of {full} ({counts[kind]} submissions, "
                  f"median {statistics.median(r['seconds'] for r in of_kind):.1f} s each)")

    problems = problems_with(results, kinds)
    if problems:
        print("FAILED: the grader did not give the expected points:\n  " + "\n  ".join(problems))
        return 1
    print("OK: right ones earned every point, blank ones none, wrong ones fewer than all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
