"""Start one command (a student's kernel) in a jail: namespaces, a whitelisted root, rlimits.

Run as ``python -I sandbox.py SPEC.json -- COMMAND...`` (by path: it uses only the standard
library so that it starts fast and imports nothing from the course tree). SPEC names the uid,
the directories to expose and the limits. What happens, in order:

``P0`` (the process the kernel manager started; outside the namespaces)
    asks to be killed when its parent dies, unshares mount, PID, network, IPC and UTS
    namespaces (and, when not run as root, a user namespace that maps the caller to root),
    forks ``P1`` and waits for it. Signals: SIGINT reaches the kernel through the process
    group; SIGTERM kills the jail.
``P1`` (PID 1 of the new PID namespace)
    builds a new root on a tmpfs: read-only binds of ``/usr``, ``/etc``, the Python
    installation and the package sources, a private ``/proc``, a minimal ``/dev``, tmpfs
    ``/tmp`` and ``/dev/shm``, the student's working copy at ``/home/student`` (a tmpfs of
    bounded size), and the socket directory the grader talks to the kernel through. The
    course tree (sources, gradebook, other submissions) is simply not in that root. It
    brings up loopback in the empty network namespace, chroots, forks ``P2`` and reaps.
    When ``P1`` exits the kernel tears the whole namespace down, strays included.
``P2``
    sets rlimits (CPU seconds, address space, file size, processes, open files, no core
    files), drops to the unprivileged uid/gid with no supplementary groups (as root) or
    drops every capability (in a user namespace), sets ``no_new_privs`` and execs COMMAND.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import resource
import shutil
import signal
import socket
import struct
import sys
import time

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_SET_CHILD_SUBREAPER = 36
PR_CAPBSET_DROP = 24
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4

SIOCGIFFLAGS = 0x8913
SIOCSIFFLAGS = 0x8914
IFF_UP = 0x1

STUDENT_HOME = "/home/student"
DEVICES = ("null", "zero", "full", "random", "urandom")

_libc = ctypes.CDLL(None, use_errno=True)


class JailError(RuntimeError):
    pass


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise JailError(f"{what}: {os.strerror(err)} (errno {err})")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    _check(
        _libc.mount(
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        ),
        f"mount {source} on {target}",
    )


def _prctl(option: int, arg: int) -> None:
    _check(_libc.prctl(option, ctypes.c_ulong(arg), 0, 0, 0), f"prctl {option}")


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)


def _bind(host: str, newroot: str, writable: bool = False) -> None:
    """Bind ``host`` at the same path under ``newroot`` (read-only unless ``writable``)."""
    target = newroot + host
    if os.path.isdir(host):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()
    _mount(host, target, None, MS_BIND | MS_REC)
    flags = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV
    if not writable:
        flags |= MS_RDONLY
    _mount(None, target, None, flags)


def _expose(path: str, newroot: str) -> None:
    """Make ``path`` (and, for a symlink such as /bin -> usr/bin, its target) visible."""
    if not os.path.lexists(path) or os.path.lexists(newroot + path):
        return
    if os.path.islink(path):
        os.makedirs(os.path.dirname(newroot + path), exist_ok=True)
        os.symlink(os.readlink(path), newroot + path)
        return
    _bind(path, newroot)


def _loopback_up() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14x", b"lo", 0)
        flags = struct.unpack("16sH14x", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sH14x", b"lo", flags | IFF_UP))


def _copy_tree(source: str, target: str, uid: int, gid: int, limit: int) -> None:
    """Copy the student's files; stop at ``limit`` bytes (the tmpfs would stop them anyway)."""
    total = 0
    for directory, dirnames, filenames in os.walk(source):
        relative = os.path.relpath(directory, source)
        destination = os.path.normpath(os.path.join(target, relative))
        os.makedirs(destination, exist_ok=True)
        os.chown(destination, uid, gid)
        for name in filenames:
            path = os.path.join(directory, name)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            total += os.path.getsize(path)
            if total > limit:
                return
            shutil.copyfile(path, os.path.join(destination, name))
            os.chown(os.path.join(destination, name), uid, gid)
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(directory, d))]


