"""Run the portable part of the tests on every other supported Python found on this machine.

Usage: python -m backend_roadmap_tools.pythons      (what `make test-pythons` runs)

The default `make test` runs on the Python that built `.venv`. This finds each other supported
minor version (a ``python3.X`` on PATH that really runs, or a pyenv installation), builds
``.venv-3.X`` from the same ``requirements.lock`` through the Makefile, and runs there the tests
whose results could depend on the interpreter: every chapter notebook under nbval and every
exercise set through nbgrader (``make test-portable``). The versions run side by side, one per
core, and a table says what ran, how long it took and how it ended. Exit status 1 if any failed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from backend_roadmap_tools import REPO_ROOT

#: The range the README states and the Makefile accepts.
SUPPORTED = ((3, 11), (3, 12), (3, 13))


def _version_of(python: str) -> tuple[int, int] | None:
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30, check=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    major, minor = out.split()
    return int(major), int(minor)


def find_interpreters() -> dict[tuple[int, int], str]:
    """Each supported version other than this one, mapped to an interpreter that runs."""
    found: dict[tuple[int, int], str] = {}
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for major, minor in SUPPORTED:
        if (major, minor) == sys.version_info[:2]:
            continue
        name = f"python{major}.{minor}"
        candidates = [shutil.which(name)]
        candidates += [
            str(p) for p in sorted(pyenv_root.glob(f"versions/{major}.{minor}.*/bin/{name}"))
        ]
        for candidate in filter(None, candidates):
            if _version_of(candidate) == (major, minor):
                found[(major, minor)] = candidate
                break
    return found


def run_one(version: tuple[int, int], python: str) -> tuple[str, float, int, Path]:
    label = "{}.{}".format(*version)
    log = REPO_ROOT / "_build" / f"test-python-{label}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with log.open("w") as out:
        code = subprocess.call(
            ["make", f"VENV=.venv-{label}", f"PYTHON={python}", "test-portable"],
            cwd=REPO_ROOT, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return label, time.perf_counter() - started, code, log


def main() -> int:
    interpreters = find_interpreters()
    here = "{}.{}".format(*sys.version_info[:2])
    missing = [
        f"{a}.{b}" for a, b in SUPPORTED if (a, b) not in interpreters and f"{a}.{b}" != here
    ]
    if missing:
        print(f"not found on this machine, so not tested here: Python {', '.join(missing)}")
    if not interpreters:
        print("no other supported Python found; the default run covers Python " + here)
        return 0
    print("running notebooks and exercise sets on Python " + ", ".join(
        "{}.{}".format(*v) for v in interpreters) + " (logs in _build/)", flush=True)  # fmt: skip
    with ThreadPoolExecutor(max_workers=len(interpreters)) as pool:
        results = list(pool.map(lambda item: run_one(*item), sorted(interpreters.items())))
    print(f"\n{'python':8} {'seconds':>8}  result")
    for label, seconds, code, _ in results:
        print(f"{label:8} {seconds:8.0f}  {'passed' if code == 0 else f'FAILED (exit {code})'}")
    failed = [(label, log) for label, _, code, log in results if code != 0]
    for label, log in failed:
        print(f"\n--- the end of the Python {label} run ({log.relative_to(REPO_ROOT)}) ---")
        print("\n".join(log.read_text(errors="replace").splitlines()[-60:]))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
