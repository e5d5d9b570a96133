"""Training the pair: the two-tape train step, the epoch loop, and the bookkeeping around them.

* **The train step** (``make_train_step``, lesson 5) is the TensorFlow DCGAN tutorial's: one
  ``tf.function``, two GradientTapes.
* **The loop** (``train_loop``, lesson 5) is the tutorial's too: for each epoch, every batch once
  through the step; then a frame, a history row and a checkpoint. ``train()`` runs exactly that
  function.
* **The bookkeeping** sits in ``GANTrainer``, whose helpers the loop calls by name: resuming from the
  last checkpoint, shuffling, progress with an ETA, the image-quality scores every ``metric_every``
  epochs, atomic writes into the run folder (``course_utils.run_folder``). Every random draw (shuffle
  order, noise, dropout masks) is derived from the epoch number or saved in the checkpoint, so a
  resumed run paints the same frames as one that was never interrupted.
"""

import time
from contextlib import nullcontext
from dataclasses import asdict

import keras
import numpy as np
import tensorflow as tf

from course_utils import __version__
from course_utils.data import (
    IMAGE_SIZE,
    check_model_input,
    check_pixels,
    load_faces,
    make_dataset,
)
from course_utils.losses import discriminator_loss, generator_loss
from course_utils.metrics import make_training_metric
from course_utils.models import make_discriminator_model, make_generator_model
from course_utils.presets import get_preset
from course_utils.progress import Progress
from course_utils.run_folder import RunFolder, describe_epochs, notice
from course_utils.viz import frame_image, make_gif, write_png

# Knobs that may differ when a run is resumed: they change how long or how it is reported, not what
# is learned. Any other difference in the preset means another experiment: a new run folder.
RESUMABLE_CHANGES = {"description", "epochs", "metric_every", "keep_checkpoints"}


def build_models(preset):
    """The generator and discriminator that ``preset`` describes, from the lessons' builders."""
    return (
        make_generator_model(**preset.generator_knobs()),
        make_discriminator_model(**preset.discriminator_knobs()),
    )


# @save course_utils.training
def make_train_step(
    generator,
    discriminator,
    generator_optimizer,
    discriminator_optimizer,
    noise_rng,
    real_label=1.0,
    jit_compile=False,
):
    """One step of the game, compiled by ``tf.function``: both players look at one batch,
    both learn.

    Taught in lesson 5. Two tapes record the same forward pass; each player's gradient is taken of
    its own loss with respect to its own weights only, and its own optimizer applies it. Besides
    the losses the step returns the critic's average verdicts D(x) and D(G(z)) as probabilities.
    """
    noise_dim = generator.input_shape[-1]

    @tf.function(jit_compile=jit_compile)
    def train_step(images):
        noise = noise_rng.normal([tf.shape(images)[0], noise_dim])

        with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
            generated_images = generator(noise, training=True)

            real_output = discriminator(images, training=True)
            fake_output = discriminator(generated_images, training=True)

            gen_loss = generator_loss(fake_output)
            disc_loss = discriminator_loss(real_output, fake_output, real_label)

        gradients_of_generator = gen_tape.gradient(gen_loss, generator.trainable_variables)
        gradients_of_discriminator = disc_tape.gradient(
            disc_loss, discriminator.trainable_variables
        )

        generator_optimizer.apply_gradients(
            zip(gradients_of_generator, generator.trainable_variables)
        )
        discriminator_optimizer.apply_gradients(
            zip(gradients_of_discriminator, discriminator.trainable_variables)
        )
        return {
            "gen_loss": gen_loss,
            "disc_loss": disc_loss,
            "d_real": tf.reduce_mean(tf.sigmoid(real_output)),
            "d_fake": tf.reduce_mean(tf.sigmoid(fake_output)),
        }

    return train_step


