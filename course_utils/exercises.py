"""Answer checks for the end-of-lesson exercises.

Each ``check_*`` function takes the learner's answer, prints one verdict and returns None (so a cell
that ends with a check shows the verdict and nothing else). How answers are judged:

- **Answers are read as exact decimals.** ``0.75``, ``"0.750"``, ``"3/4"``, ``"75%"``, ``[0.75]``, a
  NumPy number and ``"1,254,400"`` are all read as written; Python's ``0.3 / 0.4`` (shown as
  0.7499999999999999) is read as the 0.75 it stands for.
- **Whole-number answers are exact.** ``78``, ``78.0`` and ``"1_254_400"`` count; ``78.125`` or a
  count off by one does not.
- **Real-valued answers are asked to a stated number of decimals** ("Give 4 decimals"): the exact
  answer rounded half-up to those decimals counts (``0.75`` for 0.3 / 0.4, not ``0.74``), and so does
  a more precise answer that rounds to it and is off by less than one unit of the first extra decimal
  (``0.62652`` for 0.626523…). Digits cut off instead of rounded do not count.
- **Right but rounded is "close", never "wrong".** An answer that is the right value given with too few
  decimals (``0.63`` when 4 were asked), cut off instead of rounded (``0.74`` for 3/4), computed from a
  number rounded on the way (``0.6294`` from sigmoid(1) ≈ 0.73), a whole-number answer left unrounded
  (``191.25``) or a large count rounded off (``1,254,000``) hears what to fix about the number, not a
  hint about the idea.
- **Known slips get their own hint** (forgot a step, the neighbouring number on screen, wrong sign);
  other wrong answers get the question's hint. No hint contains the answer.
- ``None`` is a reminder to write an answer, not an error: the tests run every notebook as it is.

Every word a learner reads is in two tables, each in English and in Chinese: ``_say`` (the verdicts
and the messages about how a number is written) and ``QUESTIONS`` (each exercise's answer,
explanation, hint and known slips, every text an ``(english, chinese)`` pair). Both are read when a
verdict is said, so ``use_language("zh")`` switches the checks to Chinese at any time.
"""

import math
import numbers
import re
from dataclasses import dataclass, field
from decimal import (
    ROUND_CEILING,
    ROUND_DOWN,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    Decimal,
    InvalidOperation,
    localcontext,
)
from fractions import Fraction
from itertools import product

from course_utils.language import Messages, language

# --- What the learner reads, apart from each question's own text (QUESTIONS, below) --------------

_say = Messages(
    __name__,
    {
        "missing": (
            "✏️  Write your answer in place of None, then run the cell again.",
            "✏️  把 None 换成你的答案，然后再运行这个单元格。",
        ),
        "right": ("✅ Correct! {why}", "✅ 答对了！{why}"),
        "close": ("🟡 Close! {why}", "🟡 很接近了！{why}"),
        "wrong": ("❌ Not yet. {why}", "❌ 还不对。{why}"),
        "not a number": (
            "Your answer should be a number, got {answer!r}.",
            "答案应该是一个数，你给的是 {answer!r}。",
        ),
        "not finite": (
            "Your answer should be a finite number, got {answer!r}.",
            "答案应该是一个有限的数，你给的是 {answer!r}。",
        ),
        "several numbers": (
            "This question needs one number, and Python read your answer as {count}: {answer!r}. "
            "Write it without commas (20000 or 20_000), decimals with a point (0.5).",
            "这道题只要一个数，Python 却把你的答案读成了 {count} 个数：{answer!r}。"
            "写数时不要加逗号（写 20000 或 20_000），小数用小数点（0.5）。",
        ),
        "decimal comma": (
            "Write decimals with a point (0.5) and thousands without commas (20000 or 20_000); "
            "got {answer!r}.",
            "小数请用小数点（0.5），千位之间不要加逗号（写 20000 或 20_000）；"
            "你写的是 {answer!r}。",
        ),
        "too few decimals": (
            "Give it to {decimals} decimals: your answer is rounded too early.",
            "请保留 {decimals} 位小数：你的答案舍入得太早了。",
        ),
        "cut off": (
            "Round to {decimals} decimals instead of cutting the other digits off: "
            "2.6999999999999997, for instance, rounds to 2.70.",
            "请四舍五入到 {decimals} 位小数，而不是把后面的数字直接截掉："
            "比如 2.6999999999999997 四舍五入后是 2.70。",
        ),
        "rounded on the way": (
            "You rounded a number on the way: keep all its decimals and round only the final "
            "result, to {decimals} decimals.",
            "你在中间步骤里把一个数舍入了：中间的数请保留全部小数，"
            "只在最后把结果四舍五入到 {decimals} 位小数。",
        ),
        "last digits": (
            "Check the last digits: work with more decimals and round only at the end, "
            "to {decimals} decimals.",
            "再检查一下最后几位：计算时多保留几位小数，只在最后四舍五入到 {decimals} 位小数。",
        ),
        "every digit": (
            "Give the exact number, every digit: this one is not rounded.",
            "请给出精确的数，每一位都写出来：这个数不用舍入。",
        ),
        "whole number": (
            "The answer is a whole number: which one does the question ask for?",
            "答案是一个整数：题目问的是哪一个？",
        ),
    },
)


def _in_language(pair):
    """One of a question's ``(english, chinese)`` texts, in the language chosen now."""
    english, chinese = pair
    return chinese if language() == "zh" else english


def _is_pair(text):
    return (
        isinstance(text, tuple)
        and len(text) == 2
        and all(isinstance(half, str) and half.strip() for half in text)
    )