def _name_the_student(newroot: str, uid: int, gid: int) -> None:
    """Give the jail's uid a name: tools such as PostgreSQL's initdb refuse a uid that
    /etc/passwd does not list. The files live on the jail's root tmpfs (owned by root) and are
    bound read-only over the host's copies, so the student can read but not change them."""
    if not os.path.isfile(newroot + "/etc/passwd"):
        return
    for name, line in (
        ("passwd", f"student:x:{uid}:{gid}:student:{STUDENT_HOME}:/usr/sbin/nologin\n"),
        ("group", f"student:x:{gid}:\n"),
    ):
        with open(f"/etc/{name}") as host:
            text = host.read()
        _write(f"{newroot}/.{name}", text.rstrip("\n") + "\n" + line)
        _mount(f"{newroot}/.{name}", f"{newroot}/etc/{name}", None, MS_BIND)
        flags = MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_RDONLY
        _mount(None, f"{newroot}/etc/{name}", None, flags)


def _build_root(spec: dict, uid: int, gid: int) -> str:
    newroot = spec["newroot"]
    limits = spec["limits"]
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    _mount("jail", newroot, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0755")
    # Private /tmp first: a course checked out under /tmp (a CI clone, say) is then bound on
    # top of it below instead of being hidden by it.
    small = f"size={limits['disk_bytes']},mode=1777"
    os.makedirs(newroot + "/tmp", exist_ok=True)
    _mount("jail-tmp", newroot + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, small)
    for path in ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc", *spec["expose"]]:
        _expose(path, newroot)
    _name_the_student(newroot, uid, gid)
    # /dev: a few harmless character devices, nothing else.
    os.makedirs(newroot + "/dev", exist_ok=True)
    _mount("jail-dev", newroot + "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
    for name in DEVICES:
        open(f"{newroot}/dev/{name}", "a").close()
        _mount(f"/dev/{name}", f"{newroot}/dev/{name}", None, MS_BIND)
    for name, target in (
        ("fd", "/proc/self/fd"),
        ("stdin", "/proc/self/fd/0"),
        ("stdout", "/proc/self/fd/1"),
        ("stderr", "/proc/self/fd/2"),
    ):
        os.symlink(target, f"{newroot}/dev/{name}")
    os.makedirs(newroot + "/dev/shm", exist_ok=True)
    _mount("jail-shm", newroot + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, small)
    os.makedirs(newroot + "/proc", exist_ok=True)
    _mount("proc", newroot + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    # The student's working copy, in a tmpfs of bounded size owned by the sandbox uid.
    home = newroot + STUDENT_HOME
    os.makedirs(home, exist_ok=True)
    _mount(
        "jail-home", home, "tmpfs", MS_NOSUID | MS_NODEV, f"size={limits['disk_bytes']},mode=0700"
    )
    os.chown(home, uid, gid)
    if spec.get("workdir"):
        _copy_tree(spec["workdir"], home, uid, gid, limits["disk_bytes"])
    # The socket directory the grader connects to (same path inside and out).
    _bind(spec["ipc_dir"], newroot, writable=True)
    return newroot


def _set_limits(limits: dict) -> None:
    cpu = int(limits["cpu_seconds"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_bytes"], limits["memory_bytes"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_bytes"], limits["file_bytes"]))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"], limits["open_files"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.get("processes"):
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["processes"], limits["processes"]))


def _drop_capabilities() -> None:
    """In a user namespace we stay uid 0 there: give up every capability instead."""
    for cap in range(64):
        if _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() == errno.EINVAL:
            break
    _libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [
            ("effective", ctypes.c_uint32),
            ("permitted", ctypes.c_uint32),
            ("inheritable", ctypes.c_uint32),
        ]

    header = Header(0x20080522, 0)
    data = (Data * 2)()
    _check(_libc.capset(ctypes.byref(header), ctypes.byref(data)), "capset")


# seccomp: the kernel keyring is shared by every process of a uid on the machine (and outlives
# them), so keyctl, add_key and request_key fail with EPERM in the jail.
SECCOMP_SET_MODE_FILTER = 1
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
KEY_SYSCALLS = {"x86_64": (248, 249, 250), "aarch64": (217, 218, 219)}


