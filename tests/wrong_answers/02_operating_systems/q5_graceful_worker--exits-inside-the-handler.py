"""Calls sys.exit(0) inside the handler: the exit code is 0, but the job in progress is abandoned half done."""


def worker_program() -> str:
    """The source of a worker that finishes its current job on SIGTERM, then exits 0."""
    return """
import signal
import sys
import time

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 0.2
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 50

done = 0


def on_sigterm(signum, frame):
    print(f"shutdown after {done} jobs")
    sys.exit(0)


signal.signal(signal.SIGTERM, on_sigterm)
print("ready")
while done < limit:
    print(f"start {done + 1}")
    time.sleep(seconds)
    done += 1
    print(f"done {done}")
print(f"shutdown after {done} jobs")
"""
