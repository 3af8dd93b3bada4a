"""Check that every pin of requirements.lock installs from a wheel on every platform it claims.

Usage: python -m backend_roadmap_tools.wheels       (run by `make lock` after re-resolving)

The lock is universal: Python 3.11 to 3.13 on Linux (x86_64, aarch64), Apple-silicon macOS and
Windows (x86_64). A pin
with no wheel for one of them would make a learner there compile it, or fail. uv resolves the
project once per version and platform with the lock as constraints and binaries only; a failure
names the package. This asks the package index, so it needs the registry (as `make lock` does).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from backend_roadmap_tools import REPO_ROOT
from backend_roadmap_tools.pythons import SUPPORTED

#: Intel Macs (x86_64-apple-darwin) are not claimed: cryptography, which trustme needs for the
#: local CA, ships no wheel for them since its 50.x releases, so pip would build it with Rust.
PLATFORMS = (
    "x86_64-manylinux_2_28",
    "aarch64-manylinux_2_28",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
)


def check(version: str, platform: str) -> str | None:
    uv = Path(sys.executable).with_name("uv")
    command = [
        str(uv), "pip", "compile", "--quiet", "pyproject.toml", "--extra", "dev",
        "--constraint", "requirements.lock", "--only-binary", ":all:",
        "--python-version", version, "--python-platform", platform, "--output-file", "/dev/null",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True)
    return None if done.returncode == 0 else (done.stderr or done.stdout).strip()


def main() -> int:
    failures = 0
    for major, minor in SUPPORTED:
        for platform in PLATFORMS:
            problem = check(f"{major}.{minor}", platform)
            print(f"{major}.{minor} {platform:24} {'ok' if problem is None else 'NO WHEEL'}")
            if problem:
                failures += 1
                print("    " + "\n    ".join(problem.splitlines()[-6:]))
    if failures:
        print(f"{failures} combinations lack a wheel: add a marker and a stated fallback.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
