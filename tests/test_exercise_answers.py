"""The exercises' hand-computed answers agree with the course's own code.

``test_exercises.py`` checks the grading against answers worked out by hand. Here the same numbers come
out of the package's data pipeline, models, losses, metrics and widgets, so a change of architecture or
scaling cannot leave an exercise with a stale answer.
"""

import inspect
import math

import numpy as np
import pytest


def verdict(check, answer, capsys):
    assert check(answer) is None
    return capsys.readouterr().out


def test_lesson_0_best_critic(capsys):
    from course_utils.exercises import check_best_critic

    # Lesson 0 has no code for D*; what it prints is p_real / (p_real + p_artist), to 2 decimals.
    best = 0.3 / (0.3 + 0.1)
    assert f"{best:.2f}" == "0.75"
    assert verdict(check_best_critic, best, capsys).startswith("✅")
    # Python shows it as 0.7499999999999999: cut off instead of rounded, that is 0.74, not the answer.
    assert str(best)[:4] == "0.74"
    assert verdict(check_best_critic, float(str(best)[:4]), capsys).startswith("🟡 Close! Round")


def test_lesson_1_scaling_and_batches():
    from course_utils.data import load_faces, make_dataset, to_model_input

    assert to_model_input(np.full((1, 56, 56), 51, np.uint8))[0, 0, 0, 0] == pytest.approx(-0.6)
    assert 256 * 248 <= 63632 < 256 * 249 and 63632 - 256 * 248 == 144
    x = to_model_input(load_faces("procedural", limit=600))
    assert len(list(make_dataset(x, batch_size=256, seed=0))) == 2  # 600 = 2 × 256 + 88: dropped


def test_lesson_2_dense_weights_and_upsampled_side():
    import keras
    from keras import layers

    from course_utils.models import make_generator_model

    assert make_generator_model(noise_dim=100).layers[0].count_params() == 1_254_400
    block = keras.Sequential(
        [keras.Input((4, 4, 8))]
        + [layers.Conv2DTranspose(1, 5, strides=s, padding="same") for s in (1, 2, 2, 2)]
    )
    assert block.output_shape == (None, 32, 32, 1)


def test_lesson_3_flatten_size_and_sigmoid():
    import keras
    import tensorflow as tf

    from course_utils.models import make_discriminator_model

    critic = make_discriminator_model()
    on_64 = keras.Sequential(
        [keras.Input((64, 64, 1))]
        + [type(layer).from_config(layer.get_config()) for layer in critic.layers]
    )
    flatten = next(layer for layer in on_64.layers if type(layer).__name__ == "Flatten")
    assert flatten.output.shape[-1] == 32_768
    assert float(tf.sigmoid(-2.0)) == pytest.approx(0.1192, abs=5e-5)


def test_lesson_4_losses(capsys):
    import tensorflow as tf

    from course_utils.exercises import check_critic_loss, check_generator_loss
    from course_utils.losses import discriminator_loss, generator_loss

    ones = tf.ones([4, 1])
    critic = float(discriminator_loss(ones, -ones))
    artist = float(generator_loss(2.0 * ones))
    assert critic == pytest.approx(0.6265, abs=5e-5)
    assert artist == pytest.approx(0.1269, abs=5e-5)
    assert verdict(check_critic_loss, critic, capsys).startswith("✅")  # float32, as Keras gives it
    assert verdict(check_generator_loss, artist, capsys).startswith("✅")

    # A learner who rounds sigmoid(1) to 0.73 and sigmoid(2) to 0.88 before taking the log: the
    # same losses, from the logits of those rounded probabilities, come out as 0.6294 and 0.1278.
    logit = lambda p: float(np.log(p / (1 - p)))
    early_critic = float(discriminator_loss(logit(0.73) * ones, -logit(0.73) * ones))
    early_artist = float(generator_loss(logit(0.88) * ones))
    assert (round(early_critic, 4), round(early_artist, 4)) == (0.6294, 0.1278)
    for check, early in ((check_critic_loss, early_critic), (check_generator_loss, early_artist)):
        for answer in (early, round(early, 4)):
            out = verdict(check, answer, capsys)
            assert out.startswith("🟡 Close! You rounded a number on the way"), (answer, out)


def test_lesson_5_updates_and_fd():
    from course_utils.metrics import frechet_distance
    from course_utils.presets import get_preset
    from course_utils.training import make_train_step

    seed = get_preset("seed")
    steps = seed.n_images // seed.batch_size
    updates_per_step = inspect.getsource(make_train_step).count(".apply_gradients(")
    assert (steps, updates_per_step, steps * updates_per_step) == (78, 2, 156)
    a = np.random.default_rng(0).normal(size=2000)
    a = (a - a.mean()) / a.std(ddof=1)  # mean 0, std 1 exactly
    assert frechet_distance(a[:, None], 1 + 3 * a[:, None]) == pytest.approx(5.0, rel=1e-9)


def test_lesson_6_pixel():
    from course_utils.data import to_pixels

    assert to_pixels(np.array([[0.5]]))[0, 0] == 191


def test_lesson_7_taps_per_pixel():
    import keras
    from keras import layers

    convt = layers.Conv1DTranspose(
        1, 4, strides=2, padding="same", use_bias=False, kernel_initializer="ones"
    )
    out = keras.ops.convert_to_numpy(convt(np.ones([1, 8, 1], np.float32)))[
        0, 2:-2, 0
    ]  # edges cut off
    assert set(out.tolist()) == {2.0}


def test_lesson_8_walk_midpoint(capsys):
    from course_utils import widgets
    from course_utils.exercises import check_walk_midpoint

    a, b = np.zeros(160), np.zeros(160)
    a[0], b[1] = 12.0, 12.0  # length 12, at right angles
    middle = np.linalg.norm((a + b) / 2)
    assert middle == pytest.approx(8.485, abs=5e-4)
    assert verdict(check_walk_midpoint, middle, capsys).startswith("✅")
    assert verdict(check_walk_midpoint, f"{middle:.2f}", capsys).startswith("✅")
    assert not verdict(check_walk_midpoint, str(middle)[:4], capsys).startswith("✅")  # cut off
    assert np.linalg.norm(widgets.slerp(a, b, 0.5)) == pytest.approx(12.0, rel=1e-6)
    assert math.isclose(12 / math.sqrt(2), np.linalg.norm((a + b) / 2))
