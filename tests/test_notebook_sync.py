"""One source of truth: code a lesson teaches in a ``#@save course_utils.X`` cell is the package's code.

For every such cell, each top-level function or class it defines must be identical (by AST, docstring
included) to the same-named definition in ``course_utils.X``: the learner reads exactly what runs.
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


CELLS = list(_saved_cells())


def test_the_lessons_keep_their_reusable_code_in_saved_cells():
    modules = {module for _, module, _ in CELLS}
    assert len(CELLS) >= 4 and {"course_utils.models", "course_utils.losses"} <= modules


@pytest.mark.parametrize("where,module,source", CELLS, ids=[c[0] for c in CELLS])
def test_saved_cell_matches_the_package(where, module, source):
    mod = importlib.import_module(module)
    definitions = [n for n in ast.parse(source).body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    assert definitions, f"{where}: a #@save cell must define something"
    for node in definitions:
        assert hasattr(mod, node.name), f"{where}: {module} has no {node.name}"
        package_node = ast.parse(textwrap.dedent(inspect.getsource(getattr(mod, node.name)))).body[0]
        assert ast.dump(node) == ast.dump(package_node), \
            f"{where}: {node.name} differs from {module}.{node.name}; copy the package's code"
