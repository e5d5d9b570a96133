"""A second artist: the variational autoencoder (VAE), trained on the same faces as the GAN.

The encoder is built like the critic (``models.make_discriminator_model``: strided convolutions,
LeakyReLU), but it ends in two heads instead of one logit: μ and log σ², where a face sits in the
latent space and how unsure it is. The decoder *is* the artist's builder
(``models.make_generator_model``) with another knob: it paints from a latent code instead of from
noise, and ends in tanh like the artist, because the faces are scaled to [-1, 1].

The loss is the ELBO as the AIGC overview writes it, L = L_recon + L_KL, each one line of code and
reported separately. One GradientTape trains both networks: they serve one loss, not a game.
``VAETrainer`` trains it in a run folder like the GAN's (``--preset vae``), so ``generate``, ``gif``
and ``quality`` paint from the decoder.
"""

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from course_utils.callbacks import (
    Callback,
    DivergenceGuard,
    ProgressLine,
    TrainingDiverged,
)
from course_utils.language import Messages
from course_utils.models import IMAGE_SHAPE, make_generator_model
from course_utils.presets import get_preset, get_vae_preset
from course_utils.run_folder import RunFolder, player_checkpoint
from course_utils.training import GANTrainer, build_under_policy
from course_utils.training import train as _train_in_run_folder

_say = Messages(
    __name__,
    {
        "not a vae preset": (
            "preset '{name}' trains a {kind}, not a VAE: use the vae preset (--preset vae)",
            "预设 '{name}' 训练的是 {kind}，不是 VAE：请用 vae 预设（--preset vae）",
        ),
        "vae diverged": (
            "epoch {epoch}: {names} became {value}. Training stopped; the last good checkpoint "
            "(epoch {last}) is kept{where}. Try a lower learning rate.",
            "第 {epoch} 轮：{names} 变成了 {value}。训练已停止；上一个正常的检查点（第 {last} 轮）"
            "保留着{where}。试试更低的学习率。",
        ),
        "kept in": (" in {path}", "，在 {path}"),
        "and": (" and ", " 和 "),
        "epoch of": ("epoch {epoch}/{epochs}", "第 {epoch}/{epochs} 轮"),
        "seconds": ("{seconds:.0f} s", "{seconds:.0f} 秒"),
        "recon loss": ("recon_loss {loss:.1f}", "重建损失 {loss:.1f}"),
        "kl loss": ("kl_loss {loss:.1f}", "KL 损失 {loss:.1f}"),
        "eta": ("ETA {left}", "还需 {left}"),
        "no checkpoint": (
            "'{path}' holds no checkpoint: train first",
            "'{path}' 里没有检查点：请先训练",
        ),
    },
)

LATENT_DIM = 32


# @save course_utils.vae
def make_encoder_model(
    latent_dim=LATENT_DIM,
    widths=(64, 128),
    kernel_size=5,
    negative_slope=0.3,
    dropout=0.0,
    batch_norm=False,
):
    """Build the encoder: image (56, 56, 1) → two vectors (latent_dim,): μ and log σ².

    The critic's builder with a new ending: the same strided convolutions and LeakyReLU (each
    halves the picture: 56 → 28 → 14, and → 7 with the preset's three widths), then two Dense heads
    instead of one logit. μ says where the face sits in the latent
    space, log σ² how unsure the encoder is (a logarithm, so any real number is a valid variance).
    No Dropout and no BatchNormalization by default: the TensorFlow VAE tutorial leaves them out,
    since the code of one face should not depend on the noise or the batch around it.
    """
    inputs = keras.Input(shape=IMAGE_SHAPE)
    x = inputs
    for i, width in enumerate(widths):
        x = layers.Conv2D(width, kernel_size, strides=2, padding="same")(x)
        if batch_norm and i > 0:
            x = layers.BatchNormalization()(x)
        x = layers.LeakyReLU(negative_slope)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    x = layers.Flatten()(x)
    mu = layers.Dense(latent_dim, dtype="float32", name="mu")(x)
    log_var = layers.Dense(latent_dim, dtype="float32", name="log_var")(x)
    return keras.Model(inputs, [mu, log_var], name="encoder")


def make_decoder_model(latent_dim=LATENT_DIM, **generator_knobs):
    """Build the decoder: the artist's builder, painting from a latent code of ``latent_dim``
    numbers instead of from noise (the other knobs are the artist's)."""
    return make_generator_model(noise_dim=latent_dim, **generator_knobs)


# @save course_utils.vae
def reparameterize(mu, log_var, eps):
    """z = μ + σ·ε with ε ~ N(0, 1): a sample from N(μ, σ²) that gradients can flow through.

    The randomness sits in ε, which needs no gradient, so μ and log σ² are reached by plain
    multiplication and addition; sampling z directly would give the encoder no gradient at all.
    """
    return mu + tf.exp(0.5 * log_var) * eps


