"""The course speaks English or Chinese, and every sentence a learner reads exists in both.

Three kinds of checks: the switch itself (``COURSE_LANG``, ``use_language``); every ``Messages`` table
(both halves there, Chinese really Chinese, the same ``{fields}`` in both); and a scan of the
package's source for sentences said outside a table (a ``print``, a ``raise``, a plot label, a widget
label, a command-line help text written as an English literal), which is how a message in one language
only would slip in. A line that must stay English says why in a ``# en-only: …`` comment.
"""

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import course_utils
from course_utils import language
from course_utils.language import Messages, fields_of

PACKAGE = Path(course_utils.__file__).parent
CJK = re.compile(r"[\u4e00-\u9fff]")
#: Two English words in a row: a sentence, not a file name, a unit or a format code.
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,'’-]+[A-Za-z]{2,}")
#: Calls whose first argument a learner reads.
SAID = {"print", "notice", "warn", "say_line"}
#: Methods and keywords whose text a learner reads in a picture, a widget or ``--help``.
SHOWN_METHODS = {
    "set_title",
    "set_xlabel",
    "set_ylabel",
    "suptitle",
    "text",
    "annotate",
    "add_argument_group",
}
SHOWN_KEYWORDS = {
    "label",
    "title",
    "description",
    "help",
    "xlabel",
    "ylabel",
    "placeholder",
    "tooltip",
}


def _modules():
    names = [m.name for m in pkgutil.iter_modules([str(PACKAGE)]) if not m.name.startswith("_")]
    return sorted(set(names) - {"language"})


# --- The switch -----------------------------------------------------------------------------------


def test_english_is_the_default():
    assert language.language() == "en"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("zh", "zh"),
        ("zh_CN", "zh"),
        ("zh-CN.UTF-8", "zh"),
        ("ZH", "zh"),
        ("en_US", "en"),
        ("fr", "en"),
    ],
)
def test_course_lang_chooses(monkeypatch, value, expected):
    monkeypatch.setenv("COURSE_LANG", value)
    assert language.language() == expected


def test_an_unknown_course_lang_is_named_in_one_line(monkeypatch):
    monkeypatch.setenv("COURSE_LANG", "klingon")
    complaint = language.check_environment()
    assert "COURSE_LANG='klingon'" in complaint and "\n" not in complaint
    monkeypatch.setenv("COURSE_LANG", "zh")
    assert language.check_environment() is None


def test_use_language_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("COURSE_LANG", "en")
    language.use_language("zh")
    assert language.language() == "zh"
    with pytest.raises(ValueError, match="'en'.*'zh'"):
        language.use_language("de")
    assert language.language() == "zh"  # a refused choice changes nothing


def test_a_message_follows_the_choice():
    say = Messages("test", {"faces": ("{n} faces", "{n} 张脸")})
    assert say("faces", n=3) == "3 faces"
    language.use_language("zh")
    assert say("faces", n=3) == "3 张脸"
    assert say.both("faces", n=2) == ("2 faces", "2 张脸")


def test_a_table_refuses_a_message_in_one_language():
    with pytest.raises(ValueError, match="'alone'"):
        Messages("test", {"alone": "only English"})


# --- Every table ----------------------------------------------------------------------------------


def _all_tables():
    for name in _modules():
        importlib.import_module(f"course_utils.{name}")
    return [t for t in language.tables() if t.owner.startswith("course_utils")]


def test_the_package_has_tables():
    owners = {t.owner for t in _all_tables()}
    assert len(owners) >= 8, owners


def test_every_message_has_both_languages_with_the_same_fields():
    problems = []
    for table in _all_tables():
        for key, (english, chinese) in table.entries.items():
            where = f"{table.owner}: {key!r}"
            if not english.strip() or not chinese.strip():
                problems.append(f"{where}: a half is empty")
            elif not CJK.search(chinese) and ENGLISH.search(english):
                problems.append(f"{where}: the Chinese half has no Chinese: {chinese!r}")
            elif fields_of(english) != fields_of(chinese):
                problems.append(f"{where}: fields {fields_of(english)} vs {fields_of(chinese)}")
    assert not problems, "\n".join(problems)


