"""One reveal.js deck per lesson, built from the notebooks themselves, that opens without a network.

Each lesson is executed (with the preset from ``--preset`` or ``COURSE_PRESET``, so its pictures are
in the deck), tidied for a projector and exported with nbconvert's SlidesExporter into
``slides/build/`` (the Chinese lessons of ``notebooks/zh/``, executed with the course speaking
Chinese, into ``slides/build/zh/``). Why vendored reveal.js and a template that loads nothing from
the internet: the decks must work in a classroom without Wi-Fi. slides/README.md says what a deck leaves out, how it
fits a projector and what tests/test_slides.py checks.
"""

import html
import os
import re
import shutil
from pathlib import Path

from course_utils.atomic_write import atomic_write_text
from course_utils.cloud import REPO_ROOT
from course_utils.language import LANGUAGES, Messages, language

ASSETS = Path(__file__).resolve().parent / "assets"
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
BUILD_DIR = REPO_ROOT / "slides" / "build"
# Where each language's lessons are, and where its decks go (the same file names in both).
LESSON_DIRS = {"en": NOTEBOOKS_DIR, "zh": NOTEBOOKS_DIR / "zh"}
DECK_DIRS = {"en": BUILD_DIR, "zh": BUILD_DIR / "zh"}
COLAB_BADGE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)\n?")
REVEAL_PREFIX = "reveal.js"  # relative to the deck, so the folder can be copied anywhere
SLIDE_WIDTH, SLIDE_HEIGHT = 1200, 750  # reveal.js's logical slide; about 100 code characters wide
# nbconvert's HTML order of output types, with the GIF (lesson 7's training film) before PNG.
DISPLAY = [
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "text/latex",
    "image/gif",
    "image/png",
    "image/jpeg",
    "text/plain",
]
WIDGET = "application/vnd.jupyter.widget-view+json"
# Chinese characters, CJK and full-width punctuation: a line break between two of them is no space.
CJK = "[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef]"
CJK_BREAK = re.compile(rf"(?<={CJK})\n[ \t]*(?={CJK})")
# A heading is one line, never joined to the next; a fenced code block is left as it is.
HEADING = re.compile(r"^[ \t]{0,3}#+[ \t][^\n]*$", re.MULTILINE)
FENCE = re.compile(
    r"^[ \t]*(?:```|~~~)[^\n]*\n.*?^[ \t]*(?:```|~~~)[ \t]*$", re.MULTILINE | re.DOTALL
)
MAX_CODE_LINES = 26  # a longer code cell continues on a sub-slide of its own (split_long_code)
# Marker lines kept for the tests and tools (nbval, scripts/sync_saved_cells.py), not for the class.
MARKER_LINE = re.compile(r"\A(?:[ \t]*#[ \t]*(?:NBVAL_[A-Z_]+|@save\b)[^\n]*(?:\n|\Z))+")
# Matplotlib in the deck: text that reads from the back of a classroom (the notebook keeps its own).
SLIDE_RC = {
    "font.size": 14,
    "axes.titlesize": "large",
    "axes.labelsize": "medium",
    "xtick.labelsize": "medium",
    "ytick.labelsize": "medium",
    "legend.fontsize": "medium",
    "figure.titlesize": "large",
    "figure.dpi": 100,
}
# Run in the kernel before the lesson (see slide_figures).
KERNEL_SETUP = (
    "%matplotlib inline\nfrom course_utils.slides import slide_figures\nslide_figures({rc!r})\n"
)

