"""One source of truth: code a lesson teaches in a ``#@save course_utils.X`` cell is the package's code.

For every code cell in ``notebooks/*.ipynb`` whose first line is ``#@save course_utils.X``, each
top-level function or class it defines must be identical (by AST, docstring included) to the
same-named definition in ``course_utils.X``: the learner reads exactly what runs.
"""

import ast
import importlib
import inspect
import textwrap

import nbformat
import pytest
from conftest import REPO


def _saved_cells():
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            first = cell.source.split("\n", 1)[0].strip()
            if cell.cell_type == "code" and first.startswith("#@save "):
                yield f"{path.name}#{index}", first.split()[1], cell.source


def _drift(source, module):
    """Names defined in ``source`` that are missing from ``module`` or differ from it (by AST)."""
    mod = importlib.import_module(module)
    problems = []
    for node in ast.parse(source).body:
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            continue
        if not hasattr(mod, node.name):
            problems.append(f"{module} has no {node.name}")
            continue
        package_node = ast.parse(textwrap.dedent(inspect.getsource(getattr(mod, node.name)))).body[
            0
        ]
        if ast.dump(node) != ast.dump(package_node):
            problems.append(
                f"{node.name} differs from {module}.{node.name}; copy the package's code"
            )
    return problems


CELLS = list(_saved_cells())


def test_the_lessons_keep_their_reusable_code_in_saved_cells():
    assert len(CELLS) >= 3, CELLS
    modules = {module for _, module, _ in CELLS}
    assert {"course_utils.data", "course_utils.models", "course_utils.losses"} <= modules


@pytest.mark.parametrize("where,module,source", CELLS, ids=[c[0] for c in CELLS])
def test_saved_cell_matches_the_package(where, module, source):
    definitions = [
        n for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))
    ]
    assert definitions, f"{where}: a #@save cell must define something"
    assert _drift(source, module) == [], where


def test_the_comparison_catches_drift():
    source = textwrap.dedent(
        inspect.getsource(importlib.import_module("course_utils.data").to_pixels)
    )
    assert _drift(source, "course_utils.data") == []
    assert _drift(source.replace("127.5", "128.0"), "course_utils.data")  # code change
    assert _drift(source.replace("The way back", "The road back"), "course_utils.data")  # docstring
    assert _drift(source.replace("def to_pixels", "def to_pixelz"), "course_utils.data") == [
        "course_utils.data has no to_pixelz"
    ]
