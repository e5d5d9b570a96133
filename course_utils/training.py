"""Training the pair (lesson 5): the two-tape train step, the epoch loop, and ``GANTrainer``.

``train_loop`` takes the step, the batches and a few collaborators (``course_utils.callbacks``);
``GANTrainer`` keeps the players, their optimizers, the checkpoint and the run folder, and hands
them to the loop. Every random draw is derived from the epoch number or saved in the checkpoint,
so a resumed run paints the same frames as one that was never interrupted.
"""

import errno
import time
from contextlib import nullcontext
from dataclasses import asdict

import keras
import numpy as np
import tensorflow as tf

from course_utils import __version__
from course_utils.callbacks import (
    CheckpointSaver,
    DivergenceGuard,
    FrameWriter,
    HistoryWriter,
    PainterAverage,
    ProgressLine,
    Scores,
    TensorBoardLog,
    TrainingDiverged,
)
from course_utils.data import (
    IMAGE_SIZE,
    check_model_input,
    check_pixels,
    load_faces,
    make_dataset,
    pixels_to_model_input,
)
from course_utils.language import Messages
from course_utils.losses import discriminator_loss, generator_loss
from course_utils.metrics import make_training_metric
from course_utils.models import make_discriminator_model, make_generator_model
from course_utils.notices import notice
from course_utils.presets import LATER_KNOBS, get_preset
from course_utils.progress import Progress
from course_utils.run_folder import (
    CheckpointMisfit,
    RunFolder,
    RunFolderError,
    another_folder,
    describe_epochs,
    painting_weights,
    player_checkpoint,
)
from course_utils.viz import make_gif

