"""Benchmark: the safe autograder against plain ``nbgrader autograde`` on the same 20 submissions.

Builds two identical throw-away courses from chapter 01's exercise (the same helper the tests
use), submits 20 copies of the solved notebook (every other one with its first answer left as
released, so that grades differ), then measures wall time and the peak memory of the whole
process tree (sum of resident sizes, sampled every 50 ms) for:

* executing the notebook alone once (nbclient, no grading), the per-notebook reference;
* ``nbgrader autograde`` (serial, nbgrader's own Execute);
* ``python -m backend_roadmap_tools.grading autograde`` with one worker and with the default
  number of workers (cores).

Prints a Markdown table and the ratios. Usage: ``.venv/bin/python scripts/benchmark_grading.py
[--submissions 20]``. Not a test: the numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from support.grading_fixtures.course import make_course  # noqa: E402


def measure(command: list[str], cwd: Path, env: dict) -> tuple[float, float, int]:
    """Run ``command``; return (seconds, peak MiB of the process tree, exit status)."""
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(process.pid)
        while not done.is_set():
            try:
                total = root.memory_info().rss
                for child in root.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        total += child.memory_info().rss
                peak = max(peak, total)
            except psutil.Error:
                pass
            time.sleep(0.05)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    status = process.wait()
    seconds = time.monotonic() - started
    done.set()
    thread.join()
    return seconds, peak / 2**20, status


def build(base: Path, count: int):
    course = make_course(base)
    answer = next(
        c["metadata"]["nbgrader"]["grade_id"]
        for c in course.source["cells"]
        if c.get("metadata", {}).get("nbgrader", {}).get("solution") and c["cell_type"] == "code"
    )
    for number in range(count):
        nb = course.solved()
        if number % 2:
            for c in nb["cells"]:
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == answer:
                    c["source"] = "# YOUR CODE HERE\nraise NotImplementedError()"
        course.submit(f"student{number:02d}", nb)
    return course


def scores(course) -> dict:
    code = (
        "import json, warnings; warnings.simplefilter('ignore')\n"
        "from nbgrader.api import Gradebook\n"
        f"gb = Gradebook('sqlite:///{course.exercises / 'gradebook.db'}', 'test-course')\n"
        f"subs = gb.assignment_submissions('{course.assignment}')\n"
        "print(json.dumps({s.student.id: s.score for s in subs}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submissions", type=int, default=20)
    args = parser.parse_args()
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(
        PYTHONHASHSEED="0", TZ="UTC", PYDEVD_DISABLE_FILE_VALIDATION="1", JUPYTER_PLATFORM_DIRS="1"
    )
    cores = len(os.sched_getaffinity(0))
    work = Path(tempfile.mkdtemp(prefix="benchmark-grading-"))
    try:
        plain = build(work / "plain", args.submissions)
        serial = build(work / "serial", args.submissions)
        parallel = build(work / "parallel", args.submissions)
        source = plain.exercises / "source" / plain.assignment / f"{plain.notebook}.ipynb"
        alone = measure(
            [
                sys.executable,
                "-c",
                "import nbformat, sys\nfrom nbclient import NotebookClient\n"
                f"nb = nbformat.read({str(source)!r}, 4)\n"
                "NotebookClient(nb, timeout=60, allow_errors=True).execute()",
            ],
            plain.root,
            env,
        )
        rows = [("execute the notebook alone (1 notebook)", *alone)]
        rows.append(
            (
                "nbgrader autograde",
                *measure(
                    [str(Path(sys.executable).parent / "nbgrader"), "autograde", plain.assignment],
                    plain.root,
                    env,
                ),
            )
        )
        ours = [
            sys.executable,
            "-m",
            "backend_roadmap_tools.grading",
            "autograde",
            plain.assignment,
            "--quiet",
        ]
        rows.append(
            ("safe autograde, 1 worker", *measure(ours + ["--workers", "1"], serial.root, env))
        )
        rows.append(
            (f"safe autograde, {cores} workers (default)", *measure(ours, parallel.root, env))
        )
        same = scores(plain) == scores(serial) == scores(parallel)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    n = args.submissions
    print(f"\n{n} submissions of {plain.assignment}, {cores} cores\n")
    print("| run | seconds | per submission | peak memory (process tree) |")
    print("|---|---:|---:|---:|")
    for name, seconds, peak, _ in rows:
        per = seconds if name.startswith("execute") else seconds / n
        print(f"| {name} | {seconds:.1f} | {per:.2f} s | {peak:.0f} MiB |")
    base = rows[1][1]
    print()
    print(f"time ratio, safe ({cores} workers) / plain nbgrader: {rows[3][1] / base:.2f}")
    print(f"time ratio, safe (1 worker) / plain nbgrader: {rows[2][1] / base:.2f}")
    print(
        f"per submission, safe (1 worker) / executing the notebook alone: "
        f"{rows[2][1] / n / rows[0][1]:.2f}"
    )
    print(f"same grades in all three gradebooks: {same}")
    bad = [name for name, *_, status in rows if status not in (0, 1)]
    return 1 if bad or not same else 0


if __name__ == "__main__":
    sys.exit(main())
