"""Ends with sys.exit("shutdown ...") after finishing the job: a string exit prints to stderr and exits with 1, which the platform reads as a crash."""


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
    time.sleep(seconds)
    done += 1
    print(f"done {done}")
print(f"shutdown after {done} jobs")
if stopping:
    sys.exit("stopped by SIGTERM")
"""
