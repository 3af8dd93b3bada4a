"""Handles SIGINT (Ctrl-C) instead of SIGTERM: fine at a terminal, but the platform's SIGTERM still kills it mid-job."""


def worker_program() -> str:
    """The source of a worker that finishes its current job on SIGTERM, then exits 0."""
    return """
import signal
import sys
import time

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 0.2
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 50

stopping = False


def on_signal(signum, frame):
    global stopping
    stopping = True


signal.signal(signal.SIGINT, on_signal)
print("ready")
done = 0
while not stopping and done < limit:
    print(f"start {done + 1}")
    time.sleep(seconds)
    done += 1
    print(f"done {done}")
print(f"shutdown after {done} jobs")
"""
