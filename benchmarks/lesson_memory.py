"""How much memory each lesson's kernel needs at its peak: the Binder budget (1–2 GB a user).

    python benchmarks/lesson_memory.py                    # every lesson, the classroom preset
    python benchmarks/lesson_memory.py 05 07 --cells      # two lessons, and their costly cells

Each lesson runs top to bottom in a fresh kernel, as a learner runs it (``COURSE_PRESET`` as set,
default classroom), with a probe after every code cell that reads the kernel's own ``VmRSS`` (memory
now) and ``VmHWM`` (the most it has held) from ``/proc/self/status`` (Linux only). One figure a
lesson: ``lesson_NN_peak_mb``, the kernel's peak, which is what Binder's limit is checked against.
``import tensorflow`` alone is about 0.6 GB of it; ``tensorflow_import_mb`` measures that in the same
run, as the baseline. Target: every lesson under 1,000 MB. ``--cells`` also lists each cell that
raised the peak by more than 20 MB.

Runs are written under ``COURSE_RUNS_DIR`` (default: a temporary folder, so lesson 5 trains its run
from scratch, about 2 minutes on 2 cores, lessons 6, 7, 8 and 10 reload it, and lesson 9 trains the VAE). Point ``COURSE_RUNS_DIR`` at a
copy of ``runs/`` to measure the lessons reusing a finished run instead.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent
PROBE = (
    "import re as _re\n"
    "_status = open('/proc/self/status').read()\n"
    "print('PROBE', *[int(_re.search(_k + r':\\s+(\\d+)', _status).group(1)) // 1024"
    " for _k in ('VmRSS', 'VmHWM')])"
)
TARGET_MB = 1000


def figure(name, value, unit):
    print(f"{name} {value:.4g} {unit}", flush=True)


def tensorflow_import_mb():
    """Peak memory of a Python process that only imports TensorFlow the way the lessons do."""
    code = (
        "from course_utils.cloud import import_tensorflow_quietly\n"
        "import_tensorflow_quietly()\n" + PROBE.replace("_k", "k")
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    ).stdout
    return int(out.split("PROBE")[1].split()[1])


def lesson_memory(path):
    """``[(first line of the cell, rss MB, peak MB), ...]``, one entry per code cell of ``path``."""
    nb = nbformat.read(path, as_version=4)
    cells, firsts = [], []
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type == "code":
            cells.append(nbformat.v4.new_code_cell(PROBE))
            firsts.append((cell.source.splitlines() or [""])[0][:60])
    nb.cells = cells
    NotebookClient(
        nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    readings = []
    for cell in nb.cells:
        if cell.source == PROBE:
            text = "".join(
                o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream"
            )
            rss, peak = (int(v) for v in text.split("PROBE")[1].split()[:2])
            readings.append((firsts[len(readings)], rss, peak))
    return readings


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers (default: all), e.g. 05 07")
    parser.add_argument("--cells", action="store_true", help="list the cells that raised the peak")
    args = parser.parse_args()
    if not Path("/proc/self/status").exists():
        sys.exit("lesson_memory.py reads /proc/self/status: it runs on Linux only")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("MPLBACKEND", "Agg")
    runs = None
    if not os.environ.get("COURSE_RUNS_DIR"):
        runs = tempfile.TemporaryDirectory(prefix="lesson_memory_")
        os.environ["COURSE_RUNS_DIR"] = runs.name
    paths = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if args.lessons:
        paths = [p for p in paths if p.name[:2] in {n.zfill(2) for n in args.lessons}]
    figure("tensorflow_import_mb", tensorflow_import_mb(), "MB")
    worst = 0
    for path in paths:
        start = time.perf_counter()
        readings = lesson_memory(path)
        seconds = time.perf_counter() - start
        peak = readings[-1][2] if readings else 0
        worst = max(worst, peak)
        figure(f"lesson_{path.name[:2]}_peak_mb", peak, "MB")
        figure(f"lesson_{path.name[:2]}_run_seconds", seconds, "s")
        if args.cells:
            before = 0
            for first, rss, high in readings:
                if high - before > 20:
                    print(f"    +{high - before:4d} MB to {high:5d} (now {rss:5d}): {first}")
                before = high
    figure("lessons_peak_vs_target", worst / TARGET_MB, "ratio")
    if runs is not None:
        runs.cleanup()


if __name__ == "__main__":
    main()
