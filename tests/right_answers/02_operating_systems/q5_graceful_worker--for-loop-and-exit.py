"""A for loop over the job numbers with a break, sys.argv read in a main function, and an
explicit sys.exit(0) at the end."""


def worker_program() -> str:
    """The source of a worker that finishes its current job on SIGTERM, then exits 0."""
    return '''
import signal
import sys
import time

STOP = []


def main(argv):
    seconds = float(argv[1]) if len(argv) >= 2 else 0.2
    limit = int(argv[2]) if len(argv) >= 3 else 50
    signal.signal(signal.SIGTERM, lambda signum, frame: STOP.append(signum))
    print("ready")
    finished = 0
    for job in range(1, limit + 1):
        if STOP:
            break
        print(f"start {job}")
        time.sleep(seconds)
        print(f"done {job}")
        finished = job
    print(f"shutdown after {finished} jobs")
    sys.exit(0)


main(sys.argv)
'''
