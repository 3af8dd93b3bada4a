"""The learner package: lazy, complete, and free of the course's own tools."""

import ast
import json
import subprocess
import sys

import backend_roadmap
from support import REPO


def _python(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_every_exported_name_resolves_to_its_module():
    for name, module in backend_roadmap.EXPORTS.items():
        value = getattr(backend_roadmap, name)
        assert value.__module__ == module, (name, value.__module__, module)


def test_importing_the_package_loads_no_subpackage_until_a_name_is_used():
    loaded = _python(
        "import sys, backend_roadmap; "
        "print(sorted(m for m in sys.modules if m.startswith('backend_roadmap.')))"
    )
    assert loaded == "[]"
    loaded = _python(
        "import sys; from backend_roadmap import FakeClock; "
        "print(sorted(m for m in sys.modules if m.startswith('backend_roadmap')))"
    )
    assert loaded == "['backend_roadmap', 'backend_roadmap.clock']"


def test_unknown_name_is_an_attribute_error_naming_it():
    try:
        backend_roadmap.serve_ap  # noqa: B018 - the typo is the point
    except AttributeError as error:
        assert "serve_ap" in str(error)
    else:
        raise AssertionError("a misspelt name must raise AttributeError")


def test_type_checking_imports_list_the_same_names_as_exports():
    tree = ast.parse((REPO / "src" / "backend_roadmap" / "__init__.py").read_text())
    block = next(node for node in tree.body if isinstance(node, ast.If))
    imported = {
        (alias.name, node.module)
        for node in ast.walk(block)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert imported == set(backend_roadmap.EXPORTS.items())


def test_notebooks_and_exercises_import_only_the_learner_package():
    notebooks = [*REPO.glob("notebooks/*.ipynb"), *REPO.glob("exercises/source/*/*.ipynb")]
    assert notebooks
    for path in notebooks:
        for cell in json.loads(path.read_text())["cells"]:
            source = "".join(cell["source"])
            assert "backend_roadmap_tools" not in source, f"{path.name} imports the tools"