_say = Messages(
    __name__,
    {
        # Said on the command line, in the language the course speaks.
        "no lesson": (
            "no lesson '{lesson}' in {folder} (have: {have})",
            "{folder} 里没有课程 '{lesson}'（现有：{have}）",
        ),
        "none": ("none", "无"),
        "executing": ("Executing and exporting {name} ...", "正在执行并导出 {name} ……"),
        "exporting": ("Exporting {name} ...", "正在导出 {name} ……"),
        "built": (
            "{n} deck(s) in {folder}/ (offline: reveal.js copied alongside). "
            "Open one in a browser; arrow keys move, 's' opens speaker notes.",
            "已在 {folder}/ 生成 {n} 份幻灯片（离线可用：reveal.js 已一并复制过去）。"
            "用浏览器打开即可：方向键翻页，按 s 打开演讲者备注。",
        ),
        # The slides command's options (course_utils.cli asks option_help for them).
        "help preset": (
            "the preset to execute the lessons with (default: $COURSE_PRESET, else classroom)",
            "执行课程所用的预设（默认：$COURSE_PRESET，未设置时为 classroom）",
        ),
        "help lessons": (
            "lesson numbers or notebook stems, e.g. 00 05 (default: every lesson)",
            "课程编号或笔记本文件名（不含扩展名），例如 00 05（默认：全部课程）",
        ),
        "help no-execute": (
            "export the notebooks as saved, without running them (no pictures "
            "unless they hold outputs)",
            "按保存时的样子导出笔记本，不运行（除非笔记本里存有输出，否则没有图片）",
        ),
        "help lang": (
            "the lessons' language: en (notebooks/ -> slides/build/) or zh "
            "(notebooks/zh/ -> slides/build/zh/, executed with the course speaking Chinese) "
            "(default: $COURSE_LANG, else en)",
            "课程的语言：en（notebooks/ → slides/build/）或 zh（notebooks/zh/ → "
            "slides/build/zh/，执行时课程说中文）（默认：$COURSE_LANG，未设置时为 en）",
        ),
        "help out-dir": (
            "where the decks go (default: slides/build/, or slides/build/zh/ with --lang zh)",
            "幻灯片的输出目录（默认：slides/build/；--lang zh 时为 slides/build/zh/）",
        ),
        # Written into the deck, in the deck's language (deck_text).
        "deck title": ("{title} slides", "{title} · 幻灯片"),
        "widget note": (
            "[interactive: present this lesson live in JupyterLab (RISE, alt+r) to use it]",
            "[交互控件：请在 JupyterLab 里现场演示本课（RISE，alt+r）再使用它]",
        ),
        "continued": ("# … {name}, continued", "# … {name}（续）"),
    },
)
OPTION_HELP = {
    "--preset": "help preset",
    "--lessons": "help lessons",
    "--no-execute": "help no-execute",
    "--lang": "help lang",
    "--out-dir": "help out-dir",
}


def option_help(option):
    """The ``--help`` line of the slides command's ``option``, in the language the course speaks."""
    return _say(OPTION_HELP[option])


def deck_text(lang, key, **fields):
    """A text the deck itself shows, in the deck's language ``lang`` (not the command line's)."""
    return _say.both(key, **fields)[LANGUAGES.index(lang)]


def deck_language(notebook):
    """'zh' for a lesson in ``notebooks/zh/`` (a folder named zh), else 'en'."""
    return "zh" if Path(notebook).parent.name == "zh" else "en"


def figure_text_report(fig, dpi=None):
    """How ``fig``'s text will look saved at ``dpi``: ``font_px``, its smallest text in pixels, and
    ``text_overlap``, the first two texts whose boxes overlap (or None). Renders no pixel."""
    import matplotlib.text as mtext

    drawn, draw = [], mtext.Text.draw

    def record(text, renderer):
        result = draw(text, renderer)
        if text.get_visible() and text.get_text().strip():
            drawn.append((text, text.get_window_extent(renderer)))
        return result

    mtext.Text.draw = record
    try:
        fig.draw_without_rendering()
    finally:
        mtext.Text.draw = draw
    report = {"font_px": None, "text_overlap": None}
    if drawn:
        report["font_px"] = round(
            min(t.get_fontsize() for t, _ in drawn) * (dpi or fig.dpi) / 72, 2
        )
    for i, (text, box) in enumerate(drawn):
        for other, other_box in drawn[i + 1 :]:
            wide = min(box.x1, other_box.x1) - max(box.x0, other_box.x0)
            high = min(box.y1, other_box.y1) - max(box.y0, other_box.y0)
            if wide > 1 and high > 1:
                report["text_overlap"] = f"{text.get_text()!r} and {other.get_text()!r}"
                return report
    return report


def slide_figures(rc=None):
    """In a kernel executing a lesson for its deck: matplotlib with ``rc`` (``SLIDE_RC``), figures
    inline as PNG, each with its ``figure_text_report`` in the output's metadata (for the tests).
    When the course speaks Chinese, Noto Sans CJK draws the Chinese text (``fonts.use_cjk_font``),
    in the lesson's own plots too."""
    import matplotlib
    from matplotlib_inline import backend_inline
    from matplotlib_inline.config import InlineBackend

    matplotlib.rcParams.update(SLIDE_RC if rc is None else rc)
    if language() == "zh":
        from course_utils.fonts import use_cjk_font

        use_cjk_font()
    InlineBackend.instance().figure_formats = {"png"}
    original = getattr(
        backend_inline._fetch_figure_metadata, "original", backend_inline._fetch_figure_metadata
    )

    def figure_metadata(fig):
        metadata = dict(original(fig) or {})
        dpi = matplotlib.rcParams["savefig.dpi"]
        report = figure_text_report(fig, fig.dpi if dpi == "figure" else dpi)
        metadata.update({key: value for key, value in report.items() if value is not None})
        return metadata or None

    figure_metadata.original = original
    backend_inline._fetch_figure_metadata = figure_metadata


