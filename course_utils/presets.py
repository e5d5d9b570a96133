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
* ``vae`` — the second artist (``course_utils.vae``, ``kind="vae"``): an encoder built with the
  critic's knobs and a decoder that is the artist's builder painting from ``latent_dim`` numbers,
  trained in a run folder like the GAN's in about two minutes on a 2-core CPU.

``get_preset()`` reads ``COURSE_PRESET``, so notebooks never need editing. This module imports no
TensorFlow: the command line lists the presets without paying for it.
"""

import os
from dataclasses import dataclass, fields, replace

from course_utils.language import Messages

_say = Messages(
    __name__,
    {
        "about seed": (
            "The article exactly: 20,000 faces, 500 epochs, batch 256, Adam 1e-4 (β1 0.9), "
            "5×5 kernels, LeakyReLU 0.3. About a day on a laptop CPU; minutes on a GPU.",
            "原文的配方：20,000 张人脸，500 轮，批量 256，Adam 学习率 1e-4（β1 0.9），"
            "5×5 卷积核，LeakyReLU 0.3。在笔记本电脑的 CPU 上约需一天，在 GPU 上只需几分钟。",
        ),
        "about classroom": (
            "Faces in about two minutes on a 2-core CPU: the same builders with lighter "
            "knobs (a ReLU artist with a 7×7×128 block, 4×4 kernels, a critic of three convolutions "
            "with BatchNormalization and no Dropout), Adam 3e-4 with β1 0.5, one-sided label "
            "smoothing (0.9) and batches of 32: 6,400 faces an epoch, 10 epochs. It paints with a "
            "running average of the artist's weights (0.99).",
            "在双核 CPU 上约两分钟就能画出人脸：同样的构建函数，换上更轻的旋钮"
            "（用 ReLU 的艺术家，起始块 7×7×128，4×4 卷积核；评论家由三层卷积组成，"
            "带批量规范化、不用 Dropout），Adam 学习率 3e-4、β1 0.5，单侧标签平滑（0.9），"
            "批量 32：每轮 6,400 张人脸，共 10 轮。作画的是艺术家权重的滑动平均（0.99）。",
        ),
        "about ci": (
            "Seconds, for automated tests: tiny networks on 512 faces for 2 epochs.",
            "几秒钟跑完，供自动化测试用：很小的网络，512 张人脸，训练 2 轮。",
        ),
        "unknown preset": (
            "unknown preset '{name}'; choose one of {names}",
            "没有名为 '{name}' 的预设；请从 {names} 中选一个",
        ),
        "unknown preset in environment": (
            "the environment variable COURSE_PRESET names an unknown preset '{name}'; "
            "choose one of {names}",
            "环境变量 COURSE_PRESET 指定的预设 '{name}' 不存在；请从 {names} 中选一个",
        ),
        "about vae_ci": (
            "Seconds, for automated tests: the VAE with tiny networks on 512 faces for 2 epochs.",
            "几秒钟跑完，供自动化测试用：用很小的网络训练 VAE，512 张人脸，训练 2 轮。",
        ),
        "about vae": (
            "The second artist, a VAE, in about two minutes on a 2-core CPU: an encoder built like "
            "the classroom critic (no BatchNormalization) with a 32-number code, the classroom "
            "artist as its decoder, Adam 1e-3, KL weight 0.5, batches of 32: 6,400 faces an "
            "epoch, 12 epochs.",
            "第二位艺术家 VAE，在双核 CPU 上约两分钟：编码器照课堂版评论家的样子搭（不用批量规范化），"
            "隐向量 32 个数；解码器就是课堂版艺术家；Adam 学习率 1e-3，KL 权重 0.5，批量 32："
            "每轮 6,400 张人脸，共 12 轮。",
        ),
    },
)


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
    kind: str = "gan"  # "gan": artist and critic; "vae": encoder and decoder (course_utils.vae)
    latent_dim: int = 0  # a VAE's code size (the artist's noise stays models.NOISE_DIM)
    kl_weight: float = 0.0  # a VAE's weight of its KL term (course_utils.vae)
    # The painter's running average of the artist's weights (lesson 5, «A steady hand»): after
    # every step it moves 1 − average_decay of the way to them. 0: the artist paints itself.
    average_decay: float = 0.0

    def generator_knobs(self):
        """Keyword arguments of ``make_generator_model`` for this preset (a VAE's decoder is the
        same builder, painting from ``latent_dim`` numbers)."""
        knobs = {"noise_dim": self.latent_dim} if self.kind == "vae" else {}
        return {
            **knobs,
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

    def encoder_knobs(self):
        """Keyword arguments of ``vae.make_encoder_model``: the critic's knobs and ``latent_dim``."""
        return {"latent_dim": self.latent_dim, **self.discriminator_knobs()}

    def describe(self):
        """``description`` in the language the course speaks now. The field itself stays the
        English one that config.json records; a preset of one's own keeps its own words."""
        key = f"about {self.name}"
        if key in _say and _say.both(key)[0] == self.description:
            return _say(key)
        return self.description


