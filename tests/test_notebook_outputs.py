"""What the lessons keep in git: the checked facts, and nothing bulky.

nbval compares a ``# NBVAL_CHECK_OUTPUT`` cell's output with the output stored in the notebook; a cell
stored *without* output is compared with nothing and always passes. So every checked cell must carry
its stored stdout (``scripts/refresh_notebook_outputs.py`` writes it), and every other cell, and the
notebook's metadata, must carry no output (pictures, progress bars, widget state).
"""

import json

import pytest
from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def _code_cells(path):
    return [c for c in json.loads(path.read_text())["cells"] if c["cell_type"] == "code"]


def _checked(cell):
    return "".join(cell["source"]).startswith("# NBVAL_CHECK_OUTPUT")


def problems(path):
    """What is wrong with a notebook as stored in git, one line per problem."""
    nb = json.loads(path.read_text())
    found = []
    if "widgets" in nb.get("metadata", {}):
        found.append("notebook metadata holds widget state")
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        outputs = cell.get("outputs", [])
        if _checked(cell):
            if not any(
                o.get("output_type") == "stream" and o.get("name") == "stdout" for o in outputs
            ):
                found.append(f"cell {index}: checked, but no stored stdout to compare with")
            elif cell.get("execution_count") is None:
                found.append(f"cell {index}: checked, but stored as unrun (nbval would skip it)")
        elif outputs:
            found.append(f"cell {index}: unchecked output stored in git")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_stores_exactly_its_checked_outputs(path):
    assert problems(path) == [], (
        "run: python scripts/refresh_notebook_outputs.py notebooks/" + path.name
    )


def test_the_lessons_check_facts():
    checked = sum(_checked(c) for path in NOTEBOOKS for c in _code_cells(path))
    assert checked >= 20, checked


def test_the_check_finds_a_cleared_output_and_a_stored_picture(tmp_path):
    cell = {
        "cell_type": "code",
        "execution_count": 1,
        "metadata": {},
        "source": ["# NBVAL_CHECK_OUTPUT\n", "print(1)"],
        "outputs": [{"output_type": "stream", "name": "stdout", "text": ["1\n"]}],
    }
    picture = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "source": ["plot()"],
        "outputs": [
            {"output_type": "display_data", "data": {"image/png": "iVBOR"}, "metadata": {}}
        ],
    }
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps({"cells": [cell], "metadata": {}}))
    assert problems(path) == []
    path.write_text(json.dumps({"cells": [dict(cell, outputs=[])], "metadata": {}}))
    assert problems(path) == ["cell 0: checked, but no stored stdout to compare with"]
    path.write_text(json.dumps({"cells": [cell, picture], "metadata": {"widgets": {}}}))
    assert problems(path) == [
        "notebook metadata holds widget state",
        "cell 1: unchecked output stored in git",
    ]