def _deny_keyring() -> bool:
    """Install a seccomp filter refusing the keyring system calls. False if not supported."""
    machine = os.uname().machine
    if machine not in AUDIT_ARCH:
        return False
    errno_eperm = 0x00050000 | errno.EPERM  # SECCOMP_RET_ERRNO | EPERM
    allow, kill = 0x7FFF0000, 0x00000000

    def stmt(code: int, k: int) -> bytes:
        return struct.pack("HBBI", code, 0, 0, k)

    def jump(code: int, k: int, jt: int, jf: int) -> bytes:
        return struct.pack("HBBI", code, jt, jf, k)

    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, JMP|JEQ|K, JMP|JGE|K, RET|K
    numbers = KEY_SYSCALLS[machine]
    program = [
        stmt(ld, 4),  # seccomp_data.arch
        jump(jeq, AUDIT_ARCH[machine], 1, 0),
        stmt(ret, kill),  # another ABI (x32, i386): not allowed in the jail
        stmt(ld, 0),  # seccomp_data.nr
        jump(jge, 0x40000000, 0, 1),  # x32 system calls
        stmt(ret, kill),
    ]
    for position, number in enumerate(numbers):
        remaining = len(numbers) - position - 1
        program.append(jump(jeq, number, remaining + 1, 0))
    program += [stmt(ret, allow), stmt(ret, errno_eperm)]
    code = b"".join(program)
    buffer = ctypes.create_string_buffer(code)

    class Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = Fprog(len(program), ctypes.addressof(buffer))
    result = _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0)
    return result == 0


