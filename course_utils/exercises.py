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

Every word a learner reads is in two tables: ``SAY`` (the verdicts and the messages about how a number
is written) and ``QUESTIONS`` (each exercise's answer, explanation, hint and known slips), so that an
edition in another language replaces the text in one place.
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

# --- What the learner reads, apart from each question's own text (QUESTIONS, below) --------------

SAY = {
    "missing": "✏️  Write your answer in place of None, then run the cell again.",
    "right": "✅ Correct! ",
    "close": "🟡 Close! ",
    "wrong": "❌ Not yet. ",
    "not a number": "Your answer should be a number, got {answer!r}.",
    "not finite": "Your answer should be a finite number, got {answer!r}.",
    "several numbers": "This question needs one number, and Python read your answer as {count}: "
    "{answer!r}. Write it without commas (20000 or 20_000), decimals with a point (0.5).",
    "decimal comma": "Write decimals with a point (0.5) and thousands without commas (20000 or "
    "20_000); got {answer!r}.",
    "too few decimals": "Give it to {decimals} decimals: your answer is rounded too early.",
    "cut off": "Round to {decimals} decimals instead of cutting the other digits off: "
    "2.6999999999999997, for instance, rounds to 2.70.",
    "rounded on the way": "You rounded a number on the way: keep all its decimals and round only "
    "the final result, to {decimals} decimals.",
    "last digits": "Check the last digits: work with more decimals and round only at the end, "
    "to {decimals} decimals.",
    "every digit": "Give the exact number, every digit: this one is not rounded.",
    "whole number": "The answer is a whole number: which one does the question ask for?",
}


@dataclass(frozen=True)
class Question:
    """One exercise. ``answer`` is exact: an int, a Fraction, or a float for a value like ln 2.
    ``decimals=None`` means a whole number, checked exactly. ``slips`` maps a likely wrong value to
    what went wrong. ``by_hand`` are the ways a learner computes the answer, each intermediate wrapped
    in ``r(...)``: they find the answers that are right but for a number rounded on the way.
    ``in_python`` is the answer as Python computes and prints it, where that shows float noise
    (0.3 / (0.3 + 0.1) prints 0.7499999999999999): cut off, it gives a wrong answer."""

    answer: numbers.Real
    right: str
    hint: str
    decimals: int | None = None
    slips: dict = field(default_factory=dict)
    whole: str = SAY["whole number"]
    by_hand: tuple = ()
    in_python: float | None = None


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
        raise _NotANumber(SAY["not a number"].format(answer=answer))
    if (
        isinstance(answer, (tuple, list))
        and answer
        and all(isinstance(a, numbers.Number) for a in answer)
    ):
        raise _NotANumber(SAY["several numbers"].format(count=len(answer), answer=answer))
    if isinstance(answer, str):
        text = answer.strip().replace("−", "-")
        if re.search(r",(?!\d{3}(?!\d))", text):  # "0,75": a comma that does not group thousands
            raise _NotANumber(SAY["decimal comma"].format(answer=answer))
        for separator in (",", "_", " "):
            text = text.replace(separator, "")
        percent = text.endswith("%")  # "75%" is 0.75
        text = text.removesuffix("%")
        try:
            top, slash, bottom = text.partition("/")  # "3/4", "0.3/0.4"
            value = _decimal(Fraction(top) / Fraction(bottom)) if slash else Decimal(text)
        except (ValueError, ZeroDivisionError, InvalidOperation):
            raise _NotANumber(SAY["not a number"].format(answer=answer)) from None
        if percent:
            value = value.scaleb(-2)
    elif isinstance(answer, (numbers.Integral, Fraction, Decimal)):
        value = _decimal(answer)
    else:
        try:
            number = float(answer)
        except (TypeError, ValueError):
            raise _NotANumber(SAY["not a number"].format(answer=answer)) from None
        if not math.isfinite(number):
            raise _NotANumber(SAY["not finite"].format(answer=answer))
        value = _decimal(number)
    if not value.is_finite():
        raise _NotANumber(SAY["not finite"].format(answer=answer))
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
        return "missing", SAY["missing"]
    with localcontext() as context:
        context.prec = 60
        try:
            value = _read(answer)
        except _NotANumber as problem:
            return "not a number", SAY["wrong"] + str(problem)
        if abs(value) >= 10**15:  # no answer here is that large
            return "wrong", SAY["wrong"] + question.hint
        if _places(value) > 20:
            value = _round(value, 20)  # "1/3" and the like: 20 decimals say all there is to say
        if question.decimals is None:
            return _whole_verdict(value, question)
        return _decimal_verdict(value, question)


def _whole_verdict(value, question):
    expected = _decimal(question.answer)
    places = _places(value)
    if value == expected:
        return "right", SAY["right"] + question.right
    for slip, why in question.slips.items():
        slip = _decimal(slip)
        if value == slip or (places >= 1 and slip != int(slip) and _near(value, places, slip)):
            return "wrong", SAY["wrong"] + why
    if places > 0 and expected in (
        value.to_integral_value(ROUND_FLOOR),
        value.to_integral_value(ROUND_CEILING),
    ):
        return "close", SAY["close"] + question.whole
    steps = [10**m for m in range(1, 12) if 10**m * 100 <= abs(expected)]
    if places == 0 and any(value == round(expected / s) * s for s in steps):
        return "close", SAY["close"] + SAY["every digit"]
    return "wrong", SAY["wrong"] + question.hint


def _decimal_verdict(value, question):
    decimals = question.decimals
    expected = _decimal(question.answer)
    places = _places(value)
    slips = [(_decimal(slip), why) for slip, why in question.slips.items()]
    close = SAY["close"]

    if _right(value, places, expected, decimals):
        return "right", SAY["right"] + question.right
    for slip, why in slips:
        if _right(value, places, slip, decimals) or (
            places >= decimals and value == _cut(slip, places)
        ):
            return "wrong", SAY["wrong"] + why
    if places < decimals and _near(value, places, expected):
        if places > 0 or abs(expected) >= 1:
            return "close", close + SAY["too few decimals"].format(decimals=decimals)
    shown = [expected]
    if question.in_python is not None:
        shown.append(Decimal(repr(question.in_python)))  # every digit Python prints
    if places >= decimals and any(value == _cut(x, places) for x in shown):
        return "close", close + SAY["cut off"].format(decimals=decimals)
    if places >= min(decimals, 2) and any(  # not 0.7: a guess looks like that
        _right(value, places, other, decimals)
        for other in _rounded_on_the_way(question)
        if _round(other, decimals) != _round(expected, decimals)
    ):
        return "close", close + SAY["rounded on the way"].format(decimals=decimals)
    for slip, why in slips:  # a slip given with one decimal too few, like √160 ≈ 12.6
        if 1 <= places == decimals - 1 and _places(slip) > decimals and _near(value, places, slip):
            return "wrong", SAY["wrong"] + why
    if abs(value - expected) <= 3 * Decimal(1).scaleb(-decimals):
        return "close", close + SAY["last digits"].format(decimals=decimals)
    return "wrong", SAY["wrong"] + question.hint


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
        right="0.3 / (0.3 + 0.1) = 0.75: real faces look like x three times as often as paintings "
        "do, so the best critic bets 3 to 1 on real. At balance the two are equal and it says 1/2.",
        hint="Put the two numbers into D*(x) = p_real(x) / (p_real(x) + p_artist(x)).",
        slips={
            0.25: "That is the artist's share: the best critic's answer has p_real on top.",
            0.3: "That is p_real alone: the best critic divides it by p_real + p_artist.",
            0.4: "That is p_real + p_artist, the bottom of the fraction; p_real goes on top.",
            3: "That is p_real / p_artist; the best critic divides by the sum of the two.",
            0.5: "1/2 is the balance point, where p_real = p_artist; here they differ.",
        },
    ),
    "scaled_pixel": Question(
        answer=(51 - Fraction(255, 2)) / Fraction(255, 2),
        decimals=2,
        right="(51 − 127.5) / 127.5 = −76.5 / 127.5 = −0.6.",
        hint="Subtract 127.5 first, then divide by 127.5; a dark pixel lands below zero.",
        slips={
            0.6: "Check the sign: a pixel darker than middle grey (127.5) lands below zero.",
            51 - 127.5: "Half way there: now divide by 127.5.",
            Fraction(51) / Fraction(255, 2): "Subtract 127.5 before dividing.",
            Fraction(51, 255): "Dividing by 255 gives the range [0, 1]; the network sees [-1, 1].",
            (51 - Fraction(255, 2)) / 255: "Divide by 127.5, not by 255.",
        },
    ),
    "batches_per_epoch": Question(
        answer=63632 // 256,
        right="63,632 / 256 = 248.56…, so 248 full batches; the 144 faces left over wait for the "
        "next shuffle.",
        hint="Divide the number of faces by the batch size and keep only the full batches.",
        slips={
            63632 // 256 + 1: "drop_remainder=True drops the last, partial batch.",
            20000 // 256: "That is for the course's 20,000 faces; this dataset is larger.",
            63632 % 256: "That is the faces left over, not the number of batches.",
        },
        whole="A batch is either full or dropped: the answer is a whole number of batches.",
    ),
    "dense_parameters": Question(
        answer=100 * 7 * 7 * 256,
        right="100 × 12,544 = 1,254,400 weights, 752,640 fewer than with 160 inputs.",
        hint="One weight per (input, output) pair, and use_bias=False.",
        slips={
            160 * 7 * 7 * 256: "That is the count for our 160 inputs; count again for 100.",
            100 * 7 * 7 * 256 + 7 * 7 * 256: "No bias here: the layer has use_bias=False.",
            100 + 7 * 7 * 256: "Every input connects to every output: multiply, do not add.",
            7 * 7 * 256: "That is the number of outputs; each has one weight per input.",
        },
    ),
    "upsampled_size": Question(
        answer=4 * 1 * 2 * 2 * 2,
        right="The stride-1 layer keeps 4; the three stride-2 layers double it: 4 → 8 → 16 → 32.",
        hint='With padding="same" a stride-s transposed convolution multiplies the side by s.',
        slips={
            4 * 2**4: "The first Conv2DTranspose has stride 1: it keeps the size.",
            4 * 2**2: "Count the stride-2 layers again.",
            56: "That is the side from a 7×7 block; start from 4×4.",
            28: "That is a side on screen for the 7×7 block; start from 4×4.",
        },
    ),
    "flatten_size": Question(
        answer=(64 // 2 // 2) ** 2 * 128,
        right="Two stride-2 convolutions: 64 → 32 → 16, with 128 channels: 16 × 16 × 128 = 32,768.",
        hint="Halve the side once per stride-2 Conv2D, then multiply by the channels of the last "
        "Conv2D.",
        slips={
            14 * 14 * 128: "That is for 56×56 faces; halve 64 instead.",
            14 * 14 * 128 + 1: "That is the Dense layer's parameter count for 56×56 faces "
            "(weights and bias); the question asks what Flatten passes on.",
            16 * 16 * 128 + 1: "That counts the Dense layer's bias too; the question asks how "
            "many numbers Flatten passes on.",
            16 * 16 * 64: "Use the channels of the last Conv2D, not the first.",
            32 * 32 * 128: "Both Conv2D layers have stride 2: halve the side twice.",
            8 * 8 * 128: "That is for the classroom critic, with three stride-2 convolutions; the "
            "article's critic has two.",
            7 * 7 * 128: "That is the classroom critic on 56×56 faces; the question asks about the "
            "article's critic on 64×64 faces.",
            7 * 7 * 128 + 1: "That is the classroom critic's Dense layer on 56×56 faces; the "
            "question asks what the article's critic's Flatten passes on, for 64×64 faces.",
        },
    ),
    "sigmoid_of_logit": Question(
        answer=1 / (1 + math.exp(2)),
        decimals=3,
        right="1 / (1 + e²) = 1 / 8.389 ≈ 0.119: fairly sure it is painted.",
        hint="sigmoid(x) = 1 / (1 + e^(-x)); put x = -2, and mind the two minus signs.",
        slips={
            1 / (1 + math.exp(-2)): 'Check the sign: a negative logit means "looks painted", '
            "so the probability is below 0.5.",
            math.exp(-2): "That is e^(-2) alone; sigmoid is 1 / (1 + e^(-x)).",
            math.exp(2): "That is e^(-x) alone; sigmoid is 1 / (1 + e^(-x)).",
            0.5: "0.5 is for a logit of 0; this logit is negative.",
            1 / (1 + math.exp(1)): "That is the probability for a logit of -1, on screen; "
            "compute it for -2.",
            1 / (1 + math.exp(4)): "That is the probability for a logit of -4, on screen; "
            "compute it for -2.",
        },
        by_hand=(lambda r: 1 / r(1 + r(r(math.e) ** 2)),),
    ),
    "critic_loss": Question(
        answer=2 * math.log1p(math.exp(-1)),
        decimals=4,
        right="Real faces: −log(sigmoid(1)) = 0.3133; paintings: −log(1 − sigmoid(−1)) = 0.3133; "
        "the sum is 0.6265, less than the 1.3863 of balance: this critic is right on both sides.",
        hint="Real faces have label 1 and cost −log(sigmoid(logit)); paintings have label 0 and cost "
        "−log(1 − sigmoid(logit)). Add the two.",
        slips={
            math.log1p(math.exp(-1)): "That is one of the two terms; the critic's loss adds the "
            "real and the fake term.",
            2 * math.log(2): "That is the balance value, for logits of 0; here they are 1 and -1.",
            math.log(2): "That is the artist's loss at balance, on screen; here the critic's "
            "logits are 1 and -1.",
            math.log1p(math.exp(-1)) + math.log1p(math.exp(1)): "A painting has label 0: its cost "
            "is −log(1 − sigmoid(logit)).",
            2 * math.log1p(math.exp(1)): "Check the signs: this critic is right on both "
            "sides, so its loss is small.",
            2 * math.log2(1 + math.exp(-1)): "Use the natural logarithm (ln), as Keras does.",
        },
        by_hand=(_critic_loss_by_hand,),
    ),
    "generator_loss": Question(
        answer=math.log1p(math.exp(-2.0)),
        decimals=4,
        right="−log(sigmoid(2)) = log(1 + e⁻²) ≈ 0.1269: the critic is fooled, so the artist pays "
        "little.",
        hint="The artist wants label 1: its loss is −log(sigmoid(logit)).",
        slips={
            math.log1p(math.exp(2.0)): "Check the sign: a logit of 2 means the critic already "
            'says "real", which is what the artist wants.',
            -math.log1p(math.exp(-2.0)): "A loss is never negative: mind the minus in "
            "−log(sigmoid(logit)).",
            1 / (1 + math.exp(-2.0)): "That is the probability sigmoid(2); the loss is −log of it.",
            1 / (1 + math.exp(2.0)): "That is 1 − sigmoid(2); the loss takes the log of "
            "sigmoid(2).",
            math.log(2): "That is the balance value, for a logit of 0; here it is 2.",
            math.log2(1 + math.exp(-2.0)): "Use the natural logarithm (ln), as Keras does.",
        },
        by_hand=(lambda r: -math.log(r(1 / (1 + r(math.exp(-2.0))))),),
    ),
    "updates_per_epoch": Question(
        answer=(20000 // 256) * 2,
        right="20,000 // 256 = 78 train steps, each with two updates (the artist's and the "
        "critic's): 156.",
        hint="Count the train steps in an epoch (full batches only), then the apply_gradients calls "
        "in one step.",
        slips={
            20000 // 256: "That is the number of train steps; how many updates does one step make?",
            (20000 // 256 + 1) * 2: "drop_remainder=True drops the last, partial batch.",
            2: "That is one train step; an epoch has many.",
            20000 // 256 // 2: "Each step updates both networks: the artist and the critic.",
        },
        whole="Only full batches make a train step: the answer is a whole number.",
    ),
    "fd_by_hand": Question(
        answer=(0 - 1) ** 2 + (1 - 3) ** 2,
        right="(0 − 1)² + (1 − 3)² = 1 + 4 = 5. The means and the spreads both count: an artist "
        "that paints the average face every time has the right mean and zero spread, and "
        "still scores badly.",
        hint="In one dimension FD adds two squares: the difference of the means, and the "
        "difference of the standard deviations.",
        slips={
            abs(0 - 1) + abs(1 - 3): "Square each difference before adding.",
            (0 - 1) ** 2 + (1 - 3**2) ** 2: "Use the standard deviations, not the variances.",
            2**2 + (3 - 1) ** 2: "That is the example on screen; here the means differ by 1.",
            (0 - 1) ** 2: "Add the spreads' term too.",
            (1 - 3) ** 2: "Add the means' term too.",
            math.sqrt(5): "FD is the sum of the two squares itself: take no square root.",
        },
        whole="This one comes out as a whole number: recheck your arithmetic.",
    ),
    "pixel_from_tanh": Question(
        answer=round(0.5 * 127.5 + 127.5),
        right="0.5 × 127.5 + 127.5 = 191.25 → 191, a light grey.",
        hint="Undo the scaling: multiply by 127.5, then add 127.5.",
        slips={
            0.5 + 127.5: "Multiply by 127.5 first, then add 127.5. (Times 255 alone would map "
            "[0, 1] to pixels; tanh gives [-1, 1].)",
            0.5 * 127.5: "Now add 127.5: the scaling subtracted it.",
            round(0.5 * 127.5): "Now add 127.5: the scaling subtracted it.",
            math.ceil(0.5 * 127.5 + 127.5): "Round to the nearest whole number, not up.",
            255: "255 is white, a tanh output of 1; 0.5 lies between middle grey and white.",
        },
        whole="A grey level is a whole number: round to the nearest one.",
    ),
    "overlap_counts": Question(
        answer=4 // 2,
        right="4 / 2 = 2 everywhere: an even coverage, so no checkerboard.",
        hint="Divide the kernel size by the stride; with 5 / 2 it alternates 2 and 3.",
        slips={
            (4 // 2) ** 2: "That is the count in two dimensions; the question asks along one row.",
            4 * 2: "Divide the kernel size by the stride, do not multiply.",
            Fraction(2, 4): "Divide the kernel size by the stride, not the other way round.",
            Fraction(5, 2): "That is the average for kernel 5; this kernel is 4.",
            3: "That is the larger count of kernel 5; this kernel is 4.",
            9: "That is the largest count of kernel 5 in two dimensions; this kernel is 4, and "
            "the question asks along one row.",
        },
    ),
    "walk_midpoint": Question(
        answer=math.sqrt(12**2 + 12**2) / 2,
        decimals=2,
        right="|A + B| = √(12² + 12²) = 16.97, so the middle is at 16.97 / 2 ≈ 8.49: 30 % closer to "
        "the origin than A and B, where the artist never saw a noise point. Slerp's middle stays "
        "at 12.",
        hint="At right angles Pythagoras holds: |A + B|² = |A|² + |B|². Then halve.",
        slips={
            12: "That is where slerp's middle stays; the straight line cuts the corner.",
            math.sqrt(12**2 + 12**2): "That is |A + B|; the middle is (A + B) / 2.",
            12 / 2: "Lengths do not add like that at right angles: find |A + B| first.",
            8.9: "8.9 is for the two random points above, of lengths 12.2 and 13.6; here "
            "both are 12.",
            math.sqrt(160): "√160 is the typical length of a noise point; here A and B are given.",
            0: "That would be for opposite points, B = −A; these are at right angles.",
        },
        by_hand=(
            lambda r: r(math.sqrt(12**2 + 12**2)) / 2,
            lambda r: 12 / r(math.sqrt(2)),
            lambda r: 12 * r(math.sqrt(0.5)),
        ),
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


# --- Lesson 9: play --------------------------------------------------------------------------


def check_walk_midpoint(answer):
    """Two noise points A and B, each of length 12, at right angles to each other (two random points in
    160 dimensions nearly are). How far from the origin is the middle of the straight line between
    them, (A + B) / 2? Give 2 decimals."""
    _check(answer, QUESTIONS["walk_midpoint"])