# @save course_utils.vae
def reconstruction_loss(images, reconstructions):
    """Squared error summed over the 56·56 pixels of each face, then averaged over the batch.

    Summed, not averaged, over pixels: the ELBO's log-likelihood of a face is the sum of its
    pixels' log-likelihoods. A mean would divide this term by 3,136 and leave the KL term 3,136
    times stronger, which blurs every face into the average one (posterior collapse). Averaged over
    the batch, so that the learning rate means the same at any batch size.
    """
    return tf.reduce_mean(tf.reduce_sum(tf.square(images - reconstructions), axis=[1, 2, 3]))


# @save course_utils.vae
def kl_loss(mu, log_var):
    """KL divergence of N(μ, σ²) from N(0, 1), summed over the latent numbers, averaged over the
    batch: 0.5·(μ² + σ² − 1 − ln σ²) for each number.

    Summed over the latent numbers for the same reason as the pixels: the code's numbers are
    independent, so their divergences add up. It is 0 only when every code is N(0, 1), the noise
    the decoder paints from after training.
    """
    per_number = 0.5 * (tf.square(mu) + tf.exp(log_var) - 1.0 - log_var)
    return tf.reduce_mean(tf.reduce_sum(per_number, axis=1))


# @save course_utils.vae
def make_vae_train_step(
    encoder, decoder, optimizer, kl_weight=1.0, noise_rng=None, jit_compile=False
):
    """One step of the VAE, compiled by ``tf.function``: encode a batch, draw a code, decode it,
    learn from L = L_recon + kl_weight · L_KL.

    The GAN's step in lesson 5 has two tapes, one loss per player. Here one tape is enough: encoder
    and decoder serve one loss, so one gradient over both networks' weights and one optimizer.
    ``kl_weight`` trades a sharp reconstruction against codes that look like N(0, 1): too high and
    every face is the average face, too low and codes drawn from N(0, 1) fall where no face was
    encoded (smudged, mixed-up paintings). The two parts are returned separately, to watch each.
    """
    noise_rng = noise_rng or tf.random.Generator.from_seed(0)
    variables = encoder.trainable_variables + decoder.trainable_variables

    @tf.function(jit_compile=jit_compile)
    def train_step(images):
        with tf.GradientTape() as tape:
            mu, log_var = encoder(images, training=True)
            eps = noise_rng.normal(tf.shape(mu))
            z = reparameterize(mu, log_var, eps)
            reconstructions = decoder(z, training=True)

            recon = reconstruction_loss(images, reconstructions)
            kl = kl_loss(mu, log_var)
            loss = recon + kl_weight * kl

        gradients = tape.gradient(loss, variables)
        optimizer.apply_gradients(zip(gradients, variables))
        return {"recon_loss": recon, "kl_loss": kl}

    return train_step


def build_vae(preset):
    """The encoder and decoder that a VAE ``preset`` describes, from the builders above."""
    return (
        make_encoder_model(**preset.encoder_knobs()),
        make_generator_model(**preset.generator_knobs()),
    )


# --- training in a run folder, as the GAN is trained -------------------------------------------


class LossGuard(Callback):
    """Stops training when a loss part is no longer a number (the VAE's ``DivergenceGuard``)."""

    def __init__(self, checkpoints_dir=None, keys=("recon_loss", "kl_loss")):
        self.checkpoints_dir, self.keys = checkpoints_dir, keys

    def on_epoch_end(self, epoch, row):
        bad = [k for k in self.keys if not np.isfinite(row[k])]
        if bad:
            where = _say("kept in", path=self.checkpoints_dir) if self.checkpoints_dir else ""
            raise TrainingDiverged(
                _say(
                    "vae diverged",
                    epoch=epoch,
                    names=_say("and").join(bad),
                    value=row[bad[0]],
                    last=epoch - 1,
                    where=where,
                )
            )


class LossLine(Callback):
    """The progress line (``course_utils.progress.Progress``), ending each epoch with the VAE's two
    loss parts instead of the GAN's losses and verdicts."""

    def __init__(self, progress):
        self.progress = progress

    def on_step_end(self, epoch, step):
        self.progress.step(epoch)

    def on_epoch_end(self, epoch, row):
        line = self.progress
        line.step_in_epoch = 0
        parts = [
            _say("epoch of", epoch=epoch, epochs=line.epochs),
            _say("seconds", seconds=row["seconds"]),
            _say("recon loss", loss=row["recon_loss"]),
            _say("kl loss", loss=row["kl_loss"]),
        ]
        parts += [f"{name.upper()} {row[name]:.2f}" for name in ("afd", "fd") if row.get(name)]
        eta = line._eta()
        if eta and epoch < line.epochs:
            parts.append(_say("eta", left=f"{int(eta) // 60}:{int(eta) % 60:02d}"))
        line._draw(" · ".join(parts), end="\n")
        line._last_draw = 0.0


