"""Run a Python program as a child process and talk to it line by line, with timeouts.

``run_script(source)`` writes ``source`` to a private temporary folder and starts it with the
same interpreter (``sys.executable -u``, so its prints arrive at once). The child's stdout and
stderr are read by a thread into ``lines``, so waiting for a line never blocks for longer than
its timeout, and a child that hangs is killed when the ``with`` block ends.

``run_script(source, shell="...")`` starts it under ``sh -c`` instead, as a container's shell
form or an entrypoint script does: ``{python}`` in the command stands for the program, so
``shell="exec {python}"`` replaces the shell with it and ``shell="{python}; echo done"`` keeps
the shell as its parent. The signals of ``send_signal`` then go to the shell, and leaving the
``with`` block kills the shell's whole process group, the program included.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path


class ScriptProcess:
    """A running child: ``wait_for`` a line, ``send_signal``, then ``finish`` for its exit code."""

    def __init__(self, popen: subprocess.Popen) -> None:
        self.popen = popen
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def _take(self, timeout: float) -> str | None:
        line = self._queue.get(timeout=timeout)
        if line is not None:
            self.lines.append(line)
        return line

    @property
    def pid(self) -> int:
        return self.popen.pid

    def wait_for(self, text: str, timeout: float = 5.0) -> str:
        """The first new line that contains ``text``; ``TimeoutError`` if none comes in time."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise queue.Empty
                line, why = self._take(left), "exited"
            except queue.Empty:
                line, why = None, f"printed no such line within {timeout} s"
            if line is None:
                seen = "\n".join(self.lines[-10:]) or "(nothing)"
                raise TimeoutError(
                    f"the program {why} while waiting for {text!r}; it printed:\n{seen}"
                )
            if text in line:
                return line

    def send_signal(self, signum: int) -> None:
        self.popen.send_signal(signum)

    def finish(self, timeout: float = 5.0) -> int:
        """Wait for the child to exit and for its last lines; its exit code (``-N``: signal N).

        A child still running after ``timeout`` seconds is killed and ``TimeoutError`` raised.
        """
        try:
            code = self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            raise TimeoutError(f"the program was still running after {timeout} s") from None
        with contextlib.suppress(queue.Empty):
            while self._take(timeout=2.0) is not None:
                pass
        return code


@contextlib.contextmanager
def run_script(
    source: str, *args: str, env: dict[str, str] | None = None, shell: str | None = None
) -> Iterator[ScriptProcess]:
    """Start ``source`` as a Python program; on leaving, kill it if it still runs.

    With ``shell``, the program runs under ``sh -c shell``, where ``{python}`` stands for it.
    """
    with tempfile.TemporaryDirectory(prefix="script-") as folder:
        path = Path(folder) / "program.py"
        path.write_text(source, encoding="utf-8")
        command = [sys.executable, "-u", str(path), *args]
        if shell is not None:
            if "{python}" not in shell:
                raise ValueError(f"shell={shell!r} never runs the program: write {{python}}")
            command = ["sh", "-c", shell.replace("{python}", shlex.join(command))]
        popen = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=folder,
            env=env,
            start_new_session=shell is not None,
        )
        child = ScriptProcess(popen)
        try:
            yield child
        finally:
            if popen.poll() is None:
                popen.kill()
            popen.wait()
            if shell is not None:
                # A program the shell did not pass a signal on to outlives it: end the group.
                with contextlib.suppress(ProcessLookupError, PermissionError, AttributeError):
                    os.killpg(popen.pid, signal.SIGKILL)
            if popen.stdout is not None:
                popen.stdout.close()
            child._reader.join(2.0)
