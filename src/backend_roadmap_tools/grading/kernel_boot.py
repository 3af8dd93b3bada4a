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
  ``ctypes``, ``sys.monitoring`` and opening ``/proc/*/mem``. Frames: student code (a
  cell or a submitted file anywhere between the caller and the test) gets no frame while a
  test runs in the main thread (``sys._getframe``, ``inspect``, ``tb_frame``, ``gi_frame``,
  ``cr_frame``), never the code (``f_code``) of a test cell's frame, and never a traceback
  frame that leads to a test cell (a stashed exception read later); another thread gets no
  coroutine or generator frame while a test runs (the kernel's coroutines hold the running
  cell's source). ``f_back`` is not audited by Python, hence these rules on how a frame is
  obtained. Library code that a test calls directly (an import, httpx) keeps its frames, and
  IPython formats tracebacks as usual. Frame refusals raise :class:`FrameAccessRefused`, a
  ``ValueError``, which the standard library's own callers (``logging``, ``namedtuple``,
  ``typing``) already handle; the rest raise :class:`GraderRefused`;
* runs every graded test cell against a namespace of its own (the racing-thread defence):
  a copy of the user namespace made as the test starts, in which every name the read-only
  set-up cells bound is put back to the object it had when the set-up finished (captured by
  the hook, out of reach of student code), functions those cells defined and the functions
  of :data:`_PURE_MODULES` (``expect`` and its helpers) run against private copies of their
  namespaces and of ``builtins``. A thread the student left running can rebind names in the
  user namespace, in ``backend_roadmap.checks`` or in ``builtins`` while the test runs and
  restore them before the grader's check after it: the test does not see it. What the test
  binds is written back to the user namespace when it ends.

"""

from __future__ import annotations

import os
import sys
import threading

MARKER = "# <graded test cell: source hidden from the kernel>"
# The worker's integrity check: the first time it is compiled, the set-up cells have run and
# no student code has yet, so the hook captures the names they bound.
BASELINE_MARK = "def _nbg_guard("
NAMESPACE_EVENT = "backend_roadmap.grader.test_namespace"
# Modules without mutable module state whose functions a test may run against a private copy
# of the module's namespace: a thread rebinding their attributes mid-test changes nothing.
_PURE_MODULES = frozenset({"backend_roadmap.checks"})
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
_FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_code"})
# Libraries that read their caller's frame to do their own work and never hand the frame
# back: pydantic (a model's namespace, so FastAPI apps and models built in an answer work),
# typing, collections, enum and dataclasses (the __module__ of a class they make). Under a
# test they may have a frame above the test, never the test's own frame or one below it.
_FRAME_USERS = frozenset(
    {"pydantic", "pydantic_core", "typing", "typing_extensions", "collections", "enum",
     "dataclasses", "fastapi", "starlette", "sqlalchemy"}
)  # fmt: skip


class GraderRefused(RuntimeError):
    """The grader does not allow this operation while grading."""


class FrameAccessRefused(ValueError):
    """Frames are not available to code running under a test."""


def _make_hook(shell, linecache, threading, os, sys, library_roots, runner=None):  # noqa: PLR0915 - one closure on purpose
    """The audit hook and its private state, reachable from nothing but the interpreter.

    Everything it uses is bound here, at install time, so rebinding module attributes later
    changes nothing; the set of test cells' file names is filled by the hook itself when
    IPython compiles a cell that carries :data:`MARKER`.
    """
    always = _ALWAYS
    frame_attributes = _FRAME_ATTRIBUTES
    frame_users = _FRAME_USERS
    marker, placeholder = MARKER, PLACEHOLDER
    baseline, namespace_event = BASELINE_MARK, NAMESPACE_EVENT
    main = threading.main_thread().ident
    roots = tuple(sorted({root.rstrip("/") + "/" for root in library_roots}))
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

    library_cache: dict[str, bool] = {}
    # Set once, when the set-up has run: names it bound, builtins, pure modules' namespaces.
    captured: dict[str, dict] = {}
    current: dict[str, object] = {}  # the running test cell's file name and namespace
    function_type = type(_make_hook)
    builtins_module = sys.modules["builtins"]

    def clone(function, namespace: dict):
        copy = function_type(
            function.__code__, namespace, function.__name__, function.__defaults__,
            function.__closure__,
        )  # fmt: skip
        copy.__kwdefaults__ = function.__kwdefaults__
        copy.__qualname__ = function.__qualname__
        copy.__doc__ = function.__doc__
        copy.__module__ = function.__module__
        copy.__dict__.update(function.__dict__)
        return copy

    def capture() -> None:
        """The set-up cells have run, no student code yet: remember what they bound."""
        namespace = shell.user_ns
        captured["names"] = {k: v for k, v in namespace.items() if not k.startswith("_")}
        captured["builtins"] = dict(vars(builtins_module))
        modules = {}
        for name in sorted(_PURE_MODULES):
            module = sys.modules.get(name)
            if module is not None:
                modules[name] = (vars(module), dict(vars(module)))
        captured["modules"] = modules

    def private(original: dict, snapshot: dict, builtins: dict) -> dict:
        """A fresh copy of a module's namespace whose functions all run against it."""
        namespace = {**snapshot, "__builtins__": builtins}
        for key, value in snapshot.items():
            if isinstance(value, function_type) and value.__globals__ is original:
                namespace[key] = clone(value, namespace)
        return namespace

    def test_namespace() -> dict:
        """The namespace a test cell runs in, built from what was captured at set-up."""
        user = shell.user_ns
        builtins = dict(captured["builtins"])
        modules = {
            id(original): private(original, snapshot, builtins)
            for original, snapshot in captured["modules"].values()
        }
        namespace = dict(user)
        namespace["__builtins__"] = builtins
        for key, value in captured["names"].items():
            if isinstance(value, function_type):
                home = modules.get(id(value.__globals__))
                if value.__globals__ is user:
                    value = clone(value, namespace)
                elif home is not None:
                    twin = home.get(value.__name__)
                    if isinstance(twin, function_type) and twin.__code__ is value.__code__:
                        value = twin
            namespace[key] = value
        return namespace

    def library(filename: str) -> bool:
        """Code of the environment or the course's library, not a cell or a student file."""
        known = library_cache.get(filename)
        if known is None:
            known = filename.startswith("<frozen ") or any(
                filename.startswith(root) for root in roots
            )
            library_cache[filename] = known
        return known

    def on_stack(frame) -> bool:
        """A test cell's frame is ``frame`` or one of its callers."""
        while frame is not None:
            if frame.f_code.co_filename in tests:
                return True
            frame = frame.f_back
        return False

    def student_in_chain(frame) -> bool:
        """Student code is between this frame and the running test (or the stack's bottom)."""
        while frame is not None:
            filename = frame.f_code.co_filename
            if filename in tests:
                return False
            if not library(filename):
                return True
            frame = frame.f_back
        return False

    def frame_refused_for(event: str, args: tuple) -> bool:
        """Frames reachable from student code never lead to a test cell's code or to the
        kernel's frames that hold the running cell's source. Library code called directly by
        a test (an import, httpx) keeps its frames; IPython formats tracebacks as usual."""
        caller = getframe(2)
        main_thread = get_ident() == main
        if event == "sys._getframe":
            if not (main_thread and on_stack(caller) and student_in_chain(caller)):
                return False
            module = caller.f_globals.get("__name__", "")
            trusted = isinstance(module, str) and module.partition(".")[0] in frame_users
            if trusted and library(caller.f_code.co_filename) and args:
                frame = args[0]
                return frame.f_code.co_filename in tests or not on_stack(frame)
            return True
        attribute = args[1]
        student = student_in_chain(caller)
        running = on_stack(caller) if main_thread else on_stack(current_frames().get(main))
        if attribute == "f_code":
            return student and args[0].f_code.co_filename in tests
        if attribute == "tb_frame":
            frame = args[0].tb_frame
            if student:
                return (running and main_thread) or on_stack(frame)
            return running and not main_thread and on_stack(frame)
        return running and (student or not main_thread)  # gi_frame, cr_frame, ag_frame

    def from_runner() -> bool:
        """The audit event comes from the grader's ``run_code`` itself, not nested in a cell."""
        frame = getframe(2)
        if runner is None or frame is None or frame.f_code is not runner:
            return False
        frame = frame.f_back
        while frame is not None:
            if frame.f_code is runner:
                return False
            frame = frame.f_back
        return True

    def hide(filename: str) -> None:
        """A test cell is being compiled: take its source out of every place it was kept."""
        tests.add(filename)
        current.clear()
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
                        if not captured and isinstance(source, str) and baseline in source:
                            capture()
            elif event == namespace_event:
                if (
                    captured
                    and get_ident() == main
                    and len(args) == 2
                    and getattr(args[0], "co_filename", None) in tests
                    and isinstance(args[1], list)
                    and not args[1]
                    and from_runner()
                ):
                    # One namespace for all the statements of the running test cell.
                    if current.get("file") != args[0].co_filename:
                        current["file"], current["namespace"] = (
                            args[0].co_filename,
                            test_namespace(),
                        )
                    args[1].append(current["namespace"])
            elif event == "exec":
                if captured and args and getattr(args[0], "co_filename", None) in tests:
                    # A graded test cell runs only where the grader's wrapper runs it, in the
                    # namespace this hook gave it: a wrapper disarmed through its closure, or
                    # a stand-in for ``exec``, leaves the test not run rather than unguarded.
                    caller = getframe(1)
                    if (
                        get_ident() != main
                        or caller is None
                        or caller.f_code is not runner
                        or current.get("file") != args[0].co_filename
                        or caller.f_locals.get("namespace") is not current.get("namespace")
                    ):
                        raise refused("a graded test cell runs only in the grader's namespace")
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


def _isolate_test_cells(interactiveshell, sys):
    """Run each graded test cell in the namespace the audit hook builds for it.

    This wrapper holds nothing private: it asks the hook (through an audit event) for a
    fresh namespace; for any other code, or before the set-up has run, it is IPython's.
    """
    original = interactiveshell.InteractiveShell.run_code
    audit, event, missing = sys.audit, NAMESPACE_EVENT, object()

    async def run_code(self, code_obj, result=None, *, async_=False):
        box: list = []
        audit(event, code_obj, box)
        if not box:
            return await original(self, code_obj, result, async_=async_)
        namespace = box.pop()
        start = dict(namespace)
        __tracebackhide__ = "__ipython_bottom__"  # noqa: F841 - IPython hides frames above
        old_excepthook, sys.excepthook = sys.excepthook, self.excepthook
        self.sys_excepthook = old_excepthook
        failed = True
        try:
            try:
                if async_:
                    await eval(code_obj, namespace, namespace)  # noqa: S307 - the test cell
                else:
                    exec(code_obj, namespace, namespace)  # noqa: S102 - the test cell
            finally:
                sys.excepthook = old_excepthook
        except SystemExit as error:
            if result is not None:
                result.error_in_exec = error
            self.showtraceback(exception_only=True)
        except self.custom_exceptions:
            etype, value, tb = sys.exc_info()
            if result is not None:
                result.error_in_exec = value
            self.CustomTB(etype, value, tb)
        except BaseException:  # noqa: BLE001 - as IPython: every error is the cell's result
            if result is not None:
                result.error_in_exec = sys.exc_info()[1]
            self.showtraceback(running_compiled_code=True)
        else:
            failed = False
        finally:
            user = self.user_ns
            for key, value in namespace.items():
                if key != "__builtins__" and start.get(key, missing) is not value:
                    user[key] = value
            for key in start.keys() - namespace.keys():
                if user.get(key, missing) is start[key]:
                    del user[key]
        return failed

    interactiveshell.InteractiveShell.run_code = run_code
    return run_code.__code__


def _library_roots() -> set[str]:
    """The environment (standard library, site-packages) and the course's own packages."""
    import importlib.util

    roots = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    for name in ("backend_roadmap", "ipykernel", "IPython"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.origin:
            roots.add(os.path.dirname(os.path.dirname(spec.origin)))
    roots |= {os.path.realpath(root) for root in roots}
    return {root for root in roots if root not in ("", "/", "/tmp", "/home", "/home/student")}


def main() -> None:
    import ctypes
    import linecache

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE 0: no ptrace or /proc/PID/mem from children
    _hide_execute_input()
    from ipykernel import kernelapp
    from IPython.core import interactiveshell

    runner = _isolate_test_cells(interactiveshell, sys)

    app = kernelapp.IPKernelApp.instance()
    app.initialize(sys.argv[1:])
    # Not bound to a name: a local of this frame stays reachable for as long as the kernel runs
    # (an event-loop callback's frames lead down to it), and the hook's closure is its state.
    sys.addaudithook(_make_hook(app.shell, linecache, threading, os, sys, _library_roots(), runner))
    app.start()


if __name__ == "__main__":
    main()
