"""Installs no SIGTERM handler: the default action kills the worker in the middle of its job (exit code -15)."""


def worker_program() -> str:
    """The source of a worker that finishes its current job on SIGTERM, then exits 0."""
    return """
import sys
import time

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 0.2
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 50

print("ready")
for job in range(1, limit + 1):
    print(f"start {job}")
    time.sleep(seconds)
    print(f"done {job}")
print(f"shutdown after {limit} jobs")
"""
