"""Every exercise check accepts the right answer, rejects a wrong one, and survives None."""

import inspect
import math

import pytest

from course_utils import exercises

RIGHT = {
    "check_balance_verdict": 0.5, "check_scaled_pixel": -0.6, "check_batches_per_epoch": 78,
    "check_dense_parameters": 2_007_040, "check_upsampled_size": 28, "check_flatten_size": 25_088,
    "check_sigmoid_of_zero_logit": 0.5, "check_critic_loss_at_balance": 1.3863,
    "check_generator_loss": 0.1269, "check_updates_per_step": 2, "check_fd_by_hand": 5, "check_pixel_from_tanh": 191,
    "check_overlap_counts": 2,
}


def test_every_check_is_covered():
    names = {n for n, f in inspect.getmembers(exercises, inspect.isfunction) if n.startswith("check_")}
    assert names == set(RIGHT)


@pytest.mark.parametrize("name,answer", sorted(RIGHT.items()))
def test_right_wrong_and_missing_answers(name, answer, capsys):
    check = getattr(exercises, name)
    assert check(answer) is True
    assert "Correct" in capsys.readouterr().out
    assert check(answer * 3 + 7) is False
    assert "Not yet" in capsys.readouterr().out
    assert check(None) is False and "Write your answer" in capsys.readouterr().out
    assert check("twelve") is False


def test_hand_values_behind_the_checks():
    import numpy as np
    from course_utils.metrics import frechet_distance
    a = np.random.default_rng(0).normal(size=2000)
    a = (a - a.mean()) / a.std(ddof=1)                        # mean 0, std 1 exactly
    assert math.isclose(frechet_distance(a[:, None], 1 + 3 * a[:, None]), 5.0, rel_tol=1e-9)
    assert math.isclose(2 * math.log(2), 1.3863, abs_tol=1e-4)
    assert math.isclose(-math.log(1 / (1 + math.exp(-2))), 0.1269, abs_tol=1e-4)