_say = Messages(
    __name__,
    {
        "train the vae with vae.train": (
            "preset '{name}' trains a VAE: use course_utils.vae.train (or python -m course_utils "
            "train --preset {name})",
            "预设 '{name}' 训练的是 VAE：请用 course_utils.vae.train（或 python -m course_utils "
            "train --preset {name}）",
        ),
        "other settings": (
            "{config} records {what}={before!r}, but the settings given now have {after!r}. "
            "Resume it with the settings it records (if config.json was edited by hand, put its "
            "old value back), or choose a new run folder.",
            "{config} 记录的是 {what}={before!r}，但现在给的设置是 {after!r}。请用它记录的设置"
            "继续训练（如果 config.json 被手动改过，请改回原来的值），或换一个新的运行文件夹。",
        ),
        "mixed precision": ("mixed precision", "混合精度"),
        "mixed precision bfloat16": ("mixed precision (bfloat16)", "混合精度（bfloat16）"),
        "precision changed": (
            "{path} was trained in {was} and goes on in {now}: its numbers from here on differ "
            "from an uninterrupted run's",
            "{path} 之前用 {was} 训练，现在改用 {now} 继续：从这里起，它的数值会与一次不中断的"
            "训练不同",
        ),
        "no checkpoint fits": (
            "{folder}: no checkpoint fits the networks of preset {preset}, and config.json, "
            "which says what the run was trained with, is missing: resume with the preset the "
            "run was made with (--preset, or COURSE_PRESET in a notebook); the checkpoints are "
            "kept",
            "{folder}：没有一个检查点与预设 {preset} 的网络相符，而记录这次训练设置的 "
            "config.json 又不见了：请用训练时的那个预设继续（命令行用 --preset，笔记本里用 "
            "COURSE_PRESET）；检查点都保留着",
        ),
        "config rewritten": (
            "{path} was missing; written anew from the settings given now (preset {preset}, "
            "data {data}, seed {seed})",
            "{path} 不见了；已按现在给的设置重新写出（预设 {preset}，数据 {data}，种子 {seed}）",
        ),
        "config missing": (
            "{path} was missing; from the settings given now (preset {preset}, data {data}, "
            "seed {seed})",
            "{path} 不见了；按现在给的设置继续（预设 {preset}，数据 {data}，种子 {seed}）",
        ),
        "epochs at least 1": (
            "epochs must be at least 1, got {epochs}",
            "轮数至少为 1，收到的是 {epochs}",
        ),
        "no faces given": (
            "epoch {start} of {epochs} is done: give the faces to train on",
            "{epochs} 轮中已完成 {start} 轮：请给出用来训练的人脸",
        ),
        "already trained": (
            "Already trained to epoch {done} (of {epochs}): its last checkpoint is loaded and "
            "reused, nothing to train. To train afresh, delete that folder or choose another one.",
            "已经训练到第 {done} 轮（共 {epochs} 轮）：载入并沿用它最后的检查点，无需再训练。"
            "要从头训练，请删掉那个文件夹，或换一个。",
        ),
        "already trained in": (
            "Already trained to epoch {done} (of {epochs}) in {path}: its last checkpoint is "
            "loaded and reused, nothing to train. To train afresh, delete that folder or choose "
            "another one.",
            "{path} 已经训练到第 {done} 轮（共 {epochs} 轮）：载入并沿用它最后的检查点，"
            "无需再训练。要从头训练，请删掉那个文件夹，或换一个。",
        ),
        "read-only": (
            "{path} is read-only (a shared run?): it is trained to epoch {done} and can be read, "
            "not trained to epoch {epochs}. To train, choose a run folder of your own ({how})",
            "{path} 是只读的（共享的运行？）：它已训练到第 {done} 轮，可以读取，但不能继续训练到"
            "第 {epochs} 轮。要训练，请用一个自己的运行文件夹（{how}）",
        ),
        "read-only frames": (
            "{folder}: no whole frame for {epochs}; the folder is read-only, so nothing is "
            "repainted",
            "{folder}：{epochs}没有完整的画面；文件夹是只读的，所以不会重画",
        ),
        "the disk": ("the disk", "磁盘"),
        "resumes after": ("it resumes after epoch {epoch}", "会从第 {epoch} 轮之后继续"),
        "starts again": ("it starts again from epoch 1", "会从第 1 轮重新开始"),
        "while writing": (" while writing {file}", "，写入 {file} 时"),
        "disk full": (
            "{where}: the disk is full (no space left{writing}). An epoch writes about {mb:.0f} "
            "MB there (a checkpoint, a frame, the history; {kept} checkpoints are kept). Free "
            "some space and run the same command again: {back}; nothing was lost",
            "{where}：磁盘满了（没有剩余空间{writing}）。每一轮要在那里写入约 {mb:.0f} MB"
            "（一个检查点、一帧画面和历史记录；保留 {kept} 个检查点）。腾出一些空间后再运行"
            "同一条命令：{back}；什么都没有丢失",
        ),
        "fewer than a batch": (
            "{n} images are fewer than one batch of {batch}",
            "{n} 张图像不够一个批量（{batch} 张）",
        ),
    },
)

__all__ = [
    "GANTrainer",
    "TrainingDiverged",
    "build_models",
    "make_train_step",
    "train",
    "train_loop",
]

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
def train_loop(train_step, batches, epochs, first_epoch=1, callbacks=()):
    """Train from ``first_epoch`` to ``epochs``: the loop of lesson 5, in the TensorFlow
    tutorial's shape. ``batches(epoch)`` gives the epoch's batches; after each step and each epoch
    the callbacks (``course_utils.callbacks``) get their turn with the epoch's averages."""
    for epoch in range(first_epoch, epochs + 1):
        start = time.time()
        totals, steps = {}, 0
        for image_batch in batches(epoch):  # lesson 1's make_dataset, shuffled anew each epoch
            results = train_step(image_batch)
            for name, value in results.items():
                totals[name] = totals.get(name, 0.0) + value
            steps += 1
            for callback in callbacks:
                callback.on_step_end(epoch, steps)
        row = {
            "epoch": epoch,
            **{k: float(v) / steps for k, v in totals.items()},
            "seconds": time.time() - start,
        }
        for callback in callbacks:  # check for NaN, score, show, paint a frame, record, save
            callback.on_epoch_end(epoch, row)