def lesson_notebooks(lessons=None, notebooks_dir=None, lang="en"):
    """The lesson notebooks ``NN_name.ipynb`` in ``notebooks_dir`` (default: the lessons in
    ``lang``), sorted; ``lessons`` filters by number ("00", "5", 7) or by stem, and a lesson that
    does not exist is an error."""
    notebooks_dir = LESSON_DIRS[lang] if notebooks_dir is None else notebooks_dir
    found = sorted(p for p in Path(notebooks_dir).glob("*.ipynb") if re.match(r"\d\d_", p.name))
    if not lessons:
        return found
    chosen = []
    for lesson in lessons:
        key = str(lesson)
        key = f"{int(key):02d}" if key.isdigit() else key
        match = [p for p in found if p.stem == key or p.stem.startswith(key + "_")]
        if not match:
            have = ", ".join(p.stem for p in found) or _say("none")
            raise FileNotFoundError(
                _say("no lesson", lesson=lesson, folder=notebooks_dir, have=have)
            )
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


def execute_notebook(nb, cwd, preset=None, timeout=1800, setup=None, lang=None):
    """Run every cell of ``nb`` in a fresh kernel with ``COURSE_PRESET=preset`` and
    ``COURSE_LANG=lang`` (each if given); the code ``setup`` runs first, in a cell removed again
    afterwards."""
    import nbformat
    from nbclient import NotebookClient

    env = {
        "COURSE_PRESET": preset,
        "COURSE_LANG": lang,  # the zh lessons also say use_language("zh"): either way, Chinese
        "TF_CPP_MIN_LOG_LEVEL": os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"),
        # pictures inline, even where the caller runs under MPLBACKEND=Agg (./course.sh test)
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
    }
    old = {name: os.environ.get(name) for name in env}
    os.environ.update({name: value for name, value in env.items() if value})
    if setup:
        nb.cells.insert(0, nbformat.v4.new_code_cell(setup))
    try:
        NotebookClient(
            nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(cwd)}}
        ).execute()
    finally:
        if setup:
            del nb.cells[0]
        for name, value in old.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return nb


def collapse_carriage_returns(text):
    """The text a terminal shows in the end: each line from its last ``\\r`` (a progress line
    redrawn in place), backspaces applied, other control characters but tabs and ANSI escapes dropped."""
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        parts = [part for part in line.split("\r") if part]
        line = parts[-1] if parts else ""
        while "\b" in line:
            line = re.sub(r"[^\b]?\x08", "", line, count=1)
        lines.append(re.sub(r"[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f\ufffd]", "", line))
    return "\n".join(lines)


def join_cjk_lines(markdown):
    """``markdown`` with the line breaks inside Chinese sentences removed (outside code fences and
    after headings): a browser shows such a break as a space, which Chinese text does not have."""
    kept = [m.span() for m in FENCE.finditer(markdown)]
    kept += [(m.end(), m.end() + 1) for m in HEADING.finditer(markdown)]  # the heading's \n
    parts, start = [], 0
    for begin, end in sorted(kept):
        if begin >= start:
            parts += [CJK_BREAK.sub("", markdown[start:begin]), markdown[begin:end]]
            start = end
    return "".join(parts + [CJK_BREAK.sub("", markdown[start:])])


