"""Sleeps in small steps and stops sleeping as soon as SIGTERM comes: it prints "done N" for a job it did not finish."""


def worker_program() -> str:
    """The source of a worker that finishes its current job on SIGTERM, then exits 0."""
    return """
import signal
import sys
import time

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 0.2
limit = int(sys.argv[2]) if len(sys.argv) > 2 else 50
stopping = False


def on_sigterm(signum, frame):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, on_sigterm)
print("ready")
done = 0
while not stopping and done < limit:
    print(f"start {done + 1}")
    for _ in range(20):
        if stopping:
            break
        time.sleep(seconds / 20)
    done += 1
    print(f"done {done}")
print(f"shutdown after {done} jobs")
"""
