"""Training the pair: presets, the two-tape train step, and a loop that survives being killed.

* **Presets** are the one switch between the article's full run and what fits a lesson: ``seed``
  (the article exactly), ``classroom`` (faces on a 2-core laptop in about 3 minutes) and ``ci``
  (seconds, for the tests). ``get_preset()`` reads ``COURSE_PRESET`` so notebooks never need editing.
* **The train step** is the TensorFlow DCGAN tutorial's: one ``tf.function``, two GradientTapes.
* **The loop** writes one 3×3 frame per epoch from fixed noise, a checkpoint per epoch and a
  ``history.csv``; re-running it on the same run folder resumes from the last checkpoint. Every
  random draw (shuffle order, noise, dropout masks) is either derived from the epoch number or saved
  in the checkpoint, so a resumed run paints the same frames as one that was never interrupted.
"""

import csv
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from course_utils import __version__

HISTORY_FIELDS = ["epoch", "gen_loss", "disc_loss", "seconds", "d_real", "d_fake"]


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
    negative_slope: float
    dropout: float = 0.3
    real_label: float = 1.0
    metric_every: int = 0
    keep_checkpoints: int = 3


PRESETS = {
    "seed": Preset(
        "seed", "The seed article exactly: 20,000 faces, 500 epochs, batch 256, Adam 1e-4 (β1 0.9), "
        "5×5 kernels, LeakyReLU 0.3. About a day on a laptop CPU; minutes on a GPU.",
        n_images=20000, epochs=500, batch_size=256, learning_rate=1e-4, beta_1=0.9,
        generator_widths=(128, 64, 32), discriminator_widths=(64, 128), kernel_size=5,
        negative_slope=0.3, metric_every=25),
    "classroom": Preset(
        "classroom", "Rough faces (hair framing a face, two eyes) in about 3 minutes on a 2-core "
        "CPU: a lighter artist and critic of the same design (4×4 kernels, half the widths), the "
        "DCGAN paper's Adam 2e-4 with β1 0.5, LeakyReLU 0.2, one-sided label smoothing (0.9), and "
        "batches of 32 so the players take twice as many steps for the same pixels; 3,200 faces "
        "an epoch, 8 epochs.",
        n_images=3200, epochs=8, batch_size=32, learning_rate=2e-4, beta_1=0.5,
        generator_widths=(64, 32), discriminator_widths=(32, 64), kernel_size=4,
        negative_slope=0.2, real_label=0.9, metric_every=2),
    "ci": Preset(
        "ci", "Seconds, for automated tests: tiny networks on 512 faces for 2 epochs.",
        n_images=512, epochs=2, batch_size=64, learning_rate=2e-4, beta_1=0.5,
        generator_widths=(16, 8), discriminator_widths=(8, 16), kernel_size=4,
        negative_slope=0.2, real_label=0.9, metric_every=1),
}


def get_preset(name=None):
    """The preset called ``name``, or else the one named by ``COURSE_PRESET`` (default classroom).

    This is the course's one switch: the tests set ``COURSE_PRESET=ci`` and every notebook follows.
    """
    name = name or os.environ.get("COURSE_PRESET") or "classroom"
    if isinstance(name, Preset):
        return name
    if name not in PRESETS:
        raise ValueError(f"unknown preset '{name}'; choose one of {', '.join(PRESETS)}")
    return PRESETS[name]


def build_models(preset):
    """The generator and discriminator that ``preset`` describes."""
    from course_utils.models import make_discriminator_model, make_generator_model
    generator = make_generator_model(widths=preset.generator_widths, kernel_size=preset.kernel_size,
                                     negative_slope=preset.negative_slope)
    discriminator = make_discriminator_model(widths=preset.discriminator_widths,
                                             kernel_size=preset.kernel_size,
                                             negative_slope=preset.negative_slope,
                                             dropout=preset.dropout)
    return generator, discriminator