# @save course_utils.training
def train_loop(trainer, images, epochs):
    """Train until ``epochs`` epochs are done: the loop of lesson 5,
    in the TensorFlow tutorial's shape.

    ``trainer`` (a ``GANTrainer``) holds the two players, their ``train_step`` and the run folder.
    For each epoch every batch goes once through the step; then the epoch's averages become a
    history row, the fixed preview noise is painted as a frame, and a checkpoint is saved.
    """
    for epoch in range(trainer.epochs_done + 1, epochs + 1):
        start = time.time()
        totals = {}
        for image_batch in trainer.batches(images, epoch):  # shuffled anew each epoch
            results = trainer.train_step(image_batch)
            for name, value in results.items():
                totals[name] = totals.get(name, 0.0) + value
            trainer.show_progress(epoch)
        row = trainer.history_row(epoch, totals, time.time() - start)  # averages (+ scores)
        trainer.save_frame(epoch)  # the 3×3 grid of the fixed preview noise
        trainer.save_history(row)  # history.csv
        trainer.save_checkpoint(epoch)  # both players, both optimizers, the noise generator
    return trainer.history


def pixels_to_model_input(batch):
    """``to_model_input`` for a batch of uint8 faces inside the tf.data pipeline: the same float32
    arithmetic, so the same numbers (a test compares them), without a float copy of every face."""
    x = tf.cast(batch, tf.float32)[..., tf.newaxis]
    return (x - 127.5) / 127.5


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is left untouched."""


class GANTrainer:
    """The two players, their optimizers, the fixed preview noise and the run folder.

    ``GANTrainer(preset, run_dir).fit(images)`` trains up to ``preset.epochs`` (or ``epochs``),
    resuming from ``run_dir/checkpoints`` when it holds one. Without a ``run_dir`` nothing is
    written (the tests and benchmarks use that).

    ``mixed_precision=True`` computes in bfloat16 (the weights, the tanh image and the logit stay
    float32). bfloat16 has float32's range, so no loss scaling is needed and the lesson's train
    step runs unchanged; it pays on GPUs with bfloat16 units (compute capability 8.0 and later).
    """

    def __init__(
        self,
        preset=None,
        run_dir=None,
        data="procedural",
        seed=0,
        jit_compile=False,
        mixed_precision=False,
    ):
        self.preset = get_preset(preset)
        self.run = RunFolder(run_dir) if run_dir else None
        self.data, self.seed = str(data), seed
        self.jit_compile, self.mixed_precision = jit_compile, mixed_precision

        keras.utils.set_random_seed(seed)
        previous_policy = keras.mixed_precision.global_policy()
        if mixed_precision:
            keras.mixed_precision.set_global_policy("mixed_bfloat16")
        try:
            self.generator, self.discriminator = build_models(self.preset)
        finally:
            keras.mixed_precision.set_global_policy(previous_policy)

        # One optimizer per network: each keeps moment estimates for its own weights only.
        self.generator_optimizer = keras.optimizers.Adam(
            self.preset.learning_rate, beta_1=self.preset.beta_1
        )
        self.discriminator_optimizer = keras.optimizers.Adam(
            self.preset.learning_rate, beta_1=self.preset.beta_1
        )
        # Build the optimizers' slots now, so a checkpoint restored before the first step has
        # somewhere to put the saved moments.
        self.generator_optimizer.build(self.generator.trainable_variables)
        self.discriminator_optimizer.build(self.discriminator.trainable_variables)

        self.noise_dim = self.generator.input_shape[-1]
        self.noise_rng = tf.random.Generator.from_seed(seed)
        # Fixed preview noise: the same 9 points in noise space every epoch, so frames are comparable.
        self.preview_noise = tf.random.stateless_normal([9, self.noise_dim], seed=[seed, 2024])
        self.epoch = tf.Variable(0, dtype=tf.int64, name="epoch")
        self.history = []
        self.train_step = make_train_step(
            self.generator,
            self.discriminator,
            self.generator_optimizer,
            self.discriminator_optimizer,
            self.noise_rng,
            self.preset.real_label,
            jit_compile,
        )

        # Every model variable is listed: Keras 3 models do not hand their Dropout seed state to
        # tf.train.Checkpoint, and a resumed run must draw the same masks.
        self.checkpoint = tf.train.Checkpoint(
            generator_variables=[v.value for v in self.generator.variables],
            discriminator_variables=[v.value for v in self.discriminator.variables],
            generator_optimizer=self.generator_optimizer,
            discriminator_optimizer=self.discriminator_optimizer,
            noise_rng=self.noise_rng,
            epoch=self.epoch,
        )
        self.manager, self._signature = None, None
        self._metric, self._metric_every, self._progress = None, 0, None
        self._summary_writer = None
        if self.run is not None:
            # The run folder's lock is held while it is read here and for the whole of fit(), not
            # for the trainer's life: a notebook keeps its trainer for hours, and building a second
            # one on the same folder in the same kernel must not be refused.
            with self.run.locked():
                self._resume()

    @property
    def run_dir(self):
        return self.run.path if self.run else None

    @property
    def epochs_done(self):
        """Epochs finished so far (restored from the checkpoint when resuming)."""
        return int(self.epoch.numpy())

    # --- run folder ---------------------------------------------------------------------------
    def _config(self):
        return {
            "preset": asdict(self.preset),
            "data": self.data,
            "seed": self.seed,
            "course_utils": __version__,
        }

    def _check_config(self, saved):
        """Refuse to mix two experiments in one run folder; the message says what differs."""
        now = self._config()
        differences = [
            (f"preset {k}", saved["preset"].get(k), v)
            for k, v in now["preset"].items()
            if k not in RESUMABLE_CHANGES and _plain(saved["preset"].get(k)) != _plain(v)
        ]
        differences += [
            (k, saved.get(k), now[k]) for k in ("data", "seed") if saved.get(k) != now[k]
        ]
        if differences:
            what, before, after = differences[0]
            raise ValueError(
                f"{self.run.config_path}: this run folder was trained with {what}={before!r}, "
                f"not {after!r}. Resume it with the same settings or choose a new run folder."
            )

    def _resume(self):
        """Restore the newest checkpoint that restores (an older one when the newest is damaged,
        said in one line), mend TensorFlow's bookkeeping file from the checkpoint files, and read
        the history up to the restored epoch: later epochs are trained again. Holding the lock."""
        run = self.run
        run.remove_leftovers()
        saved = run.read_config() if run.checkpoint_numbers() else None
        if saved is not None:
            self._check_config(saved)
        number = run.restore_checkpoint(
            lambda prefix: self.checkpoint.restore(prefix).assert_existing_objects_matched()
        )
        if number is not None and saved is None:
            run.write_config(self._config())
            notice(
                f"{run.config_path} was missing; written anew from the settings given now "
                f"(preset {self.preset.name}, data {self.data}, seed {self.seed})"
            )
        run.mend_checkpoint_state(number)
        self.manager = tf.train.CheckpointManager(
            self.checkpoint, str(run.checkpoints_dir), max_to_keep=self.preset.keep_checkpoints
        )
        rows, note = run.history_rows()
        self.history = [row for row in rows if row["epoch"] <= self.epochs_done]
        lost = sorted(set(range(1, self.epochs_done + 1)) - {row["epoch"] for row in self.history})
        if lost:
            note = (
                f"{note}; " if note else f"{run.history_path}: "
            ) + f"no row for {describe_epochs(lost)}, which the plots will miss"
        if note:
            notice(note)
        self._signature = run.checkpoint_signature()

    # --- what the loop calls ------------------------------------------------------------------
    def batches(self, images, epoch):
        """The epoch's batches, as model input; the shuffle order depends only on (seed, epoch), so
        a resumed run sees the same batches as an uninterrupted one. Faces given as uint8 pixels
        stay pixels (a quarter of the memory of float32) and are scaled batch by batch."""
        dataset = make_dataset(images, self.preset.batch_size, seed=self.seed * 100_003 + epoch)
        return dataset.map(pixels_to_model_input) if images.dtype == np.uint8 else dataset

    def show_progress(self, epoch):
        if self._progress is not None:
            self._progress.step(epoch)

    def history_row(self, epoch, totals, seconds):
        """The epoch's averages as a history row; stops on NaN; adds the scores when they are due."""
        steps = self._progress.steps_per_epoch if self._progress else 1
        row = {
            "epoch": epoch,
            **{k: float(v) / steps for k, v in totals.items()},
            "seconds": seconds,
        }
        bad = [k for k in ("gen_loss", "disc_loss") if not np.isfinite(row[k])]
        if bad:
            raise TrainingDiverged(
                f"epoch {epoch}: {' and '.join(bad)} became {row[bad[0]]}. Training stopped; the "
                f"last good checkpoint (epoch {epoch - 1}) is kept"
                + (f" in {self.run.checkpoints_dir}" if self.run else "")
                + ". Try a lower learning rate."
            )
        if (
            self._metric is not None
            and self._metric_every
            and (epoch % self._metric_every == 0 or epoch == self._last_epoch)
        ):
            row.update({k: float(v) for k, v in self._metric(self.generator).items()})
        if self._progress is not None:
            self._progress.end_epoch(epoch, row)
        return row

    def save_frame(self, epoch):
        """The epoch's 3×3 grid as a PNG (the GIF's frame) and as TensorBoard's image of the epoch."""
        if self.run is not None:
            frame = frame_image(self.preview(), epoch)
            write_png(self.run.frame_path(epoch), frame)
            with self._tensorboard().as_default():
                tf.summary.image(
                    "3x3 grid of the fixed preview noise", frame[None, :, :, None], step=epoch
                )

    def save_history(self, row):
        """Append the row to the history; write history.csv and the row's numbers to TensorBoard.
        config.json is written with the first finished epoch, so a start that failed before it
        leaves nothing to refuse later."""
        self.history.append(row)
        if self.run is not None:
            if self.manager.latest_checkpoint is None or not self.run.config_path.exists():
                self.run.write_config(self._config())
            self.run.write_history(self.history)
            with self._tensorboard().as_default():
                for name, value in row.items():
                    if name != "epoch" and value is not None:
                        tf.summary.scalar(name, value, step=row["epoch"])
            self._tensorboard().flush()

    def _tensorboard(self):
        """The run's TensorBoard log (``RUN/logs``): ``tensorboard --logdir runs/`` shows every run."""
        if self._summary_writer is None:
            self._summary_writer = tf.summary.create_file_writer(str(self.run.path / "logs"))
        return self._summary_writer

    def save_checkpoint(self, epoch):
        """Saved last: a kill before it only means the epoch is redone (its frame and history row
        rewritten identically) on resume."""
        self.epoch.assign(epoch)
        if self.manager is not None:
            self.manager.save(checkpoint_number=epoch)
            self._signature = self.run.checkpoint_signature()

    # --- pictures -----------------------------------------------------------------------------
    def preview(self, noise=None):
        """The artist's current paintings of the fixed preview noise, as values in [-1, 1]."""
        noise = self.preview_noise if noise is None else noise
        return self.generator(noise, training=False).numpy()

    # --- the whole run ------------------------------------------------------------------------
    def fit(self, images, epochs=None, progress=True, metric=None, metric_every=None):
        """Run ``train_loop`` until ``epochs`` epochs are done in total (resumed ones count).

        ``images`` are uint8 ``(N, 56, 56)`` or model input ``(N, 56, 56, 1)`` in [-1, 1].
        ``metric(generator) -> dict`` is called every ``metric_every`` epochs (and at the last one)
        and its numbers join the history. Returns the history (a list of dicts).
        """
        x, steps_per_epoch = None, 0  # None: a finished run reloaded, nothing to train on
        if images is not None:
            is_model_input = np.asarray(images).dtype == np.float32 and np.ndim(images) == 4
            # NumPy arrays, not tensors: make_dataset reads its batches from them without a copy.
            if is_model_input:
                x = np.asarray(check_model_input(images))
            else:
                x = np.asarray(check_pixels(images, IMAGE_SIZE), np.uint8)
            steps_per_epoch = len(x) // self.preset.batch_size
            if steps_per_epoch == 0:
                raise ValueError(
                    f"{x.shape[0]} images are fewer than one batch of {self.preset.batch_size}"
                )
        epochs = self.preset.epochs if epochs is None else epochs
        if epochs < 1:
            raise ValueError(f"epochs must be at least 1, got {epochs}")
        self._metric = metric
        self._metric_every = self.preset.metric_every if metric_every is None else metric_every
        self._last_epoch = epochs
        # Only one training writes a run folder at a time (its lock); if another one moved it on
        # since this trainer read it, go on from there rather than train over its epochs.
        with self.run.locked() if self.run is not None else nullcontext():
            if self.run is not None and self.run.checkpoint_signature() != self._signature:
                self._resume()
            start = self.epochs_done
            if start >= epochs:
                if progress:
                    where = f" in {self.run.path}" if self.run is not None else ""
                    print(
                        f"Already trained to epoch {start} (of {epochs}){where}: its last "
                        "checkpoint is loaded and reused, nothing to train. To train afresh, "
                        "delete that folder or choose another one."
                    )
                if self.run is not None and self.run.complete_frames(
                    start, self.generator, self.save_frame
                ):
                    make_gif(self.run.frames_dir, self.run.gif_path)
                return self.history
            if x is None:
                raise ValueError(f"epoch {start} of {epochs} is done: give the faces to train on")
            self._progress = Progress(
                start, epochs, steps_per_epoch, self.preset.batch_size, enabled=progress
            )
            try:
                train_loop(self, x, epochs)
            finally:
                self._progress.close()
                self._progress = None
            if self.run is not None:
                # Frames deleted by hand are repainted from their checkpoints, or named.
                self.run.complete_frames(self.epochs_done, self.generator, self.save_frame)
                make_gif(self.run.frames_dir, self.run.gif_path)
        return self.history


