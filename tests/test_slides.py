"""The decks, as a teacher projects them: every lesson is built (executed with the ``ci`` preset, so
its pictures are there), and every slide of every deck, horizontal and vertical, with all its
fragments shown, is visited in headless Chromium at 1280×800 (tests/deck_browser.py) and must show:

* nothing below the slide and nothing cut on the right (code, outputs, pictures);
* no test or sync markers (``# NBVAL_CHECK_OUTPUT``, ``#@save``) and no control characters (the
  training progress line's ``\\r``, backspaces, U+FFFD), which a browser draws as boxes;
* plots whose smallest text is at least ``deck_browser.MIN_PLOT_TEXT_PX`` on screen, with no two
  texts on top of each other;
* nothing under the navigation arrows.

Every slide is also saved as a PNG (``$SLIDES_SHOTS_DIR``, else a pytest temporary folder) to look
at. Building all decks takes about two minutes on two cores; the browser part about half a minute.
"""

import io
import os
import re
import shutil
import subprocess
import sys

import deck_browser
import nbformat
import pytest

from course_utils import slides
from course_utils.progress import Progress

LESSONS = slides.lesson_notebooks()
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd\r]")
MARKERS = ("NBVAL_", "#@save")


# --- What the deck leaves out or reshapes (no browser) ----------------------------------------


def test_lesson_selection():
    assert LESSONS == sorted(LESSONS) and all(re.match(r"\d\d_", p.name) for p in LESSONS)
    if LESSONS:
        first = LESSONS[0]
        assert slides.lesson_notebooks([first.stem[:2]]) == [first]
        assert slides.lesson_notebooks([int(first.stem[:2])]) == [first]
    with pytest.raises(FileNotFoundError, match="no lesson '99'"):
        slides.lesson_notebooks(["99"])


def test_cli_parses_the_slides_subcommand():
    from course_utils.cli import build_parser

    args = build_parser().parse_args(
        ["slides", "--preset", "ci", "--lessons", "00", "05", "--no-execute"]
    )
    assert args.lessons == ["00", "05"] and args.no_execute and args.preset == "ci"


def test_the_progress_line_reads_as_one_line_per_epoch():
    """What course_utils.progress writes (a line redrawn with \\r) becomes what a terminal shows."""
    stream = io.StringIO()
    progress = Progress(0, 2, steps_per_epoch=3, batch_size=32, stream=stream, every_seconds=0)
    for epoch in (1, 2):
        for _ in range(3):
            progress.step(epoch)
        progress.end_epoch(
            epoch, {"seconds": 1.0, "gen_loss": 1.0, "disc_loss": 1.3, "d_real": 0.6, "d_fake": 0.4}
        )
    progress.close()
    assert "\r" in stream.getvalue()
    shown = slides.collapse_carriage_returns(stream.getvalue())
    assert not CONTROL.search(shown)
    lines = shown.splitlines()
    assert (
        len(lines) == 2 and lines[0].startswith("epoch 1/2 · ") and lines[1].startswith("epoch 2/2")
    )
    assert slides.collapse_carriage_returns("50%\r100%\rdone\n") == "done\n"
    assert slides.collapse_carriage_returns("ab\bc\x07\n") == "ac\n"


def _notebook(*cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    return nb


def test_markers_stderr_and_widgets_stay_out_of_the_deck():
    checked = nbformat.v4.new_code_cell(
        "# NBVAL_CHECK_OUTPUT\nprint(1)",
        outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="1\n"),
            nbformat.v4.new_output("stream", name="stderr", text="absl::InitializeLog\n"),
        ],
    )
    saved = nbformat.v4.new_code_cell("#@save course_utils.data\n\ndef f():\n    return 1")
    widget = nbformat.v4.new_code_cell(
        "toy()",
        outputs=[
            nbformat.v4.new_output(
                "execute_result", data={slides.WIDGET: {"model_id": "x"}, "text/plain": "HBox(...)"}
            )
        ],
    )
    nb = slides.for_projector(_notebook(checked, saved, widget))
    assert nb.cells[0].source == "print(1)" and nb.cells[1].source == "def f():\n    return 1"
    assert [o["text"] for o in nb.cells[0].outputs] == ["1\n"]
    assert nb.cells[2].outputs[0]["data"] == {"text/plain": slides.WIDGET_NOTE}