def make_train_step(generator, discriminator, generator_optimizer, discriminator_optimizer,
                    noise_rng, noise_dim=160, real_label=1.0, jit_compile=False):
    """One step of the game, compiled by ``tf.function``: both players look at one batch, both learn.

    Two tapes record the same forward pass; each player's gradient is taken of its own loss with
    respect to its own weights only. ``scale_loss`` is a no-op for a plain optimizer and multiplies
    the loss for Keras 3's ``LossScaleOptimizer`` (mixed float16), whose ``apply`` divides it back;
    it must happen inside the tapes, or they would not see it and return no gradient.
    Besides the losses it returns the critic's average verdicts D(x) and D(G(z)) as probabilities.
    """
    import tensorflow as tf
    from course_utils.losses import discriminator_loss, generator_loss

    @tf.function(jit_compile=jit_compile)
    def train_step(images):
        noise = noise_rng.normal([tf.shape(images)[0], noise_dim])

        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = generator(noise, training=True)

            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated_images, training=True)

            gen_loss = generator_loss(fake_output)
            disc_loss = discriminator_loss(real_output, fake_output, real_label)
            # Inside the tapes, so they record it: a no-op unless mixed precision is on.
            scaled_gen_loss = generator_optimizer.scale_loss(gen_loss)
            scaled_disc_loss = discriminator_optimizer.scale_loss(disc_loss)

        gradients_of_generator = gen_tape.gradient(scaled_gen_loss, generator.trainable_variables)
        gradients_of_discriminator = disc_tape.gradient(scaled_disc_loss,
                                                        discriminator.trainable_variables)

        generator_optimizer.apply_gradients(zip(gradients_of_generator, generator.trainable_variables))
        discriminator_optimizer.apply_gradients(
            zip(gradients_of_discriminator, discriminator.trainable_variables))
        return {"gen_loss": gen_loss, "disc_loss": disc_loss,
                "d_real": tf.reduce_mean(tf.sigmoid(real_output)),
                "d_fake": tf.reduce_mean(tf.sigmoid(fake_output))}

    return train_step


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is left untouched."""


def _atomic_write_text(path, text):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w", newline="") as handle:
        handle.write(text)
    os.replace(tmp, path)


def read_history(path_or_run_dir):
    """Rows of ``history.csv`` as dicts of numbers (empty cells become None)."""
    path = Path(path_or_run_dir)
    if path.is_dir():
        path = path / "history.csv"
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        out.append({k: (None if v in ("", None) else (int(v) if k == "epoch" else float(v)))
                    for k, v in row.items()})
    return out


def _write_history(path, rows):
    fields = list(HISTORY_FIELDS)
    for row in rows:
        fields += [k for k in row if k not in fields]
    lines = [",".join(fields)]
    for row in rows:
        lines.append(",".join("" if row.get(k) is None else
                              (str(row[k]) if k == "epoch" else f"{row[k]:.6g}") for k in fields))
    _atomic_write_text(path, "\n".join(lines) + "\n")


class GANTrainer:
    """Holds the two players, their optimizers, the fixed preview noise and the run folder.

    ``GANTrainer(preset, run_dir).fit(images)`` trains up to ``preset.epochs`` (or ``epochs``),
    resuming from ``run_dir/checkpoints`` when it holds one.
    """

    def __init__(self, preset=None, run_dir=None, data="procedural", seed=0, jit_compile=False,
                 mixed_precision=False):
        import keras
        import tensorflow as tf
        self.preset = get_preset(preset)
        self.run_dir = Path(run_dir) if run_dir else None
        self.data, self.seed = str(data), seed
        self.jit_compile, self.mixed_precision = jit_compile, mixed_precision
        if self.run_dir is not None:
            self._check_config()

        keras.utils.set_random_seed(seed)
        previous_policy = keras.mixed_precision.global_policy()
        if mixed_precision:
            keras.mixed_precision.set_global_policy("mixed_float16")
        try:
            self.generator, self.discriminator = build_models(self.preset)
        finally:
            keras.mixed_precision.set_global_policy(previous_policy)

        def adam():
            opt = keras.optimizers.Adam(self.preset.learning_rate, beta_1=self.preset.beta_1)
            return keras.optimizers.LossScaleOptimizer(opt) if mixed_precision else opt
        # One optimizer per network: each keeps moment estimates for its own weights only.
        self.generator_optimizer, self.discriminator_optimizer = adam(), adam()
        # Build the optimizers' slots now, so a checkpoint restored before the first step has
        # somewhere to put the saved moments.
        self.generator_optimizer.build(self.generator.trainable_variables)
        self.discriminator_optimizer.build(self.discriminator.trainable_variables)

        self.noise_dim = self.generator.input_shape[-1]
        self.noise_rng = tf.random.Generator.from_seed(seed)
        # Fixed preview noise: the same 9 points in noise space every epoch, so frames are comparable.
        self.seed_noise = tf.random.stateless_normal([9, self.noise_dim], seed=[seed, 2024])
        self.epoch = tf.Variable(0, dtype=tf.int64, name="epoch")
        self.history = []
        self.train_step = make_train_step(
            self.generator, self.discriminator, self.generator_optimizer,
            self.discriminator_optimizer, self.noise_rng, self.noise_dim,
            self.preset.real_label, jit_compile)

        self.checkpoint = tf.train.Checkpoint(
            generator_variables=[v.value for v in self.generator.variables],
            discriminator_variables=[v.value for v in self.discriminator.variables],
            generator_optimizer=self.generator_optimizer,
            discriminator_optimizer=self.discriminator_optimizer,
            noise_rng=self.noise_rng, epoch=self.epoch)
        self.manager = None
        if self.run_dir is not None:
            self.manager = tf.train.CheckpointManager(
                self.checkpoint, str(self.run_dir / "checkpoints"),
                max_to_keep=self.preset.keep_checkpoints)
            self._resume()

    # --- run folder ---------------------------------------------------------------------------
    def _config(self):
        return {"preset": asdict(self.preset), "data": self.data, "seed": self.seed,
                "noise_dim": 160, "course_utils": __version__}

    def _check_config(self):
        path = self.run_dir / "config.json"
        if path.exists():
            saved = json.loads(path.read_text())
            for key, now in (("preset", self.preset.name), ("data", self.data), ("seed", self.seed)):
                before = saved["preset"]["name"] if key == "preset" else saved.get(key)
                if before != now:
                    raise ValueError(
                        f"{path}: this run folder was trained with {key}={before!r}, not {now!r}. "
                        "Resume it with the same settings or choose a new --run-dir.")
        else:
            self.run_dir.mkdir(parents=True, exist_ok=True)
            _atomic_write_text(path, json.dumps(self._config(), indent=2) + "\n")

    def _resume(self):
        latest = self.manager.latest_checkpoint
        if latest:
            self.checkpoint.restore(latest).assert_existing_objects_matched()
        done = int(self.epoch.numpy())
        self.history = [row for row in read_history(self.run_dir) if row["epoch"] <= done]

    @property
    def frames_dir(self):
        return self.run_dir / "frames"

    # --- pictures -----------------------------------------------------------------------------
    def preview(self, noise=None):
        """The artist's current paintings of the fixed preview noise, as values in [-1, 1]."""
        noise = self.seed_noise if noise is None else noise
        return self.generator(noise, training=False).numpy()

    # --- the loop -----------------------------------------------------------------------------
    def fit(self, images, epochs=None, progress=True, metric=None, metric_every=None,
            on_epoch_end=None):
        """Train until ``epochs`` epochs are done in total (resuming counts the ones already done).

        ``images`` are uint8 ``(N, 56, 56)`` or model input ``(N, 56, 56, 1)`` in [-1, 1].
        ``metric(generator) -> dict`` is called every ``metric_every`` epochs (and at the last one)
        and its numbers join the history. Returns the history (a list of dicts).
        """
        import keras
        import tensorflow as tf
        from course_utils.data import make_dataset, to_model_input
        from course_utils.viz import frame_image, make_gif, write_png

        x = images if np.asarray(images).dtype == np.float32 and np.ndim(images) == 4 \
            else to_model_input(images)
        x = tf.convert_to_tensor(x)
        steps_per_epoch = int(x.shape[0]) // self.preset.batch_size
        if steps_per_epoch == 0:
            raise ValueError(f"{x.shape[0]} images are fewer than one batch of {self.preset.batch_size}")
        epochs = epochs or self.preset.epochs
        metric_every = self.preset.metric_every if metric_every is None else metric_every
        start = int(self.epoch.numpy())
        if start >= epochs and progress:
            print(f"Already trained to epoch {start} (of {epochs}): loaded from the last checkpoint.")
        bar = keras.utils.Progbar(epochs, unit_name="epoch",
                                  stateful_metrics=["gen_loss", "disc_loss", "D(x)", "D(G(z))"],
                                  verbose=1 if progress and start < epochs else 0)
        if start:
            bar.update(start)
        for epoch in range(start + 1, epochs + 1):
            began = time.perf_counter()
            totals = {}
            # The shuffle order depends only on (seed, epoch): a resumed run sees the same batches.
            for batch in make_dataset(x, self.preset.batch_size, seed=self.seed * 100_003 + epoch):
                for key, value in self.train_step(batch).items():
                    totals[key] = totals.get(key, 0.0) + value
            row = {"epoch": epoch, **{k: float(v) / steps_per_epoch for k, v in totals.items()}}
            row["seconds"] = time.perf_counter() - began
            bad = [k for k in ("gen_loss", "disc_loss") if not np.isfinite(row[k])]
            if bad:
                raise TrainingDiverged(
                    f"epoch {epoch}: {' and '.join(bad)} became {row[bad[0]]}. Training stopped; the "
                    f"last good checkpoint (epoch {epoch - 1}) is kept"
                    + (f" in {self.run_dir / 'checkpoints'}" if self.run_dir else "")
                    + ". Try a lower learning rate.")
            if metric is not None and metric_every and (epoch % metric_every == 0 or epoch == epochs):
                row.update({k: float(v) for k, v in metric(self.generator).items()})
            self.history.append(row)
            self.epoch.assign(epoch)
            if self.run_dir is not None:
                # Frame and history first, checkpoint last: a kill between them only means the
                # epoch is redone (and its frame rewritten identically) on resume.
                write_png(self.frames_dir / f"epoch_{epoch:04d}.png", frame_image(self.preview(), epoch))
                _write_history(self.run_dir / "history.csv", self.history)
                self.manager.save(checkpoint_number=epoch)
            if on_epoch_end is not None:
                on_epoch_end(epoch, row, self)
            bar.update(epoch, [("gen_loss", row["gen_loss"]), ("disc_loss", row["disc_loss"]),
                               ("D(x)", row["d_real"]), ("D(G(z))", row["d_fake"])])
        if self.run_dir is not None and self.history:
            make_gif(self.frames_dir, self.run_dir / "training.gif")
        return self.history


