"""Answer checks for the end-of-lesson exercises.

Each ``check_*`` function takes the learner's answer, prints one verdict and returns None (so a cell
that ends with a check shows the verdict and nothing else). How answers are judged:

- **Whole-number answers are exact.** ``78``, ``78.0``, ``"1_254_400"`` and ``"1,254,400"`` count;
  ``78.125`` or a count off by one does not.
- **Real-valued answers are asked to a stated number of decimals** ("Give 4 decimals"). The answer
  rounded or cut off at that decimal counts, and so does anything more precise.
- **Right but rounded is "close", never "wrong".** An answer that is the right value rounded too early
  (``1.39`` when 4 decimals were asked), a whole-number answer left unrounded (``191.25``) or a large
  count rounded off (``1,254,000``) hears what to fix about the number, not a hint about the idea.
- **Known slips get their own hint** (forgot a step, the neighbouring number on screen, wrong sign);
  other wrong answers get the question's hint. No hint contains the answer.
- ``None`` is a reminder to write an answer, not an error: the tests run every notebook as it is.
"""

import math
import numbers
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from fractions import Fraction

_MISSING = "✏️  Write your answer in place of None, then run the cell again."


class _NotANumber(ValueError):
    """The answer cannot be read as one number; the message says why, for the learner."""


def _read(answer):
    """The learner's answer as ``(value, decimals written)``; raises _NotANumber."""
    if isinstance(answer, bool):
        raise _NotANumber(f"Your answer should be a number, got {answer!r}.")
    if (
        isinstance(answer, (tuple, list))
        and answer
        and all(isinstance(a, numbers.Number) for a in answer)
    ):
        raise _NotANumber(
            f"Python read your answer as {len(answer)} numbers, {answer!r}: write one "
            "number without commas (an underscore may group digits, like 20_000)."
        )
    if isinstance(answer, str):
        text = answer.strip().replace("−", "-")
        for separator in (",", "_", " "):
            text = text.replace(separator, "")
        try:
            value = float(Fraction(text))
        except (ValueError, ZeroDivisionError):
            raise _NotANumber(f"Your answer should be a number, got {answer!r}.") from None
        written = text if "/" not in text else repr(value)
    else:
        if getattr(answer, "size", None) == 1 and hasattr(answer, "item"):
            answer = answer.item()  # a NumPy scalar or 1-element array
        try:
            value = float(answer)
        except (TypeError, ValueError):
            raise _NotANumber(f"Your answer should be a number, got {answer!r}.") from None
        written = str(answer) if isinstance(answer, numbers.Integral) else repr(value)
    if not math.isfinite(value):
        raise _NotANumber(f"Your answer should be a finite number, got {answer!r}.")
    try:
        decimals = max(0, -Decimal(written).normalize().as_tuple().exponent)
    except InvalidOperation:
        decimals = 17
    return value, decimals


def _matches(value, target, decimals):
    """Is ``value`` ``target`` given to ``decimals`` places: rounded, cut off, or more precise?"""
    unit = 10.0**-decimals
    if abs(value - target) <= 0.5 * unit * (1 + 1e-9):
        return True
    cut = float(Decimal(repr(target)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN))
    return abs(value - cut) <= 1e-9 * unit  # cut off (truncated) toward zero


def _verdict(answer, expected, decimals, right, hint, slips, whole):
    """``(kind, message)``, kind one of "missing", "not a number", "right", "close", "wrong"."""
    if answer is None:
        return "missing", _MISSING
    try:
        value, written = _read(answer)
    except _NotANumber as problem:
        return "not a number", f"❌ Not yet. {problem}"

    if decimals is None:  # a whole number, exactly
        if value == expected:
            return "right", "✅ Correct! " + right
        for slip, why in slips.items():
            if value == slip:
                return "wrong", "❌ Not yet. " + why
        if value != math.floor(value) and expected in (math.floor(value), math.ceil(value)):
            return "close", "🟡 Close! " + whole
        places = [10**m for m in range(1, 12) if 10**m * 100 <= abs(expected)]
        if value == math.floor(value) and any(value == round(expected / p) * p for p in places):
            return "close", "🟡 Close! Give the exact number, every digit: this one is not rounded."
        return "wrong", "❌ Not yet. " + hint

    if _matches(value, expected, decimals):
        return "right", "✅ Correct! " + right
    for slip, why in slips.items():
        if _matches(value, slip, decimals):
            return "wrong", "❌ Not yet. " + why
    rounded_early = (
        written < decimals
        and (written >= 1 or abs(expected) >= 1)
        and _matches(value, expected, written)
    )
    if rounded_early:
        return (
            "close",
            f"🟡 Close! Give it to {decimals} decimals: your answer is rounded too early.",
        )
    if abs(value - expected) <= 3 * 10.0**-decimals:
        return "close", (
            f"🟡 Close! Check the last digits: work with more decimals and round only at "
            f"the end, to {decimals} decimals."
        )
    return "wrong", "❌ Not yet. " + hint


