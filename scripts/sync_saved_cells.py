"""Rewrite the lessons' ``#@save`` cells from the package: fix the package, run this, done.

    python scripts/sync_saved_cells.py          # rewrite every drifted definition, list what changed
    python scripts/sync_saved_cells.py --check  # only list them; exit 1 if any drifted

A lesson cell whose first line is ``#@save course_utils.MODULE`` shows code the package holds (d2l's
convention). For every top-level function, class or constant (``NAME = ...``) such a cell defines,
this script puts the package's current source in its place, leaving the cell's other lines (imports,
comments) as they are. ``tests/test_notebook_sync.py`` fails while anything differs.
"""

import argparse
import ast
import importlib
import inspect
import sys
import textwrap
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from course_utils.cloud import import_tensorflow_quietly  # noqa: E402  (the modules import it)


def saved_cells(notebook):
    """(index, module name) of each ``#@save`` code cell of ``notebook``."""
    for index, cell in enumerate(notebook.cells):
        first = cell.source.split("\n", 1)[0].strip()
        if cell.cell_type == "code" and first.startswith("#@save "):
            yield index, first.split()[1]


def package_source(module, node):
    """The package's source of the definition that ``node`` (from a cell) names, or None."""
    if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
        obj = getattr(module, node.name, None)
        return textwrap.dedent(inspect.getsource(obj)) if obj is not None else None
    name = node.targets[0].id
    for other in ast.parse(inspect.getsource(module)).body:
        if isinstance(other, ast.Assign) and getattr(other.targets[0], "id", None) == name:
            return ast.get_source_segment(inspect.getsource(module), other)
    return None


def definitions(source):
    """Top-level definitions of a cell: functions, classes and single-name constants."""
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            yield node
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id.isupper()
        ):
            yield node


def synced(source, module):
    """``source`` with each definition replaced by the package's; and the names that changed."""
    lines = source.split("\n")
    changed = []
    for node in sorted(definitions(source), key=lambda n: -n.lineno):
        new = package_source(module, node)
        start = node.lineno - 1 - len(getattr(node, "decorator_list", []))
        old = "\n".join(lines[start : node.end_lineno])
        if new is None:
            raise SystemExit(
                f"{module.__name__} has no {getattr(node, 'name', None) or node.targets[0].id}"
            )
        new = new.rstrip("\n")
        if ast.dump(ast.parse(old)) != ast.dump(ast.parse(new)) or old != new:
            lines[start : node.end_lineno] = new.split("\n")
            changed.append(getattr(node, "name", None) or node.targets[0].id)
    return "\n".join(lines), changed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="list drift only; exit 1 if any")
    parser.add_argument("notebooks", nargs="*", help="default: notebooks/*.ipynb")
    args = parser.parse_args(argv)
    import_tensorflow_quietly()
    paths = [Path(p) for p in args.notebooks] or sorted((REPO / "notebooks").glob("*.ipynb"))
    drift = 0
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        touched = False
        for index, module_name in saved_cells(notebook):
            cell = notebook.cells[index]
            source, changed = synced(cell.source, importlib.import_module(module_name))
            if changed:
                drift += len(changed)
                print(f"{path.name} cell {index}: {', '.join(changed)}")
                if not args.check:
                    cell.source, touched = source, True
        if touched:
            nbformat.write(notebook, path)
    return 1 if (args.check and drift) else 0


if __name__ == "__main__":
    sys.exit(main())
