"""run_script: lines with timeouts, signals, exit codes, and no child left behind."""

import os
import signal
import time

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


PID_PRINTER = GRACEFUL.replace('print("ready")', 'import os\nprint("ready", os.getpid())')


def test_exec_in_the_shell_makes_the_program_get_the_signal():
    with run_script(PID_PRINTER, shell="exec {python}") as child:
        ready = child.wait_for("ready", timeout=30)
        assert int(ready.split()[1]) == child.pid, "exec keeps the shell's PID"
        child.send_signal(signal.SIGTERM)
        assert child.finish(timeout=30) == 0
        assert child.lines[-1] == "bye"


def test_a_shell_parent_does_not_pass_the_signal_on_and_the_orphan_is_cleaned_up():
    with run_script(PID_PRINTER, shell="{python}; echo shell-after") as child:
        ready = child.wait_for("ready", timeout=30)
        program = int(ready.split()[1])
        assert program != child.pid, "the shell stayed as the parent"
        child.send_signal(signal.SIGTERM)
        assert child.popen.wait(timeout=30) == -signal.SIGTERM
        with pytest.raises(TimeoutError):
            child.wait_for("bye", timeout=0.5)
        os.kill(program, 0)  # still running: nobody told it to stop
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(program, 0)
        except ProcessLookupError:
            break
        time.sleep(0.02)
    else:
        pytest.fail("the program the shell left behind still runs after the with block")


def test_a_shell_command_must_run_the_program():
    with pytest.raises(ValueError, match="{python}"):
        with run_script("print(1)", shell="echo hello"):
            pass
