"""Execute one sanitized submission notebook with a jailed kernel; run as its own process.

``python -I worker.py JOB.json`` reads the notebook named in the job, runs it cell by cell
with nbclient against a kernel started through ``sandbox.py``, and writes the executed
notebook and a status file. It never raises on the student's behaviour: a cell that cannot be
checked gets an error output (which nbgrader scores 0) and a reason in the status.

Besides the jail, it enforces: a per-cell and a whole-notebook time limit; output caps applied
as messages arrive (per cell and per notebook, and a maximum ZeroMQ message size, so a flood
is never held in memory); and, around every test cell, checks that the student's code has not
rebound the names the tests use or hooked IPython (input/AST transformers, patched
``run_cell``/``do_execute``/``session.send``, custom exception handlers, trace functions,
builtins) and that the test cell really ran to its last line (a per-run secret marker).

Self-contained on purpose (standard library, nbclient, jupyter_client, nbformat, zmq).
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import functools
import json
import os
import queue
import secrets
import signal
import sys
import time
from typing import Any

# jsonschema (through nbformat) builds a parser for IRI formats at import, about 2 s; nothing
# here validates IRIs, so skip that optional dependency.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[assignment]

import nbformat  # noqa: E402
import zmq  # noqa: E402
import zmq.asyncio  # noqa: E402
from jupyter_client.asynchronous import AsyncKernelClient  # noqa: E402
from jupyter_client.manager import AsyncKernelManager  # noqa: E402
from nbclient import NotebookClient  # noqa: E402
from nbclient.exceptions import DeadKernelError  # noqa: E402
from nbformat.notebooknode import NotebookNode  # noqa: E402

GUARD_TIMEOUT = 10.0
KERNEL_BOOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "kernel_boot.py")
# Appended to every test cell as sent; kernel_boot keeps such cells' source out of the kernel.
TEST_MARKER = "# <graded test cell: source hidden from the kernel>"
TAMPERED = (
    "student code changed how cells run or rebound names the tests use (IPython hooks, "
    "builtins, patched functions), so test results could not be trusted"
)

# Runs inside the kernel. Reports identities of everything a student could hook to fake a pass.
GUARD_SOURCE = r"""
def _nbg_guard(names, nonce, roots=None):
    import builtins, sys
    ip = sys.modules["IPython"].core.getipython.get_ipython()
    def code(f):
        f = getattr(f, "__func__", f)
        c = getattr(f, "__code__", None)
        return [id(f), id(c), hash(c.co_code) if c is not None else 0]
    kernel = ip.kernel
    out = {}
    for owner, obj, attrs in (
        ("shell", ip, ("run_cell", "run_cell_async", "run_ast_nodes", "run_code",
                       "transform_cell", "transform_ast", "should_run_async", "showtraceback",
                       "_showtraceback", "showsyntaxerror", "user_expressions", "ex", "ev",
                       "_run_cell", "run_line_magic", "run_cell_magic", "set_parent")),
        ("kernel", kernel, ("do_execute", "execute_request", "dispatch_shell",
                            "send_response", "_publish_execute_input", "_publish_status",
                            "set_parent", "get_parent")),
        ("history", ip.history_manager, ("store_inputs", "store_output")),
        ("session", kernel.session, ("send", "serialize", "sign", "msg")),
        ("compile", ip.compile, ("__call__", "ast_parse", "cache")),
        ("itm", ip.input_transformer_manager, ("transform_cell", "do_token_transforms")),
    ):
        for attr in attrs:
            out[owner + "." + attr] = [code(getattr(type(obj), attr, None)), attr in vars(obj)]
        out[owner + ".id"] = [id(obj), id(type(obj))]
        out[owner + ".own"] = sorted((k, id(v)) for k, v in vars(obj).items() if callable(v))
    itm = ip.input_transformer_manager
    out["transformers"] = [[id(t) for t in getattr(holder, name, [])] for holder, name in (
        (ip, "input_transformers_cleanup"), (ip, "input_transformers_post"),
        (ip, "ast_transformers"), (itm, "cleanup_transforms"), (itm, "line_transforms"),
        (itm, "token_transformers"))]
    out["exceptions"] = [repr(ip.custom_exceptions), id(ip.CustomTB), id(sys.excepthook),
                         id(sys.displayhook), id(ip.displayhook), id(ip.display_pub),
                         id(ip.InteractiveTB), sys.gettrace() is None, sys.getprofile() is None]
    out["events"] = {k: [id(f) for f in v] for k, v in sorted(ip.events.callbacks.items())}
    out["builtins"] = sorted((k, id(v)) for k, v in vars(builtins).items()
                             if k not in ("_", "__", "___"))
    out["user_builtins"] = id(ip.user_ns.get("__builtins__"))
    out["meta_path"] = [id(x) for x in sys.meta_path]
    modules = set()
    names_out = {}
    expanded = []
    for name in names:
        if name.startswith("*"):
            module = sys.modules.get(name[1:])
            public = getattr(module, "__all__", None) or [
                k for k in vars(module or builtins) if not k.startswith("_")]
            expanded.extend(k for k in public if isinstance(k, str))
        else:
            expanded.append(name)
    for name in sorted(set(expanded)):
        value = ip.user_ns.get(name, None)
        names_out[name] = [id(value), code(value) if callable(value) else None]
        module = getattr(value, "__module__", None) or getattr(value, "__name__", None)
        if isinstance(module, str) and module.split(".")[0] == "backend_roadmap":
            modules.add(module)
    out["names"] = names_out
    for module in sorted(modules):
        namespace = vars(sys.modules.get(module, builtins))
        out["module." + module] = sorted((k, code(v)) for k, v in namespace.items()
                                         if callable(v) and not isinstance(v, type))
    ran = ip.user_ns.pop("_nbg_done_" + nonce, None) == nonce
    foreign = []
    if roots is not None:
        import os
        inside = lambda p: any(p == r or p.startswith(r.rstrip("/") + "/") for r in roots)
        for mname, module in sorted(sys.modules.items()):
            places = [getattr(module, "__file__", None)]
            places += list(getattr(module, "__path__", None) or [])
            for place in places:
                if isinstance(place, str) and not inside(os.path.realpath(place)):
                    foreign.append(mname + " from " + place)
                    break
        if not sys.flags.safe_path or "" in sys.path or os.getcwd() in sys.path:
            foreign.append("the working directory is on sys.path")
    return {"nonce": nonce, "ran": ran, "fingerprint": repr(out), "foreign": foreign}