def for_projector(nb, lang="en"):
    """Tidy an executed notebook for the deck, in place: no marker lines, no stderr, progress lines
    collapsed, and a widget (it needs a live kernel) replaced by a note in ``lang`` saying where to
    use it. Chinese text loses the spaces its line breaks would show (``join_cjk_lines``)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":  # the Colab badge is an image from the internet
            cell.source = COLAB_BADGE.sub("", cell.source)
            if lang == "zh":
                cell.source = join_cjk_lines(cell.source)
        if cell.cell_type != "code":
            continue
        cell.source = MARKER_LINE.sub("", cell.source).lstrip("\n")
        outputs = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                if output.get("name") == "stderr":  # TensorFlow's C++ log lines and warnings
                    continue
                if (
                    outputs
                    and outputs[-1].get("output_type") == "stream"
                    and outputs[-1].get("name") == output.get("name")
                ):
                    outputs[-1]["text"] += output["text"]
                    continue
            outputs.append(output)
        for output in outputs:
            if WIDGET in output.get("data", {}):  # a live widget: its repr would be noise here
                output["data"] = {"text/plain": deck_text(lang, "widget note")}
            if output.get("output_type") == "stream":
                output["text"] = collapse_carriage_returns(output["text"])
            elif "text/plain" in output.get("data", {}):
                output["data"]["text/plain"] = collapse_carriage_returns(
                    output["data"]["text/plain"]
                )
        cell.outputs = outputs
    return nb


def _split_point(lines):
    """Where to cut ``lines`` in two: after the blank line that balances the two parts best."""
    blanks = [k for k in range(2, len(lines) - 1) if not lines[k - 1].strip() and lines[k].strip()]
    return min(blanks, key=lambda k: max(k, len(lines) - k + 1), default=None)


def split_long_code(nb, max_lines=MAX_CODE_LINES, lang="en"):
    """In place: a shown code cell longer than ``max_lines`` is cut at blank lines into parts that fit
    a slide, each later part a sub-slide headed ``# … NAME, continued`` (in ``lang``); the last keeps
    the outputs."""
    import nbformat

    index = 0
    while index < len(nb.cells):
        cell = nb.cells[index]
        lines = cell.source.split("\n")
        kind = cell.metadata.get("slideshow", {}).get("slide_type")
        cut = (
            _split_point(lines)
            if cell.cell_type == "code" and len(lines) > max_lines and kind not in ("skip", "notes")
            else None
        )
        if cut is not None:
            head, tail = lines[:cut], lines[cut:]
            names = re.findall(r"^(?:def|class) (\w+)", "\n".join(head), re.MULTILINE)
            if names and tail[0][:1] in (" ", "\t"):
                tail = [deck_text(lang, "continued", name=names[-1])] + tail
            rest = nbformat.v4.new_code_cell(
                "\n".join(tail),
                outputs=cell.get("outputs", []),
                metadata={"slideshow": {"slide_type": "subslide"}},
            )
            cell.source, cell.outputs = "\n".join(head).rstrip("\n"), []
            nb.cells.insert(index + 1, rest)
        index += 1
    return nb


def build_deck(notebook, out_dir=None, preset=None, execute=True, lang=None):
    """Execute ``notebook`` (unless ``execute=False``) and write ``out_dir/STEM.slides.html``
    (default: ``DECK_DIRS[lang]``). ``lang``, the deck's language, is the lesson's own by default
    (``deck_language``): a zh lesson executes with the course speaking Chinese. Returns the path of
    the deck."""
    import nbformat
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    lang = lang or deck_language(notebook)
    notebook = Path(notebook)
    out_dir = Path(DECK_DIRS[lang] if out_dir is None else out_dir)
    nb = nbformat.read(notebook, as_version=4)
    title = deck_title(nb, notebook.stem)
    nb.metadata["title"] = title
    if execute:
        setup = KERNEL_SETUP.format(rc=SLIDE_RC)
        execute_notebook(nb, notebook.parent, preset, setup=setup, lang=lang)
    split_long_code(for_projector(nb, lang), lang=lang)
    # No scroll bars: a slide that does not fit is a bug, which tests/test_slides.py reports.
    exporter = SlidesExporter(
        config=Config({"NbConvertBase": {"display_data_priority": DISPLAY}}),
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        template_name="slides_template",
        extra_template_basedirs=[str(ASSETS)],
        reveal_url_prefix=REVEAL_PREFIX,
        require_js_url=f"{REVEAL_PREFIX}/require.js",
        jquery_url=f"{REVEAL_PREFIX}/jquery.min.js",
        reveal_theme="white",
        reveal_scroll=False,
        reveal_width=str(SLIDE_WIDTH),
        reveal_height=str(SLIDE_HEIGHT),
        reveal_number="c/t",
        language_code=lang,  # <html lang="zh">: the browser draws the text with a Chinese font
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": notebook.stem}})
    # The template titles the page "TITLE slides"; a Chinese deck says it in Chinese.
    body = re.sub(
        r"<title>.*? slides</title>",
        lambda _: f"<title>{html.escape(deck_text(lang, 'deck title', title=title))}</title>",
        body,
        count=1,
        flags=re.DOTALL,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    vendor_reveal(out_dir)
    out = out_dir / f"{notebook.stem}.slides.html"
    return atomic_write_text(out, body)


def build_decks(lessons=None, out_dir=None, preset=None, execute=True, log=print, lang="en"):
    """One deck per lesson in ``lang`` (all of them by default) into ``out_dir`` (default:
    ``DECK_DIRS[lang]``); returns the deck paths."""
    decks = []
    for notebook in lesson_notebooks(lessons, lang=lang):
        log(_say("executing" if execute else "exporting", name=notebook.name))
        decks.append(build_deck(notebook, out_dir, preset, execute, lang=lang))
        log(f"  {decks[-1]}")
    return decks


def built_message(decks, out_dir):
    """The line the slides command ends with."""
    return _say("built", n=len(decks), folder=out_dir)