def _check(
    answer,
    expected,
    *,
    right,
    hint,
    decimals=None,
    slips=None,
    whole="The answer is a whole number: which one does the question ask for?",
):
    """Print the verdict on ``answer``. ``decimals=None`` means a whole number, checked exactly."""
    print(_verdict(answer, expected, decimals, right, hint, slips or {}, whole)[1])


# --- Lesson 0: the story ---------------------------------------------------------------------


def check_best_critic(answer):
    """For a picture x with p_real(x) = 0.3 and p_artist(x) = 0.1, what probability of "real" does the
    best critic give? Give 2 decimals."""
    _check(
        answer,
        0.3 / (0.3 + 0.1),
        decimals=2,
        right="0.3 / (0.3 + 0.1) = 0.75: real faces look like x three times as often as paintings "
        "do, so the best critic bets 3 to 1 on real. At balance the two are equal and it says 1/2.",
        hint="Put the two numbers into D*(x) = p_real(x) / (p_real(x) + p_artist(x)).",
        slips={
            0.25: "That is the artist's share: the best critic's answer has p_real on top.",
            3: "That is p_real / p_artist; the best critic divides by the sum of the two.",
            0.5: "1/2 is the balance point, where p_real = p_artist; here they differ.",
        },
    )


# --- Lesson 1: data shaping ------------------------------------------------------------------


def check_scaled_pixel(answer):
    """A pixel of 51 (dark grey): what value does the network see? Give 2 decimals."""
    _check(
        answer,
        (51 - 127.5) / 127.5,
        decimals=2,
        right="(51 − 127.5) / 127.5 = −76.5 / 127.5 = −0.6.",
        hint="Subtract 127.5 first, then divide by 127.5; a dark pixel lands below zero.",
        slips={
            0.6: "Check the sign: a pixel darker than middle grey (127.5) lands below zero.",
            51 - 127.5: "Half way there: now divide by 127.5.",
            51 / 127.5: "Subtract 127.5 before dividing.",
            51 / 255: "Dividing by 255 gives the range [0, 1]; the network sees [-1, 1].",
            (51 - 127.5) / 255: "Divide by 127.5, not by 255.",
        },
    )


def check_batches_per_epoch(answer):
    """The real Anime-Face-Dataset has 63,632 faces. How many batches of 256 does one pass over it give
    with drop_remainder=True?"""
    _check(
        answer,
        63632 // 256,
        right="63,632 / 256 = 248.56…, so 248 full batches; the 144 faces left over wait for the "
        "next shuffle.",
        hint="Divide the number of faces by the batch size and keep only the full batches.",
        slips={
            63632 // 256 + 1: "drop_remainder=True drops the last, partial batch.",
            20000 // 256: "That is for the course's 20,000 faces; this dataset is larger.",
            63632 % 256: "That is the faces left over, not the number of batches.",
        },
        whole="A batch is either full or dropped: the answer is a whole number of batches.",
    )


# --- Lesson 2: the generator -----------------------------------------------------------------


def check_dense_parameters(answer):
    """The DCGAN paper draws 100 noise numbers instead of our 160. How many weights would the first
    Dense layer have then (100 inputs, 7·7·256 outputs, no bias)?"""
    _check(
        answer,
        100 * 7 * 7 * 256,
        right="100 × 12,544 = 1,254,400 weights, 752,640 fewer than with 160 inputs.",
        hint="One weight per (input, output) pair, and use_bias=False.",
        slips={
            160 * 7 * 7 * 256: "That is the count for our 160 inputs; count again for 100.",
            100 * 7 * 7 * 256 + 7 * 7 * 256: "No bias here: the layer has use_bias=False.",
            100 + 7 * 7 * 256: "Every input connects to every output: multiply, do not add.",
            7 * 7 * 256: "That is the number of outputs; each has one weight per input.",
        },
    )


def check_upsampled_size(answer):
    """Suppose Dense and Reshape made a 4×4 block instead of 7×7. What side would the picture have
    after the same four Conv2DTranspose layers (strides 1, 2, 2, 2, padding="same")?"""
    _check(
        answer,
        4 * 1 * 2 * 2 * 2,
        right="The stride-1 layer keeps 4; the three stride-2 layers double it: 4 → 8 → 16 → 32.",
        hint='With padding="same" a stride-s transposed convolution multiplies the side by s.',
        slips={
            4 * 2**4: "The first Conv2DTranspose has stride 1: it keeps the size.",
            4 * 2**2: "Count the stride-2 layers again.",
            56: "That is the side from a 7×7 block; start from 4×4.",
            28: "That is a side on screen for the 7×7 block; start from 4×4.",
        },
    )


# --- Lesson 3: the discriminator -------------------------------------------------------------


