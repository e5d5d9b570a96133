"""Answer checks for the end-of-lesson exercises.

Each ``check_*`` function takes the learner's answer, prints a friendly verdict and returns True or
False. A wrong answer gets a hint that points back to the idea, never the answer itself; an answer
left as ``None`` is a reminder to write one, not an error (the tests run every notebook as it is).
"""

import math


def _check_number(answer, expected, right, hint, tolerance=1e-3):
    if answer is None:
        print("✏️  Write your answer in place of None, then run the cell again.")
        return False
    try:
        ok = math.isclose(float(answer), expected, rel_tol=tolerance, abs_tol=tolerance)
    except (TypeError, ValueError):
        print(f"❌ Not yet. Your answer should be a number, got {answer!r}.")
        return False
    print(("✅ Correct! " + right) if ok else ("❌ Not yet. " + hint))
    return ok


# --- Lesson 0: the story ---------------------------------------------------------------------

def check_balance_verdict(answer):
    """At the balance point, what probability of "real" does the critic give every face?"""
    return _check_number(answer, 0.5, "When the artist's faces are indistinguishable from real ones, "
                         "the best the critic can do is a coin toss: D = 1/2 everywhere.",
                         "Think: if real and painted faces look identical, can the critic prefer either?")


# --- Lesson 1: data shaping ------------------------------------------------------------------

def check_scaled_pixel(answer):
    """A pixel of 51 (dark grey): what value does the network see after (x - 127.5) / 127.5?"""
    return _check_number(answer, (51 - 127.5) / 127.5, "(51 - 127.5) / 127.5 = -0.6.",
                         "Subtract 127.5 first, then divide by 127.5; a dark pixel lands below zero.")


def check_batches_per_epoch(answer):
    """How many batches of 256 does one pass over 20,000 faces give with drop_remainder=True?"""
    return _check_number(answer, 20000 // 256, "20,000 // 256 = 78; the last 32 faces wait for the "
                         "next shuffle.", "Divide and round down: a partial batch is dropped.")


# --- Lesson 2: the generator -----------------------------------------------------------------

def check_dense_parameters(answer):
    """How many weights has the generator's first Dense layer (160 → 7·7·256, no bias)?"""
    return _check_number(answer, 160 * 7 * 7 * 256, "160 × 12,544 = 2,007,040 — nearly two thirds of the "
                         "whole artist.", "One weight per (input, output) pair, and use_bias=False.")


def check_upsampled_size(answer):
    """A Conv2DTranspose with strides=2 and padding='same' gets a 14×14 input. Output side?"""
    return _check_number(answer, 28, "Stride 2 doubles the side: 14 → 28.",
                         "A transposed convolution with stride s multiplies the side by s.")


# --- Lesson 3: the discriminator -------------------------------------------------------------

def check_flatten_size(answer):
    """How many numbers does the critic's Flatten layer pass to the final Dense layer?"""
    return _check_number(answer, 14 * 14 * 128, "Two stride-2 convolutions: 56 → 28 → 14, with 128 "
                         "channels: 14 × 14 × 128 = 25,088.", "Halve 56 twice, then multiply by the "
                         "channels of the last Conv2D.")


def check_sigmoid_of_zero_logit(answer):
    """The untrained critic gives a logit of 0. What probability of "real" is that?"""
    return _check_number(answer, 0.5, "sigmoid(0) = 1 / (1 + e⁰) = 0.5: no opinion yet.",
                         "sigmoid(x) = 1 / (1 + e^(-x)); put x = 0.")


# --- Lesson 4: losses ------------------------------------------------------------------------

def check_critic_loss_at_balance(answer):
    """Critic loss (real + fake) when every logit is 0. Give 4 decimals."""
    return _check_number(answer, 2 * math.log(2), "Each half costs -log(0.5) = ln 2, so the sum is "
                         "2 ln 2 ≈ 1.3863 — the value the critic's curve hovers near at balance.",
                         "Logit 0 means p = 0.5 on both sides; each side costs -log(0.5).")


def check_generator_loss(answer):
    """Artist's loss when the critic's logit on its painting is 2.0. Give 4 decimals."""
    return _check_number(answer, math.log1p(math.exp(-2.0)), "-log(sigmoid(2)) = log(1 + e⁻²) ≈ "
                         "0.1269: the critic is fooled, so the artist pays little.",
                         "The artist wants label 1: its loss is -log(sigmoid(logit)).")


# --- Lesson 5: training ----------------------------------------------------------------------

def check_updates_per_step(answer):
    """How many optimizer updates (weight changes of one network) happen in one train step?"""
    return _check_number(answer, 2, "Two: the artist's optimizer and the critic's each apply one "
                         "update, each from its own tape.", "Count the apply_gradients calls.")


def check_fd_by_hand(answer):
    """Fréchet distance between two 1-D bell curves: mean 0, std 1 against mean 1, std 3."""
    return _check_number(answer, 5.0, "(0 − 1)² + (1 − 3)² = 1 + 4 = 5. The means and the spreads "
                         "both count: an artist that paints the average face every time has the "
                         "right mean and zero spread, and still scores badly.",
                         "In one dimension FD adds two squares: the difference of the means, and the "
                         "difference of the standard deviations.")


# --- Lesson 6: watching it learn -------------------------------------------------------------

def check_pixel_from_tanh(answer):
    """The generator outputs 0.5 for a pixel. Which grey level (0–255, rounded) is that?"""
    return _check_number(answer, round(0.5 * 127.5 + 127.5), "0.5 × 127.5 + 127.5 = 191.25 → 191.",
                         "Undo the scaling: multiply by 127.5, then add 127.5.", tolerance=0.6)


# --- Lesson 7: improving the recipe ----------------------------------------------------------

def check_overlap_counts(answer):
    """With kernel 4 and stride 2, how many kernel taps land on each output pixel (away from edges,
    in one dimension)?"""
    return _check_number(answer, 2, "4 / 2 = 2 everywhere: an even coverage, so no checkerboard.",
                         "Divide the kernel size by the stride; with 5 / 2 it alternates 2 and 3.")
