"""The artist (generator) and the critic (discriminator), as Keras 3 models.

Both builders reproduce the seed article's DCGAN by default: 160-d noise → Dense 7·7·256 →
Conv2DTranspose layers up to a 56×56×1 tanh image, and a critic of two strided 5×5 convolutions with
LeakyReLU and Dropout 0.3 ending in one logit. Their keyword arguments are the knobs the recipe lesson
turns (widths, kernel size, LeakyReLU slope); the presets in ``training`` pick their values.
"""

import keras
from keras import layers

NOISE_DIM = 160
IMAGE_SHAPE = (56, 56, 1)


def make_generator_model(noise_dim=NOISE_DIM, widths=(128, 64, 32), kernel_size=5,
                         negative_slope=0.3):
    """Build the artist: noise vector (noise_dim,) → image (56, 56, 1) in [-1, 1].

    Dense lifts the noise to a 7×7×256 block; each Conv2DTranspose after it either refines (stride 1)
    or doubles the size (stride 2). The last two of ``widths`` and the output layer use stride 2, which
    takes 7 → 14 → 28 → 56. tanh squashes the output into [-1, 1], the range the real images were
    scaled to. The output layer is kept float32 so mixed precision cannot degrade the image.
    """
    strides = [1] * (len(widths) - 2) + [2, 2]
    model = keras.Sequential(name="generator")
    model.add(keras.Input(shape=(noise_dim,)))
    model.add(layers.Dense(7 * 7 * 256, use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU(negative_slope))
    model.add(layers.Reshape((7, 7, 256)))
    assert model.output_shape == (None, 7, 7, 256)

    size = 7
    for width, stride in zip(widths, strides):
        model.add(layers.Conv2DTranspose(width, kernel_size, strides=stride, padding="same",
                                         use_bias=False))
        size *= stride
        assert model.output_shape == (None, size, size, width)
        model.add(layers.BatchNormalization())
        model.add(layers.LeakyReLU(negative_slope))

    model.add(layers.Conv2DTranspose(1, kernel_size, strides=2, padding="same", use_bias=False,
                                     activation="tanh", dtype="float32"))
    assert model.output_shape == (None, 56, 56, 1)
    return model


def make_discriminator_model(widths=(64, 128), kernel_size=5, negative_slope=0.3, dropout=0.3):
    """Build the critic: image (56, 56, 1) → one logit (a real number; > 0 means "looks real").

    Each strided Conv2D halves the size (56 → 28 → 14) while LeakyReLU keeps a small gradient for
    negative inputs and Dropout stops the critic from memorising the training faces. The final Dense
    gives a raw logit, not a probability: the loss applies the sigmoid itself, which is numerically
    safer. The logit is kept float32 for the same reason.
    """
    model = keras.Sequential(name="discriminator")
    model.add(keras.Input(shape=IMAGE_SHAPE))
    for width in widths:
        model.add(layers.Conv2D(width, kernel_size, strides=2, padding="same"))
        model.add(layers.LeakyReLU(negative_slope))
        model.add(layers.Dropout(dropout))
    model.add(layers.Flatten())
    model.add(layers.Dense(1, dtype="float32"))
    return model
