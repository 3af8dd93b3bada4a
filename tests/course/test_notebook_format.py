"""What JupyterLab and readers see of every notebook, whoever adds it later.

- The kernel's display name is the one JupyterLab writes on save: opening and saving a
  chapter must not change a tracked file.
- Code lines are at most 88 characters: longer ones run off the book's page and the lab's
  cell (ruff holds src/, tests/ and scripts/ to the same width).
"""

from __future__ import annotations

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager

from support import REPO

NOTEBOOKS = sorted(
    [*(REPO / "notebooks").glob("*.ipynb"), *(REPO / "exercises" / "source").glob("*/*.ipynb")]
)
MAX_LINE = 88


@pytest.fixture(scope="module")
def kernelspec():
    spec = KernelSpecManager().get_kernel_spec("python3")
    return {"display_name": spec.display_name, "language": spec.language, "name": "python3"}


def test_the_installed_kernel_is_the_one_jupyterlab_names():
    assert KernelSpecManager().get_kernel_spec("python3").display_name == "Python 3 (ipykernel)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_kernelspec_is_what_jupyterlab_writes(path, kernelspec):
    committed = dict(nbformat.read(path, as_version=4).metadata.get("kernelspec", {}))
    assert committed == kernelspec, (
        f"{path.name}: kernelspec {committed}, JupyterLab writes {kernelspec} on save"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_code_lines_fit_the_page(path):
    notebook = nbformat.read(path, as_version=4)
    long = [
        f"cell {index}: {len(line)} chars: {line[:50]}..."
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if len(line) > MAX_LINE
    ]
    assert not long, f"{path.name}: code lines over {MAX_LINE} characters:\n" + "\n".join(long)
