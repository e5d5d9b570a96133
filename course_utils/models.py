"""The artist (generator) and the critic (discriminator), as Keras 3 models.

Lessons 2 and 3 write these two builders cell by cell; a test checks that the lessons' ``#@save``
cells and this file are the same code. With no arguments they build the article's DCGAN: 160-d
noise → Dense 7·7·256 → Conv2DTranspose layers up to a 56×56×1 tanh image, and a critic of two
strided 5×5 convolutions with LeakyReLU and Dropout 0.3 ending in one logit. Their keyword
arguments are the knobs the presets (``course_utils.presets``) turn: the classroom preset builds
lighter networks from the very same functions.
"""

import math

import keras
from keras import layers

from course_utils.faces import IMAGE_SIZE

NOISE_DIM = 160
IMAGE_SHAPE = (IMAGE_SIZE, IMAGE_SIZE, 1)


def make_generator_model(
    noise_dim=NOISE_DIM, dense_channels=256, widths=(128, 64, 32), kernel_size=5, negative_slope=0.3
):
    """Build the artist: noise vector (noise_dim,) → image (56, 56, 1) in [-1, 1].

    Taught in lesson 2. Dense lifts the noise to a 7×7×dense_channels block; each Conv2DTranspose
    after it either refines (stride 1) or doubles the size (stride 2). The last two of ``widths``
    and the output layer use stride 2, which takes 7 → 14 → 28 → 56. ``negative_slope=0`` turns
    every LeakyReLU into a plain ReLU. tanh squashes the output into [-1, 1], the range the real
    images were scaled to; the output layer is kept float32 so mixed precision cannot degrade the
    image.
    """
    strides = [1] * (len(widths) - 2) + [2, 2]
    model = keras.Sequential(name="generator")
    model.add(keras.Input(shape=(noise_dim,)))
    model.add(layers.Dense(7 * 7 * dense_channels, use_bias=False))
    model.add(layers.BatchNormalization())
    model.add(layers.LeakyReLU(negative_slope))
    model.add(layers.Reshape((7, 7, dense_channels)))
    assert model.output_shape == (None, 7, 7, dense_channels)

    size = 7
    for width, stride in zip(widths, strides):
        model.add(
            layers.Conv2DTranspose(
                width, kernel_size, strides=stride, padding="same", use_bias=False
            )
        )
        size *= stride
        assert model.output_shape == (None, size, size, width)
        model.add(layers.BatchNormalization())
        model.add(layers.LeakyReLU(negative_slope))

    model.add(
        layers.Conv2DTranspose(
            1,
            kernel_size,
            strides=2,
            padding="same",
            use_bias=False,
            activation="tanh",
            dtype="float32",
        )
    )
    assert model.output_shape == (None, 56, 56, 1)
    return model


def make_discriminator_model(
    widths=(64, 128), kernel_size=5, negative_slope=0.3, dropout=0.3, batch_norm=False
):
    """Build the critic: image (56, 56, 1) → one logit (a real number; > 0 means "looks real").

    Taught in lesson 3. Each strided Conv2D halves the size (56 → 28 → 14 → 7) while LeakyReLU
    keeps a small gradient for negative inputs. ``batch_norm=True`` normalises every convolution
    but the first (as the DCGAN paper does), which steadies a small critic; ``dropout`` zeroes a
    share of the evidence so the critic cannot memorise the training faces. The final Dense gives
    a raw logit, not a probability: the loss applies the sigmoid itself, which is numerically
    safer. The logit is kept float32 for the same reason.
    """
    model = keras.Sequential(name="discriminator")
    model.add(keras.Input(shape=IMAGE_SHAPE))
    for i, width in enumerate(widths):
        model.add(layers.Conv2D(width, kernel_size, strides=2, padding="same"))
        if batch_norm and i > 0:
            model.add(layers.BatchNormalization())
        model.add(layers.LeakyReLU(negative_slope))
        if dropout:
            model.add(layers.Dropout(dropout))
    model.add(layers.Flatten())
    model.add(layers.Dense(1, dtype="float32"))
    return model


def count_multiply_adds(model):
    """Multiply-adds that one image costs in ``model``'s Dense and convolution layers (forward pass).

    On a CPU a train step's time follows this arithmetic more than the parameter count: the first
    Dense layer holds most of the article artist's weights but little of its work, while a
    convolution reuses its few weights at every pixel. Lesson 5 compares the presets with it.
    """
    total = 0
    for layer in model.layers:
        weights = math.prod(layer.kernel.shape) if hasattr(layer, "kernel") else 0
        if isinstance(layer, layers.Dense):
            total += weights
        elif isinstance(layer, layers.Conv2DTranspose):  # every input pixel stamps the kernel
            total += math.prod(layer.input.shape[1:3]) * weights
        elif isinstance(layer, layers.Conv2D):  # the kernel visits every output pixel
            total += math.prod(layer.output.shape[1:3]) * weights
    return total