@dataclass(frozen=True)
class Question:
    """One exercise. ``answer`` is exact: an int, a Fraction, or a float for a value like ln 2.
    ``decimals=None`` means a whole number, checked exactly. ``slips`` maps a likely wrong value to
    what went wrong. ``by_hand`` are the ways a learner computes the answer, each intermediate wrapped
    in ``r(...)``: they find the answers that are right but for a number rounded on the way.
    ``in_python`` is the answer as Python computes and prints it, where that shows float noise
    (0.3 / (0.3 + 0.1) prints 0.7499999999999999): cut off, it gives a wrong answer.

    Every text (``right``, ``hint``, each slip's, ``whole``) is an ``(english, chinese)`` pair;
    ``whole=None`` says the general "whole number" message."""

    answer: numbers.Real
    right: tuple
    hint: tuple
    decimals: int | None = None
    slips: dict = field(default_factory=dict)
    whole: tuple | None = None
    by_hand: tuple = ()
    in_python: float | None = None

    def __post_init__(self):
        texts = [self.right, self.hint, *self.slips.values()]
        texts += [self.whole] if self.whole is not None else []
        for text in texts:
            if not _is_pair(text):
                raise ValueError(  # en-only: for the course's authors, raised at import
                    f"a question's text needs (english, chinese), got {text!r}"
                )


# --- Reading an answer -------------------------------------------------------------------------


class _NotANumber(ValueError):
    """The answer cannot be read as one number; the message says why, for the learner."""


def _decimal(x):
    """An exact Decimal for a number; a float is read to 12 significant digits, which drops the
    noise of binary floating point (0.3 / 0.4 = 0.7499999999999999 is read as 0.75)."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, Fraction):
        return Decimal(x.numerator) / Decimal(x.denominator)
    if isinstance(x, numbers.Integral):
        return Decimal(int(x))
    return Decimal(format(float(x), ".12g"))


def _read(answer):
    """The learner's answer as an exact Decimal; raises _NotANumber."""
    while isinstance(answer, (list, tuple)) and len(answer) == 1:
        answer = answer[0]  # [2] or (2,): one number in brackets
    if getattr(answer, "size", None) == 1 and hasattr(answer, "item"):
        answer = answer.item()  # a NumPy scalar or 1-element array
    if isinstance(answer, bool):
        raise _NotANumber(_say("not a number", answer=answer))
    if (
        isinstance(answer, (tuple, list))
        and answer
        and all(isinstance(a, numbers.Number) for a in answer)
    ):
        raise _NotANumber(_say("several numbers", count=len(answer), answer=answer))
    if isinstance(answer, str):
        text = answer.strip().replace("−", "-")
        if re.search(r",(?!\d{3}(?!\d))", text):  # "0,75": a comma that does not group thousands
            raise _NotANumber(_say("decimal comma", answer=answer))
        for separator in (",", "_", " "):
            text = text.replace(separator, "")
        percent = text.endswith("%")  # "75%" is 0.75
        text = text.removesuffix("%")
        try:
            top, slash, bottom = text.partition("/")  # "3/4", "0.3/0.4"
            value = _decimal(Fraction(top) / Fraction(bottom)) if slash else Decimal(text)
        except (ValueError, ZeroDivisionError, InvalidOperation):
            raise _NotANumber(_say("not a number", answer=answer)) from None
        if percent:
            value = value.scaleb(-2)
    elif isinstance(answer, (numbers.Integral, Fraction, Decimal)):
        value = _decimal(answer)
    else:
        try:
            number = float(answer)
        except (TypeError, ValueError):
            raise _NotANumber(_say("not a number", answer=answer)) from None
        if not math.isfinite(number):
            raise _NotANumber(_say("not finite", answer=answer))
        value = _decimal(number)
    if not value.is_finite():
        raise _NotANumber(_say("not finite", answer=answer))
    return value


def _places(value):
    """How many decimals ``value`` is written with (trailing zeros do not count)."""
    return max(0, -value.normalize().as_tuple().exponent)


