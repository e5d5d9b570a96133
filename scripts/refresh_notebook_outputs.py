"""Execute the lessons and keep only the outputs nbval checks.

    python scripts/refresh_notebook_outputs.py [notebooks/NN_name.ipynb ...]

Each notebook is run top to bottom with ``COURSE_PRESET=ci``; then every output is removed except the
text printed by cells whose first line is ``# NBVAL_CHECK_OUTPUT`` (shapes, dtypes, parameter counts,
hand-computed losses). Those stay in git so ``pytest --nbval-lax`` fails when a taught fact changes
(tests/test_notebook_outputs.py checks that they are there);
pictures and progress bars never enter git.
"""

import os
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent


def refresh(path):
    nb = nbformat.read(path, as_version=4)
    os.environ["COURSE_PRESET"] = "ci"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("MPLBACKEND", "Agg")
    NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        checked = cell.source.startswith("# NBVAL_CHECK_OUTPUT")
        cell.outputs = [
            o for o in cell.outputs if checked and o.output_type == "stream" and o.name == "stdout"
        ]
        # nbval refuses stored outputs of a cell that looks unrun, so checked cells keep a count.
        count += bool(cell.outputs)
        cell.execution_count = count if cell.outputs else None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)  # widget state: bulky, and rebuilt when the cell runs
    nbformat.write(nb, path)
    print(f"{path.name}: kept {sum(bool(c.get('outputs')) for c in nb.cells)} checked outputs")


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or sorted((REPO / "notebooks").glob("*.ipynb"))
    for path in paths:
        refresh(path.resolve())
