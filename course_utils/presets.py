"""Presets: the course's one switch between the article's full run and what fits a lesson.

A preset names every number that decides a training run: how many faces, how long, the optimiser,
and the knobs of the two builders the learner writes in lessons 2 and 3 (``make_generator_model`` and
``make_discriminator_model``). Every preset builds its networks with those same two functions, only
with other knob values, so nothing trains that the learner has not seen.

* ``seed`` — the article exactly (TF男孩, "ChatGPT火了…", Juejin 2023): 20,000 faces, 500 epochs,
  batch 256, Adam 1e-4, 5×5 kernels, LeakyReLU 0.3. About a day on a laptop CPU; a GPU job.
* ``classroom`` — the default: faces the anime-face detector recognises, in about two minutes on
  a 2-core laptop CPU (lesson 5 says why its networks are smaller).
* ``ci`` — seconds, for the automated tests.

``get_preset()`` reads ``COURSE_PRESET``, so notebooks never need editing. This module imports no
TensorFlow: the command line lists the presets without paying for it.
"""

import os
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Preset:
    """Everything that decides a training run, so a run folder can say exactly how it was made."""

    name: str
    description: str
    n_images: int
    epochs: int
    batch_size: int
    learning_rate: float
    beta_1: float
    generator_widths: tuple
    discriminator_widths: tuple
    kernel_size: int
    generator_slope: float  # LeakyReLU slope in the artist; 0 makes it a plain ReLU
    discriminator_slope: float  # LeakyReLU slope in the critic
    dense_channels: int = 256  # the artist's first block is 7×7×dense_channels
    dropout: float = 0.3
    critic_batch_norm: bool = False
    real_label: float = 1.0
    metric_every: int = 0
    keep_checkpoints: int = 3

    def generator_knobs(self):
        """Keyword arguments of ``make_generator_model`` for this preset."""
        return {
            "dense_channels": self.dense_channels,
            "widths": self.generator_widths,
            "kernel_size": self.kernel_size,
            "negative_slope": self.generator_slope,
        }

    def discriminator_knobs(self):
        """Keyword arguments of ``make_discriminator_model`` for this preset."""
        return {
            "widths": self.discriminator_widths,
            "kernel_size": self.kernel_size,
            "negative_slope": self.discriminator_slope,
            "dropout": self.dropout,
            "batch_norm": self.critic_batch_norm,
        }


PRESETS = {
    "seed": Preset(
        "seed",
        "The article exactly: 20,000 faces, 500 epochs, batch 256, Adam 1e-4 (β1 0.9), "
        "5×5 kernels, LeakyReLU 0.3. About a day on a laptop CPU; minutes on a GPU.",
        n_images=20000,
        epochs=500,
        batch_size=256,
        learning_rate=1e-4,
        beta_1=0.9,
        generator_widths=(128, 64, 32),
        discriminator_widths=(64, 128),
        kernel_size=5,
        generator_slope=0.3,
        discriminator_slope=0.3,
        metric_every=25,
    ),
    "classroom": Preset(
        "classroom",
        "Faces in about two minutes on a 2-core CPU: the same builders with lighter "
        "knobs (a ReLU artist with a 7×7×128 block, 4×4 kernels, a critic of three convolutions "
        "with BatchNormalization and no Dropout), Adam 3e-4 with β1 0.5, one-sided label "
        "smoothing (0.9) and batches of 32: 6,400 faces an epoch, 10 epochs.",
        n_images=6400,
        epochs=10,
        batch_size=32,
        learning_rate=3e-4,
        beta_1=0.5,
        dense_channels=128,
        generator_widths=(64, 32),
        discriminator_widths=(32, 64, 128),
        kernel_size=4,
        generator_slope=0.0,
        discriminator_slope=0.2,
        dropout=0.0,
        critic_batch_norm=True,
        real_label=0.9,
        metric_every=2,
    ),
    "ci": Preset(
        "ci",
        "Seconds, for automated tests: tiny networks on 512 faces for 2 epochs.",
        n_images=512,
        epochs=2,
        batch_size=64,
        learning_rate=2e-4,
        beta_1=0.5,
        dense_channels=16,
        generator_widths=(16, 8),
        discriminator_widths=(8, 16),
        kernel_size=4,
        generator_slope=0.0,
        discriminator_slope=0.2,
        dropout=0.0,
        critic_batch_norm=True,
        real_label=0.9,
        metric_every=1,
    ),
}

PRESET_FIELDS = tuple(f.name for f in fields(Preset))


def get_preset(name=None):
    """The preset called ``name``, or else the one named by ``COURSE_PRESET`` (default classroom).

    This is the course's one switch: the tests set ``COURSE_PRESET=ci`` and every notebook follows.
    """
    if isinstance(name, Preset):
        return name
    if name:
        source = f"unknown preset '{name}'"
    else:
        name = os.environ.get("COURSE_PRESET") or "classroom"
        source = f"the environment variable COURSE_PRESET names an unknown preset '{name}'"
    if name not in PRESETS:
        raise ValueError(f"{source}; choose one of {', '.join(PRESETS)}")
    return PRESETS[name]


def preset_from_dict(saved):
    """Rebuild the ``Preset`` a run folder's config.json recorded (lists back to tuples).

    Keys this version does not know are ignored; knobs missing from an older run folder take the
    named preset's values.
    """
    values = {
        k: tuple(v) if isinstance(v, list) else v for k, v in saved.items() if k in PRESET_FIELDS
    }
    base = PRESETS.get(values.get("name"))
    return replace(base, **values) if base else Preset(**values)
