"""The lesson 0–3 exercise checks: right answers pass, the typical slips fail with a hint that does not
give the answer away, an unanswered ``None`` is a reminder, and the expected values agree with the
package's own models and data pipeline (so a change of architecture cannot leave a stale answer)."""

import math

import numpy as np
import pytest

from course_utils import exercises

# (check, right answer, typical wrong answers a learner might give, text the hint must not reveal)
CASES = [
    ("check_balance_verdict", 0.5, [1.0, 0.0, 0.25], None),
    ("check_scaled_pixel", -0.6, [0.6, 51 / 255, (51 - 127.5)], "-0.6"),
    ("check_batches_per_epoch", 78, [79, 78.125, 20000 / 256], "78"),
    ("check_dense_parameters", 2_007_040, [2_007_040 + 12_544, 12_544, 160], "2,007,040"),
    ("check_upsampled_size", 28, [7, 14, 56], "28"),
    ("check_flatten_size", 25_088, [12_544, 28 * 28 * 64, 14 * 14 * 64], "25,088"),
    ("check_sigmoid_of_zero_logit", 0.5, [0.0, 1.0, 0.73], None),
]


@pytest.mark.parametrize("name,right,wrongs,secret", CASES, ids=[c[0] for c in CASES])
def test_check_accepts_right_and_rejects_typical_slips(name, right, wrongs, secret, capsys):
    check = getattr(exercises, name)
    assert check(right) is True
    assert "✅ Correct" in capsys.readouterr().out
    assert check(str(right)) is True                       # "78" typed as text still counts
    capsys.readouterr()
    for wrong in wrongs:
        assert check(wrong) is False, wrong
        out = capsys.readouterr().out
        assert out.startswith("❌ Not yet.")
        if secret is not None:
            assert secret not in out, f"the hint for {name} gives the answer away"


@pytest.mark.parametrize("name", [c[0] for c in CASES])
def test_unanswered_and_non_numbers_are_handled_without_raising(name, capsys):
    check = getattr(exercises, name)
    assert check(None) is False
    assert "Write your answer in place of None" in capsys.readouterr().out
    assert check("twenty") is False and "should be a number" in capsys.readouterr().out
    assert check([1, 2]) is False


def test_expected_values_match_the_package():
    from course_utils.data import load_faces, make_dataset, to_model_input
    from course_utils.models import NOISE_DIM, make_discriminator_model, make_generator_model

    # Lesson 1: the scaled pixel and the number of full batches of 256 in 20,000 faces
    assert to_model_input(np.full((1, 56, 56), 51, np.uint8))[0, 0, 0, 0] == pytest.approx(-0.6)
    assert 20000 // 256 == 78 and 20000 - 78 * 256 == 32
    x = to_model_input(load_faces("procedural", limit=600))
    assert len(list(make_dataset(x, batch_size=256, seed=0))) == 600 // 256   # remainder dropped

    # Lesson 2: the first Dense layer's weights and a stride-2 transposed convolution on 14×14
    generator = make_generator_model()
    assert NOISE_DIM == 160 and generator.layers[0].count_params() == 2_007_040
    assert [layer.output.shape[1] for layer in generator.layers if "Conv2DTranspose" in type(layer).__name__] \
        == [7, 14, 28, 56]

    # Lesson 3: the Flatten size and the sigmoid of a zero logit
    discriminator = make_discriminator_model()
    flatten = next(layer for layer in discriminator.layers if type(layer).__name__ == "Flatten")
    assert flatten.output.shape[-1] == 25_088
    assert 1 / (1 + math.exp(-0.0)) == 0.5
