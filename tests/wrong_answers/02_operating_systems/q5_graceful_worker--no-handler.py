"""Installs no SIGTERM handler: the default action kills the worker in the middle of its job (exit code -15)."""


def worker_program() -> str:
    """The source of a worker that finishes its current job on SIGTERM, then exits 0."""
    return """
import time

print("ready")
for job in range(1, 51):
    print(f"start {job}")
    time.sleep(0.2)
    print(f"done {job}")
print("shutdown after 50 jobs")
"""
