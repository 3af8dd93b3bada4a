"""The contract between the grader and its jail: the limits and the jail's spec, in one place.

Each limit has one name: the ``SafeAutograde`` setting (``--memory-mb``, ``c.SafeAutograde.
disk_mb``) and the field here share its stem, and the field carries the unit the processes use
(``memory_mb`` -> ``memory_bytes``). ``sandbox.py`` and ``worker.py`` run as scripts with the
standard library only, so they read the same names from the JSON these classes write.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Limits:
    """What one submission's jail and worker may use (seconds, bytes, counts)."""

    cell_timeout: int
    notebook_timeout: int
    startup_timeout: int
    cpu_seconds: int  # per process (RLIMIT_CPU) and for the whole jail
    memory_bytes: int  # address space per process (RLIMIT_AS)
    jail_memory_bytes: int  # resident memory of all the jail's processes together
    cpu_share: float  # cores the jail may keep busy before it is slowed
    file_bytes: int  # largest file (RLIMIT_FSIZE)
    disk_bytes: int  # size of the home and of /tmp (each); also caps copied files
    processes: int  # RLIMIT_NPROC of the slot's uid and pids.max of the jail's cgroup; 0: not set
    open_files: int  # RLIMIT_NOFILE
    cell_output_bytes: int
    notebook_output_bytes: int
    message_bytes: int  # largest kernel message ZeroMQ accepts

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class JailSpec:
    """The ``spec.json`` that ``sandbox.py`` builds a jail from, for one job folder."""

    uid: int
    newroot: str
    expose: list[str]
    workdir: str
    ipc_dir: str
    limits: Limits
    env: dict[str, str] = field(default_factory=dict)
    connection_file: str = ""  # the kernel's, made over to the jail's uid; "" without a kernel

    @classmethod
    def in_job(
        cls,
        job: Path,
        *,
        uid: int,
        expose: list[str],
        limits: Limits,
        env: dict[str, str],
        kernel: bool = True,
    ) -> JailSpec:
        """The spec for a job folder with ``root``, ``ipc`` and ``work`` inside. A process
        limit per uid is only meaningful for a uid of its own, so only as root."""
        if os.geteuid() != 0:
            limits = replace(limits, processes=0)
        return cls(
            uid=uid,
            newroot=str(job / "root"),
            expose=expose,
            workdir=str(job / "work"),
            ipc_dir=str(job / "ipc"),
            limits=limits,
            env=env,
            connection_file=str(job / "ipc" / "kernel.json") if kernel else "",
        )

    def as_dict(self) -> dict[str, Any]:
        spec = {
            "uid": self.uid,
            "gid": self.uid,
            "newroot": self.newroot,
            "expose": list(self.expose),
            "workdir": self.workdir,
            "ipc_dir": self.ipc_dir,
            "limits": self.limits.as_dict(),
            "env": dict(self.env),
        }
        if self.connection_file:
            spec["connection_file"] = self.connection_file
        return spec

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(self.as_dict()))
        os.chmod(path, 0o600)
        return path
