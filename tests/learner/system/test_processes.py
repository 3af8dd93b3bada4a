"""run_script: lines with timeouts, signals, exit codes, and no child left behind."""

import signal

import pytest

from backend_roadmap.system.processes import run_script

GRACEFUL = """
import signal, time
stop = False
def on_term(signum, frame):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
print("ready")
while not stop:
    time.sleep(0.01)
print("bye")
"""


def test_wait_for_signal_and_exit_code():
    with run_script(GRACEFUL) as child:
        assert child.wait_for("ready") == "ready"
        child.send_signal(signal.SIGTERM)
        assert child.finish() == 0
        assert child.lines == ["ready", "bye"]


def test_killed_child_reports_the_signal():
    with run_script("import time\nprint('up')\ntime.sleep(30)") as child:
        child.wait_for("up")
        child.send_signal(signal.SIGKILL)
        assert child.finish() == -signal.SIGKILL


def test_timeouts_say_what_was_printed():
    with run_script("import time\nprint('hello')\ntime.sleep(30)") as child:
        with pytest.raises(TimeoutError, match="hello"):
            child.wait_for("never", timeout=0.5)
        with pytest.raises(TimeoutError, match="still running"):
            child.finish(timeout=0.2)
        assert child.popen.poll() is not None


def test_a_child_that_exits_early_is_reported_and_args_are_passed():
    with run_script("import sys\nprint(sys.argv[1])\nsys.exit(3)", "hi") as child:
        with pytest.raises(TimeoutError, match="exited"):
            child.wait_for("ready")
        assert child.finish() == 3
        assert child.lines == ["hi"]


def test_leaving_the_block_kills_a_running_child():
    with run_script("import time\nprint('up')\ntime.sleep(30)") as child:
        child.wait_for("up")
    assert child.popen.returncode == -signal.SIGKILL
