"""The seed article's architecture, parameter counts worked out by hand, and the losses by hand."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from course_utils.losses import cross_entropy, discriminator_loss, generator_loss
from course_utils.models import (
    NOISE_DIM,
    count_multiply_adds,
    make_discriminator_model,
    make_generator_model,
)


def test_generator_maps_160d_noise_to_56x56x1_in_tanh_range():
    g = make_generator_model()
    assert g.input_shape == (None, NOISE_DIM) == (None, 160)
    out = g(tf.random.normal([4, 160]), training=False).numpy()
    assert out.shape == (4, 56, 56, 1) and out.dtype == np.float32
    assert out.min() >= -1 and out.max() <= 1


def test_generator_parameter_count_matches_the_seed_worked_out_by_hand():
    dense = 160 * 7 * 7 * 256  # no bias
    bn = lambda c: 4 * c  # gamma, beta, moving mean, moving variance
    convt = lambda cin, cout: 5 * 5 * cin * cout  # no bias
    expected = (
        dense
        + bn(7 * 7 * 256)
        + convt(256, 128)
        + bn(128)
        + convt(128, 64)
        + bn(64)
        + convt(64, 32)
        + bn(32)
        + convt(32, 1)
    )
    assert expected == 3_134_112
    assert make_generator_model().count_params() == expected


def test_discriminator_parameter_count_and_single_logit():
    expected = (5 * 5 * 1 * 64 + 64) + (5 * 5 * 64 * 128 + 128) + (14 * 14 * 128 + 1)
    d = make_discriminator_model()
    assert d.count_params() == expected == 231_681
    assert d(tf.zeros([3, 56, 56, 1]), training=False).shape == (3, 1)


def test_seed_layers_use_keras_defaults_of_the_article():
    d = make_discriminator_model()
    slopes = [l.negative_slope for l in d.layers if isinstance(l, keras.layers.LeakyReLU)]
    rates = [l.rate for l in d.layers if isinstance(l, keras.layers.Dropout)]
    assert slopes == pytest.approx([0.3, 0.3]) and rates == pytest.approx([0.3, 0.3])
    strides = [
        l.strides
        for l in make_generator_model().layers
        if isinstance(l, keras.layers.Conv2DTranspose)
    ]
    assert strides == [(1, 1), (2, 2), (2, 2), (2, 2)]


def test_lighter_variants_keep_the_input_and_output_shapes():
    g = make_generator_model(dense_channels=128, widths=(64, 32), kernel_size=4, negative_slope=0.0)
    d = make_discriminator_model(
        widths=(32, 64, 128), kernel_size=4, negative_slope=0.2, dropout=0.0, batch_norm=True
    )
    assert g.output_shape == (None, 56, 56, 1) and d.output_shape == (None, 1)
    assert g.count_params() < make_generator_model().count_params()
    # A slope of 0 is a plain ReLU: negatives become 0.
    relus = [l for l in g.layers if isinstance(l, keras.layers.LeakyReLU)]
    assert relus and float(relus[0](tf.constant([-2.0]))[0]) == 0.0
    # BatchNormalization after every convolution but the first; no Dropout at rate 0.
    kinds = [type(l).__name__ for l in d.layers]
    assert kinds == [
        "Conv2D",
        "LeakyReLU",
        "Conv2D",
        "BatchNormalization",
        "LeakyReLU",
        "Conv2D",
        "BatchNormalization",
        "LeakyReLU",
        "Flatten",
        "Dense",
    ]
    # 14·14 would be two halvings; three take 56 → 28 → 14 → 7.
    assert d.layers[-1].kernel.shape == (7 * 7 * 128, 1)


def _bce(label, logit):
    p = 1 / (1 + math.exp(-logit))
    return -(label * math.log(p) + (1 - label) * math.log(1 - p))


def test_losses_match_binary_cross_entropy_computed_by_hand():
    real, fake = tf.constant([[2.0], [-1.0]]), tf.constant([[0.5], [-3.0]])
    by_hand_d = (_bce(1, 2.0) + _bce(1, -1.0)) / 2 + (_bce(0, 0.5) + _bce(0, -3.0)) / 2
    by_hand_g = (_bce(1, 0.5) + _bce(1, -3.0)) / 2
    assert float(discriminator_loss(real, fake)) == pytest.approx(by_hand_d, rel=1e-5)
    assert float(generator_loss(fake)) == pytest.approx(by_hand_g, rel=1e-5)
    smoothed = (_bce(0.9, 2.0) + _bce(0.9, -1.0)) / 2 + (_bce(0, 0.5) + _bce(0, -3.0)) / 2
    assert float(discriminator_loss(real, fake, real_label=0.9)) == pytest.approx(
        smoothed, rel=1e-5
    )


def test_logit_loss_stays_finite_where_log_of_sigmoid_would_not():
    assert float(cross_entropy(tf.ones([1, 1]), tf.constant([[-200.0]]))) == pytest.approx(
        200, rel=1e-3
    )
    # A critic with no opinion (logit 0) costs log 2 on each side.
    assert float(discriminator_loss(tf.zeros([4, 1]), tf.zeros([4, 1]))) == pytest.approx(
        2 * math.log(2)
    )


def test_multiply_adds_match_a_count_by_hand():
    # The article's critic: conv 1 visits 28·28 output pixels with a 5·5·1·64 kernel, conv 2 visits
    # 14·14 with 5·5·64·128, and the Dense layer multiplies 14·14·128 numbers by one weight each.
    by_hand = 28 * 28 * 5 * 5 * 1 * 64 + 14 * 14 * 5 * 5 * 64 * 128 + 14 * 14 * 128
    assert count_multiply_adds(make_discriminator_model()) == by_hand == 41_420_288
    # The article's artist: Dense 160 → 12,544; a transposed convolution stamps its kernel once per
    # input pixel: 7·7 (256 → 128), 7·7 (128 → 64), 14·14 (64 → 32), 28·28 (32 → 1), all 5×5.
    by_hand = (
        160 * 7 * 7 * 256
        + 7 * 7 * 25 * 256 * 128
        + 7 * 7 * 25 * 128 * 64
        + 14 * 14 * 25 * 64 * 32
        + 28 * 28 * 25 * 32 * 1
    )
    assert count_multiply_adds(make_generator_model()) == by_hand
