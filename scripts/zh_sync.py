"""Keep the Chinese lessons (notebooks/zh/) in step with the English ones.

    python scripts/zh_sync.py                 # list what is out of step (exit 1 if anything is)
    python scripts/zh_sync.py --code          # copy every code cell (and its outputs) from English
    python scripts/zh_sync.py --new NN        # start notebooks/zh/NN_*.ipynb from the English lesson
    python scripts/zh_sync.py --stamp FILE ID [ID ...]   # after retranslating those cells

A zh lesson has the English lesson's cells, in the same order and with the same cell ids. Its code
cells are the English ones: the same code, where only comments and strings may be translated (such a
cell records the English source it translates, like a markdown cell), and the setup cell adds the two
lines ``LANGUAGE_LINES`` that make the package speak Chinese. Outputs are the zh lesson's own (run
``scripts/refresh_notebook_outputs.py`` on it after ``--code``). Each markdown cell is a translation and records in
``metadata.zh.en_sha`` a hash of the English text it translates: when the English cell changes, the
hash no longer matches and ``tests/test_zh_edition.py`` names the zh cell to retranslate. ``--stamp``
records the current English text as translated (run it only after updating the Chinese).
"""

import argparse
import copy
import hashlib
import io
import json
import sys
import tokenize
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
EN_DIR = REPO / "notebooks"
ZH_DIR = EN_DIR / "zh"


#: What a zh lesson's setup cell (its first code cell) adds to the English one.
LANGUAGE_LINES = (
    "from course_utils.fonts import use_cjk_font",
    "from course_utils.language import use_language",
    'use_language("zh")  # 从这里起，课程的提示、图和命令行都说中文',
    "use_cjk_font()      # 图里的中文用 Noto Sans CJK 字体（matplotlib 自带的字体没有中文）",
)
#: ... and, inside its Colab branch, after the line that installs the course: Colab has no Chinese font.
COLAB_FONT_LINE = (
    "    %pip install -q noto-cjk-sans-otc  # Colab 没有中文字体：装上 Noto Sans CJK（约 20 MB）"
)
COURSE_PIP_LINE = "%pip install -q --no-deps"


def source_text(source):
    return "".join(source) if isinstance(source, list) else source


def without_language_lines(source):
    lines = source_text(source).split("\n")
    added = (*LANGUAGE_LINES, COLAB_FONT_LINE)
    return "\n".join(line for line in lines if line.rstrip() not in added)


def code_skeleton(source):
    """The code's tokens with every comment dropped and every string emptied: what must not differ."""
    text = without_language_lines(source)
    try:
        tokens = tokenize.generate_tokens(io.StringIO(text + "\n").readline)
        return [
            (
                t.type,
                ""
                if t.type in (tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", -1))
                else t.string,
            )
            for t in tokens
            if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE)
        ]
    except (tokenize.TokenError, SyntaxError):
        return text


def code_in_step(en_cell, zh_cell):
    """A zh code cell is in step when it is the English code, or the English code with comments and
    strings translated from the English source it records."""
    if without_language_lines(zh_cell["source"]) == source_text(en_cell["source"]):
        return True
    recorded = zh_cell.get("metadata", {}).get("zh", {}).get("en_sha")
    return recorded == text_sha(en_cell["source"]) and code_skeleton(
        zh_cell["source"]
    ) == code_skeleton(en_cell["source"])


def text_sha(source):
    """The hash a zh cell records of the English text it translates (whitespace at the ends ignored)."""
    text = "".join(source) if isinstance(source, list) else source
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:12]


