"""The answer checks speak Chinese when asked, and English by default.

Every question's texts (``right``, ``hint``, each slip, ``whole``) are ``(english, chinese)`` pairs,
chosen when a verdict is said; the verdicts and the messages about how a number is written are in
``exercises._say``. Under ``use_language("zh")`` every kind of verdict (right, close, wrong, not a
number, a decimal comma) is said in Chinese, with the same emoji, and no hint gives the answer away.
"""

import re

import pytest
from test_exercises import CASES, CHECKS

from course_utils import exercises, language

CJK = re.compile(r"[\u4e00-\u9fff]")
#: Two English words in a row: a sentence left untranslated (code such as use_bias=False is fine).
ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,'’-]+[A-Za-z]{2,}")
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


def run(name, answer, capsys):
    assert CHECKS[name](answer) is None
    return capsys.readouterr().out


def _texts(question):
    """(field, (english, chinese)) of every text a question can say."""
    yield "right", question.right
    yield "hint", question.hint
    for value, pair in question.slips.items():
        yield f"slip {value!r}", pair
    if question.whole is not None:
        yield "whole", question.whole


# --- Both languages, everywhere -------------------------------------------------------------------


def test_every_question_has_both_languages_in_every_field():
    problems = []
    for name, question in exercises.QUESTIONS.items():
        for where, pair in _texts(question):
            if not (isinstance(pair, tuple) and len(pair) == 2):
                problems.append(f"{name} {where}: not an (english, chinese) pair: {pair!r}")
                continue
            english, chinese = pair
            if CJK.search(english):
                problems.append(f"{name} {where}: the English half has Chinese: {english!r}")
            if ENGLISH.search(english) and not CJK.search(chinese):  # not a formula alone
                problems.append(f"{name} {where}: the Chinese half has no Chinese: {chinese!r}")
            if not chinese.endswith(("。", "？", "。）")):
                problems.append(f"{name} {where}: Chinese ends without 。 or ？: {chinese!r}")
            missing = set(NUMBER.findall(english)) - set(NUMBER.findall(chinese))
            if missing:
                problems.append(f"{name} {where}: the Chinese lacks the numbers {sorted(missing)}")
    assert not problems, "\n".join(problems)


def test_a_question_refuses_a_text_in_one_language():
    with pytest.raises(ValueError, match="english, chinese"):
        exercises.Question(answer=1, right=("One.", "一。"), hint="Only English.")
    with pytest.raises(ValueError, match="english, chinese"):
        exercises.Question(answer=1, right=("One.", "一。"), hint=("A.", "乙。"), slips={2: "Two."})


def test_the_verdict_messages_keep_their_emoji_in_both_languages():
    for key, emoji in (("right", "✅"), ("close", "🟡"), ("wrong", "❌"), ("missing", "✏️")):
        english, chinese = exercises._say.entries[key]
        assert english.startswith(emoji) and chinese.startswith(emoji), key


# --- Under zh, every kind of verdict is Chinese ---------------------------------------------------


def test_right_in_chinese(zh, capsys):
    out = run("check_best_critic", 0.75, capsys)
    assert out == "✅ 答对了！" + exercises.QUESTIONS["best_critic"].right[1] + "\n"
    assert run("check_dense_parameters", "1,254,400", capsys).startswith("✅ 答对了！100 × 12,544")


@pytest.mark.parametrize(
    "name, answer, says",
    [
        ("check_critic_loss", 0.63, "请保留 4 位小数：你的答案舍入得太早了。"),  # rounded early
        ("check_best_critic", 0.74, "请四舍五入到 2 位小数，而不是把后面的数字直接截掉"),  # cut off
        ("check_critic_loss", 0.6294, "你在中间步骤里把一个数舍入了"),  # sigmoid(1) ≈ 0.73
        ("check_critic_loss", 0.6268, "再检查一下最后几位"),
        ("check_pixel_from_tanh", 191.25, "灰度级是整数：请四舍五入到最近的整数。"),
        ("check_overlap_counts", 2.4, "答案是一个整数：题目问的是哪一个？"),  # the general one
        ("check_dense_parameters", 1_254_000, "请给出精确的数，每一位都写出来"),
    ],
)
def test_close_in_chinese(zh, capsys, name, answer, says):
    out = run(name, answer, capsys)
    assert out.startswith("🟡 很接近了！") and says in out, out


def test_wrong_in_chinese_with_the_slip_or_the_hint(zh, capsys):
    slip = run("check_best_critic", 0.3, capsys)
    assert slip == "❌ 还不对。这只是 p_real：最优的评论家还要把它除以 p_real + p_artist。\n"
    hint = run("check_best_critic", 0.9, capsys)
    assert hint == "❌ 还不对。" + exercises.QUESTIONS["best_critic"].hint[1] + "\n"


@pytest.mark.parametrize(
    "answer, says",
    [
        ("twelve", "答案应该是一个数，你给的是 'twelve'。"),
        (float("inf"), "答案应该是一个有限的数"),
        ("0,75", "小数请用小数点（0.5）"),  # a decimal comma in a string
        ((0, 75), "这道题只要一个数，Python 却把你的答案读成了 2 个数：(0, 75)。"),
    ],
)
def test_not_a_number_in_chinese(zh, capsys, answer, says):
    out = run("check_best_critic", answer, capsys)
    assert out.startswith("❌ 还不对。") and says in out, out


def test_none_is_a_reminder_in_chinese(zh, capsys):
    assert (
        run("check_fd_by_hand", None, capsys) == "✏️  把 None 换成你的答案，然后再运行这个单元格。\n"
    )


ANSWERS = [
    (name, answer, start)
    for name, case in sorted(CASES.items())
    for answers, start in (
        (case.right, "✅ 答对了！"),
        (case.wrong, "❌ 还不对。"),
        (case.close, "🟡 很接近了！"),
    )
    for answer in answers
]


def test_every_answer_of_the_english_tests_gets_the_same_verdict_in_chinese(zh, capsys):
    """The same judging in both languages: each right, wrong and close answer of
    test_exercises.py, said in Chinese, one line, no English sentence, no answer given away."""
    problems = []
    for name, answer, start in ANSWERS:
        out = run(name, answer, capsys)
        if not out.startswith(start) or out.count("\n") != 1:
            problems.append(f"{name}({answer!r}): {out!r}")
        elif ENGLISH.search(out) or not CJK.search(out):
            problems.append(f"{name}({answer!r}) is not Chinese: {out!r}")
        elif start == "❌ 还不对。" and any(re.search(s, out) for s in CASES[name].secret):
            problems.append(f"{name}({answer!r}) gives the answer away: {out!r}")
    assert not problems, "\n".join(problems)


# --- English stays the default ------------------------------------------------------------------


def test_english_by_default_and_again_after_chinese(capsys):
    assert run("check_best_critic", 0.75, capsys).startswith("✅ Correct! 0.3 / (0.3 + 0.1)")
    language.use_language("zh")
    assert run("check_best_critic", 0.75, capsys).startswith("✅ 答对了！")
    language.use_language("en")  # chosen when said: switching back is heard at once
    assert run("check_best_critic", 0.74, capsys).startswith("🟡 Close! Round to 2 decimals")
    assert run("check_best_critic", "0,75", capsys).startswith("❌ Not yet. Write decimals")


def test_course_lang_zh_is_heard_too(monkeypatch, capsys):
    monkeypatch.setenv("COURSE_LANG", "zh_CN.UTF-8")
    assert run("check_pixel_from_tanh", 63.75, capsys).startswith("❌ 还不对。接下来再加上 127.5")
