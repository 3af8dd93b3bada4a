"""Start a student's IPython kernel with the grader's defences in place before any student code.

Run (inside the jail) as ``python kernel_boot.py -f CONNECTION_FILE``, by path and with only the
standard library and ipykernel, in place of ``python -m ipykernel_launcher``. Before the kernel
runs a single cell it:

* makes the process non-dumpable, so no other process of the jail (a child the student
  starts) can read the kernel's memory through ``/proc`` or ``ptrace``;
* hides graded test cells from the kernel: a cell the grader marks with :data:`MARKER` is
  run as usual, but its source is not kept in ``linecache``, in the input history (``In``,
  ``_ih``, ``_i``...), in the request the kernel remembers (``get_parent()``,
  ``parent_header``), in the ``execute_input`` message other subscribers of the kernel's
  channels would see, or in ``last_execution_result``;
* installs a PEP 578 audit hook, which cannot be removed once added. From then on it refuses
  ``sys.settrace``/``sys.setprofile`` (also per thread), ``sys._current_frames``, new audit
  hooks, ``__code__`` assignment, ``gc.get_objects``/``get_referrers``/``get_referents``,
  ``ctypes``, ``sys.monitoring`` and opening ``/proc/*/mem``; and, while a test cell runs,
  any frame or traceback-frame access (``sys._getframe``, ``inspect.currentframe``,
  ``tb_frame``, ``gi_frame``, ``cr_frame``, ``ag_frame``) from code called by the test or
  from another thread. Frame refusals raise :class:`FrameAccessRefused`, a ``ValueError``,
  which the standard library's own callers (``logging``, ``namedtuple``, ``typing``)
  already handle; the rest raise :class:`GraderRefused`.

Refusals are counted in ``refusals`` (read by the grader's integrity check).
"""

from __future__ import annotations

import os
import sys
import threading

MARKER = "# <graded test cell: source hidden from the kernel>"
PLACEHOLDER = "# a graded test cell (its source is not kept in the kernel)"

_ALWAYS = frozenset(
    {
        "sys.settrace",
        "sys.setprofile",
        "sys._current_frames",
        "sys.addaudithook",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "sys.monitoring.register_callback",
        "sys.remote_exec",
        "cpython.remote_debugger_script",
    }
)
_FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back"})


class GraderRefused(RuntimeError):
    """The grader does not allow this operation while grading."""


class FrameAccessRefused(ValueError):
    """Frames are not available to code running under a test."""


