"""One reveal.js deck per lesson, built from the notebooks themselves, that opens without a network.

Every notebook cell carries ``metadata.slideshow.slide_type``; this module executes each lesson
(with the preset from ``--preset`` or ``COURSE_PRESET``, so the grids, curves and GIF are in the
deck), then exports it with nbconvert's SlidesExporter into ``slides/build/``::

    python -m course_utils slides --preset classroom            # every lesson
    python -m course_utils slides --lessons 00 05 --no-execute  # two decks, outputs as saved

reveal.js 4 (with require.js and jQuery, which nbconvert's template uses) are vendored in
``course_utils/assets`` and copied next to the decks, and the template
(``assets/slides_template``) loads nothing from the internet: the decks work in a classroom
without Wi-Fi, from a USB stick.
"""

import os
import re
import shutil
from pathlib import Path

from course_utils.cloud import REPO_ROOT
from course_utils.presets import get_preset
from course_utils.run_folder import atomic_write_text

ASSETS = Path(__file__).resolve().parent / "assets"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
BUILD_DIR = REPO_ROOT / "slides" / "build"
COLAB_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)\n?")
REVEAL_PREFIX = "reveal.js"  # relative to the deck, so the folder can be copied anywhere


def lesson_notebooks(lessons=None, notebooks_dir=NOTEBOOKS_DIR):
    """The lesson notebooks ``NN_name.ipynb`` that exist, sorted; ``lessons`` filters by number
    ("00", "5", 7) or by stem. Asking for a lesson that does not exist is an error."""
    found = sorted(p for p in Path(notebooks_dir).glob("*.ipynb") if re.match(r"\d\d_", p.name))
    if not lessons:
        return found
    chosen = []
    for lesson in lessons:
        key = str(lesson)
        key = f"{int(key):02d}" if key.isdigit() else key
        match = [p for p in found if p.stem == key or p.stem.startswith(key + "_")]
        if not match:
            raise FileNotFoundError(f"no lesson '{lesson}' in {notebooks_dir} "
                                    f"(have: {', '.join(p.stem for p in found) or 'none'})")
        chosen += [p for p in match if p not in chosen]
    return chosen


def vendor_reveal(out_dir):
    """Copy reveal.js (+ require.js) into ``out_dir/reveal.js``; returns that folder."""
    target = Path(out_dir) / REVEAL_PREFIX
    shutil.copytree(ASSETS / "reveal.js", target, dirs_exist_ok=True)
    for name in ("require.js", "jquery.min.js"):
        shutil.copy2(ASSETS / name, target / name)
    return target


def deck_title(nb, fallback):
    """The lesson's title from its first '# ' heading ("Lesson 5 — Training"), else ``fallback``."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def execute_notebook(nb, cwd, preset=None, timeout=1800):
    """Run every cell of ``nb`` in a fresh kernel with ``COURSE_PRESET=preset`` (if given)."""
    from nbclient import NotebookClient
    old = os.environ.get("COURSE_PRESET")
    if preset:
        os.environ["COURSE_PRESET"] = preset
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        if preset:
            if old is None:
                os.environ.pop("COURSE_PRESET", None)
            else:
                os.environ["COURSE_PRESET"] = old
    return nb


def build_deck(notebook, out_dir=BUILD_DIR, preset=None, execute=True):
    """Execute ``notebook`` (unless ``execute=False``) and write ``out_dir/STEM.slides.html``.
    Returns the path of the deck."""
    import nbformat
    from nbconvert import SlidesExporter
    notebook, out_dir = Path(notebook), Path(out_dir)
    nb = nbformat.read(notebook, as_version=4)
    nb.metadata["title"] = deck_title(nb, notebook.stem)
    for cell in nb.cells:  # the Colab badge is an image from the internet, and no use on a slide
        if cell.cell_type == "markdown":
            cell.source = COLAB_BADGE.sub("", cell.source)
    if execute:
        execute_notebook(nb, notebook.parent, preset)
    for cell in nb.cells:  # TensorFlow's C++ log lines and warnings are not for the audience
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.get("outputs", [])
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    exporter = SlidesExporter(exclude_input_prompt=True, exclude_output_prompt=True,
                              template_name="slides_template", extra_template_basedirs=[str(ASSETS)],
                              reveal_url_prefix=REVEAL_PREFIX,
                              require_js_url=f"{REVEAL_PREFIX}/require.js",
                              jquery_url=f"{REVEAL_PREFIX}/jquery.min.js",
                              reveal_theme="white", reveal_scroll=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    out_dir.mkdir(parents=True, exist_ok=True)
    vendor_reveal(out_dir)
    out = out_dir / f"{notebook.stem}.slides.html"
    return atomic_write_text(out, body)


def build_decks(lessons=None, out_dir=BUILD_DIR, preset=None, execute=True, log=print):
    """One deck per lesson (all of them by default); returns the deck paths."""
    decks = []
    for notebook in lesson_notebooks(lessons):
        log(f"{'Executing and exporting' if execute else 'Exporting'} {notebook.name} ...")
        decks.append(build_deck(notebook, out_dir, preset, execute))
        log(f"  {decks[-1]}")
    return decks


def _slides(args):
    preset = get_preset(args.preset).name if not args.no_execute else None
    decks = build_decks(args.lessons, Path(args.out_dir), preset, execute=not args.no_execute)
    print(f"{len(decks)} deck(s) in {args.out_dir}/ (offline: reveal.js copied alongside). "
          "Open one in a browser; arrow keys move, 's' opens speaker notes.")
    return 0