def test_a_long_code_cell_continues_on_a_subslide_of_its_own():
    body = "\n".join(f"    x{i} = {i}" + ("\n" if i % 5 == 4 else "") for i in range(40))
    cell = nbformat.v4.new_code_cell(
        f"def big():\n{body}\n    return x0",
        outputs=[nbformat.v4.new_output("stream", name="stdout", text="done\n")],
    )
    cell.metadata["slideshow"] = {"slide_type": "subslide"}
    original = cell.source
    nb = slides.split_long_code(_notebook(cell))
    parts = [c.source.split("\n") for c in nb.cells]
    assert len(parts) >= 2 and all(len(p) <= slides.MAX_CODE_LINES for p in parts)
    assert all(p[0] == "# … big, continued" for p in parts[1:])
    assert [c.metadata["slideshow"]["slide_type"] for c in nb.cells[1:]] == ["subslide"] * (
        len(parts) - 1
    )
    assert nb.cells[-1].outputs and not any(c.get("outputs") for c in nb.cells[:-1])
    code = "\n".join(line for p in parts for line in p if not line.startswith("# …"))
    assert code.replace("\n", "") == original.replace("\n", "")


def test_figure_text_report_finds_small_and_overlapping_text():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(4, 2), dpi=100)
    axes[0].set_title("a title far too long for its panel", fontsize=10)
    axes[1].set_title("and a second one just as long", fontsize=10)
    axes[1].plot([0, 1], label="tiny")
    axes[1].legend(fontsize=6)
    report = slides.figure_text_report(fig)
    assert report["font_px"] == pytest.approx(6 * 100 / 72, abs=0.01)
    assert "a title far too long" in report["text_overlap"]
    fig, ax = plt.subplots(figsize=(6, 3), dpi=100)
    ax.set_title("fits")
    assert slides.figure_text_report(fig)["text_overlap"] is None
    plt.close("all")


# --- Every slide of every deck, in a browser ----------------------------------------------


@pytest.fixture(scope="module")
def decks(tmp_path_factory):
    """All decks, executed with the ci preset into a fresh runs folder (so lesson 5 really trains
    and prints its progress line, and a learner's runs/ is left alone)."""
    if not LESSONS:
        pytest.skip("no lesson notebooks yet")
    out = tmp_path_factory.mktemp("decks")
    runs = tmp_path_factory.mktemp("runs")
    old = os.environ.get("COURSE_RUNS_DIR")
    os.environ["COURSE_RUNS_DIR"] = str(runs)
    try:
        return {p.stem: slides.build_deck(p, out, preset="ci") for p in LESSONS}
    finally:
        if old is None:
            os.environ.pop("COURSE_RUNS_DIR", None)
        else:
            os.environ["COURSE_RUNS_DIR"] = old


