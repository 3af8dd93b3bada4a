"""Read a submitted notebook defensively and rebuild it from the gradebook's trusted cells.

nbgrader trusts the submitted file's structure: a bad ``schema_version``, a copied grade cell
or a cell whose metadata is not a dict stops its batch, and a deleted test cell is simply not
graded. Here the file is parsed with a size cap, every cell is rebuilt from scratch (source,
type and a validated id; outputs and foreign metadata dropped) and its nbgrader metadata is
replaced by what the gradebook recorded at ``generate_assignment``:

* a cell whose ``grade_id`` the gradebook knows gets the recorded type, points, flags and
  checksum; a locked cell (tests, read-only set-up) gets the recorded source back;
* an unknown or repeated ``grade_id`` loses its nbgrader metadata (it runs as a plain cell);
* a recorded locked or graded cell that is missing is put back after its predecessor, so
  the instructor's tests always run against the student's code.

Every change is reported as a note. A file that cannot be read at all yields a reason instead
of a notebook; the caller grades that notebook 0 and records the reason.
"""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.notebooknode import NotebookNode, from_dict

_CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


@dataclass
class TrustedCell:
    name: str
    cell_type: str
    source: str
    checksum: str | None
    locked: bool
    grade: bool
    solution: bool
    task: bool
    points: float | None


@dataclass
class Loaded:
    notebook: NotebookNode | None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)


def trusted_cells(gradebook, notebook_id: str, assignment_id: str) -> list[TrustedCell]:
    """The notebook's nbgrader cells as recorded in the gradebook, in source order."""
    notebook = gradebook.find_notebook(notebook_id, assignment_id)
    grades = {cell.name: cell for cell in notebook.grade_cells}
    solutions = {cell.name for cell in notebook.solution_cells}
    tasks = {cell.name: cell for cell in notebook.task_cells}
    cells = []
    for source in notebook.source_cells:
        grade = grades.get(source.name)
        task = tasks.get(source.name)
        points = grade.max_score if grade else (task.max_score if task else None)
        solution = source.name in solutions
        # nbgrader's utils.is_locked: a test cell is locked and an answer cell is not,
        # whatever the recorded flag says (a source may leave `locked` unset on its tests).
        locked = False if solution else (grade is not None or bool(source.locked))
        cells.append(
            TrustedCell(
                name=source.name,
                cell_type=source.cell_type,
                source=source.source,
                checksum=source.checksum,
                locked=locked,
                grade=grade is not None,
                solution=solution,
                task=task is not None,
                points=float(points) if points is not None else None,
            )
        )
    return cells


def _released(source: str) -> str:
    """The form a learner received: nbgrader's generate_assignment removes hidden tests."""
    from nbgrader.preprocessors import ClearHiddenTests

    cell = from_dict({"cell_type": "code", "source": source, "metadata": {}})
    try:
        ClearHiddenTests()._remove_hidden_test_region(cell)
    except RuntimeError:
        return source
    return cell.source


def _same_text(a: str, b: str) -> bool:
    return [line.rstrip() for line in a.strip().splitlines()] == [
        line.rstrip() for line in b.strip().splitlines()
    ]


def _metadata(trusted: TrustedCell) -> dict:
    meta = {
        "grade": trusted.grade,
        "grade_id": trusted.name,
        "locked": trusted.locked,
        "schema_version": 3,
        "solution": trusted.solution,
        "task": trusted.task,
    }
    if trusted.grade or trusted.task:
        meta["points"] = trusted.points
    if trusted.checksum:
        meta["checksum"] = trusted.checksum
    return meta


def _source(value) -> str:
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    return value if isinstance(value, str) else ""


def _new_cell(cell_type: str, source: str, nbgrader: dict | None, cell_id: str) -> NotebookNode:
    metadata: dict = {}
    if nbgrader is not None:
        metadata["nbgrader"] = nbgrader
        if nbgrader.get("locked") and not nbgrader.get("solution"):
            metadata["editable"] = False
            metadata["deletable"] = False
    cell = {"cell_type": cell_type, "id": cell_id, "metadata": metadata, "source": source}
    if cell_type == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return from_dict(cell)


def _is_setup(trusted: TrustedCell) -> bool:
    return (
        trusted.cell_type == "code"
        and trusted.locked
        and not trusted.grade
        and not trusted.solution
    )


