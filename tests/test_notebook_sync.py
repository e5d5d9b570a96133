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


def _constant_name(node):
    """The name an upper-case module constant (``NAME = ...``) assigns, else None."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1:
        target = node.targets[0]
        if isinstance(target, ast.Name) and target.id.isupper():
            return target.id
    return None


def _drift(source, module):
    """Names defined in ``source`` (functions, classes, upper-case constants) that are missing from
    ``module`` or differ from it (by AST)."""
    mod = importlib.import_module(module)
    tree = ast.parse(inspect.getsource(mod))
    constants = {_constant_name(n): n for n in tree.body if _constant_name(n)}
    problems = []
    for node in ast.parse(source).body:
        name = _constant_name(node)
        if name:
            if name not in constants:
                problems.append(f"{module} has no {name}")
            elif ast.dump(node.value) != ast.dump(constants[name].value):
                problems.append(f"{name} differs from {module}.{name}; copy the package's value")
            continue
        if not isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            continue
        if not hasattr(mod, node.name):
            problems.append(f"{module} has no {node.name}")
            continue
        source_of = textwrap.dedent(inspect.getsource(getattr(mod, node.name)))
        if ast.dump(node) != ast.dump(ast.parse(source_of).body[0]):
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


def test_the_comparison_covers_module_constants():
    assert _drift("NOISE_DIM = 160", "course_utils.models") == []
    assert _drift("NOISE_DIM = 100", "course_utils.models") == [
        "NOISE_DIM differs from course_utils.models.NOISE_DIM; copy the package's value"
    ]
    assert _drift("IMAGE_SIZE_X = 56", "course_utils.models") == [
        "course_utils.models has no IMAGE_SIZE_X"
    ]


def _lesson_constants():
    """(where, name, value) of every upper-case constant a lesson's code cell assigns literally."""
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            if cell.cell_type != "code":
                continue
            source = "\n".join(  # IPython magics (%pip) become a plain statement
                line[: len(line) - len(line.lstrip())] + "pass"
                if line.lstrip().startswith(("%", "!"))
                else line
                for line in cell.source.splitlines()
            )
            for node in ast.parse(source).body:
                name = _constant_name(node)
                if name:
                    try:
                        yield f"{path.name}#{index}", name, ast.literal_eval(node.value)
                    except ValueError:
                        continue


def test_constants_the_lessons_define_match_the_package():
    """NOISE_DIM (lesson 2), IMAGE_SHAPE (lesson 3) …: a lesson's constant with a package twin must
    hold the same value, or the lesson's builders would silently differ from the package's."""
    modules = [importlib.import_module(f"course_utils.{m}") for m in ("models", "data", "faces")]
    found = []
    for where, name, value in _lesson_constants():
        twins = [getattr(m, name) for m in modules if hasattr(m, name)]
        if twins:
            found.append(name)
            assert all(twin == value for twin in twins), (where, name, value, twins)
    assert {"NOISE_DIM", "IMAGE_SHAPE"} <= set(found)
