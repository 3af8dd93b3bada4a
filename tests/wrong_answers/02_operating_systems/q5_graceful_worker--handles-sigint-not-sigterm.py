"""Handles SIGINT (Ctrl-C) instead of SIGTERM: fine at a terminal, but the platform's SIGTERM still kills it mid-job."""


def worker_program() -> str:
    """The source of a worker that finishes its current job on SIGTERM, then exits 0."""
    return """
import signal
import time

stopping = False


def on_signal(signum, frame):
    global stopping
    stopping = True


signal.signal(signal.SIGINT, on_signal)
print("ready")
done = 0
while not stopping and done < 50:
    print(f"start {done + 1}")
    time.sleep(0.2)
    done += 1
    print(f"done {done}")
print(f"shutdown after {done} jobs")
"""