def _make_hook(shell, linecache, threading, os, sys):  # noqa: PLR0915 - one closure on purpose
    """The audit hook and its private state, reachable from nothing but the interpreter.

    Everything it uses is bound here, at install time, so rebinding module attributes later
    changes nothing; the set of test cells' file names is filled by the hook itself when
    IPython compiles a cell that carries :data:`MARKER`.
    """
    always = _ALWAYS
    frame_attributes = _FRAME_ATTRIBUTES
    marker, placeholder = MARKER, PLACEHOLDER
    main = threading.main_thread().ident
    local = threading.local()
    tests: set[str] = set()
    refused = GraderRefused
    frame_refused = FrameAccessRefused
    get_ident = threading.get_ident
    getframe, current_frames, basename, fsdecode = (
        sys._getframe,
        sys._current_frames,
        os.path.basename,
        os.fsdecode,
    )

    def on_stack(frame) -> bool:
        while frame is not None:
            if frame.f_code.co_filename in tests:
                return True
            frame = frame.f_back
        return False

    def test_in_main() -> bool:
        if get_ident() == main:
            return on_stack(getframe(3))
        return on_stack(current_frames().get(main))

    def frame_refused_for(event: str, args: tuple) -> bool:
        """Code under a test (main thread) gets no frame at all; another thread gets none
        that leads to a test's frame, and no coroutine or generator frame while a test runs
        (the kernel's own coroutines hold the running cell's source)."""
        main_thread = get_ident() == main
        if main_thread and on_stack(getframe(3)):
            return True
        if event == "sys._getframe":
            return False
        attribute = args[1]
        if attribute == "tb_frame":
            return on_stack(args[0].tb_frame)
        if attribute == "f_back":
            return on_stack(args[0])
        return not main_thread and on_stack(current_frames().get(main))

    def hide(filename: str) -> None:
        """A test cell is being compiled: take its source out of every place it was kept."""
        tests.add(filename)
        entry = linecache.cache.get(filename)
        if entry is not None:
            linecache.cache[filename] = (entry[0], entry[1], ["\n"] * len(entry[2]), entry[3])
        history = shell.history_manager
        for cache in (history.input_hist_parsed, history.input_hist_raw):
            if cache and marker in cache[-1]:
                cache[-1] = placeholder
        with history.db_input_cache_lock:
            if history.db_input_cache and marker in str(history.db_input_cache[-1]):
                number = history.db_input_cache[-1][0]
                history.db_input_cache[-1] = (number, placeholder, placeholder)
        for name, value in list(shell.user_ns.items()):
            if name.startswith("_i") and isinstance(value, str) and marker in value:
                shell.user_ns[name] = placeholder
        kernel = getattr(shell, "kernel", None)
        parent = kernel.get_parent("shell") if kernel is not None else None
        content = parent.get("content") if isinstance(parent, dict) else None
        if isinstance(content, dict) and marker in str(content.get("code")):
            parent = {**parent, "content": {**content, "code": placeholder}}
            kernel._shell_parent.set(parent)
            shell.set_parent(parent)

    def forget_last() -> None:
        result = shell.last_execution_result
        info = getattr(result, "info", None)
        if info is not None and marker in str(getattr(info, "raw_cell", "")):
            info.raw_cell = placeholder

    def audit(event: str, args: tuple) -> None:
        if getattr(local, "busy", False):
            return
        local.busy = True
        try:
            if event in always or event.startswith("ctypes."):
                raise refused(f"{event} is not allowed while grading")
            if event == "object.__setattr__":
                if len(args) > 1 and args[1] == "__code__":
                    raise refused(f"assigning {args[1]} is not allowed while grading")
            elif event == "compile":
                if len(args) > 1 and isinstance(args[1], str):
                    source = args[0]
                    if isinstance(source, bytes):
                        source = source.decode("utf-8", "replace")
                    if isinstance(source, str) and marker in source:
                        hide(args[1])
                    elif get_ident() == main:
                        forget_last()
            elif event == "sys._getframe" or (
                event == "object.__getattr__" and len(args) > 1 and args[1] in frame_attributes
            ):
                if tests and frame_refused_for(event, args):
                    what = event if event == "sys._getframe" else args[1]
                    raise frame_refused(f"{what} is not available to code under a test")
            elif event == "open" and args:
                path = args[0]
                if isinstance(path, bytes):
                    path = fsdecode(path)
                if isinstance(path, str) and basename(path.rstrip("/")) == "mem":
                    raise refused("reading process memory is not allowed while grading")
        finally:
            local.busy = False

    return audit


def _hide_execute_input() -> None:
    """The ``execute_input`` message of a test cell (seen by any subscriber) omits its source."""
    from ipykernel import kernelbase

    original = kernelbase.Kernel._publish_execute_input

    def _publish_execute_input(self, code, parent, execution_count):
        if isinstance(code, str) and MARKER in code:
            code = PLACEHOLDER
            content = parent.get("content") if isinstance(parent, dict) else None
            if isinstance(content, dict):
                parent = {**parent, "content": {**content, "code": PLACEHOLDER}}
        return original(self, code, parent, execution_count)

    kernelbase.Kernel._publish_execute_input = _publish_execute_input


def main() -> None:
    import ctypes
    import linecache

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: no ptrace or /proc/PID/mem from children
    _hide_execute_input()
    from ipykernel import kernelapp

    app = kernelapp.IPKernelApp.instance()
    app.initialize(sys.argv[1:])
    sys.addaudithook(_make_hook(app.shell, linecache, threading, os, sys))
    app.start()


if __name__ == "__main__":
    main()