def train(run_dir, preset=None, data="procedural", epochs=None, seed=0, progress=True,
          metric="auto", metric_every=None, jit_compile=False, mixed_precision=False):
    """Load the faces, build (or resume) a ``GANTrainer`` in ``run_dir`` and train it.

    ``metric="auto"`` records the course's image-quality metric (``course_utils.metrics``: FD and KID
    of 500 painted faces against 500 held-out real ones of ``data``) every ``metric_every`` epochs
    (default: the preset's) and at the last epoch; ``None`` skips it. Returns the trainer.
    """
    from course_utils.data import load_faces
    preset = get_preset(preset)
    trainer = GANTrainer(preset, run_dir, data=data, seed=seed, jit_compile=jit_compile,
                         mixed_precision=mixed_precision)
    images = load_faces(data, limit=preset.n_images)
    metric_every = preset.metric_every if metric_every is None else metric_every
    if metric == "auto":
        from course_utils.metrics import make_training_metric
        metric = make_training_metric(data, preset) if metric_every else None
    trainer.fit(images, epochs=epochs, progress=progress, metric=metric, metric_every=metric_every)
    return trainer


def _restore_from_run(run_dir, which):
    """Rebuild one player from ``run_dir``'s config.json and restore its latest checkpointed weights."""
    import tensorflow as tf
    run_dir = Path(run_dir)
    config_path = run_dir / "config.json"
    if not config_path.exists():
        raise FileNotFoundError(f"'{run_dir}' is not a run folder (no config.json): train first")
    saved = json.loads(config_path.read_text())["preset"]
    preset = replace(PRESETS.get(saved["name"], PRESETS["ci"]),
                     **{k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()})
    model = build_models(preset)[0 if which == "generator" else 1]
    latest = tf.train.latest_checkpoint(str(run_dir / "checkpoints"))
    if latest is None:
        raise FileNotFoundError(f"'{run_dir / 'checkpoints'}' holds no checkpoint: train first")
    tf.train.Checkpoint(**{f"{which}_variables": [v.value for v in model.variables]}) \
        .restore(latest).expect_partial()
    return model


def load_generator(run_dir):
    """The artist from the latest checkpoint in ``run_dir`` (architecture from its config.json)."""
    return _restore_from_run(run_dir, "generator")


def load_discriminator(run_dir):
    """The critic from the latest checkpoint in ``run_dir`` (architecture from its config.json)."""
    return _restore_from_run(run_dir, "discriminator")
