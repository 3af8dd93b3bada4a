"""The handler sets a flag that the job loop never looks at: the worker ignores SIGTERM until SIGKILL comes."""


def worker_program() -> str:
    """The source of a worker that finishes its current job on SIGTERM, then exits 0."""
    return """
import signal
import time

stopping = False


def on_sigterm(signum, frame):
    global stopping
    stopping = True


signal.signal(signal.SIGTERM, on_sigterm)
print("ready")
for job in range(1, 51):
    print(f"start {job}")
    time.sleep(0.2)
    print(f"done {job}")
print("shutdown after 50 jobs")
"""