PRESETS = {
    "seed": Preset(
        "seed",
        _say.both("about seed")[0],  # the English words: config.json records them
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
        _say.both("about classroom")[0],
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
        average_decay=0.99,
    ),
    "ci": Preset(
        "ci",
        _say.both("about ci")[0],
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
        average_decay=0.9,  # the classroom's average, forgetting faster: ci trains 16 steps
    ),
    "vae": Preset(
        "vae",
        _say.both("about vae")[0],
        n_images=6400,
        epochs=12,
        batch_size=32,
        learning_rate=1e-3,
        beta_1=0.9,
        dense_channels=128,
        generator_widths=(64, 32),
        discriminator_widths=(32, 64, 128),
        kernel_size=4,
        generator_slope=0.0,
        discriminator_slope=0.2,
        dropout=0.0,
        metric_every=2,
        kind="vae",
        latent_dim=32,
        kl_weight=0.5,
    ),
}
# The VAE's seconds-long twin, for the tests (lesson 9 under COURSE_PRESET=ci): the same code size,
# so the shapes the lesson prints are the same.
PRESETS["vae_ci"] = replace(
    PRESETS["ci"],
    name="vae_ci",
    description=_say.both("about vae_ci")[0],
    learning_rate=1e-3,
    beta_1=0.9,
    critic_batch_norm=False,
    real_label=1.0,
    kind="vae",
    latent_dim=32,
    kl_weight=0.5,
    average_decay=0.0,
)

LATER_KNOBS = {"kind": "gan", "latent_dim": 0, "kl_weight": 0.0, "average_decay": 0.0}
"""Knobs added after run folders were first written, as an older config.json means them: a GAN's."""

PRESET_FIELDS = tuple(f.name for f in fields(Preset))


def get_preset(name=None):
    """The preset called ``name``, or else the one named by ``COURSE_PRESET`` (default classroom).

    This is the course's one switch: the tests set ``COURSE_PRESET=ci`` and every notebook follows.
    """
    if isinstance(name, Preset):
        return name
    key = "unknown preset"
    if not name:
        name = os.environ.get("COURSE_PRESET") or "classroom"
        key = "unknown preset in environment"
    if name not in PRESETS:
        raise ValueError(_say(key, name=name, names=", ".join(PRESETS)))
    return PRESETS[name]


def get_vae_preset():
    """The VAE's preset (lesson 9): ``vae``, or its seconds-long twin ``vae_ci`` when
    ``COURSE_PRESET`` names a seconds-long preset (``ci``), as the tests do."""
    return PRESETS["vae_ci" if os.environ.get("COURSE_PRESET") == "ci" else "vae"]


def preset_from_dict(saved):
    """Rebuild the ``Preset`` a run folder's config.json recorded (lists back to tuples).

    Keys this version does not know are ignored; a knob added later (``LATER_KNOBS``) and missing
    from an older run folder means what that folder was trained with; other missing knobs take the
    named preset's values.
    """
    values = {
        k: tuple(v) if isinstance(v, list) else v for k, v in saved.items() if k in PRESET_FIELDS
    }
    values = {**{k: v for k, v in LATER_KNOBS.items() if k not in values}, **values}
    base = PRESETS.get(values.get("name"))
    return replace(base, **values) if base else Preset(**values)
