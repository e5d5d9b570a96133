"""README.zh-CN.md is the Chinese front door: the same facts as README.md, pointing at the Chinese lessons.

Checked: the two READMEs link to each other in their first lines; every number README.md gives
(timings, scores, sizes, versions) is in the Chinese one too, and each table has the same rows with
the same numbers in the same order; every relative link points at a file that exists; every lesson
it links, opens in Binder or opens in Colab is a Chinese one (``notebooks/zh/NN_*.ipynb``); the two
commands and the section for learners in mainland China are there.
"""

import re
from collections import Counter
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EN = REPO / "README.md"
ZH = REPO / "README.zh-CN.md"
LINK = re.compile(r"\]\(([^)\s]+)\)|<img[^>]*\bsrc=\"([^\"]+)\"")
URL = re.compile(r"https?://\S+")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
ZH_LESSON = re.compile(r"notebooks/zh/\d\d_\w+\.ipynb")


def _text(path):
    return path.read_text(encoding="utf-8")


def numbers(text):
    """The numbers ``text`` states, URLs left out and ``20,000`` read as ``20000``."""
    return [
        n.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+", n) else n
        for n in NUMBER.findall(URL.sub(" ", text))
    ]


def tables(text):
    """Each markdown table as rows of cells, each cell its numbers sorted (Chinese may say them in
    another order: "≈ 25 h on a 2-core CPU", "2 核 CPU 上 ≈ 25 h"); the separator row left out."""
    found, rows = [], []
    for line in text.splitlines() + [""]:
        if line.startswith("|"):
            if not re.fullmatch(r"[|\s:-]+", line):
                cells = line.strip().strip("|").split("|")
                rows.append([sorted(numbers(cell)) for cell in cells])
        elif rows:
            found.append(rows)
            rows = []
    return found


def links(text):
    return [a or b for a, b in LINK.findall(text)]


def test_numbers_catch_a_changed_figure():
    """The comparison is not vacuous: a figure changed, or written in words, is a difference."""
    found = numbers("123–126 s, 20,000 faces, 0.891, v0.1.0")
    assert found == ["123", "126", "20000", "0.891", "0.1.0"]
    assert numbers("https://x.org/v2/gh 2 核") == ["2"] and numbers("双核") == []
    table = "| a 2 | 0.99 |\n|---|---|\n| b | 1,036 or 7 |\n\ntext"
    assert tables(table) == [[[["2"], ["0.99"]], [[], ["1036", "7"]]]]
    assert tables(table) != tables(table.replace("0.99", "0.98"))


def test_the_two_readmes_link_to_each_other_in_their_first_lines():
    assert "[中文](README.zh-CN.md)" in "\n".join(_text(EN).splitlines()[:5])
    assert "[English](README.md)" in "\n".join(_text(ZH).splitlines()[:5])


def test_every_number_of_the_english_readme_is_in_the_chinese_one():
    """As many times, too: the Chinese may add numbers of its own, never lose one."""
    missing = Counter(numbers(_text(EN))) - Counter(numbers(_text(ZH)))
    assert not missing, f"README.zh-CN.md lacks these numbers of README.md: {dict(missing)}"


def test_every_table_has_the_same_numbers_row_by_row():
    english, chinese = tables(_text(EN)), tables(_text(ZH))
    assert len(english) == len(chinese) >= 4
    for number, (en, zh) in enumerate(zip(english, chinese)):
        assert en == zh, f"table {number + 1} differs:\n{en}\n{zh}"


@pytest.mark.parametrize("readme", [EN, ZH], ids=["README.md", "README.zh-CN.md"])
def test_every_relative_link_points_at_a_file_that_exists(readme):
    targets = [t for t in links(_text(readme)) if not re.match(r"[a-z]+:", t)]
    assert targets
    missing = [t for t in targets if not (REPO / t.split("#")[0]).exists()]
    assert missing == []


def test_the_lessons_it_opens_are_the_chinese_ones():
    text = _text(ZH)
    notebooks = re.findall(r"notebooks/[\w/]*?\.ipynb", text)
    assert len(notebooks) >= 12  # ten lessons, the Binder and the Colab badge
    assert [n for n in notebooks if not ZH_LESSON.fullmatch(n)] == []
    assert sorted(set(notebooks)) == sorted(
        f"notebooks/zh/{p.name}" for p in (REPO / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb")
    )
    binder = re.findall(r"https://mybinder\.org/\S+?urlpath=lab/tree/(\S+?\.ipynb)", text)
    colab = re.findall(
        r"https://colab\.research\.google\.com/github/\S+?/blob/[^/]+/(\S+?\.ipynb)", text
    )
    assert binder == ["notebooks/zh/00_the_story.ipynb"] and colab == binder
    # The same URL patterns as the English README's badge, with the zh path.
    english_binder = re.search(r"https://mybinder\.org/\S+?urlpath=lab/tree/", _text(EN)).group()
    assert english_binder + binder[0] in text


def test_the_two_commands_and_the_mainland_china_section_are_there():
    text = _text(ZH)
    assert "./course.sh train" in text and "./course.sh test" in text
    section = text[text.index("## 在中国大陆学习") :].split("\n## ")[0]
    assert "程序化人脸" in section and "Kaggle" in section and "GitHub" in section
    assert (
        "https://pypi.tuna.tsinghua.edu.cn/simple" in section
        and "pip config set global.index-url" in section
    )
    assert "Colab" in section and "Binder" in section
    assert "slides --preset classroom --lang zh" in text