def check_flatten_size(answer):
    """If the faces were 64×64 instead of 56×56, how many numbers would the critic's Flatten layer
    pass to the final Dense layer?"""
    _check(
        answer,
        (64 // 2 // 2) ** 2 * 128,
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
            8 * 8 * 128: "There are two stride-2 Conv2D layers, not three.",
        },
    )


def check_sigmoid_of_logit(answer):
    """The critic gives a painting a logit of -2. What probability of "real" is that? Give 3
    decimals."""
    _check(
        answer,
        1 / (1 + math.exp(2)),
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
    )


# --- Lesson 4: losses ------------------------------------------------------------------------


def check_critic_loss(answer):
    """The critic gives every real face a logit of 1 and every painting a logit of -1. What is its loss
    (real + fake)? Give 4 decimals."""
    _check(
        answer,
        2 * math.log1p(math.exp(-1)),
        decimals=4,
        right="Real faces: −log(sigmoid(1)) = 0.3133; paintings: −log(1 − sigmoid(−1)) = 0.3133; "
        "the sum is 0.6265, less than the 1.3863 of balance: this critic is right on both sides.",
        hint="Real faces have label 1 and cost −log(sigmoid(logit)); paintings have label 0 and cost "
        "−log(1 − sigmoid(logit)). Add the two.",
        slips={
            math.log1p(math.exp(-1)): "That is one of the two terms; the critic's loss adds the "
            "real and the fake term.",
            2 * math.log(2): "That is the balance value, for logits of 0; here they are 1 and -1.",
            math.log1p(math.exp(-1))
            + math.log1p(
                math.exp(1)
            ): "A painting has label 0: its cost is −log(1 − sigmoid(logit)).",
            2 * math.log1p(math.exp(1)): "Check the signs: this critic is right on both "
            "sides, so its loss is small.",
            2 * math.log2(1 + math.exp(-1)): "Use the natural logarithm (ln), as Keras does.",
        },
    )


def check_generator_loss(answer):
    """The critic's logit on the artist's painting is 2.0. What is the artist's loss? Give 4
    decimals."""
    _check(
        answer,
        math.log1p(math.exp(-2.0)),
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
    )


# --- Lesson 5: training ----------------------------------------------------------------------


def check_updates_per_epoch(answer):
    """The seed preset trains on 20,000 faces in batches of 256 (drop_remainder=True). How many
    optimizer updates (one network's weights changed once) happen in one epoch?"""
    _check(
        answer,
        (20000 // 256) * 2,
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
    )


def check_fd_by_hand(answer):
    """Fréchet distance between two 1-D bell curves: mean 0, std 1 against mean 1, std 3."""
    _check(
        answer,
        (0 - 1) ** 2 + (1 - 3) ** 2,
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
    )


# --- Lesson 6: watching it learn -------------------------------------------------------------


def check_pixel_from_tanh(answer):
    """The artist outputs 0.5 for a pixel: which grey level (0–255, rounded to a whole number) is that?"""
    _check(
        answer,
        round(0.5 * 127.5 + 127.5),
        right="0.5 × 127.5 + 127.5 = 191.25 → 191, a light grey.",
        hint="Undo the scaling: multiply by 127.5, then add 127.5.",
        slips={
            0.5 + 127.5: "Multiply by 127.5 first, then add 127.5. (Times 255 alone would map "
            "[0, 1] to pixels; tanh gives [-1, 1].)",
            round(0.5 * 127.5): "Now add 127.5: the scaling subtracted it.",
            math.ceil(0.5 * 127.5 + 127.5): "Round to the nearest whole number, not up.",
            255: "255 is white, a tanh output of 1; 0.5 lies between middle grey and white.",
        },
        whole="A grey level is a whole number: round to the nearest one.",
    )


# --- Lesson 7: improving the recipe ----------------------------------------------------------


def check_overlap_counts(answer):
    """With kernel 4 and stride 2, how many kernel taps land on each output pixel (away from edges,
    in one dimension)?"""
    _check(
        answer,
        4 // 2,
        right="4 / 2 = 2 everywhere: an even coverage, so no checkerboard.",
        hint="Divide the kernel size by the stride; with 5 / 2 it alternates 2 and 3.",
        slips={
            (4 // 2) ** 2: "That is the count in two dimensions; the question asks along one row.",
            4 * 2: "Divide the kernel size by the stride, do not multiply.",
            2 / 4: "Divide the kernel size by the stride, not the other way round.",
            5 / 2: "That is the average for kernel 5; this kernel is 4.",
            3: "That is the larger count of kernel 5; this kernel is 4.",
        },
    )


# --- Lesson 8: play --------------------------------------------------------------------------


def check_walk_midpoint(answer):
    """Two noise points A and B, each of length 12, at right angles to each other (two random points in
    160 dimensions nearly are). How far from the origin is the middle of the straight line between
    them, (A + B) / 2? Give 2 decimals."""
    _check(
        answer,
        math.sqrt(12**2 + 12**2) / 2,
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
    )