def _round(value, places, mode=ROUND_HALF_UP):
    """``value`` to ``places`` decimals: rounded half-up, or cut off with mode=ROUND_DOWN."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=mode)


def _cut(value, places):
    """``value`` cut off at ``places`` decimals."""
    return _round(value, places, ROUND_DOWN)


def _right(value, places, target, decimals):
    """Is ``value``, written with ``places`` decimals, ``target`` to ``decimals`` decimals? Given
    with more decimals than asked, it must round to it and be off by less than one unit of the first
    extra decimal."""
    if places <= decimals:
        return value == _round(target, decimals)
    first_extra = Decimal(1).scaleb(-decimals - 1)  # one unit of the first decimal not asked for
    return _round(value, decimals) == _round(target, decimals) and abs(value - target) < first_extra


def _near(value, places, target):
    """Is ``value`` ``target`` given with ``places`` decimals, rounded or cut off?"""
    if places == 0 and abs(target) < 1:
        return False  # "0" is not 0.3 with no decimals
    return value in (_round(target, places), _cut(target, places))


def _rounded_on_the_way(question):
    """The values the question's ``by_hand`` computations give when one or more intermediates are
    rounded (or cut off) to 1, 2 or 3 decimals."""
    found = set()
    for compute in question.by_hand:
        seen = []
        compute(lambda x: seen.append(x) or x)
        for places, mode, mask in product(
            (1, 2, 3), (ROUND_HALF_UP, ROUND_DOWN), range(1, 2 ** len(seen))
        ):
            try:
                found.add(_decimal(compute(_rounding(places, mode, mask))))
            except (ValueError, ZeroDivisionError):  # rounded to 0, then a log or a division
                continue
    return found


def _rounding(places, mode, mask):
    """The ``r`` of a ``by_hand`` computation that rounds the n-th intermediate when bit n of
    ``mask`` is set."""
    count = iter(range(64))

    def r(x):
        return float(_round(_decimal(x), places, mode)) if mask >> next(count) & 1 else x

    return r


# --- Judging it --------------------------------------------------------------------------------


def _verdict(answer, question):
    """``(kind, message)``, kind one of "missing", "not a number", "right", "close", "wrong"."""
    if answer is None:
        return "missing", _say("missing")
    with localcontext() as context:
        context.prec = 60
        try:
            value = _read(answer)
        except _NotANumber as problem:
            return "not a number", _say("wrong", why=str(problem))
        if abs(value) >= 10**15:  # no answer here is that large
            return "wrong", _say("wrong", why=_in_language(question.hint))
        if _places(value) > 20:
            value = _round(value, 20)  # "1/3" and the like: 20 decimals say all there is to say
        if question.decimals is None:
            return _whole_verdict(value, question)
        return _decimal_verdict(value, question)


def _whole_verdict(value, question):
    expected = _decimal(question.answer)
    places = _places(value)
    if value == expected:
        return "right", _say("right", why=_in_language(question.right))
    for slip, why in question.slips.items():
        slip = _decimal(slip)
        if value == slip or (places >= 1 and slip != int(slip) and _near(value, places, slip)):
            return "wrong", _say("wrong", why=_in_language(why))
    if places > 0 and expected in (
        value.to_integral_value(ROUND_FLOOR),
        value.to_integral_value(ROUND_CEILING),
    ):
        whole = question.whole
        why = _in_language(whole) if whole else _say("whole number")
        return "close", _say("close", why=why)
    steps = [10**m for m in range(1, 12) if 10**m * 100 <= abs(expected)]
    if places == 0 and any(value == round(expected / s) * s for s in steps):
        return "close", _say("close", why=_say("every digit"))
    return "wrong", _say("wrong", why=_in_language(question.hint))


def _decimal_verdict(value, question):
    decimals = question.decimals
    expected = _decimal(question.answer)
    places = _places(value)
    slips = [(_decimal(slip), why) for slip, why in question.slips.items()]

    if _right(value, places, expected, decimals):
        return "right", _say("right", why=_in_language(question.right))
    for slip, why in slips:
        if _right(value, places, slip, decimals) or (
            places >= decimals and value == _cut(slip, places)
        ):
            return "wrong", _say("wrong", why=_in_language(why))
    if places < decimals and _near(value, places, expected):
        if places > 0 or abs(expected) >= 1:
            return "close", _say("close", why=_say("too few decimals", decimals=decimals))
    shown = [expected]
    if question.in_python is not None:
        shown.append(Decimal(repr(question.in_python)))  # every digit Python prints
    if places >= decimals and any(value == _cut(x, places) for x in shown):
        return "close", _say("close", why=_say("cut off", decimals=decimals))
    if places >= min(decimals, 2) and any(  # not 0.7: a guess looks like that
        _right(value, places, other, decimals)
        for other in _rounded_on_the_way(question)
        if _round(other, decimals) != _round(expected, decimals)
    ):
        return "close", _say("close", why=_say("rounded on the way", decimals=decimals))
    for slip, why in slips:  # a slip given with one decimal too few, like √160 ≈ 12.6
        if 1 <= places == decimals - 1 and _places(slip) > decimals and _near(value, places, slip):
            return "wrong", _say("wrong", why=_in_language(why))
    if abs(value - expected) <= 3 * Decimal(1).scaleb(-decimals):
        return "close", _say("close", why=_say("last digits", decimals=decimals))
    return "wrong", _say("wrong", why=_in_language(question.hint))


def _check(answer, question):
    """Print the verdict on ``answer``."""
    print(_verdict(answer, question)[1])


# --- The questions: answers, explanations, hints and known slips -------------------------------


def _critic_loss_by_hand(r):
    """Real side −ln sigmoid(1) plus fake side −ln(1 − sigmoid(−1)), each step written down."""
    real = r(-math.log(r(1 / (1 + r(math.exp(-1))))))
    fake = r(-math.log(1 - r(1 / (1 + r(math.exp(1))))))
    return real + fake


QUESTIONS = {
    "best_critic": Question(
        answer=Fraction(3, 10) / (Fraction(3, 10) + Fraction(1, 10)),
        decimals=2,
        in_python=0.3 / (0.3 + 0.1),
        right=(
            "0.3 / (0.3 + 0.1) = 0.75: real faces look like x three times as often as paintings "
            "do, so the best critic bets 3 to 1 on real. At balance the two are equal and it "
            "says 1/2.",
            "0.3 / (0.3 + 0.1) = 0.75：真实人脸像 x 的机会是画作的三倍，所以最优的评论家以 3 比 1 "
            "押它是真实的。到达平衡时两者相等，它就只能说 1/2。",
        ),
        hint=(
            "Put the two numbers into D*(x) = p_real(x) / (p_real(x) + p_artist(x)).",
            "把这两个数代入 D*(x) = p_real(x) / (p_real(x) + p_artist(x))。",
        ),
        slips={
            0.25: (
                "That is the artist's share: the best critic's answer has p_real on top.",
                "这是艺术家所占的份额：最优评论家的答案里，分子是 p_real。",
            ),
            0.3: (
                "That is p_real alone: the best critic divides it by p_real + p_artist.",
                "这只是 p_real：最优的评论家还要把它除以 p_real + p_artist。",
            ),
            0.4: (
                "That is p_real + p_artist, the bottom of the fraction; p_real goes on top.",
                "这是 p_real + p_artist，也就是分母；分子是 p_real。",
            ),
            3: (
                "That is p_real / p_artist; the best critic divides by the sum of the two.",
                "这是 p_real / p_artist；最优的评论家除以的是两者之和。",
            ),
            0.5: (
                "1/2 is the balance point, where p_real = p_artist; here they differ.",
                "1/2 是平衡点，那时 p_real = p_artist；这里两者并不相等。",
            ),
        },
    ),
    "scaled_pixel": Question(
        answer=(51 - Fraction(255, 2)) / Fraction(255, 2),
        decimals=2,
        right=(
            "(51 − 127.5) / 127.5 = −76.5 / 127.5 = −0.6.",
            "(51 − 127.5) / 127.5 = −76.5 / 127.5 = −0.6。",
        ),
        hint=(
            "Subtract 127.5 first, then divide by 127.5; a dark pixel lands below zero.",
            "先减去 127.5，再除以 127.5；深色的像素会落在 0 以下。",
        ),
        slips={
            0.6: (
                "Check the sign: a pixel darker than middle grey (127.5) lands below zero.",
                "检查一下正负号：比中灰（127.5）暗的像素会落在 0 以下。",
            ),
            51 - 127.5: (
                "Half way there: now divide by 127.5.",
                "已经做完一半了：接下来再除以 127.5。",
            ),
            Fraction(51) / Fraction(255, 2): (
                "Subtract 127.5 before dividing.",
                "做除法之前，先减去 127.5。",
            ),
            Fraction(51, 255): (
                "Dividing by 255 gives the range [0, 1]; the network sees [-1, 1].",
                "除以 255 得到的是 [0, 1] 范围；网络看到的是 [-1, 1]。",
            ),
            (51 - Fraction(255, 2)) / 255: (
                "Divide by 127.5, not by 255.",
                "应该除以 127.5，而不是 255。",
            ),
        },
    ),
    "batches_per_epoch": Question(
        answer=63632 // 256,
        right=(
            "63,632 / 256 = 248.56…, so 248 full batches; the 144 faces left over wait for the "
            "next shuffle.",
            "63,632 / 256 = 248.56…，所以有 248 个完整的批量；剩下的 144 张人脸要等下一次打乱。",
        ),
        hint=(
            "Divide the number of faces by the batch size and keep only the full batches.",
            "用人脸数除以批量大小，只算完整的批量。",
        ),
        slips={
            63632 // 256 + 1: (
                "drop_remainder=True drops the last, partial batch.",
                "drop_remainder=True 会丢掉最后那个不满的批量。",
            ),
            20000 // 256: (
                "That is for the course's 20,000 faces; this dataset is larger.",
                "这是课程里 20,000 张人脸的批量数；这个数据集更大。",
            ),
            63632 % 256: (
                "That is the faces left over, not the number of batches.",
                "这是剩下的人脸数，不是批量数。",
            ),
        },
        whole=(
            "A batch is either full or dropped: the answer is a whole number of batches.",
            "一个批量要么是满的，要么被丢掉：答案是整数个批量。",
        ),
    ),
    "dense_parameters": Question(
        answer=100 * 7 * 7 * 256,
        right=(
            "100 × 12,544 = 1,254,400 weights, 752,640 fewer than with 160 inputs.",
            "100 × 12,544 = 1,254,400 个权重，比 160 个输入时少 752,640 个。",
        ),
        hint=(
            "One weight per (input, output) pair, and use_bias=False.",
            "每一对（输入，输出）有一个权重，而且 use_bias=False。",
        ),
        slips={
            160 * 7 * 7 * 256: (
                "That is the count for our 160 inputs; count again for 100.",
                "这是我们 160 个输入时的个数；请按 100 个输入重新算一遍。",
            ),
            100 * 7 * 7 * 256 + 7 * 7 * 256: (
                "No bias here: the layer has use_bias=False.",
                "这里没有偏置：这一层设置了 use_bias=False。",
            ),
            100 + 7 * 7 * 256: (
                "Every input connects to every output: multiply, do not add.",
                "每个输入都连到每个输出：应该相乘，而不是相加。",
            ),
            7 * 7 * 256: (
                "That is the number of outputs; each has one weight per input.",
                "这是输出的个数；每个输出对每个输入都有一个权重。",
            ),
        },
    ),
    "upsampled_size": Question(
        answer=4 * 1 * 2 * 2 * 2,
        right=(
            "The stride-1 layer keeps 4; the three stride-2 layers double it: 4 → 8 → 16 → 32.",
            "步幅为 1 的层让 4 保持不变；三个步幅为 2 的层依次让它翻倍：4 → 8 → 16 → 32。",
        ),
        hint=(
            'With padding="same" a stride-s transposed convolution multiplies the side by s.',
            '在 padding="same" 下，步幅为 s 的转置卷积会把边长乘以 s。',
        ),
        slips={
            4 * 2**4: (
                "The first Conv2DTranspose has stride 1: it keeps the size.",
                "第一个 Conv2DTranspose 的步幅是 1：它不改变尺寸。",
            ),
            4 * 2**2: (
                "Count the stride-2 layers again.",
                "再数一数步幅为 2 的层有几个。",
            ),
            56: (
                "That is the side from a 7×7 block; start from 4×4.",
                "这是从 7×7 的块出发得到的边长；请从 4×4 出发。",
            ),
            28: (
                "That is a side on screen for the 7×7 block; start from 4×4.",
                "这是上面显示过的、从 7×7 的块出发的一个中间边长；请从 4×4 出发。",
            ),
        },
    ),
    "flatten_size": Question(
        answer=(64 // 2 // 2) ** 2 * 128,
        right=(
            "Two stride-2 convolutions: 64 → 32 → 16, with 128 channels: 16 × 16 × 128 = 32,768.",
            "两个步幅为 2 的卷积：64 → 32 → 16，再乘以 128 个通道：16 × 16 × 128 = 32,768。",
        ),
        hint=(
            "Halve the side once per stride-2 Conv2D, then multiply by the channels of the last "
            "Conv2D.",
            "每经过一个步幅为 2 的 Conv2D，边长就减半一次；最后乘以最后一个 Conv2D 的通道数。",
        ),
        slips={
            14 * 14 * 128: (
                "That is for 56×56 faces; halve 64 instead.",
                "这是 56×56 人脸的结果；请从 64 开始减半。",
            ),
            14 * 14 * 128 + 1: (
                "That is the Dense layer's parameter count for 56×56 faces (weights and bias); "
                "the question asks what Flatten passes on.",
                "这是 56×56 人脸时全连接层的参数个数（权重加偏置）；"
                "题目问的是 Flatten 传下去多少个数。",
            ),
            16 * 16 * 128 + 1: (
                "That counts the Dense layer's bias too; the question asks how many numbers "
                "Flatten passes on.",
                "这把全连接层的偏置也算进去了；题目问的是 Flatten 传下去多少个数。",
            ),
            16 * 16 * 64: (
                "Use the channels of the last Conv2D, not the first.",
                "要用最后一个 Conv2D 的通道数，而不是第一个的。",
            ),
            32 * 32 * 128: (
                "Both Conv2D layers have stride 2: halve the side twice.",
                "两个 Conv2D 层的步幅都是 2：边长要减半两次。",
            ),
            8 * 8 * 128: (
                "That is for the classroom critic, with three stride-2 convolutions; the "
                "article's critic has two.",
                "这是课堂版评论家的结果，它有三个步幅为 2 的卷积；原文的评论家只有两个。",
            ),
            7 * 7 * 128: (
                "That is the classroom critic on 56×56 faces; the question asks about the "
                "article's critic on 64×64 faces.",
                "这是课堂版评论家在 56×56 人脸上的结果；"
                "题目问的是原文的评论家在 64×64 人脸上的情况。",
            ),
            7 * 7 * 128 + 1: (
                "That is the classroom critic's Dense layer on 56×56 faces; the question asks "
                "what the article's critic's Flatten passes on, for 64×64 faces.",
                "这是课堂版评论家在 56×56 人脸上的全连接层参数个数；题目问的是 64×64 人脸时，"
                "原文评论家的 Flatten 传下去多少个数。",
            ),
        },
    ),
    "sigmoid_of_logit": Question(
        answer=1 / (1 + math.exp(2)),
        decimals=3,
        right=(
            "1 / (1 + e²) = 1 / 8.389 ≈ 0.119: fairly sure it is painted.",
            "1 / (1 + e²) = 1 / 8.389 ≈ 0.119：评论家相当确定这是一幅画作。",
        ),
        hint=(
            "sigmoid(x) = 1 / (1 + e^(-x)); put x = -2, and mind the two minus signs.",
            "sigmoid(x) = 1 / (1 + e^(-x))；代入 x = -2，注意那两个负号。",
        ),
        slips={
            1 / (1 + math.exp(-2)): (
                'Check the sign: a negative logit means "looks painted", so the probability is '
                "below 0.5.",
                "检查一下正负号：logit 为负，意思是“看起来是画的”，所以概率低于 0.5。",
            ),
            math.exp(-2): (
                "That is e^(-2) alone; sigmoid is 1 / (1 + e^(-x)).",
                "这只是 e^(-2)；sigmoid 是 1 / (1 + e^(-x))。",
            ),
            math.exp(2): (
                "That is e^(-x) alone; sigmoid is 1 / (1 + e^(-x)).",
                "这只是 e^(-x)；sigmoid 是 1 / (1 + e^(-x))。",
            ),
            0.5: (
                "0.5 is for a logit of 0; this logit is negative.",
                "0.5 对应的是 logit 为 0；这个 logit 是负的。",
            ),
            1 / (1 + math.exp(1)): (
                "That is the probability for a logit of -1, on screen; compute it for -2.",
                "这是上面显示过的、logit 为 -1 时的概率；请算 logit 为 -2 时的。",
            ),
            1 / (1 + math.exp(4)): (
                "That is the probability for a logit of -4, on screen; compute it for -2.",
                "这是上面显示过的、logit 为 -4 时的概率；请算 logit 为 -2 时的。",
            ),
        },
        by_hand=(lambda r: 1 / r(1 + r(r(math.e) ** 2)),),
    ),
    "critic_loss": Question(
        answer=2 * math.log1p(math.exp(-1)),
        decimals=4,
        right=(
            "Real faces: −log(sigmoid(1)) = 0.3133; paintings: −log(1 − sigmoid(−1)) = 0.3133; "
            "the sum is 0.6265, less than the 1.3863 of balance: this critic is right on both "
            "sides.",
            "真实人脸：−log(sigmoid(1)) = 0.3133；画作：−log(1 − sigmoid(−1)) = 0.3133；"
            "两者之和是 0.6265，比势均力敌时的 1.3863 小：这个评论家两边都判对了。",
        ),
        hint=(
            "Real faces have label 1 and cost −log(sigmoid(logit)); paintings have label 0 and "
            "cost −log(1 − sigmoid(logit)). Add the two.",
            "真实人脸的标签是 1，损失是 −log(sigmoid(logit))；画作的标签是 0，"
            "损失是 −log(1 − sigmoid(logit))。把两者加起来。",
        ),
        slips={
            math.log1p(math.exp(-1)): (
                "That is one of the two terms; the critic's loss adds the real and the fake term.",
                "这只是两项中的一项；评论家的损失是真实部分和画作部分之和。",
            ),
            2 * math.log(2): (
                "That is the balance value, for logits of 0; here they are 1 and -1.",
                "这是势均力敌时的值，那时 logit 都是 0；这里的 logit 是 1 和 -1。",
            ),
            math.log(2): (
                "That is the artist's loss at balance, on screen; here the critic's logits are "
                "1 and -1.",
                "这是上面显示过的、势均力敌时艺术家的损失；这里评论家的 logit 是 1 和 -1。",
            ),
            math.log1p(math.exp(-1)) + math.log1p(math.exp(1)): (
                "A painting has label 0: its cost is −log(1 − sigmoid(logit)).",
                "画作的标签是 0：它的损失是 −log(1 − sigmoid(logit))。",
            ),
            2 * math.log1p(math.exp(1)): (
                "Check the signs: this critic is right on both sides, so its loss is small.",
                "检查一下正负号：这个评论家两边都判对了，所以它的损失应该很小。",
            ),
            2 * math.log2(1 + math.exp(-1)): (
                "Use the natural logarithm (ln), as Keras does.",
                "请用自然对数（ln），Keras 用的就是它。",
            ),
        },
        by_hand=(_critic_loss_by_hand,),
    ),
    "generator_loss": Question(
        answer=math.log1p(math.exp(-2.0)),
        decimals=4,
        right=(
            "−log(sigmoid(2)) = log(1 + e⁻²) ≈ 0.1269: the critic is fooled, so the artist pays "
            "little.",
            "−log(sigmoid(2)) = log(1 + e⁻²) ≈ 0.1269：评论家被骗过了，所以艺术家的损失很小。",
        ),
        hint=(
            "The artist wants label 1: its loss is −log(sigmoid(logit)).",
            "艺术家想要的标签是 1：它的损失是 −log(sigmoid(logit))。",
        ),
        slips={
            math.log1p(math.exp(2.0)): (
                'Check the sign: a logit of 2 means the critic already says "real", which is '
                "what the artist wants.",
                "检查一下正负号：logit 为 2，说明评论家已经判为“真实”，这正是艺术家想要的。",
            ),
            -math.log1p(math.exp(-2.0)): (
                "A loss is never negative: mind the minus in −log(sigmoid(logit)).",
                "损失不会是负数：注意 −log(sigmoid(logit)) 前面的负号。",
            ),
            1 / (1 + math.exp(-2.0)): (
                "That is the probability sigmoid(2); the loss is −log of it.",
                "这是概率 sigmoid(2)；损失是对它取 −log。",
            ),
            1 / (1 + math.exp(2.0)): (
                "That is 1 − sigmoid(2); the loss takes the log of sigmoid(2).",
                "这是 1 − sigmoid(2)；损失取的是 sigmoid(2) 的对数。",
            ),
            math.log(2): (
                "That is the balance value, for a logit of 0; here it is 2.",
                "这是势均力敌时的值，那时 logit 是 0；这里的 logit 是 2。",
            ),
            math.log2(1 + math.exp(-2.0)): (
                "Use the natural logarithm (ln), as Keras does.",
                "请用自然对数（ln），Keras 用的就是它。",
            ),
        },
        by_hand=(lambda r: -math.log(r(1 / (1 + r(math.exp(-2.0))))),),
    ),
    "updates_per_epoch": Question(
        answer=(20000 // 256) * 2,
        right=(
            "20,000 // 256 = 78 train steps, each with two updates (the artist's and the "
            "critic's): 156.",
            "20,000 // 256 = 78 个训练步，每步更新两次（艺术家一次，评论家一次）：一共 156 次。",
        ),
        hint=(
            "Count the train steps in an epoch (full batches only), then the apply_gradients "
            "calls in one step.",
            "先数一轮里有多少个训练步（只算完整的批量），"
            "再数一个训练步里调用了几次 apply_gradients。",
        ),
        slips={
            20000 // 256: (
                "That is the number of train steps; how many updates does one step make?",
                "这是训练步的个数；一个训练步里有几次更新？",
            ),
            (20000 // 256 + 1) * 2: (
                "drop_remainder=True drops the last, partial batch.",
                "drop_remainder=True 会丢掉最后那个不满的批量。",
            ),
            2: (
                "That is one train step; an epoch has many.",
                "这只是一个训练步；一轮里有很多个训练步。",
            ),
            20000 // 256 // 2: (
                "Each step updates both networks: the artist and the critic.",
                "每个训练步都会更新两个网络：艺术家和评论家。",
            ),
        },
        whole=(
            "Only full batches make a train step: the answer is a whole number.",
            "只有完整的批量才构成一个训练步：答案是整数。",
        ),
    ),
    "fd_by_hand": Question(
        answer=(0 - 1) ** 2 + (1 - 3) ** 2,
        right=(
            "(0 − 1)² + (1 − 3)² = 1 + 4 = 5. The means and the spreads both count: an artist "
            "that paints the average face every time has the right mean and zero spread, and "
            "still scores badly.",
            "(0 − 1)² + (1 − 3)² = 1 + 4 = 5。均值和离散程度都要算：一个每次都画同一张“平均脸”的"
            "艺术家，均值是对的，离散程度却是 0，分数照样很差。",
        ),
        hint=(
            "In one dimension FD adds two squares: the difference of the means, and the "
            "difference of the standard deviations.",
            "在一维情形下，FD 是两个平方之和：均值之差的平方，加上标准差之差的平方。",
        ),
        slips={
            abs(0 - 1) + abs(1 - 3): (
                "Square each difference before adding.",
                "每个差先平方，再相加。",
            ),
            (0 - 1) ** 2 + (1 - 3**2) ** 2: (
                "Use the standard deviations, not the variances.",
                "要用标准差，而不是方差。",
            ),
            2**2 + (3 - 1) ** 2: (
                "That is the example on screen; here the means differ by 1.",
                "这是上面显示过的例子；这里两个均值只相差 1。",
            ),
            (0 - 1) ** 2: (
                "Add the spreads' term too.",
                "还要加上标准差那一项。",
            ),
            (1 - 3) ** 2: (
                "Add the means' term too.",
                "还要加上均值那一项。",
            ),
            math.sqrt(5): (
                "FD is the sum of the two squares itself: take no square root.",
                "FD 就是这两个平方之和本身：不用再开平方根。",
            ),
        },
        whole=(
            "This one comes out as a whole number: recheck your arithmetic.",
            "这道题的答案是整数：再核对一下你的计算。",
        ),
    ),
    "pixel_from_tanh": Question(
        answer=round(0.5 * 127.5 + 127.5),
        right=(
            "0.5 × 127.5 + 127.5 = 191.25 → 191, a light grey.",
            "0.5 × 127.5 + 127.5 = 191.25 → 191，是一种浅灰色。",
        ),
        hint=(
            "Undo the scaling: multiply by 127.5, then add 127.5.",
            "把缩放倒回去：先乘以 127.5，再加上 127.5。",
        ),
        slips={
            0.5 + 127.5: (
                "Multiply by 127.5 first, then add 127.5. (Times 255 alone would map [0, 1] to "
                "pixels; tanh gives [-1, 1].)",
                "先乘以 127.5，再加上 127.5。（只乘以 255 是把 [0, 1] 变回像素的做法；"
                "tanh 给出的是 [-1, 1]。）",
            ),
            0.5 * 127.5: (
                "Now add 127.5: the scaling subtracted it.",
                "接下来再加上 127.5：缩放时减掉过它。",
            ),
            round(0.5 * 127.5): (
                "Now add 127.5: the scaling subtracted it.",
                "接下来再加上 127.5：缩放时减掉过它。",
            ),
            math.ceil(0.5 * 127.5 + 127.5): (
                "Round to the nearest whole number, not up.",
                "要四舍五入到最近的整数，而不是向上取整。",
            ),
            255: (
                "255 is white, a tanh output of 1; 0.5 lies between middle grey and white.",
                "255 是白色，对应的 tanh 输出是 1；0.5 介于中灰和白色之间。",
            ),
        },
        whole=(
            "A grey level is a whole number: round to the nearest one.",
            "灰度级是整数：请四舍五入到最近的整数。",
        ),
    ),
    "overlap_counts": Question(
        answer=4 // 2,
        right=(
            "4 / 2 = 2 everywhere: an even coverage, so no checkerboard.",
            "处处都是 4 / 2 = 2：覆盖得很均匀，所以没有棋盘格。",
        ),
        hint=(
            "Divide the kernel size by the stride; with 5 / 2 it alternates 2 and 3.",
            "用卷积核大小除以步幅；卷积核为 5 时是 5 / 2，抽头数在 2 和 3 之间交替。",
        ),
        slips={
            (4 // 2) ** 2: (
                "That is the count in two dimensions; the question asks along one row.",
                "这是二维的个数；题目只看一个维度（一行）。",
            ),
            4 * 2: (
                "Divide the kernel size by the stride, do not multiply.",
                "用卷积核大小除以步幅，而不是相乘。",
            ),
            Fraction(2, 4): (
                "Divide the kernel size by the stride, not the other way round.",
                "是卷积核大小除以步幅，不要反过来。",
            ),
            Fraction(5, 2): (
                "That is the average for kernel 5; this kernel is 4.",
                "这是卷积核为 5 时的平均数；这里卷积核是 4。",
            ),
            3: (
                "That is the larger count of kernel 5; this kernel is 4.",
                "这是卷积核为 5 时较大的那个数；这里卷积核是 4。",
            ),
            9: (
                "That is the largest count of kernel 5 in two dimensions; this kernel is 4, and "
                "the question asks along one row.",
                "这是卷积核为 5 时二维里最大的数；这里卷积核是 4，而且题目只看一个维度。",
            ),
        },
    ),
    "walk_midpoint": Question(
        answer=math.sqrt(12**2 + 12**2) / 2,
        decimals=2,
        right=(
            "|A + B| = √(12² + 12²) = 16.97, so the middle is at 16.97 / 2 ≈ 8.49: 30 % closer "
            "to the origin than A and B, where the artist never saw a noise point. Slerp's middle "
            "stays at 12.",
            "|A + B| = √(12² + 12²) = 16.97，所以中点离原点 16.97 / 2 ≈ 8.49：比 A 和 B 近了 30 %，"
            "艺术家在那里从没见过噪声点。slerp 的中点则仍然离原点 12。",
        ),
        hint=(
            "At right angles Pythagoras holds: |A + B|² = |A|² + |B|². Then halve.",
            "两者互相垂直，勾股定理成立：|A + B|² = |A|² + |B|²。然后再除以 2。",
        ),
        slips={
            12: (
                "That is where slerp's middle stays; the straight line cuts the corner.",
                "这是 slerp 中点的距离；直线则从内侧抄了近路。",
            ),
            math.sqrt(12**2 + 12**2): (
                "That is |A + B|; the middle is (A + B) / 2.",
                "这是 |A + B|；中点是 (A + B) / 2。",
            ),
            12 / 2: (
                "Lengths do not add like that at right angles: find |A + B| first.",
                "互相垂直时，长度不能这样相加：先求出 |A + B|。",
            ),
            8.9: (
                "8.9 is for the two random points above, of lengths 12.2 and 13.6; here both "
                "are 12.",
                "8.9 是上面那两个随机点的结果，它们的长度是 12.2 和 13.6；这里两者都是 12。",
            ),
            math.sqrt(160): (
                "√160 is the typical length of a noise point; here A and B are given.",
                "√160 是噪声点的典型长度；这里 A 和 B 的长度已经给定了。",
            ),
            0: (
                "That would be for opposite points, B = −A; these are at right angles.",
                "那是两个方向相反的点（B = −A）的情形；这里两点互相垂直。",
            ),
        },
        by_hand=(
            lambda r: r(math.sqrt(12**2 + 12**2)) / 2,
            lambda r: 12 / r(math.sqrt(2)),
            lambda r: 12 * r(math.sqrt(0.5)),
        ),
    ),
    "vae_kl": Question(
        answer=0.5 * 0.5**2 + 0.5 * (0.5 - 1 - math.log(0.5)),
        decimals=3,
        right=(
            "First number: 0.5·(0.25 + 1 − 1 − 0) = 0.125. Second: 0.5·(0 + 0.5 − 1 − ln 0.5) = "
            "0.5·(−0.5 + 0.6931) = 0.0966. Summed: 0.2216 ≈ 0.222. The code's numbers are "
            "independent, so their divergences add up.",
            "第一个数：0.5·(0.25 + 1 − 1 − 0) = 0.125。第二个数：0.5·(0 + 0.5 − 1 − ln 0.5) = "
            "0.5·(−0.5 + 0.6931) = 0.0966。相加：0.2216 ≈ 0.222。编码里的各个数彼此独立，"
            "所以它们的散度直接相加。",
        ),
        hint=(
            "For each number, 0.5·(μ² + σ² − 1 − ln σ²); σ² = 1 means ln σ² = 0. Then add the two.",
            "对每个数算 0.5·(μ² + σ² − 1 − ln σ²)；σ² = 1 时 ln σ² = 0。然后把两个数的结果相加。",
        ),
        slips={
            2 * 0.2215735902799727: (
                "You left out the 0.5 in front of each bracket.",
                "你漏掉了每个括号前面的 0.5。",
            ),
            0.2215735902799727 / 2: (
                "That is the average of the two; the KL term sums over the code's numbers.",
                "这是两个数的平均值；KL 项是对编码的各个数求和。",
            ),
            0.125: (
                "That is the first number alone: add the second one's divergence.",
                "这只是第一个数的散度：还要加上第二个数的。",
            ),
            0.125 + 0.5 * (math.sqrt(0.5) - 1 - math.log(math.sqrt(0.5))): (
                "You used σ = 0.7071 where the formula needs the variance σ² = 0.5.",
                "公式里要的是方差 σ² = 0.5，你用的是 σ = 0.7071。",
            ),
            0.125 + 0.5 * (0.5 - 1 + math.log(0.5)): (
                "Check the sign of ln σ²: the formula subtracts it, and ln 0.5 is negative.",
                "检查 ln σ² 的符号：公式里是减去它，而 ln 0.5 是负数。",
            ),
        },
        by_hand=(lambda r: r(0.5 * 0.5**2) + r(0.5 * r(0.5 - 1 - r(math.log(0.5)))),),
    ),
    "vae_code_size": Question(
        answer=56 * 56 // 32,
        right=(
            "3,136 pixels ÷ 32 numbers = 98: the encoder squeezes each face 98 times, and the decoder "
            "must paint it back from what is left. μ and log σ² are 64 numbers, but the code the "
            "decoder paints from is z, 32 numbers.",
            "3,136 个像素 ÷ 32 个数 = 98：编码器把每张脸压缩了 98 倍，解码器要凭剩下的这些数把它画回来。"
            "μ 和 log σ² 一共 64 个数，但解码器作画用的编码是 z，只有 32 个数。",
        ),
        hint=(
            "A face has 56 × 56 pixels; the code z has as many numbers as the latent size.",
            "一张脸有 56 × 56 个像素；编码 z 的个数等于隐向量的长度。",
        ),
        slips={
            49: (
                "You counted μ and log σ² together (64 numbers); the decoder paints from z alone, "
                "32 numbers.",
                "你把 μ 和 log σ² 一起算成了 64 个数；解码器只用 z 作画，z 是 32 个数。",
            ),
            3136: (
                "That is the number of pixels; divide it by the code's 32 numbers.",
                "这是像素的个数；还要除以编码的 32 个数。",
            ),
            32: (
                "That is the code's size; the question asks how many times smaller it is than a face.",
                "这是编码的长度；题目问的是它比一张脸小多少倍。",
            ),
            1.75: (
                "56 ÷ 32 uses one side of the face; a face has 56 × 56 pixels.",
                "56 ÷ 32 只用了脸的一条边；一张脸有 56 × 56 个像素。",
            ),
        },
    ),
}


# --- Lesson 0: the story ---------------------------------------------------------------------


def check_best_critic(answer):
    """For a picture x with p_real(x) = 0.3 and p_artist(x) = 0.1, what probability of "real" does the
    best critic give? Give 2 decimals."""
    _check(answer, QUESTIONS["best_critic"])


# --- Lesson 1: data shaping ------------------------------------------------------------------


def check_scaled_pixel(answer):
    """A pixel of 51 (dark grey): what value does the network see? Give 2 decimals."""
    _check(answer, QUESTIONS["scaled_pixel"])


def check_batches_per_epoch(answer):
    """The real Anime-Face-Dataset has 63,632 faces. How many batches of 256 does one pass over it give
    with drop_remainder=True?"""
    _check(answer, QUESTIONS["batches_per_epoch"])


# --- Lesson 2: the generator -----------------------------------------------------------------


def check_dense_parameters(answer):
    """The DCGAN paper draws 100 noise numbers instead of our 160. How many weights would the first
    Dense layer have then (100 inputs, 7·7·256 outputs, no bias)?"""
    _check(answer, QUESTIONS["dense_parameters"])


def check_upsampled_size(answer):
    """Suppose Dense and Reshape made a 4×4 block instead of 7×7. What side would the picture have
    after the same four Conv2DTranspose layers (strides 1, 2, 2, 2, padding="same")?"""
    _check(answer, QUESTIONS["upsampled_size"])


# --- Lesson 3: the discriminator -------------------------------------------------------------


def check_flatten_size(answer):
    """If the faces were 64×64 instead of 56×56, how many numbers would the article's critic's
    Flatten layer pass to the final Dense layer?"""
    _check(answer, QUESTIONS["flatten_size"])


def check_sigmoid_of_logit(answer):
    """The critic gives a painting a logit of -2. What probability of "real" is that? Give 3
    decimals."""
    _check(answer, QUESTIONS["sigmoid_of_logit"])


# --- Lesson 4: losses ------------------------------------------------------------------------


def check_critic_loss(answer):
    """The critic gives every real face a logit of 1 and every painting a logit of -1. What is its loss
    (real + fake)? Give 4 decimals."""
    _check(answer, QUESTIONS["critic_loss"])


def check_generator_loss(answer):
    """The critic's logit on the artist's painting is 2.0. What is the artist's loss? Give 4
    decimals."""
    _check(answer, QUESTIONS["generator_loss"])


# --- Lesson 5: training ----------------------------------------------------------------------


def check_updates_per_epoch(answer):
    """The seed preset trains on 20,000 faces in batches of 256 (drop_remainder=True). How many
    optimizer updates (one network's weights changed once) happen in one epoch?"""
    _check(answer, QUESTIONS["updates_per_epoch"])


# --- Lesson 6: judging the paintings ---------------------------------------------------------


def check_fd_by_hand(answer):
    """Fréchet distance between two 1-D bell curves: mean 0, std 1 against mean 1, std 3."""
    _check(answer, QUESTIONS["fd_by_hand"])


# --- Lesson 7: watching it learn -------------------------------------------------------------


def check_pixel_from_tanh(answer):
    """The artist outputs 0.5 for a pixel: which grey level (0–255, rounded to a whole number) is that?"""
    _check(answer, QUESTIONS["pixel_from_tanh"])


# --- Lesson 8: improving the recipe ----------------------------------------------------------


def check_overlap_counts(answer):
    """With kernel 4 and stride 2, how many kernel taps land on each output pixel (away from edges,
    in one dimension)?"""
    _check(answer, QUESTIONS["overlap_counts"])


# --- Lesson 10: play -------------------------------------------------------------------------


def check_walk_midpoint(answer):
    """Two noise points A and B, each of length 12, at right angles to each other (two random points in
    160 dimensions nearly are). How far from the origin is the middle of the straight line between
    them, (A + B) / 2? Give 2 decimals."""
    _check(answer, QUESTIONS["walk_midpoint"])


# --- Lesson 9: another artist, the VAE ---------------------------------------------------------


def check_vae_kl(answer):
    """A code of two numbers: the first has μ = 0.5 and σ² = 1, the second μ = 0 and σ² = 0.5.
    What is the KL term, summed over the two numbers? Give 3 decimals."""
    _check(answer, QUESTIONS["vae_kl"])


def check_vae_code_size(answer):
    """The encoder turns a 56×56 face into a code z of 32 numbers. How many times smaller is the
    code than the face: 3,136 pixels ÷ 32 numbers?"""
    _check(answer, QUESTIONS["vae_code_size"])
