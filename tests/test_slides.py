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

The Chinese decks (``--lang zh``: ``notebooks/zh/`` → ``slides/build/zh/``) are checked built as
saved (lessons 0 and 5): Chinese title and text, offline, the deck's own words in Chinese, every slide
fitting the same screen, and the Chinese drawn with a Chinese font (``fonts-noto-cjk``), not boxes.
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
ZH_LESSONS = slides.lesson_notebooks(lang="zh")
ZH_DECKS = ["00", "05"]  # built as saved for the Chinese checks: the story, and the longest code
HAN = re.compile(r"[\u4e00-\u9fff]")
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


def test_the_chinese_lessons_are_the_same_lessons_in_their_own_folder():
    assert [p.name for p in ZH_LESSONS] == [p.name for p in LESSONS]
    assert all(p.parent == slides.NOTEBOOKS_DIR / "zh" for p in ZH_LESSONS)
    assert slides.lesson_notebooks(["5"], lang="zh") == [
        slides.NOTEBOOKS_DIR / "zh" / "05_training.ipynb"
    ]
    assert [slides.deck_language(p) for p in (LESSONS[0], ZH_LESSONS[0])] == ["en", "zh"]
    # English decks stay where they were; the Chinese ones go into a folder of their own.
    assert slides.DECK_DIRS == {"en": slides.BUILD_DIR, "zh": slides.BUILD_DIR / "zh"}


def test_cli_parses_the_slides_subcommand():
    from course_utils.cli import build_parser

    args = build_parser().parse_args(
        ["slides", "--preset", "ci", "--lessons", "00", "05", "--no-execute"]
    )
    assert args.lessons == ["00", "05"] and args.no_execute and args.preset == "ci"
    assert args.lang is None and args.out_dir is None  # then $COURSE_LANG, and its deck folder
    args = build_parser().parse_args(["slides", "--lang", "zh"])
    assert args.lang == "zh"
    with pytest.raises(SystemExit):
        build_parser().parse_args(["slides", "--lang", "fr"])


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
    note = nb.cells[2].outputs[0]["data"]["text/plain"]
    assert note.startswith("[interactive: present this lesson live in JupyterLab")
    widget.outputs[0]["data"] = {slides.WIDGET: {"model_id": "x"}}
    nb = slides.for_projector(_notebook(widget), lang="zh")
    assert nb.cells[0].outputs[0]["data"]["text/plain"].startswith("[交互控件：")


def test_a_chinese_sentence_broken_over_lines_shows_no_space():
    """A browser draws a line break inside a paragraph as a space: in Chinese text, it is a gap."""
    text = "## 检查点\n每一轮，\n  循环都保存一个检查点（checkpoint）\n里面有 TensorFlow\n的变量。\n\n下一段"
    fence = "```\n代码\n注释\n```"
    joined = slides.join_cjk_lines(text + "\n" + fence + "\n好\n的")
    assert joined == (
        "## 检查点\n每一轮，循环都保存一个检查点（checkpoint）里面有 TensorFlow\n的变量。\n\n下一段\n"
        + fence
        + "\n好的"
    )
    cell = nbformat.v4.new_markdown_cell("艺术家\n评论家")
    assert slides.for_projector(_notebook(cell)).cells[0].source == "艺术家\n评论家"  # English deck
    assert slides.for_projector(_notebook(cell), lang="zh").cells[0].source == "艺术家评论家"


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
    cell.source, cell.outputs = original, []
    zh = slides.split_long_code(_notebook(cell), lang="zh")
    assert len(zh.cells) == len(parts) and zh.cells[1].source.startswith("# … big（续）\n")
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


# --- The Chinese decks ----------------------------------------------------------------------