def _plain(value):
    """JSON's view of a value (tuples become lists), for comparing a saved config with a new one."""
    return list(value) if isinstance(value, tuple) else value


def train(
    run_dir,
    preset=None,
    data="procedural",
    epochs=None,
    seed=0,
    progress=True,
    metric="auto",
    metric_every=None,
    jit_compile=False,
    mixed_precision=False,
):
    """Load the faces, build (or resume) a ``GANTrainer`` in ``run_dir`` and run ``train_loop``.

    ``metric="auto"`` records the course's image-quality scores (``course_utils.metrics``: AFD, FD
    and KID of 500 painted faces against 500 held-out real ones of ``data``) every ``metric_every``
    epochs (default: the preset's) and at the last epoch; ``None`` skips them. Returns the trainer.
    """
    preset = get_preset(preset)
    trainer = GANTrainer(
        preset,
        run_dir,
        data=data,
        seed=seed,
        jit_compile=jit_compile,
        mixed_precision=mixed_precision,
    )
    metric_every = preset.metric_every if metric_every is None else metric_every
    images = None
    if trainer.epochs_done < (preset.epochs if epochs is None else epochs):
        # Only a run with epochs left needs its faces and its judges (seconds, and memory that a
        # lesson reloading a finished run should not pay on Binder).
        images = load_faces(data, limit=preset.n_images, verbose=progress)
        if metric == "auto":
            metric = make_training_metric(data, preset) if metric_every else None
    if metric == "auto":
        metric = None
    trainer.fit(images, epochs=epochs, progress=progress, metric=metric, metric_every=metric_every)
    return trainer