def _recorded_order(
    cells: list[NotebookNode], trusted: list[TrustedCell], notes: list[str]
) -> list[NotebookNode]:
    """Put the gradebook's cells back in the order ``generate_assignment`` recorded.

    Each of the student's own cells stays after the recorded cell it followed. Code the
    student placed before the read-only set-up cells that open the notebook goes after the
    last of them, so no student code runs before the set-up and its integrity baseline.
    """
    rank = {cell.name: position for position, cell in enumerate(trusted)}
    leading: list[NotebookNode] = []
    segments: list[tuple[NotebookNode, list[NotebookNode]]] = []
    for cell in cells:
        name = cell.metadata.get("nbgrader", {}).get("grade_id")
        if name in rank:
            segments.append((cell, []))
        elif segments:
            segments[-1][1].append(cell)
        else:
            leading.append(cell)
    found = [rank[cell.metadata.nbgrader.grade_id] for cell, _ in segments]
    if found != sorted(found):
        notes.append("recorded cells were moved; the exercise's own order is restored")
        segments.sort(key=lambda segment: rank[segment[0].metadata.nbgrader.grade_id])
    # The opening set-up block: recorded set-up cells before the first other recorded code cell.
    opening = -1
    for position, (cell, _) in enumerate(segments):
        good = trusted[rank[cell.metadata.nbgrader.grade_id]]
        if _is_setup(good):
            opening = position
        elif good.cell_type == "code":
            break
    moved: list[NotebookNode] = []
    if opening >= 0:
        kept = [c for c in leading if c.cell_type != "code"]
        moved += [c for c in leading if c.cell_type == "code"]
        leading = kept
        for _, followers in segments[:opening]:
            moved += [c for c in followers if c.cell_type == "code"]
            followers[:] = [c for c in followers if c.cell_type != "code"]
        if moved:
            notes.append(
                f"{len(moved)} code cell(s) placed before the read-only set-up cells were "
                "moved after them"
            )
            segments[opening][1][:0] = moved
    out = list(leading)
    for cell, followers in segments:
        out.append(cell)
        out.extend(followers)
    return out


def load_submission(path: Path, max_bytes: int) -> Loaded:
    """Parse ``path`` as a notebook, or say why it cannot be graded.

    Only a regular file is read: a symbolic link (to another student's notebook, say), a
    FIFO, a device or a directory is refused without being opened for reading, and the read
    never blocks and stops at ``max_bytes``.
    """
    try:
        info = path.lstat()
    except OSError as error:
        return Loaded(None, f"{path.name} cannot be read: {error.strerror}")
    if stat.S_ISLNK(info.st_mode):
        return Loaded(None, f"{path.name} is a symbolic link, not the submitted file")
    if not stat.S_ISREG(info.st_mode):
        return Loaded(None, f"{path.name} is not a regular file")
    data = read_regular_file(path, max_bytes)
    if data is None:
        return Loaded(None, f"{path.name} is not a regular file")
    if len(data) == 0:
        return Loaded(None, f"{path.name} is empty")
    if len(data) > max_bytes:
        return Loaded(None, f"{path.name} is larger than {max_bytes} bytes")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        return Loaded(None, f"{path.name} is not valid JSON ({type(error).__name__}: {error})")
    if not isinstance(raw, dict) or not isinstance(raw.get("cells", []), list):
        return Loaded(None, f"{path.name} is JSON but not a notebook")
    try:
        major = int(raw.get("nbformat", 4))
        if major < 4:
            raw = json.loads(nbformat.writes(nbformat.reads(json.dumps(raw), as_version=4)))
        elif major > 4:
            return Loaded(None, f"{path.name} has an unknown nbformat version {major}")
    except Exception as error:  # noqa: BLE001 - any failure to upgrade is a reason, not a crash
        return Loaded(None, f"{path.name} could not be read as a notebook: {error}")
    return Loaded(from_dict(raw))