def _visible_text(html):
    """The deck's words: no scripts, styles or tags."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"<[^>]+>", " ", html)


def _loads(html):
    return re.findall(r"<(?:script|link|img)\b[^>]*?(?:src|href)=[\"']([^\"']+)", html)


@pytest.fixture(scope="module")
def zh_decks(tmp_path_factory):
    """Lessons 0 and 5 in Chinese, built as saved by the command line into a temporary folder."""
    from course_utils.cli import main

    out = tmp_path_factory.mktemp("zh-decks")
    argv = ["slides", "--lang", "zh", "--no-execute", "--lessons", *ZH_DECKS, "--out-dir", str(out)]
    assert main(argv) == 0
    return {p.name.split(".")[0]: p for p in sorted(out.glob("*.slides.html"))}


def test_the_chinese_decks_speak_chinese_and_load_nothing_from_the_internet(zh_decks):
    assert sorted(zh_decks) == ["00_the_story", "05_training"]
    for stem, deck in zh_decks.items():
        html = deck.read_text(encoding="utf-8")
        assert '<html lang="zh">' in html
        title = re.search(r"<title>(.*?)</title>", html).group(1)
        assert re.fullmatch(r"第 \d+ 课 — .+ · 幻灯片", title), title
        loads = _loads(html)
        assert loads and [u for u in loads if re.match(r"(https?:)?//", u)] == []
        assert all(u.startswith("data:") or (deck.parent / u).is_file() for u in loads)
        assert "colab-badge" not in html and not [m for m in MARKERS if m in html]
        # Mostly Chinese: the lesson's prose, as in notebooks/zh/ (the code stays as it is).
        zh = nbformat.read(slides.NOTEBOOKS_DIR / "zh" / f"{stem}.ipynb", as_version=4)
        heading = next(c for c in zh.cells if c.cell_type == "markdown").source.splitlines()[0]
        assert heading.lstrip("# ") in title
        words = _visible_text(html)
        assert len(HAN.findall(words)) > 300, f"{deck.name}: too little Chinese"
        english = nbformat.read(slides.NOTEBOOKS_DIR / f"{stem}.ipynb", as_version=4)
        assert slides.deck_title(english, stem) not in html  # not the English lesson's deck


def test_the_slides_command_puts_chinese_decks_in_their_own_folder(tmp_path, monkeypatch, capsys):
    """Without --out-dir: English into DECK_DIRS['en'] as before, Chinese into DECK_DIRS['zh'];
    without --lang, the language the course speaks ($COURSE_LANG)."""
    from course_utils.cli import main

    monkeypatch.setitem(slides.DECK_DIRS, "en", tmp_path / "build")
    monkeypatch.setitem(slides.DECK_DIRS, "zh", tmp_path / "build" / "zh")
    assert main(["slides", "--no-execute", "--lessons", "00"]) == 0
    english = (tmp_path / "build" / "00_the_story.slides.html").read_text(encoding="utf-8")
    assert re.search(r"<title>Lesson 0 — .* slides</title>", english)
    assert '<html lang="en">' in english and len(HAN.findall(_visible_text(english))) < 100
    assert "1 deck(s) in" in capsys.readouterr().out
    monkeypatch.setenv("COURSE_LANG", "zh")
    assert main(["slides", "--no-execute", "--lessons", "00"]) == 0
    assert (tmp_path / "build" / "zh" / "00_the_story.slides.html").is_file()
    assert (tmp_path / "build" / "zh" / "reveal.js" / "dist" / "reveal.js").is_file()
    assert "已在" in capsys.readouterr().out  # the command speaks Chinese too


def test_a_chinese_lesson_executes_with_the_course_speaking_chinese(tmp_path, monkeypatch):
    """The kernel that executes a zh lesson has COURSE_LANG=zh (and an English one en, whatever the
    shell says), and matplotlib there draws Chinese with Noto Sans CJK when it is installed."""
    from course_utils import fonts

    code = (
        "import os, matplotlib\n"
        "from course_utils.language import language\n"
        "print('lang', os.environ['COURSE_LANG'], language())\n"
        "print('fonts', matplotlib.rcParams['font.family'])"
    )
    have_cjk = fonts.package_font_file() is not None or any(
        os.path.isfile(f) for f in fonts.SYSTEM_FILES
    )
    title = nbformat.v4.new_markdown_cell("# 第 99 课 — 检查")
    for lang in ("zh", "en"):
        folder = tmp_path / lang
        folder.mkdir()
        notebook = folder / "99_check.ipynb"
        nbformat.write(_notebook(title, nbformat.v4.new_code_cell(code)), notebook)
        monkeypatch.setenv("COURSE_LANG", "en" if lang == "zh" else "zh")  # the shell's says other
        deck = slides.build_deck(notebook, tmp_path / "out" / lang, preset="ci")
        html = deck.read_text(encoding="utf-8")
        assert f"lang {lang} {lang}" in html
        family = re.search(r"fonts \[(.*?)\]", html).group(1)
        assert (fonts.FAMILY in family) == (lang == "zh" and have_cjk), family


@pytest.fixture(scope="module")
def chinese_browser(browser):
    if not deck_browser.chinese_fonts():
        if os.environ.get("CI"):
            pytest.fail("a Chinese font is required on CI (apt-get install fonts-noto-cjk)")
        pytest.skip("no Chinese font (apt-get install fonts-noto-cjk)")
    return browser


@pytest.mark.parametrize("lesson", ["00_the_story", "05_training"])
def test_every_chinese_slide_fits_and_is_drawn_in_a_chinese_font(
    zh_decks, chinese_browser, shots, lesson
):
    deck = zh_decks[lesson]
    report = deck_browser.visit_deck(chinese_browser, deck, shots)
    html = deck.read_text(encoding="utf-8")
    stacks = len(re.findall(r"<section[^>]*>\s*<section", html))
    assert len(report) == html.count("<section") - stacks > 0
    problems = [
        f"slide {r['h']}.{r['v']} ({r['shot']}): {p}" for r in report for p in r["problems"]
    ]
    assert problems == [], "\n".join(problems)
    # The title's Chinese characters come from a font that has them (not boxes from a fallback).
    chinese_browser.evaluate("Reveal.slide(0, 0)")
    heading = chinese_browser.evaluate("document.querySelector('.reveal .slides h1').innerText")
    fonts = chinese_browser.fonts_drawing(".reveal .slides h1")
    cjk = sum(n for family, n in fonts.items() if re.search(r"CJK|Han|Hei|WenQuanYi", family))
    assert cjk >= len(HAN.findall(heading)) > 0, fonts


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