def build_under_policy(build, mixed_precision):
    """``build()``'s networks, made under the ``mixed_bfloat16`` policy when ``mixed_precision``
    (the previous policy is put back, so later models are unaffected)."""
    previous_policy = keras.mixed_precision.global_policy()
    if mixed_precision:
        keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        return build()
    finally:
        keras.mixed_precision.set_global_policy(previous_policy)


class GANTrainer:
    """The two players, their optimizers, the fixed preview noise, the checkpoint and the run
    folder: what ``train_loop`` needs, handed to it by ``fit``. ``painter`` is what paints: the
    artist itself, or its running average when the preset keeps one (moved by the
    ``PainterAverage`` callback, so a loop of one's own calls the callbacks after every step).

    ``GANTrainer(preset, run_dir).fit(images)`` trains up to ``preset.epochs`` (or ``epochs``),
    resuming from ``run_dir/checkpoints`` when it holds one. Without a ``run_dir`` nothing is
    written (the tests and benchmarks use that). ``mixed_precision=True`` computes in bfloat16
    (weights, tanh image and logit stay float32: no loss scaling needed); it pays on GPUs.
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
        self.generator, self.discriminator = build_under_policy(
            lambda: build_models(self.preset), mixed_precision
        )
        # What paints the frames, the scores and the saved artist: the artist itself, or, when the
        # preset keeps one, a running average of its weights (lesson 5, «A steady hand»).
        self.painter = self.generator
        if self.preset.average_decay:
            self.painter = build_under_policy(
                lambda: make_generator_model(**self.preset.generator_knobs()), mixed_precision
            )
            self.painter.set_weights(self.generator.get_weights())

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
        self.train_step = self.build_train_step(make_train_step)
        self.checkpoint = player_checkpoint(
            self.generator,
            self.discriminator,
            painter=self.painter if self.averaged else None,
            generator_optimizer=self.generator_optimizer,
            discriminator_optimizer=self.discriminator_optimizer,
            noise_rng=self.noise_rng,
            epoch=self.epoch,
        )
        self._open_run()

    def _open_run(self):
        """Resume from the run folder, if there is one (both trainers end their set-up here)."""
        self.manager, self._signature = None, None
        self.tensorboard = TensorBoardLog(self.run.path / "logs") if self.run else None
        # A teacher's shared run may be read-only: it is read without its lock, never written.
        self.read_only = self.run is not None and not self.run.writable()
        if self.read_only:
            self._resume()
        elif self.run is not None:
            # The run folder's lock is held while it is read here and for the whole of fit(), not
            # for the trainer's life: a notebook keeps its trainer for hours, and building a second
            # one on the same folder in the same kernel must not be refused.
            with self.run.locked():
                self._resume()

    def build_train_step(self, make_step):
        """``make_step`` (lesson 5's ``make_train_step``, or a learner's edited copy) applied to
        this trainer's players, optimizers and noise source."""
        return make_step(
            self.generator,
            self.discriminator,
            self.generator_optimizer,
            self.discriminator_optimizer,
            self.noise_rng,
            self.preset.real_label,
            self.jit_compile,
        )

    @property
    def averaged(self):
        """Whether a running average of the artist paints (the preset's ``average_decay``)."""
        return self.painter is not self.generator

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
            "mixed_precision": self.mixed_precision,
            "course_utils": __version__,
        }

    def _check_config(self, saved):
        """Refuse to mix two experiments in one run folder; the message says what differs."""
        now = self._config()
        recorded = {**LATER_KNOBS, **saved["preset"]}  # an older config.json is a GAN's
        differences = [
            (f"preset {k}", recorded.get(k), v)
            for k, v in now["preset"].items()
            if k not in RESUMABLE_CHANGES and _plain(recorded.get(k)) != _plain(v)
        ]
        differences += [
            (k, saved.get(k), now[k]) for k in ("data", "seed") if saved.get(k) != now[k]
        ]
        if differences:
            what, before, after = differences[0]
            raise ValueError(
                _say(
                    "other settings",
                    config=self.run.config_path,
                    what=what,
                    before=before,
                    after=after,
                )
            )
        if bool(saved.get("mixed_precision")) != self.mixed_precision:
            was, now = (
                (_say("mixed precision"), "float32")
                if saved.get("mixed_precision")
                else ("float32", _say("mixed precision bfloat16"))
            )
            notice(_say("precision changed", path=self.run.path, was=was, now=now))

    def _resume(self):
        """Restore the newest checkpoint that restores and read the history up to its epoch (the
        run folder mends what it can and says so); later epochs are trained again. Holds the lock.
        """
        run = self.run
        if not self.read_only:
            run.remove_leftovers()
        run.refuse_if_checkpoints_were_removed()
        saved = run.read_config() if run.checkpoint_numbers() else None
        if saved is not None:
            self._check_config(saved)
        try:
            number = run.restore_checkpoint(
                # expect_partial: a checkpoint that does not fit warns in dozens of lines otherwise
                lambda prefix: (
                    self.checkpoint.restore(prefix)
                    .expect_partial()
                    .assert_existing_objects_matched()
                )
            )
        except CheckpointMisfit:
            if saved is not None:
                raise
            raise RunFolderError(
                _say("no checkpoint fits", folder=run.checkpoints_dir, preset=self.preset.name)
            ) from None
        if number is not None and saved is None:
            if not self.read_only:
                run.write_config(self._config())
            notice(
                _say(
                    "config missing" if self.read_only else "config rewritten",
                    path=run.config_path,
                    preset=self.preset.name,
                    data=self.data,
                    seed=self.seed,
                )
            )
        if not self.read_only:
            run.mend_checkpoint_state(number)
        self.manager = tf.train.CheckpointManager(
            self.checkpoint, str(run.checkpoints_dir), max_to_keep=self.preset.keep_checkpoints
        )
        self.history = run.history_until(self.epochs_done)
        self._signature = run.checkpoint_signature()

    def _remember_signature(self):
        self._signature = self.run.checkpoint_signature()

    # --- what the loop is handed --------------------------------------------------------------
    def batches(self, images, epoch):
        """The epoch's batches, as model input; the shuffle order depends only on (seed, epoch), so
        a resumed run sees the same batches as an uninterrupted one. uint8 faces stay pixels (a
        quarter of the memory of float32) and are scaled batch by batch."""
        dataset = make_dataset(images, self.preset.batch_size, seed=self.seed * 100_003 + epoch)
        return dataset.map(pixels_to_model_input) if images.dtype == np.uint8 else dataset

    def callbacks(self, progress, metric=None, metric_every=0, last_epoch=None):
        """The loop's collaborators, in their order: (average,) stop on NaN, score, show, paint,
        record, save."""
        run = self.run
        average = self.painter_average()  # first: the epoch's scores and frame use the new average
        found = [average] if average is not None else []
        found.append(DivergenceGuard(run.checkpoints_dir if run else None))
        if metric is not None:
            found.append(Scores(metric, self.painter, metric_every, last_epoch))
        found.append(ProgressLine(progress))
        if run is not None:
            found.append(self.frame_writer())
        found.append(HistoryWriter(self.history, run, self._config(), self.tensorboard))
        found.append(
            CheckpointSaver(self.epoch, self.manager, self._remember_signature if run else None)
        )
        if progress.enabled and self.preset.kind == "gan":
            # Last, so it reads the epoch's frame and history, under the epoch's finished line.
            from course_utils.doctor import DoctorWatch

            watch = DoctorWatch(run.path if run else None, preset=self.preset)
            watch.rows = [dict(row) for row in self.history]  # a resumed run's earlier epochs
            found.append(watch)
        return found

    def painter_average(self):
        """The collaborator that moves the painter after every step, or None when the artist paints
        itself; a loop of one's own that skips the callbacks calls it after each ``train_step``."""
        if not self.averaged:
            return None
        return PainterAverage(self.painter, self.generator, self.preset.average_decay)

    def frame_writer(self):
        return FrameWriter(self.run, self.preview, self.tensorboard)

    # --- pictures -----------------------------------------------------------------------------
    def preview(self, noise=None):
        """The artist's current paintings of the fixed preview noise, as values in [-1, 1] (painted
        by the running average when the preset keeps one)."""
        noise = self.preview_noise if noise is None else noise
        return self.painter(noise, training=False).numpy()

    # --- the whole run ------------------------------------------------------------------------
    def fit(
        self,
        images,
        epochs=None,
        progress=True,
        metric=None,
        metric_every=None,
        loop=None,
        make_train_step=None,
    ):
        """Train with ``loop`` (default: ``train_loop``) until ``epochs`` epochs are done in total
        (resumed ones count); ``make_train_step`` replaces the step (lesson 5 passes its own).

        ``images`` are uint8 ``(N, 56, 56)`` or model input ``(N, 56, 56, 1)`` in [-1, 1].
        ``metric(generator) -> dict`` is called every ``metric_every`` epochs (and at the last one)
        and its numbers join the history. Returns the history (a list of dicts).
        """
        x = self._training_input(images)
        epochs = self.preset.epochs if epochs is None else epochs
        if epochs < 1:
            raise ValueError(_say("epochs at least 1", epochs=epochs))
        if make_train_step is not None:
            self.train_step = self.build_train_step(make_train_step)
        metric_every = self.preset.metric_every if metric_every is None else metric_every
        if self.read_only:
            return self._fit_read_only(epochs, progress)
        try:
            return self._fit(x, epochs, progress, metric, metric_every, loop)
        except (OSError, tf.errors.ResourceExhaustedError) as error:
            if not _disk_full(error):
                raise
            self._signature = None  # the next fit resumes from the last checkpoint on disk
            raise RunFolderError(self._disk_full_message(error)) from None

    def _fit(self, x, epochs, progress, metric, metric_every, loop):
        # Only one training writes a run folder at a time (its lock); if another one moved it on
        # since this trainer read it, go on from there rather than train over its epochs.
        with self.run.locked() if self.run is not None else nullcontext():
            if self.run is not None and self.run.checkpoint_signature() != self._signature:
                self._resume()
            start = self.epochs_done
            if start >= epochs:
                self._say_already_trained(epochs, progress)
                self._finish_run_folder()
                return self.history
            if x is None:
                raise ValueError(_say("no faces given", start=start, epochs=epochs))
            line = Progress(
                start,
                epochs,
                len(x) // self.preset.batch_size,
                self.preset.batch_size,
                enabled=progress,
            )
            try:
                (loop or train_loop)(
                    self.train_step,
                    lambda epoch: self.batches(x, epoch),
                    epochs,
                    start + 1,
                    self.callbacks(line, metric, metric_every, epochs),
                )
            finally:
                line.close()
            self._finish_run_folder(always=True)
        return self.history

    def _say_already_trained(self, epochs, progress):
        if progress:
            if self.run is not None:
                print(
                    _say(
                        "already trained in",
                        done=self.epochs_done,
                        epochs=epochs,
                        path=self.run.path,
                    )
                )
            else:
                print(_say("already trained", done=self.epochs_done, epochs=epochs))

    def _fit_read_only(self, epochs, progress):
        """A read-only run folder (a teacher's shared run) is read, never written: a finished run
        is reused as it is; training it further needs a folder of one's own."""
        if self.epochs_done < epochs:
            raise RunFolderError(
                _say(
                    "read-only",
                    path=self.run.path,
                    done=self.epochs_done,
                    epochs=epochs,
                    how=another_folder(),
                )
            )
        self._say_already_trained(epochs, progress)
        missing = self.run.missing_frames(self.epochs_done)
        if missing:
            notice(
                _say(
                    "read-only frames",
                    folder=self.run.frames_dir,
                    epochs=describe_epochs(missing),
                )
            )
        return self.history

    def _disk_full_message(self, error):
        """One line for a full disk: which folder, what an epoch needs, and that nothing is lost."""
        where = self.run.path if self.run is not None else _say("the disk")
        per_epoch = (
            sum(
                v.numpy().nbytes for v in (*self.generator.variables, *self.discriminator.variables)
            )
            * 3
            + sum(v.numpy().nbytes for v in self.painter.variables) * self.averaged
        )  # weights and Adam's two moments (and the painter), in each checkpoint
        kept = self.run.checkpoint_numbers() if self.run is not None else []
        back = _say("resumes after", epoch=kept[0]) if kept else _say("starts again")
        file = getattr(error, "filename", None)
        return _say(
            "disk full",
            where=where,
            writing=_say("while writing", file=file) if file else "",
            mb=per_epoch / 1e6,
            kept=self.preset.keep_checkpoints,
            back=back,
        )

    def _training_input(self, images):
        """The faces as NumPy (``make_dataset`` reads its batches from them without a copy), checked;
        None for a finished run reloaded with nothing to train on."""
        if images is None:
            return None
        if np.asarray(images).dtype == np.float32 and np.ndim(images) == 4:
            x = np.asarray(check_model_input(images))
        else:
            x = np.asarray(check_pixels(images, IMAGE_SIZE), np.uint8)
        if len(x) // self.preset.batch_size == 0:
            raise ValueError(_say("fewer than a batch", n=x.shape[0], batch=self.preset.batch_size))
        return x

    def _finish_run_folder(self, always=False):
        """Repaint frames deleted by hand (from their checkpoints, or name them), then make the GIF
        — after training always, for a finished run only when a frame had to be mended."""
        if self.run is None:
            return
        mended = self.frame_writer().repaint_missing(
            self.epochs_done, self.painter, painting_weights(self.preset)
        )
        if always or mended:
            make_gif(self.run.frames_dir, self.run.gif_path, say_skipped=False)