def normalize(
    notebook: NotebookNode, trusted: list[TrustedCell], kernelspec: dict | None
) -> Loaded:
    """Rebuild ``notebook`` so its graded structure is exactly the gradebook's."""
    notes: list[str] = []
    by_name = {cell.name: cell for cell in trusted}
    seen: set[str] = set()
    ids: set[str] = set()
    cells: list[NotebookNode] = []
    for index, raw in enumerate(notebook.get("cells", [])):
        if not isinstance(raw, dict):
            notes.append(f"cell {index} is not a cell object; dropped")
            continue
        cell_type = raw.get("cell_type")
        if cell_type not in ("code", "markdown", "raw"):
            cell_type = "raw"
        source = _source(raw.get("source", ""))
        cell_id = raw.get("id")
        if not isinstance(cell_id, str) or not _CELL_ID.match(cell_id) or cell_id in ids:
            cell_id = f"cell-{index}"
            while cell_id in ids:
                cell_id += "x"
        ids.add(cell_id)
        metadata = raw.get("metadata")
        nbg = metadata.get("nbgrader") if isinstance(metadata, dict) else None
        grade_id = nbg.get("grade_id") if isinstance(nbg, dict) else None
        if nbg is None:
            cells.append(_new_cell(cell_type, source, None, cell_id))
            continue
        if not isinstance(grade_id, str) or grade_id not in by_name:
            if isinstance(nbg, dict) and (
                nbg.get("grade") or nbg.get("solution") or nbg.get("locked")
            ):
                notes.append(
                    f"cell {index} has unknown grade_id {grade_id!r}; graded as a plain cell"
                )
            cells.append(_new_cell(cell_type, source, None, cell_id))
            continue
        if grade_id in seen:
            notes.append(f"cell {grade_id!r} appears more than once; the copy is a plain cell")
            cells.append(_new_cell(cell_type, source, None, cell_id))
            continue
        seen.add(grade_id)
        good = by_name[grade_id]
        expected = _metadata(good)
        # `locked` means something only for read-only cells: nbgrader treats every test cell
        # as locked and every answer cell as editable whatever the flag (utils.is_locked).
        flag_matters = not (good.grade or good.solution)
        changed = [
            key
            for key in ("grade", "solution", "locked", "points", "schema_version")
            if key in expected
            and (key != "locked" or flag_matters)
            and nbg.get(key) != expected[key]
            and not (key == "points" and _same_number(nbg.get(key), expected[key]))
        ]
        if changed:
            notes.append(f"cell {grade_id!r}: metadata {', '.join(changed)} changed; restored")
        if cell_type != good.cell_type:
            notes.append(
                f"cell {grade_id!r} was turned into {cell_type}; restored to {good.cell_type}"
            )
            cell_type = good.cell_type
        if good.locked and not good.solution:
            if not (_same_text(source, good.source) or _same_text(source, _released(good.source))):
                notes.append(f"read-only cell {grade_id!r} was edited; restored")
            source = good.source
        cells.append(_new_cell(cell_type, source, expected, cell_id))

    # Put back recorded read-only and graded cells that are missing, after their predecessor.
    for position, good in enumerate(trusted):
        if good.name in seen or not (good.locked or good.grade):
            continue
        seen.add(good.name)
        notes.append(f"cell {good.name!r} was missing; restored")
        at = 0
        for earlier in reversed(trusted[:position]):
            found = next(
                (
                    i
                    for i, cell in enumerate(cells)
                    if cell.metadata.get("nbgrader", {}).get("grade_id") == earlier.name
                ),
                None,
            )
            if found is not None:
                at = found + 1
                break
        new_id = f"restored-{position}"
        cells.insert(at, _new_cell(good.cell_type, good.source, _metadata(good), new_id))

    cells = _recorded_order(cells, trusted, notes)
    metadata = {}
    if kernelspec:
        metadata["kernelspec"] = kernelspec
    language = (
        notebook.get("metadata", {}).get("language_info")
        if isinstance(notebook.get("metadata"), dict)
        else None
    )
    if isinstance(language, dict) and isinstance(language.get("name"), str):
        metadata["language_info"] = {"name": language["name"]}
    rebuilt = from_dict({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5})
    nbformat.validate(rebuilt)
    return Loaded(rebuilt, None, notes)


def read_regular_file(path: Path, max_bytes: int) -> bytes | None:
    """Up to ``max_bytes + 1`` bytes of ``path`` if it is a regular file (not a link, FIFO,
    device or directory), else None. Never blocks: opened non-blocking, checked after open."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        chunks, size = [], 0
        while size <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def read_timestamp(folder: Path) -> tuple[str | None, str | None]:
    """nbgrader's ``timestamp.txt`` if it is a small regular UTF-8 file nbgrader can parse.

    Returns ``(text, None)`` or ``(None, note)``; a missing file is ``(None, None)``. Anything
    else (a FIFO, a directory, a link, garbage, invalid UTF-8) is treated as absent.
    """
    from nbgrader.utils import parse_utc

    path = folder / "timestamp.txt"
    if not os.path.lexists(path):
        return None, None
    data = read_regular_file(path, 256)
    if data is None or len(data) > 255:
        return None, "timestamp.txt is not a small regular file; ignored"
    try:
        text = data.decode("utf-8").strip()
        if not text:
            return "", None  # empty: no time, but kept in autograded/ as nbgrader keeps it
        parse_utc(text)
    except Exception:  # noqa: BLE001 - any unparsable timestamp is ignored the same way
        return None, "timestamp.txt could not be read as a time; ignored"
    return text, None


def _same_number(a, b) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return False
