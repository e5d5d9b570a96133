"""The Chinese edition (notebooks/zh/) is kept in step with the English lessons by these tests.

A zh lesson has the English lesson's cells, in the same order and with the same ids; its code
cells are the English code (only comments and strings may be translated, stamped like markdown), its
setup cell chooses Chinese, its outputs are its own (Chinese); each markdown cell is Chinese and records the hash of
the English text it translates, so an English change names the zh cell to retranslate
(``scripts/zh_sync.py``). The zh lessons use the glossary's Chinese terms and none of the variants it
rejects. They run under nbval with the English ones (``./course.sh test`` collects notebooks/zh/).
"""

import json
import re
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

import zh_sync  # noqa: E402

ZH_LESSONS = sorted((REPO / "notebooks" / "zh").glob("[0-9][0-9]_*.ipynb"))
CJK = re.compile(r"[\u4e00-\u9fff]")


def rejected_terms():
    """The variants docs/glossary.md rejects: the Chinese words in its "(not …)" parentheses."""
    text = (REPO / "docs" / "glossary.md").read_text(encoding="utf-8")
    found = []
    for inside in re.findall(r"\(not\s+([^)]*)\)", text):
        found += re.findall(r"[\u4e00-\u9fff]+", inside)
    return found


def markdown_cells(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(i, c) for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown"]


def test_the_glossary_rejects_the_variants_the_issue_names():
    assert {"鉴别器", "迭代周期", "小批量", "模式坍塌"} <= set(rejected_terms())


def test_every_lesson_has_a_zh_edition():
    english = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [p.name for p in ZH_LESSONS] == english  # every lesson has its Chinese twin


@pytest.mark.parametrize("path", ZH_LESSONS, ids=lambda p: p.stem)
def test_each_zh_lesson_is_in_step_with_its_english_twin(path):
    assert zh_sync.problems(path) == []


@pytest.mark.parametrize("path", ZH_LESSONS, ids=lambda p: p.stem)
def test_every_markdown_cell_is_in_chinese(path):
    english = [i for i, c in markdown_cells(path) if not CJK.search("".join(c["source"]))]
    assert english == [], f"{path.name}: markdown cells {english} are not translated"


@pytest.mark.parametrize("path", ZH_LESSONS, ids=lambda p: p.stem)
def test_zh_lessons_use_the_glossary_terms(path):
    rejected = rejected_terms()
    found = []
    for i, cell in markdown_cells(path):
        allowed = set(cell.get("metadata", {}).get("zh", {}).get("allow", []))
        text = "".join(cell["source"])
        found += [(i, term) for term in rejected if term in text and term not in allowed]
    assert found == [], f"{path.name}: variants the glossary rejects: {found}"


@pytest.mark.parametrize("path", ZH_LESSONS, ids=lambda p: p.stem)
def test_zh_badges_and_links_point_into_the_zh_folder(path):
    title = "".join(markdown_cells(path)[0][1]["source"])
    assert f"/notebooks/zh/{path.name})" in title
    for i, cell in markdown_cells(path):
        text = "".join(cell["source"])
        assert "](../docs/" not in text, f"{path.name} cell {i}: docs are at ../../docs/"


# --- the sync check itself fails when it should ------------------------------------------------


@pytest.fixture
def pair(tmp_path, monkeypatch):
    """A copy of lesson 04 in both languages, in a scratch repository layout."""
    en_dir = tmp_path / "notebooks"
    (en_dir / "zh").mkdir(parents=True)
    shutil.copy(REPO / "notebooks" / "04_losses.ipynb", en_dir)
    shutil.copy(REPO / "notebooks" / "zh" / "04_losses.ipynb", en_dir / "zh")
    monkeypatch.setattr(zh_sync, "EN_DIR", en_dir)
    monkeypatch.setattr(zh_sync, "ZH_DIR", en_dir / "zh")
    return en_dir / "04_losses.ipynb", en_dir / "zh" / "04_losses.ipynb"


def edit(path, change):
    nb = json.loads(path.read_text(encoding="utf-8"))
    change(nb["cells"])
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def test_a_changed_english_cell_names_its_stale_zh_twin(pair):
    en, zh = pair
    assert zh_sync.problems(zh) == []
    index = next(i for i, c in markdown_cells(en) if i > 0)
    edit(en, lambda cells: cells[index]["source"].append("\nOne more sentence."))
    (line,) = zh_sync.problems(zh)
    assert f"cell {index} (" in line and "translates an older English text" in line
    cell_id = json.loads(en.read_text())["cells"][index]["id"]
    zh_sync.stamp(zh, {cell_id})  # retranslated: the translator stamps it
    assert zh_sync.problems(zh) == []


def test_a_new_english_cell_without_a_zh_twin_fails(pair):
    en, zh = pair

    def add(cells):
        cells.insert(
            3, {"cell_type": "markdown", "id": "brand-new", "metadata": {}, "source": ["x"]}
        )

    edit(en, add)
    assert zh_sync.problems(zh) == [
        "notebooks/zh/04_losses.ipynb: English cell 3 (brand-new) has no zh twin: translate it"
    ]


def test_a_changed_code_cell_fails_until_copied(pair):
    en, zh = pair
    index = next(
        i for i, c in enumerate(json.loads(en.read_text())["cells"]) if c["cell_type"] == "code"
    )
    edit(en, lambda cells: cells[index]["source"].append("\nprint('changed')"))
    (line,) = zh_sync.problems(zh)
    assert f"code cell {index} (" in line and "--code" in line
    zh_sync.copy_code(zh)
    assert zh_sync.problems(zh) == []


def test_the_setup_cell_must_choose_chinese(pair):
    _, zh = pair
    setup = next(
        i for i, c in enumerate(json.loads(zh.read_text())["cells"]) if c["cell_type"] == "code"
    )
    edit(zh, lambda cells: cells[setup].update(source=[zh_sync.LANGUAGE_LINES[0]]))
    problems = zh_sync.problems(zh)
    assert any("does not choose Chinese" in line for line in problems), problems


def code_index(path, number=1):
    cells = json.loads(path.read_text())["cells"]
    return [i for i, c in enumerate(cells) if c["cell_type"] == "code"][number]


def test_translated_comments_and_strings_pass_once_stamped(pair):
    en, zh = pair
    index = code_index(zh)
    cells = json.loads(zh.read_text())["cells"]
    source = "".join(cells[index]["source"])
    translated = "# 中文注释\n" + source
    edit(
        zh,
        lambda cells: cells[index].update(source=translated.splitlines(keepends=True), metadata={}),
    )
    (line,) = zh_sync.problems(zh)  # not yet stamped: the checker cannot know it is a translation
    assert "--code" in line
    zh_sync.stamp(zh, {cells[index]["id"]})
    assert zh_sync.problems(zh) == []
    # ... but a translated cell whose code differs is refused even when stamped
    edit(zh, lambda cells: cells[index]["source"].append("\nx = 1"))
    assert len(zh_sync.problems(zh)) == 1


def test_a_translated_code_cell_goes_stale_when_the_english_changes(pair):
    en, zh = pair
    index = code_index(zh)
    cell_id = json.loads(zh.read_text())["cells"][index]["id"]
    edit(zh, lambda cells: cells[index]["source"].insert(0, "# 中文注释\n"))
    zh_sync.stamp(zh, {cell_id})
    assert zh_sync.problems(zh) == []
    edit(en, lambda cells: cells[index]["source"].append("\n# one more English comment"))
    (line,) = zh_sync.problems(zh)
    assert f"code cell {index} (" in line
    assert zh_sync.copy_code(zh) == [cell_id]
    assert zh_sync.problems(zh) == []


def test_copying_code_keeps_the_setup_cells_language_lines(pair):
    en, zh = pair
    setup = code_index(en, 0)
    edit(en, lambda cells: cells[setup]["source"].append("\nimport math"))
    assert zh_sync.problems(zh)
    zh_sync.copy_code(zh)
    source = "".join(json.loads(zh.read_text())["cells"][setup]["source"])
    assert source.endswith("\n".join(zh_sync.LANGUAGE_LINES)) and "import math" in source
    assert zh_sync.problems(zh) == []