@pytest.fixture(scope="module")
def browser():
    if deck_browser.find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is required on CI to check the decks (apt-get install chromium)")
        pytest.skip("chromium not installed")
    with deck_browser.Chromium() as chromium:
        yield chromium


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = os.environ.get("SLIDES_SHOTS_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        return folder
    return tmp_path_factory.mktemp("slide-shots")


@pytest.mark.parametrize("lesson", [p.stem for p in LESSONS])
def test_deck_is_offline_and_carries_the_lesson(decks, lesson):
    deck = decks[lesson]
    html = deck.read_text(encoding="utf-8")
    loads = re.findall(r"<(?:script|link|img)\b[^>]*?(?:src|href)=[\"']([^\"']+)", html)
    assert loads, "the deck loads nothing at all?"
    assert [u for u in loads if re.match(r"(https?:)?//", u)] == []
    for url in loads:
        if not url.startswith("data:"):
            assert (deck.parent / url).is_file(), f"{url} is missing next to the deck"
    assert "colab-badge" not in html and "absl::InitializeLog" not in html
    title = re.search(r"<title>(.*?) slides</title>", html).group(1)
    assert title.startswith("Lesson ")
    # An HTML parser turns a raw \r into a line break, so the browser cannot see it: check here.
    bad = CONTROL.search(html)
    assert bad is None, (
        f"control character {bad.group()!r} in {html[bad.start() - 60 : bad.end() + 20]!r}"
    )
    assert not [m for m in MARKERS if m in html]
    nb = nbformat.read(slides.NOTEBOOKS_DIR / f"{lesson}.ipynb", as_version=4)
    shown = [c for c in nb.cells if c.metadata.get("slideshow", {}).get("slide_type") != "skip"]
    if any("plt.show()" in c.source for c in shown):
        assert "data:image/png;base64" in html, "an executed deck carries the lesson's pictures"


@pytest.mark.parametrize("lesson", [p.stem for p in LESSONS])
def test_every_slide_fits_a_1280x800_screen(decks, browser, shots, lesson):
    report = deck_browser.visit_deck(browser, decks[lesson], shots)
    html = decks[lesson].read_text(encoding="utf-8")
    sections = html.count("<section")
    stacks = len(re.findall(r"<section[^>]*>\s*<section", html))
    assert len(report) == sections - stacks > 0, "every slide, horizontal and vertical, visited"
    problems = [
        f"slide {r['h']}.{r['v']} ({r['shot']}): {p}" for r in report for p in r["problems"]
    ]
    assert problems == [], "\n".join(problems)


def test_the_checks_see_what_a_projector_would_cut(browser, tmp_path):
    """The browser checks are not vacuous: a slide with every fault is reported for each, and a
    tidy slide for none."""
    notebook = tmp_path / "99_check.ipynb"
    title = nbformat.v4.new_markdown_cell("# Lesson 99 — Checks\n\nA tidy slide.")
    title.metadata["slideshow"] = {"slide_type": "slide"}
    nbformat.write(_notebook(title), notebook)
    source = slides.build_deck(notebook, tmp_path / "build", execute=False)
    bad = (
        "<section><h2>bad</h2><pre style='white-space:pre'>"
        + "x" * 300
        + "</pre><p>NBVAL_CHECK_OUTPUT \ufffd</p><div style='height:2000px'>tall</div>"
        "<p>end of the tall slide</p></section>"
    )
    html = source.read_text(encoding="utf-8")
    deck = source.parent / "99_broken.slides.html"
    deck.write_text(
        html.replace("</section>\n</div>\n</div>", "</section>" + bad + "\n</div>\n</div>", 1),
        encoding="utf-8",
    )
    tidy, broken = deck_browser.visit_deck(browser, deck)
    assert tidy["problems"] == []
    found = " ".join(broken["problems"])
    for kind in ("bottom:", "right:", "marker:", "control:"):
        assert kind in found, (kind, found)


# --- Live slides -----------------------------------------------------------------------------


def test_rise_presents_the_lessons_live_in_jupyterlab():
    """jupyterlab-rise (RISE for JupyterLab 4) is installed and enabled: a teacher opens a lesson in
    JupyterLab and presses alt+r (slides/README.md)."""
    import jupyterlab_rise  # noqa: F401

    listing = subprocess.run(
        [sys.executable, "-m", "jupyter", "labextension", "list"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    text = re.sub(r"\x1b\[[0-9;]*m", "", listing.stdout + listing.stderr)
    line = next((line for line in text.splitlines() if "jupyterlab-rise" in line), "")
    assert "enabled" in line and "OK" in line, text


def test_chromium_is_found_the_way_ci_installs_it():
    """.ci/run installs Debian's chromium; the browser checks look for it under that name."""
    assert "chromium" in deck_browser.CHROMIUM_NAMES
    assert "apt-get install" in (slides.REPO_ROOT / ".ci" / "run").read_text()
    assert shutil.which("chromium") or not os.environ.get("CI")