class VAETrainer(GANTrainer):
    """The VAE's encoder, decoder, optimizer, fixed preview codes, checkpoint and run folder: the
    GAN's trainer with the second artist in it, so the run folder is the same (config.json,
    history.csv with ``recon_loss`` and ``kl_loss``, a frame per epoch, checkpoints, resume, GIF).

    The decoder takes the artist's seat (``generator``, saved as the artist is): everything that
    paints from a run folder (``load_generator``, ``generate``, ``gif``, ``quality``) paints from
    it. The encoder takes the critic's seat (``discriminator``): it is the network that looks at
    faces. One optimizer serves both, as one loss does.
    """

    def __init__(
        self,
        preset="vae",
        run_dir=None,
        data="procedural",
        seed=0,
        jit_compile=False,
        mixed_precision=False,
    ):
        self.preset = get_preset(preset)
        if self.preset.kind != "vae":
            raise ValueError(_say("not a vae preset", name=self.preset.name, kind=self.preset.kind))
        self.run = RunFolder(run_dir) if run_dir else None
        self.data, self.seed = str(data), seed
        self.jit_compile, self.mixed_precision = jit_compile, mixed_precision

        keras.utils.set_random_seed(seed)
        self.encoder, self.decoder = build_under_policy(
            lambda: build_vae(self.preset), mixed_precision
        )
        self.generator, self.discriminator = self.decoder, self.encoder
        self.painter = self.decoder  # a VAE keeps no running average: its decoder paints

        self.optimizer = keras.optimizers.Adam(self.preset.learning_rate, beta_1=self.preset.beta_1)
        self.optimizer.build(self.encoder.trainable_variables + self.decoder.trainable_variables)

        self.noise_dim = self.preset.latent_dim
        self.noise_rng = tf.random.Generator.from_seed(seed)  # the ε of every step
        # Fixed preview codes: the same 9 points of the latent space every epoch.
        self.preview_noise = tf.random.stateless_normal([9, self.noise_dim], seed=[seed, 2024])
        self.epoch = tf.Variable(0, dtype=tf.int64, name="epoch")
        self.history = []
        self.train_step = self.build_train_step(make_vae_train_step)
        self.checkpoint = player_checkpoint(
            generator=self.decoder,
            encoder_variables=[v.value for v in self.encoder.variables],
            optimizer=self.optimizer,
            noise_rng=self.noise_rng,
            epoch=self.epoch,
        )
        self._open_run()

    def build_train_step(self, make_step):
        """``make_step`` (``make_vae_train_step`` or a learner's copy) applied to this trainer's
        encoder, decoder, optimizer, KL weight and noise source."""
        return make_step(
            self.encoder,
            self.decoder,
            self.optimizer,
            self.preset.kl_weight,
            self.noise_rng,
            self.jit_compile,
        )

    def callbacks(self, progress, metric=None, metric_every=0, last_epoch=None):
        """The GAN's collaborators, with the guard and the progress line reading the VAE's
        two loss parts."""
        swapped = {
            DivergenceGuard: lambda c: LossGuard(c.checkpoints_dir),
            ProgressLine: lambda c: LossLine(c.progress),
        }
        return [
            swapped[type(c)](c) if type(c) in swapped else c
            for c in super().callbacks(progress, metric, metric_every, last_epoch)
        ]

    def reconstruct(self, images):
        """Faces (model input in [-1, 1]) encoded to their μ and painted back by the decoder."""
        mu, _ = self.encoder(images, training=False)
        return self.decoder(mu, training=False).numpy()


def load_encoder(run_dir):
    """The encoder of a VAE run, from its latest checkpoint that restores (architecture from its
    config.json). The decoder is ``run_folder.load_generator(run_dir)``."""
    run = RunFolder(run_dir)
    preset = run.preset()
    if preset.kind != "vae":
        raise ValueError(_say("not a vae preset", name=preset.name, kind=preset.kind))
    encoder = make_encoder_model(**preset.encoder_knobs())
    checkpoint = tf.train.Checkpoint(encoder_variables=[v.value for v in encoder.variables])
    number = run.restore_checkpoint(
        lambda prefix: (
            checkpoint.restore(prefix).expect_partial().assert_existing_objects_matched()
        ),
        verb="loaded",
    )
    if number is None:
        raise FileNotFoundError(_say("no checkpoint", path=run.checkpoints_dir))
    return encoder


def walk(decoder, start, end, steps=8):
    """Paintings of ``steps`` codes on the straight line from code ``start`` to code ``end``
    (both included): the VAE's walk between two faces, once each is encoded to its μ."""
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    codes = (1.0 - t) * np.asarray(start, np.float32)[None] + t * np.asarray(end, np.float32)[None]
    return decoder(codes, training=False).numpy()


def train(run_dir, preset=None, **options):
    """Load the faces, build (or resume) a ``VAETrainer`` in ``run_dir`` and train it: the GAN's
    ``training.train`` with the second artist (``preset`` defaults to ``presets.get_vae_preset()``;
    ``make_train_step`` may be lesson 9's ``make_vae_train_step``). Returns the trainer."""
    preset = get_preset(preset or get_vae_preset())
    if preset.kind != "vae":
        raise ValueError(_say("not a vae preset", name=preset.name, kind=preset.kind))
    return _train_in_run_folder(run_dir, preset, trainer_class=VAETrainer, **options)