def _table_calls(tree):
    """(key, keywords, line) of every ``_say("key", ...)`` / ``_say.both("key", ...)`` call."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        f = node.func
        direct = isinstance(f, ast.Name) and f.id == "_say"
        both = (
            isinstance(f, ast.Attribute)
            and f.attr == "both"
            and getattr(f.value, "id", "") == "_say"
        )
        if (direct or both) and isinstance(node.args[0], ast.Constant):
            starred = any(k.arg is None for k in node.keywords)
            yield (
                node.args[0].value,
                None if starred else {k.arg for k in node.keywords},
                node.lineno,
            )


def test_every_key_said_is_in_its_table_with_its_fields():
    problems = []
    for name in _modules():
        module = importlib.import_module(f"course_utils.{name}")
        table = getattr(module, "_say", None)
        tree = ast.parse((PACKAGE / f"{name}.py").read_text(encoding="utf-8"))
        used = set()
        for key, keywords, line in _table_calls(tree):
            used.add(key)
            if table is None or key not in table:
                problems.append(f"{name}.py:{line}: {key!r} is not in its _say table")
            elif keywords is not None and keywords != set(fields_of(table.entries[key][0])):
                problems.append(
                    f"{name}.py:{line}: {key!r} given {sorted(keywords)}, "
                    f"the text fills {fields_of(table.entries[key][0])}"
                )
        if isinstance(table, Messages):
            # A key is said if it appears as a string once more than in the table itself
            # (``_say(kind)`` with ``kind = "..."`` elsewhere counts).
            constants = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
            for key in table.entries:
                if key not in used and constants.count(key) < 2:
                    problems.append(f"{name}.py: {key!r} is in the table but never said")
    assert not problems, "\n".join(problems)


# --- Nothing said outside a table -----------------------------------------------------------------


def _literal_text(node):
    """The words a literal string (or f-string, or a + of them) shows, or None if it is not one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return " ".join(v.value for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal_text(node.left), _literal_text(node.right)
        if left is not None or right is not None:
            return f"{left or ''} {right or ''}"
    return None


def _shown(tree):
    """(line, text) of every literal a learner reads, by where it is used."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) and node.exc.args:
            yield node.lineno, _literal_text(node.exc.args[0])
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) else ""
        if (name in SAID or name in SHOWN_METHODS) and node.args:
            yield (
                node.lineno,
                _literal_text(node.args[-1] if name in {"text", "annotate"} else node.args[0]),
            )
        for keyword in node.keywords:
            if keyword.arg in SHOWN_KEYWORDS:
                yield keyword.value.lineno, _literal_text(keyword.value)


def test_no_sentence_is_said_in_one_language_only():
    problems = []
    for name in _modules():
        path = PACKAGE / f"{name}.py"
        lines = path.read_text(encoding="utf-8").splitlines()
        for line, text in _shown(ast.parse("\n".join(lines))):
            if not text or not ENGLISH.search(re.sub(r"\{[^}]*\}", " ", text)):
                continue
            if "# en-only:" in lines[line - 1]:
                continue
            problems.append(f"course_utils/{name}.py:{line}: {text.strip()[:70]!r}")
    assert not problems, (
        f"{len(problems)} sentences a learner reads are English only: put each in the module's "
        "_say table (with its Chinese), or mark the line '# en-only: why'\n" + "\n".join(problems)
    )


def test_the_scan_finds_a_sentence_outside_a_table():
    tree = ast.parse('raise ValueError(f"{path}: no faces in this folder")\nprint(_say("ok"))\n')
    found = [text for _, text in _shown(tree) if text]
    assert found and ENGLISH.search(found[0])