def _disk_full(error):
    """Whether ``error`` (Python's or TensorFlow's) says the disk is full."""
    if isinstance(error, OSError):
        return error.errno in (errno.ENOSPC, errno.EDQUOT)
    return "No space left on device" in str(error)


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
    loop=None,
    make_train_step=None,
    trainer_class=None,
):
    """Load the faces, build (or resume) a ``GANTrainer`` in ``run_dir`` and train it.

    ``metric="auto"`` records the course's image-quality scores (``course_utils.metrics``) every
    ``metric_every`` epochs (default: the preset's) and at the last epoch; ``None`` skips them.
    ``loop`` and ``make_train_step`` default to the package's copies of lesson 5's functions; the
    lesson passes its own, so its edits show. ``trainer_class`` is the trainer to build
    (``vae.train`` passes ``VAETrainer``). Returns the trainer.
    """
    preset = get_preset(preset)
    if trainer_class is None:
        if preset.kind != "gan":  # the VAE's trainer builds on this module: vae.train passes it
            raise ValueError(_say("train the vae with vae.train", name=preset.name))
        trainer_class = GANTrainer
    trainer = trainer_class(
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
    trainer.fit(
        images,
        epochs=epochs,
        progress=progress,
        metric=metric,
        metric_every=metric_every,
        loop=loop,
        make_train_step=make_train_step,
    )
    return trainer