def read(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def write(path, nb):
    Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def english_twin(zh_path):
    return EN_DIR / Path(zh_path).name


def problems(zh_path):
    """Every way ``zh_path`` is out of step with its English lesson, one line each."""
    zh_path = Path(zh_path)
    en_path = english_twin(zh_path)
    name = f"notebooks/zh/{zh_path.name}"
    if not en_path.exists():
        return [f"{name}: no English lesson notebooks/{zh_path.name}"]
    en, zh = read(en_path)["cells"], read(zh_path)["cells"]
    found = []
    en_ids = [c["id"] for c in en]
    zh_ids = [c["id"] for c in zh]
    for i, cell in enumerate(en):
        if cell["id"] not in zh_ids:
            found.append(f"{name}: English cell {i} ({cell['id']}) has no zh twin: translate it")
    for i, cell in enumerate(zh):
        if cell["id"] not in en_ids:
            found.append(f"{name}: zh cell {i} ({cell['id']}) has no English cell: remove it")
    if found:
        return found
    if en_ids != zh_ids:
        return [f"{name}: cells are in another order than the English lesson's"]
    setup = next((c for c in zh if c["cell_type"] == "code"), None)
    if setup is not None and not all(
        line in source_text(setup["source"]) for line in (*LANGUAGE_LINES, COLAB_FONT_LINE)
    ):
        found.append(
            f"{name}: the setup cell ({setup['id']}) does not choose Chinese: add "
            + " / ".join(LANGUAGE_LINES)
        )
    for i, (e, z) in enumerate(zip(en, zh)):
        if e["cell_type"] != z["cell_type"]:
            found.append(
                f"{name}: cell {i} ({e['id']}) is {z['cell_type']}, English {e['cell_type']}"
            )
        elif e["cell_type"] == "code":
            if not code_in_step(e, z):
                found.append(
                    f"{name}: code cell {i} ({e['id']}) differs from English: "
                    "python scripts/zh_sync.py --code"
                )
        elif z.get("metadata", {}).get("zh", {}).get("en_sha") != text_sha(e["source"]):
            found.append(
                f"{name}: cell {i} ({e['id']}) translates an older English text: retranslate it, "
                f"then python scripts/zh_sync.py --stamp {name} {e['id']}"
            )
    return found


def copy_code(zh_path):
    """Copy the English code into every zh code cell that is out of step (its translated comments
    and strings are lost: translate them again); the setup cell keeps its language lines. Returns
    the ids copied: their outputs need ``scripts/refresh_notebook_outputs.py``."""
    en = {c["id"]: c for c in read(english_twin(zh_path))["cells"]}
    nb = read(zh_path)
    copied = []
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    for cell in code_cells:
        if cell["id"] in en and not code_in_step(en[cell["id"]], cell):
            source = source_text(en[cell["id"]]["source"])
            if cell is code_cells[0]:
                source = with_language_lines(source)
            cell["source"] = source.splitlines(keepends=True)
            cell["outputs"] = copy.deepcopy(en[cell["id"]].get("outputs", []))
            cell.get("metadata", {}).pop("zh", None)
            copied.append(cell["id"])
    write(zh_path, nb)
    return copied


def with_language_lines(source):
    """The setup cell's code with the lines that make the package speak Chinese (and, on Colab,
    draw it)."""
    lines = without_language_lines(source).rstrip("\n").split("\n")
    at = next((i + 1 for i, line in enumerate(lines) if COURSE_PIP_LINE in line), None)
    if at is not None:
        lines.insert(at, COLAB_FONT_LINE)
    return "\n".join(lines + list(LANGUAGE_LINES))


def stamp(zh_path, ids):
    en = {c["id"]: c for c in read(english_twin(zh_path))["cells"]}
    nb = read(zh_path)
    for cell in nb["cells"]:
        if cell["id"] in ids:
            cell.setdefault("metadata", {}).setdefault("zh", {})["en_sha"] = text_sha(
                en[cell["id"]]["source"]
            )
    write(zh_path, nb)


def start(number):
    (en_path,) = EN_DIR.glob(f"{number}_*.ipynb")
    nb = read(en_path)
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            cell.setdefault("metadata", {})["zh"] = {"en_sha": "untranslated"}
    ZH_DIR.mkdir(exist_ok=True)
    write(ZH_DIR / en_path.name, nb)
    return ZH_DIR / en_path.name


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", action="store_true", help="copy code cells from English")
    parser.add_argument("--new", metavar="NN", help="start the zh lesson NN from the English one")
    parser.add_argument("--stamp", nargs="+", metavar=("FILE", "ID"), help="mark cells translated")
    args = parser.parse_args()
    if args.new:
        print(start(args.new))
        return 0
    if args.stamp:
        stamp(
            REPO / args.stamp[0] if not Path(args.stamp[0]).is_absolute() else args.stamp[0],
            set(args.stamp[1:]),
        )
        return 0
    paths = sorted(ZH_DIR.glob("[0-9][0-9]_*.ipynb"))
    if args.code:
        for path in paths:
            copied = copy_code(path)
            if copied:
                print(
                    f"{path.relative_to(REPO)}: code copied into {len(copied)} cells; then run "
                    f"python scripts/refresh_notebook_outputs.py {path.relative_to(REPO)}"
                )
    found = [line for path in paths for line in problems(path)]
    print("\n".join(found) or f"{len(paths)} zh lessons in step with English")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