def _jail_usage() -> tuple[int, float, list[int]]:
    """Resident memory (bytes) and CPU seconds of every process in this PID namespace."""
    page = os.sysconf("SC_PAGE_SIZE")
    ticks = os.sysconf("SC_CLK_TCK")
    memory, cpu, pids = 0, 0.0, []
    for name in os.listdir("/proc"):
        if not name.isdigit() or name == "1":
            continue
        try:
            with open(f"/proc/{name}/statm") as handle:
                memory += int(handle.read().split()[1]) * page
            with open(f"/proc/{name}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            cpu += (int(fields[11]) + int(fields[12])) / ticks
            pids.append(int(name))
        except (OSError, ValueError, IndexError):
            continue
    return memory, cpu, pids


def _watch(pid: int, spec: dict, status_fd: int | None, cgroups: list[str] = ()) -> int:
    """PID 1's loop: reap orphans, enforce the jail's totals, report why it stopped the jail.

    Totals over every process of the jail, measured by polling: the fallback for what the
    jail's ``cgroups`` do not limit (``Cgroups``: the kernel enforces those exactly, and
    summing resident sizes counts shared pages twice), and the only limit on total CPU
    seconds: resident memory at most ``jail_memory_bytes``; CPU seconds (live plus
    reaped processes) at most ``cpu_seconds``; CPU use above ``cpu_share`` cores for more
    than a moment is slowed by pausing the jail's processes (SIGSTOP/SIGCONT).
    """
    limits = spec["limits"]
    memory_cap = _jail_memory(limits)
    cpu_cap = float(limits["cpu_seconds"])
    share = float(limits.get("cpu_share", 1.0))
    ipc_done = False
    started = last_wall = time.monotonic()
    last_cpu = 0.0

    def stop(reason: str) -> None:
        if status_fd is not None:
            os.write(status_fd, reason.encode()[:500])
        os.kill(-1, signal.SIGKILL)

    while True:
        try:
            done, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return 1
        except InterruptedError:
            continue
        if done == pid:
            if os.WIFSIGNALED(status):
                return 128 + os.WTERMSIG(status)
            return os.WEXITSTATUS(status)
        if done:
            continue
        if not ipc_done:
            ipc_done = _seal_ipc(spec)
        memory, cpu, pids = _jail_usage()
        reaped = os.times()
        cpu += reaped.children_user + reaped.children_system
        if memory > memory_cap and "memory" not in cgroups:
            stop(f"the jail's processes together used more than {memory_cap >> 20} MiB of memory")
        elif cpu > cpu_cap:
            stop(f"the jail's processes together used more than {cpu_cap:.0f} s of CPU")
        now = time.monotonic()
        if now - last_wall >= 0.5:
            rate = (cpu - last_cpu) / (now - last_wall)
            last_wall, last_cpu = now, cpu
            others = [other for other in pids if other != pid]
            if rate > share * 1.2 and others and now - started > 2 and "cpu" not in cgroups:
                # The kernel itself is never paused (it is one process); its children are.
                pause = min(0.5, (rate - share) / max(rate, 1e-9) * 0.5)
                for other in others:
                    with contextlib.suppress(OSError):
                        os.kill(other, signal.SIGSTOP)
                time.sleep(pause)
                for other in others:
                    with contextlib.suppress(OSError):
                        os.kill(other, signal.SIGCONT)
        time.sleep(0.05)


def _jail_memory(limits: dict) -> int:
    """Resident memory of all the jail's processes together, bytes."""
    return int(limits.get("jail_memory_bytes") or limits["memory_bytes"])


CGROUP_ROOT = "/sys/fs/cgroup"
CGROUP_CONTROLLERS = ("memory", "pids", "cpu")
CPU_PERIOD_US = 100_000


class Cgroups:
    """The jail's own cgroups, where the machine offers them and the grader runs as root.

    cgroup v2 when the unified hierarchy has the memory, pids and cpu controllers for our
    cgroup's children; otherwise the v1 controllers of those names (one directory each).
    Limits: resident memory of all the jail's processes together (``jail_memory_bytes``, no
    swap), their number (``processes``) and CPU (``cpu_share`` cores). The kernel enforces
    these exactly; the PID 1 watchdog's polling stays as the fallback and for total CPU
    seconds. ``paths`` is empty when none could be made: the caller falls back to polling.
    """

    def __init__(
        self,
        name: str,
        limits: dict | None,
        root: str = CGROUP_ROOT,
        own: dict[str, str] | None = None,
    ) -> None:
        """Make the cgroups ``name`` with ``limits``; with ``limits=None``, find those made
        earlier (the grader's worker removes them once a kernel it killed is gone). ``own``:
        this process's cgroups (read from ``/proc/self/cgroup`` when not given)."""
        self.root = root
        self.paths: list[str] = []  # the jail's cgroup directories
        self.parents: list[str] = []  # where this process was, to go back before removing
        self.version = 0
        self.v1_controllers: list[str] = []
        try:
            own = own if own is not None else self._own_paths()
            if limits is None:
                self._find(name, own)
            elif not self._make_v2(name, limits, own):
                self._make_v1(name, limits, own)
        except (OSError, KeyError, TypeError, ValueError):
            self.remove()  # no cgroups then: the watchdog's polling is the limit

    @staticmethod
    def name_for(spec: dict) -> str:
        """One name per job folder, known to the jail and to the worker."""
        return "backend-roadmap-" + os.path.basename(os.path.dirname(spec["ipc_dir"]))

    def _candidates(self, own: dict[str, str]) -> list[tuple[str, str]]:
        """Where a jail's cgroups would be: (parent folder, v1 controller or "" for v2)."""
        mount = self._v2_mount()
        candidates = []
        if mount is not None and "" in own:
            candidates.append((mount + own[""].rstrip("/"), ""))
        for controller in CGROUP_CONTROLLERS:
            if controller in own:
                mount = os.path.join(self.root, controller)
                candidates.append((mount + own[controller].rstrip("/"), controller))
        return candidates

    def sweep(self, prefix: str, alive) -> None:
        """Remove the empty cgroups named ``prefix...`` where ours would be, whose job is
        gone (``alive(name)`` is false): what a grader killed outright left behind."""
        with contextlib.suppress(OSError):
            for parent, _ in self._candidates(self._own_paths()):
                with contextlib.suppress(OSError):
                    for name in os.listdir(parent):
                        if name.startswith(prefix) and not alive(name):
                            with contextlib.suppress(OSError):
                                os.rmdir(os.path.join(parent, name))

    def _find(self, name: str, own: dict[str, str]) -> None:
        for parent, controller in self._candidates(own):
            if os.path.isdir(os.path.join(parent, name)):
                self.paths.append(os.path.join(parent, name))
                self.parents.append(parent)
                self.version = 1 if controller else 2
                if controller:
                    self.v1_controllers.append(controller)

    def _own_paths(self) -> dict[str, str]:
        """controller (or "" for v2) -> this process's cgroup path, from /proc/self/cgroup."""
        paths = {}
        with open("/proc/self/cgroup") as handle:
            for line in handle:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                for controller in controllers.split(",") if controllers else [""]:
                    paths[controller] = path
        return paths

    def _v2_mount(self) -> str | None:
        for mount in (self.root, os.path.join(self.root, "unified")):
            if os.path.exists(os.path.join(mount, "cgroup.controllers")):
                return mount
        return None

    def _make_v2(self, name: str, limits: dict, own: dict[str, str]) -> bool:
        mount = self._v2_mount()
        if mount is None or "" not in own:
            return False
        parent = mount + own[""].rstrip("/")
        with open(os.path.join(parent, "cgroup.subtree_control")) as handle:
            enabled = set(handle.read().split())
        if not set(CGROUP_CONTROLLERS) <= enabled:
            return False  # not delegated to us; enabling them here would need an empty cgroup
        path = os.path.join(parent, name)
        os.mkdir(path, 0o755)
        self.paths, self.parents, self.version = [path], [parent], 2
        _write(os.path.join(path, "memory.max"), str(_jail_memory(limits)))
        for file, value in (("memory.swap.max", "0"), ("memory.oom.group", "1")):
            with contextlib.suppress(OSError):
                _write(os.path.join(path, file), value)
        if limits.get("processes"):
            _write(os.path.join(path, "pids.max"), str(int(limits["processes"])))
        quota = int(float(limits.get("cpu_share", 1.0)) * CPU_PERIOD_US)
        _write(os.path.join(path, "cpu.max"), f"{quota} {CPU_PERIOD_US}")
        return True

    def _make_v1(self, name: str, limits: dict, own: dict[str, str]) -> None:
        made = []
        for controller in CGROUP_CONTROLLERS:
            mount = os.path.join(self.root, controller)
            if controller not in own or not os.path.isdir(mount):
                continue
            parent = mount + own[controller].rstrip("/")
            path = os.path.join(parent, name)
            os.mkdir(path, 0o755)
            self.paths.append(path)
            self.parents.append(parent)
            self.v1_controllers.append(controller)
            made.append(controller)
            if controller == "memory":
                memory = str(_jail_memory(limits))
                _write(os.path.join(path, "memory.limit_in_bytes"), memory)
                with contextlib.suppress(OSError):  # no swap accounting: nothing to cap
                    _write(os.path.join(path, "memory.memsw.limit_in_bytes"), memory)
            elif controller == "pids" and limits.get("processes"):
                _write(os.path.join(path, "pids.max"), str(int(limits["processes"])))
            elif controller == "cpu":
                quota = int(float(limits.get("cpu_share", 1.0)) * CPU_PERIOD_US)
                _write(os.path.join(path, "cpu.cfs_period_us"), str(CPU_PERIOD_US))
                _write(os.path.join(path, "cpu.cfs_quota_us"), str(quota))
        if made:
            self.version = 1

    @property
    def controllers(self) -> list[str]:
        """The controllers limiting the jail (none when it has no cgroups)."""
        if not self.paths:
            return []
        if self.version == 2:
            return list(CGROUP_CONTROLLERS)
        return list(self.v1_controllers)

    def join(self) -> bool:
        """Move this process (and so every process it starts) into the jail's cgroups; if
        that fails (a cgroup removed meanwhile), leave them all: the watchdog is the limit."""
        try:
            for path in self.paths:
                _write(os.path.join(path, "cgroup.procs"), str(os.getpid()))
        except OSError:
            self.remove()
            return False
        return True

    def out_of_memory(self) -> bool:
        """Whether the kernel killed one of the jail's processes for the memory limit."""
        return "memory" in self.events()

    def events(self) -> list[str]:
        """What the kernel refused: a process killed for memory, a fork."""
        found = []
        for path in self.paths:
            for file, key, what in (
                ("memory.events", "oom_kill", "memory"),
                ("memory.oom_control", "oom_kill", "memory"),
                ("pids.events", "max", "processes"),
            ):
                try:
                    with open(os.path.join(path, file)) as handle:
                        counts = dict(line.split()[:2] for line in handle if line.strip())
                except (OSError, ValueError):
                    continue
                if int(counts.get(key, 0) or 0) > 0 and what not in found:
                    found.append(what)
        return found

    def remove(self) -> None:
        """Leave the jail's cgroups and remove them (they are empty once the jail is gone)."""
        for path, parent in zip(self.paths, self.parents, strict=True):
            with contextlib.suppress(OSError):
                _write(os.path.join(parent, "cgroup.procs"), str(os.getpid()))
            for _ in range(50):  # the namespace's last processes may still be exiting
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
        self.paths, self.parents, self.v1_controllers = [], [], []


def _seal_ipc(spec: dict) -> bool:
    """Once the kernel has bound its sockets, make the socket folder read-only in the jail.

    The folder is on the grader's disk (outside every tmpfs quota); connecting to a socket
    still works on a read-only mount, creating files does not.
    """
    ipc = spec["ipc_dir"]
    try:
        names = os.listdir(ipc)
    except OSError:
        return False
    sockets = [n for n in names if n != "kernel.json" and not n.startswith(".")]
    if len(sockets) < int(spec.get("ipc_sockets", 5)):
        return False
    with contextlib.suppress(JailError):
        _mount(None, ipc, None, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV | MS_RDONLY)
    return True


def reap_children(seconds: float) -> None:
    """Reap every child (a subreaper's too) until none is left or ``seconds`` have passed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if os.waitpid(-1, os.WNOHANG)[0] == 0:
                time.sleep(0.005)
        except ChildProcessError:
            return


def _report(spec: dict, memory: int) -> None:
    """Say in the jail's status file why it was stopped (the worker reads it)."""
    text = (
        f"the jail's processes together used more than {memory >> 20} MiB of memory "
        "(its cgroup's limit)"
    )
    with contextlib.suppress(OSError):
        path = os.path.join(spec["ipc_dir"], ".jail_status")
        with open(path, "a") as handle:
            if handle.tell():
                handle.write("; ")
            handle.write(text[:500])


def main(argv: list[str]) -> int:
    if len(argv) < 4 or argv[2] != "--":
        print("usage: sandbox.py SPEC.json -- COMMAND...", file=sys.stderr)
        return 2
    with open(argv[1]) as handle:
        spec = json.load(handle)
    command = argv[3:]
    as_root = os.geteuid() == 0
    uid, gid = (spec["uid"], spec["gid"]) if as_root else (0, 0)
    outer_uid, outer_gid = os.geteuid(), os.getegid()

    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    cgroups = Cgroups(Cgroups.name_for(spec), spec["limits"]) if as_root else None
    if cgroups is not None and cgroups.paths and cgroups.join():
        # The jail's last processes come back here to be reaped (not to the machine's init,
        # which may be slow to): a cgroup holding a zombie cannot be removed.
        _prctl(PR_SET_CHILD_SUBREAPER, 1)
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS
    if not as_root:
        flags |= CLONE_NEWUSER
    _check(_libc.unshare(flags), "unshare")
    if not as_root:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"0 {outer_uid} 1")
        _write("/proc/self/gid_map", f"0 {outer_gid} 1")

    child = os.fork()
    if child:
        # P0: forward termination, report the jail's exit status.
        signal.signal(signal.SIGTERM, lambda *_: os.kill(child, signal.SIGKILL))
        watched = cgroups is not None and bool(cgroups.paths)
        stopped = False
        while True:
            try:
                done, status = os.waitpid(child, os.WNOHANG if watched else 0)
            except InterruptedError:
                continue
            if done:
                break
            if not stopped and cgroups.out_of_memory():
                # As the watchdog does: past the total, the whole jail stops, with the reason.
                stopped = True
                _report(spec, _jail_memory(spec["limits"]))
                os.kill(child, signal.SIGKILL)
            time.sleep(0.05)
        if watched:
            if not stopped and cgroups.out_of_memory():
                _report(spec, _jail_memory(spec["limits"]))
            reap_children(2)
            cgroups.remove()
        return 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)

    # P1: PID 1 of the namespace.
    try:
        _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        newroot = _build_root(spec, uid, gid)
        if spec.get("connection_file"):
            os.chown(spec["connection_file"], uid, gid)
        os.chown(spec["ipc_dir"], uid, gid)
        _loopback_up()
        _libc.sethostname(b"sandbox", 7)
        status_fd = os.open(
            os.path.join(spec["ipc_dir"], ".jail_status"), os.O_WRONLY | os.O_CREAT, 0o644
        )
        os.chdir(newroot)
        os.chroot(newroot)
        os.chdir(STUDENT_HOME)
    except Exception as error:  # noqa: BLE001 - report any set-up failure and stop
        print(f"sandbox: could not build the jail: {error}", file=sys.stderr)
        os._exit(111)

    kernel = os.fork()
    if kernel == 0:
        # P2: limits, identity, exec.
        try:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _set_limits(spec["limits"])
            os.umask(0o077)
            if as_root:
                os.setgroups([])
                os.setresgid(gid, gid, gid)
                os.setresuid(uid, uid, uid)
            _prctl(PR_SET_NO_NEW_PRIVS, 1)
            if not as_root:
                _drop_capabilities()
            if not _deny_keyring():
                print("sandbox: keyring calls not filtered (no seccomp here)", file=sys.stderr)
            os.execve(command[0], command, spec["env"])
        except Exception as error:  # noqa: BLE001
            print(f"sandbox: could not start {command[0]}: {error}", file=sys.stderr)
        os._exit(112)
    signal.signal(signal.SIGTERM, lambda *_: os.kill(kernel, signal.SIGKILL))
    os._exit(
        _watch(
            kernel,
            {**spec, "ipc_dir": "/" + os.path.relpath(spec["ipc_dir"], "/")},
            status_fd,
            cgroups.controllers if cgroups is not None else [],
        )
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv))