"""


# Runs inside the kernel after the last cell: the files of the working copy, for autograded/
# (nbgrader keeps what a notebook writes). Untrusted like any student output: the worker
# checks every path and the caller keeps only new or changed regular files.
COLLECT_SOURCE = r"""
def _nbg_files(limit):
    import base64, os
    out, total = {}, 0
    for top, dirs, files in os.walk(".", followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = os.path.join(top, name)
            if name.startswith(".") or name.endswith(".ipynb") or os.path.islink(path):
                continue
            try:
                with open(path, "rb") as handle:
                    data = handle.read(limit - total + 1)
            except OSError:
                continue
            if total + len(data) > limit:
                continue
            total += len(data)
            out[os.path.normpath(path)] = base64.b64encode(data).decode()
    return out
"""


def safe_relative(path: object) -> str | None:
    """``path`` if it is a plain relative path inside the working copy, else None."""
    if not isinstance(path, str) or not path or path.startswith("/") or "\0" in path:
        return None
    parts = path.split("/")
    if any(p in ("", ".", "..") or p.startswith(".") for p in parts):
        return None
    return path


def debug(message: str) -> None:
    if os.environ.get("BACKEND_ROADMAP_KEEP_JOBS"):
        print(f"{time.monotonic():.2f} {message}", file=sys.stderr, flush=True)


def _json(path: str) -> Any:
    with open(path) as handle:
        return json.load(handle)


def is_test_cell(cell: NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("grade")) and not meta.get("solution")


def is_setup_cell(cell: NotebookNode) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return (
        cell.cell_type == "code"
        and bool(meta.get("locked"))
        and not meta.get("grade")
        and not meta.get("solution")
    )


def bound_names(source: str) -> list[str]:
    """Every top-level name a set-up cell binds: imports (also inside ``if``/``try``), defs,
    classes and any assignment target (tuples, ``for``, ``with``, annotated, augmented,
    walrus). ``from m import *`` gives ``"*m"``: the guard expands it to the module's names.
    """
    return list(_bound_names(source))


@functools.cache  # the set-up and test cells are parsed again at each check
def _bound_names(source: str) -> tuple[str, ...]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ()
    names: list[str] = []
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                        names.append("*" + node.module)
                else:
                    names.append((alias.asname or alias.name).split(".")[0])
            continue
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
            stack.extend(node.decorator_list)
            continue
        if isinstance(
            node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
        ):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.append(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return tuple(sorted(set(names)))


@functools.cache
def ends_with_expression(source: str) -> bool:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return False
    return bool(tree.body) and isinstance(tree.body[-1], ast.Expr)


def error_output(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(
        output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]
    )


class QuickReadyClient(AsyncKernelClient):
    """jupyter_client's client, whose wait for a new kernel ends 0.02 s after IOPub goes
    quiet instead of 0.2 s (its IOPub check and flush): nbclient matches every IOPub
    message to the request it belongs to, so a late start-up message is ignored anyway."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        channel = self.iopub_channel
        get_msg = channel.get_msg

        def quick(timeout: float | None = None, **kw: Any):
            return get_msg(timeout=min(timeout if timeout is not None else 0.02, 0.02), **kw)

        channel.get_msg = quick
        try:
            await super().wait_for_ready(timeout)
        finally:
            del channel.get_msg


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel command goes through the jail."""

    jail_prefix: list[str] = []
    message_bytes: int = 8 * 1024 * 1024
    client_factory = QuickReadyClient

    def client(self, **kwargs: Any):  # type: ignore[override]
        # Messages larger than this are dropped by ZeroMQ before they reach our memory.
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, self.message_bytes)
        kwargs["context"] = context
        return super().client(**kwargs)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        # The grader's start-up (audit hook, hidden test sources) instead of ipykernel's bare
        # launcher; -s -P: no user site-packages, nothing from the working directory.
        if command[1:3] == ["-m", "ipykernel_launcher"]:
            command = [command[0], "-s", "-P", KERNEL_BOOT, *command[3:]]
        return self.jail_prefix + command


class CappedClient(NotebookClient):
    """nbclient with output caps applied message by message."""

    timed_out = False
    saw_idle = False

    def process_message(self, msg, cell, cell_index):  # type: ignore[override]
        content = msg.get("content", {})
        if msg.get("msg_type") == "status" and content.get("execution_state") == "idle":
            self.saw_idle = True
        return super().process_message(msg, cell, cell_index)

    async def reconnect_iopub(self) -> None:
        """ZeroMQ drops a connection that sent an oversized message and does not reconnect."""
        old = self.kc._iopub_channel
        self.kc._iopub_channel = None
        if old is not None:
            old.close()
        self.kc.iopub_channel.start()
        await asyncio.sleep(0.2)  # let the new subscription reach the kernel

    async def _async_handle_timeout(self, timeout, cell=None):  # type: ignore[override]
        self.timed_out = True
        return await super()._async_handle_timeout(timeout, cell)

    def __init__(self, nb: NotebookNode, limits: dict, **kw: Any) -> None:
        super().__init__(nb, **kw)
        self.cell_cap = int(limits["cell_output_bytes"])
        self.total_cap = int(limits["notebook_output_bytes"])
        self.total_bytes = 0
        self.cell_bytes: dict[int, int] = {}
        self.truncated: set[int] = set()

    @staticmethod
    def _size(content: dict) -> int:
        size = len(content.get("text", "") or "")
        for value in (content.get("data") or {}).values():
            size += len(value) if isinstance(value, str) else len(json.dumps(value))
        return size

    def output(self, outs, msg, display_id, cell_index):  # type: ignore[override]
        content = msg.get("content", {})
        if msg.get("msg_type") == "error":
            # Errors decide grades: always keep them, but bounded.
            content["evalue"] = str(content.get("evalue", ""))[:2000]
            traceback = [str(line)[:2000] for line in content.get("traceback", [])]
            content["traceback"] = (
                traceback[:50] + traceback[-50:] if len(traceback) > 100 else traceback
            )
            return super().output(outs, msg, display_id, cell_index)
        size = self._size(content)
        used = self.cell_bytes.get(cell_index, 0)
        if used + size > self.cell_cap or self.total_bytes + size > self.total_cap:
            if cell_index not in self.truncated:
                self.truncated.add(cell_index)
                outs.append(
                    NotebookNode(
                        output_type="stream",
                        name="stdout",
                        text=f"\n[output truncated by the grader: this cell printed more than "
                        f"{self.cell_cap} bytes]\n",
                    )
                )
            return None
        self.cell_bytes[cell_index] = used + size
        self.total_bytes += size
        return super().output(outs, msg, display_id, cell_index)

    def _update_display_id(self, display_id, msg):  # type: ignore[override]
        if self._size(msg.get("content", {})) > self.cell_cap:
            return
        return super()._update_display_id(display_id, msg)


class Ungradable(Exception):  # noqa: N818 - a verdict, not an error of the grader
    """Nothing from cell ``start`` on can be graded, for ``reason``.

    The one way the run stops early: :meth:`Runner.execute` records the reason, gives
    ``cell`` (the test that was running, if any) an ``ename`` error, and marks every later
    test not run.
    """

    def __init__(
        self,
        reason: str,
        start: int,
        cell: NotebookNode | None = None,
        ename: str = "NotGraded",
        later: str = "",
    ) -> None:
        super().__init__(reason)
        self.reason, self.start, self.cell, self.ename = reason, start, cell, ename
        self.later = later + reason


class Runner:
    def __init__(self, job: dict) -> None:
        self.job = job
        self.limits = job["limits"]
        self.nb = nbformat.read(job["notebook"], as_version=4)
        self.reasons: list[str] = []
        self.baseline: str | None = None
        self.names: list[str] = []
        self.started = time.monotonic()
        self.deadline = self.started + float(self.limits["notebook_timeout"])

    # -- kernel plumbing -------------------------------------------------------------------
    @staticmethod
    def on_cell_executed(cell: NotebookNode, execute_reply: dict, **_: Any) -> None:
        """An error reply whose error output never arrived still counts as an error."""
        content = execute_reply.get("content", {})
        if content.get("status") == "error" and not any(
            o.get("output_type") == "error" for o in cell.get("outputs", [])
        ):
            cell.outputs.append(
                error_output(
                    str(content.get("ename", "Error"))[:200], str(content.get("evalue", ""))[:2000]
                )
            )

    def make_client(self) -> CappedClient:
        ipc = self.job["ipc_dir"]
        # The kernel the gradebook recorded for this notebook (the parent checked it exists).
        kernel_name = str(self.job.get("kernel_name") or "python3")
        km = SandboxKernelManager(
            kernel_name=kernel_name,
            transport="ipc",
            ip=os.path.join(ipc, "k"),
            connection_file=os.path.join(ipc, "kernel.json"),
        )
        km.jail_prefix = [sys.executable, "-I", self.job["sandbox"], self.job["spec"], "--"]
        km.message_bytes = int(self.limits["message_bytes"])
        return CappedClient(
            self.nb,
            self.limits,
            km=km,
            timeout=int(self.limits["cell_timeout"]),
            startup_timeout=int(self.limits["startup_timeout"]),
            interrupt_on_timeout=True,
            error_on_timeout={
                "ename": "CellTimeoutError",
                "evalue": f"the cell ran longer than {self.limits['cell_timeout']} s",
                "traceback": [
                    f"CellTimeoutError: the cell ran longer than {self.limits['cell_timeout']} s"
                ],
            },
            allow_errors=True,
            raise_on_iopub_timeout=False,
            iopub_timeout=2,
            record_timing=False,
            shutdown_kernel="immediate",
            on_cell_executed=self.on_cell_executed,
            extra_arguments=[
                "--HistoryManager.hist_file=:memory:",
                "--InteractiveShellApp.ignore_cwd=True",
            ],
            kernel_name=kernel_name,
        )

    async def run_code(self, client: CappedClient, code: str, timeout: float, **kw: Any):
        """Execute ``code`` silently; return the execute_reply content or None."""
        if not await client.km.is_alive():
            return None
        msg_id = client.kc.execute(code, silent=True, store_history=False, **kw)
        end = time.monotonic() + timeout
        while True:
            remaining = end - time.monotonic()
            if remaining <= 0:
                return None
            try:
                msg = await client.kc.shell_channel.get_msg(timeout=min(remaining, 1.0))
            except (queue.Empty, TimeoutError):
                if not await client.km.is_alive():
                    return None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg["content"]

    async def guard(
        self, client: CappedClient, nonce: str, roots: list[str] | None = None
    ) -> dict | None:
        """Fingerprint of the kernel's execution machinery.

        None if the kernel did not answer at all; ``{"fingerprint": "<bad>"}`` (never equal to
        a baseline) if it answered but not with a valid fingerprint: something intercepted it.
        """
        # One expression, evaluated after an empty cell: the guard is defined afresh from its
        # source in a namespace of its own (nothing the student bound can stand in for it) and
        # IPython's cell machinery (input transformers, history, events) is not run for it.
        expression = (
            f"(lambda namespace: exec({GUARD_SOURCE!r}, namespace) or "
            f"namespace['_nbg_guard']({self.names!r}, {nonce!r}, {roots!r}))({{}})"
        )
        reply = await self.run_code(client, "", GUARD_TIMEOUT, user_expressions={"g": expression})
        if not reply:
            return None
        bad = {"nonce": nonce, "ran": False, "fingerprint": "<no valid answer>"}
        result = reply.get("user_expressions", {}).get("g", {})
        if reply.get("status") != "ok" or result.get("status") != "ok":
            return bad
        try:
            value = ast.literal_eval(result["data"]["text/plain"])
        except (KeyError, ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            return bad
        if not isinstance(value, dict) or value.get("nonce") != nonce:
            return bad
        return value

    def setup_names(self, end: int) -> list[str]:
        """Names the set-up cells before ``end`` bind, less those a test cell binds itself
        (``lines``, ``worker``, ...): a test rebinding its own scratch name is not tampering."""
        tests = {n for c in self.nb.cells if is_test_cell(c) for n in bound_names(c.source)}
        setup = {n for c in self.nb.cells[:end] if is_setup_cell(c) for n in bound_names(c.source)}
        return sorted(setup - tests)

    def roots(self) -> list[str]:
        """Where the set-up cells' imports may come from: the environment and the library."""
        roots = {os.path.realpath(p) for p in self.job.get("library_roots", [])}
        roots |= {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
        return sorted(roots | {"/usr"})

    # -- the run ----------------------------------------------------------------------------
    def mark_not_run(self, start: int, reason: str) -> None:
        for cell in self.nb.cells[start:]:
            if is_test_cell(cell):
                cell.outputs = [error_output("NotGraded", reason)]

    def fail_cell(self, cell: NotebookNode, ename: str, reason: str) -> None:
        cell.outputs = [o for o in cell.outputs if o.get("output_type") != "error"]
        cell.outputs.append(error_output(ename, reason))

    jail_pid: int | None = None  # the jail's first process (the kernel manager's "kernel")

    async def execute(self) -> None:
        client = self.make_client()
        client.reset_execution_trackers()
        try:
            debug("starting kernel")
            async with client.async_setup_kernel():
                debug("kernel ready")
                self.jail_pid = getattr(client.km.provisioner, "pid", None)
                try:
                    await self.execute_cells(client)
                except Ungradable as stop:
                    self.stop(stop)
                if self.job.get("written_dir"):
                    await self.collect_files(client)
            debug("kernel stopped")
        except DeadKernelError:
            pass
        except Exception as error:  # kernel would not start, jail failed, ...
            reason = f"the notebook could not be executed: {type(error).__name__}: {error}"
            self.stop(Ungradable(reason, self.position))

    def stop(self, stop: Ungradable) -> None:
        self.reasons.append(stop.reason)
        if stop.cell is not None:
            self.fail_cell(stop.cell, stop.ename, stop.reason)
        self.mark_not_run(stop.start, stop.later)

    position = 0

    async def collect_files(self, client: CappedClient) -> None:
        """Save the files of the kernel's working copy under ``written_dir``."""
        import base64

        limit = min(int(self.limits["disk_bytes"]), int(self.limits["message_bytes"]) // 3)
        reply = await self.run_code(
            client, COLLECT_SOURCE, GUARD_TIMEOUT, user_expressions={"f": f"_nbg_files({limit})"}
        )
        result = (reply or {}).get("user_expressions", {}).get("f", {})
        try:
            files = ast.literal_eval(result["data"]["text/plain"])
        except (KeyError, TypeError, ValueError, SyntaxError, MemoryError, RecursionError):
            return
        if not isinstance(files, dict):
            return
        root = self.job["written_dir"]
        for path, encoded in files.items():
            relative = safe_relative(path)
            if relative is None or not isinstance(encoded, str):
                continue
            try:
                data = base64.b64decode(encoded, validate=True)
            except ValueError:
                continue
            target = os.path.join(root, relative)
            os.makedirs(os.path.dirname(target), mode=0o700, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)

    async def take_baseline(self, client: CappedClient, index: int) -> None:
        """Fingerprint after the read-only set-up cells, before any student code ran."""
        self.names = self.setup_names(index)
        base = await self.guard(client, secrets.token_hex(8), self.roots())
        if base is None or base["fingerprint"] == "<no valid answer>":
            raise Ungradable("the kernel did not answer the grader's integrity check", index)
        if base.get("foreign"):
            reason = (
                "the read-only set-up did not run against the course's library only ("
                + "; ".join(base["foreign"][:5])
                + "): nothing could be graded"
            )
            raise Ungradable(reason, index)
        self.baseline = base["fingerprint"]

    async def execute_cells(self, client: CappedClient) -> None:
        first_student = next(
            (
                i
                for i, c in enumerate(self.nb.cells)
                if c.cell_type == "code" and not is_setup_cell(c)
            ),
            len(self.nb.cells),
        )
        count = 0
        # True while nothing has run since a check found the kernel as the baseline left it
        # (a test's or a later set-up cell's own check): the next check-before is skipped.
        verified = False
        for index, cell in enumerate(self.nb.cells):
            self.position = index
            if cell.cell_type != "code":
                continue
            remaining = self.deadline - time.monotonic()
            if remaining <= 1:
                reason = f"the notebook ran longer than {self.limits['notebook_timeout']} s"
                raise Ungradable(reason, index)
            if index == first_student or (index > first_student and self.baseline is None):
                await self.take_baseline(client, index)
            test = is_test_cell(cell)
            setup_later = is_setup_cell(cell) and self.baseline is not None
            nonce = secrets.token_hex(16)
            original = cell.source
            if (test or setup_later) and self.baseline is not None and not verified:
                debug(f"guard before {index}")
                before = await self.guard(client, secrets.token_hex(8))
                if before is None:
                    reason = "the kernel stopped answering before a test cell (it died or hangs)"
                    raise Ungradable(reason, index)
                if before["fingerprint"] != self.baseline:
                    if TAMPERED not in self.reasons:
                        self.reasons.append(TAMPERED)
                    if test:
                        self.fail_cell(cell, "TamperingDetected", TAMPERED)
                        continue
                    setup_later = False  # keep the old baseline: later tests see the change
            if test:
                done = "" if ends_with_expression(original) else f"\n_nbg_done_{nonce} = {nonce!r}"
                cell.source = original + done + "\n" + TEST_MARKER + "\n"
            verified = False
            client.timeout = int(max(1, min(float(self.limits["cell_timeout"]), remaining)))
            client.timed_out = False
            client.saw_idle = False
            began = time.monotonic()
            try:
                count += 1
                await client.async_execute_cell(cell, index, execution_count=count)
            except DeadKernelError:
                cell.source = original
                reason = (
                    f"the kernel died while running cell {index} (os._exit, a crash or a limit)"
                )
                raise Ungradable(
                    reason, index + 1, cell if test else None, "KernelDied", "not run: "
                ) from None
            finally:
                cell.source = original
            timed_out = client.timed_out
            debug(f"cell {index} {time.monotonic() - began:.2f}s test={test} timed_out={timed_out}")
            if not client.saw_idle and not timed_out:
                # Output was lost (a message over the size limit broke the channel).
                await client.reconnect_iopub()
                if test:
                    reason = f"the output of test cell {index} was too large to be checked"
                    self.reasons.append(reason)
                    self.fail_cell(cell, "NotGraded", reason)
                    continue
            if timed_out:
                self.reasons.append(f"cell {index} ran out of time")
                if test:
                    self.fail_cell(cell, "CellTimeoutError", "the test ran out of time")
                # Did the interrupt work? If the kernel does not answer, stop here.
                alive = await self.run_code(client, "pass", 3.0)
                if alive is None:
                    reason = "the kernel ignored the interrupt after a time-out (unresponsive)"
                    raise Ungradable(reason, index + 1, later="not run: ")
            if setup_later and not timed_out:
                # A set-up cell later in the notebook: what it binds is watched from now on.
                self.names = self.setup_names(index + 1)
                again = await self.guard(client, secrets.token_hex(8))
                if again is not None and again["fingerprint"] != "<no valid answer>":
                    self.baseline = again["fingerprint"]
                    verified = True
            if test and not timed_out and self.baseline is not None:
                after = await self.guard(client, nonce)
                has_error = any(o.get("output_type") == "error" for o in cell.outputs)
                if after is None:
                    reason = f"the kernel stopped answering after test cell {index}"
                    raise Ungradable(reason, index + 1, cell, later="not run: ")
                if after["fingerprint"] != self.baseline:
                    if TAMPERED not in self.reasons:
                        self.reasons.append(TAMPERED)
                    self.fail_cell(cell, "TamperingDetected", TAMPERED)
                elif not has_error and not ends_with_expression(original) and not after["ran"]:
                    reason = f"test cell {index} did not run to its end (its result was faked)"
                    self.reasons.append(reason)
                    self.fail_cell(cell, "TamperingDetected", reason)
                else:
                    verified = True


def release_jail(job: dict, jail_pid: int | None) -> None:
    """Stop the jail (nbclient leaves running a kernel manager it was given), reap its
    processes and remove its cgroups (``sandbox.Cgroups``), if the jail could not.

    The jail's first process leads its own process group; once it is killed, its PID 1 dies
    with it (parent-death signal) and the kernel tears the namespace down. Those orphans come
    to this process (a subreaper, see main), whose reaping frees the cgroups: a cgroup is busy
    until its processes are reaped, zombies too.
    """
    import importlib.util

    if jail_pid:
        with contextlib.suppress(OSError):
            os.killpg(jail_pid, signal.SIGKILL)
    loader = importlib.util.spec_from_file_location("_nbg_sandbox", job["sandbox"])
    if loader is None or loader.loader is None:
        return
    sandbox = importlib.util.module_from_spec(loader)  # by path, as the kernel manager runs it
    loader.loader.exec_module(sandbox)
    sandbox.reap_children(5)
    if os.geteuid() != 0:
        return
    spec = _json(job["spec"])
    cgroups = sandbox.Cgroups(sandbox.Cgroups.name_for(spec), None)
    cgroups.remove()
    # Jobs are folders beside this one: the cgroups of one whose folder is gone were left
    # by a grader killed outright.
    jobs = os.path.dirname(os.path.dirname(spec["ipc_dir"]))
    prefix = "backend-roadmap-"
    cgroups.sweep(prefix, lambda name: os.path.isdir(os.path.join(jobs, name[len(prefix) :])))


def become_subreaper() -> None:
    """Orphans of the jail (its PID 1 once the jail's first process is killed) come to this
    process, which reaps them, instead of the machine's init, which may be slow to."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER


def main(argv: list[str]) -> int:
    job = _json(argv[1])
    become_subreaper()
    runner = Runner(job)
    asyncio.run(runner.execute())
    release_jail(job, runner.jail_pid)
    try:
        with open(os.path.join(job["ipc_dir"], ".jail_status"), "rb") as handle:
            stopped = handle.read(500).decode("utf-8", "replace").strip()
    except OSError:
        stopped = ""
    if stopped:
        runner.reasons.append(f"the jail was stopped: {stopped}")
    for cell in runner.nb.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o
                for o in cell.outputs
                if not (o.get("output_type") == "stream" and o.get("text") == "")
            ]
    nbformat.write(runner.nb, job["output"])
    with open(job["status"], "w") as handle:
        json.dump({"reasons": runner.reasons, "seconds": time.monotonic() - runner.started}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
