"""The training loop's collaborators (lesson 5): small objects with one job each.

``train_loop`` calls ``on_step_end(epoch, step)`` after every step and ``on_epoch_end(epoch, row)``
after every epoch, in the order given — as Keras's ``Callback`` does. ``GANTrainer.callbacks``
lists them in this order: stop on NaN, score, show, paint a frame, record, save.
"""

import numpy as np
import tensorflow as tf

from course_utils.language import Messages
from course_utils.run_folder import player_checkpoint
from course_utils.viz import frame_image, write_png

_say = Messages(
    __name__,
    {
        "diverged": (
            "epoch {epoch}: {losses} became {value}. Training stopped; the last good checkpoint "
            "(epoch {last}) is kept. Try a lower learning rate.",
            "第 {epoch} 轮：{losses} 变成了 {value}。训练已停止；上一个完好的检查点"
            "（第 {last} 轮）保留着。试试调低学习率。",
        ),
        "diverged, kept in": (
            "epoch {epoch}: {losses} became {value}. Training stopped; the last good checkpoint "
            "(epoch {last}) is kept in {folder}. Try a lower learning rate.",
            "第 {epoch} 轮：{losses} 变成了 {value}。训练已停止；上一个完好的检查点"
            "（第 {last} 轮）保留在 {folder}。试试调低学习率。",
        ),
        "and": (" and ", " 和 "),
    },
)


class Callback:
    """Does nothing; a collaborator overrides what it needs."""

    def on_step_end(self, epoch, step):
        pass

    def on_epoch_end(self, epoch, row):
        pass


class PainterAverage(Callback):
    """After every step, moves each of the painter's weights ``1 − decay`` of the way to the
    artist's: a running average of the artist's recent weights (lesson 5, «A steady hand»).

    The artist's weights jitter from step to step, because the critic it learns from keeps moving;
    their average sits near the middle of the jitter and paints cleaner faces. Training never reads
    the painter, so the game itself is unchanged. Every variable is averaged, BatchNormalization's
    statistics too."""

    def __init__(self, painter, generator, decay):
        pairs = list(zip(painter.variables, generator.variables))

        @tf.function
        def update():
            for average, weight in pairs:
                average.assign(decay * average + (1.0 - decay) * weight)

        self.update = update

    def on_step_end(self, epoch, step):
        self.update()


class TrainingDiverged(RuntimeError):
    """A loss became NaN or infinite; the last good checkpoint is left untouched."""


class DivergenceGuard(Callback):
    """Stops training when a loss is no longer a number, before anything of the epoch is saved."""

    def __init__(self, checkpoints_dir=None):
        self.checkpoints_dir = checkpoints_dir

    def on_epoch_end(self, epoch, row):
        bad = [k for k in ("gen_loss", "disc_loss") if not np.isfinite(row[k])]
        if bad:
            said = dict(
                epoch=epoch, losses=_say("and").join(bad), value=row[bad[0]], last=epoch - 1
            )
            if self.checkpoints_dir:
                raise TrainingDiverged(
                    _say("diverged, kept in", **said, folder=self.checkpoints_dir)
                )
            raise TrainingDiverged(_say("diverged", **said))


class Scores(Callback):
    """Adds the image-quality scores to the row every ``every`` epochs and at the last one."""

    def __init__(self, metric, generator, every, last_epoch):
        self.metric, self.generator = metric, generator
        self.every, self.last_epoch = every, last_epoch

    def on_epoch_end(self, epoch, row):
        if self.every and (epoch % self.every == 0 or epoch == self.last_epoch):
            row.update({k: float(v) for k, v in self.metric(self.generator).items()})


class ProgressLine(Callback):
    """The one-line progress bar with an ETA (``course_utils.progress.Progress``)."""

    def __init__(self, progress):
        self.progress = progress

    def on_step_end(self, epoch, step):
        self.progress.step(epoch)

    def on_epoch_end(self, epoch, row):
        self.progress.end_epoch(epoch, row)


class TensorBoardLog:
    """The run's TensorBoard log (``RUN/logs``), opened at its first use."""

    def __init__(self, log_dir):
        self.log_dir, self._writer = str(log_dir), None

    def writer(self):
        if self._writer is None:
            self._writer = tf.summary.create_file_writer(self.log_dir)
        return self._writer


class FrameWriter(Callback):
    """Paints the fixed preview noise after each epoch: ``frames/epoch_NNNN.png`` (the GIF's frame)
    and the same grid as TensorBoard's image of the epoch."""

    def __init__(self, run, paint, tensorboard):
        self.run, self.paint, self.tensorboard = run, paint, tensorboard

    def on_epoch_end(self, epoch, row):
        self.write(epoch)

    def write(self, epoch):
        frame = frame_image(self.paint(), epoch)
        write_png(self.run.frame_path(epoch), frame)
        with self.tensorboard.writer().as_default():
            tf.summary.image(
                "3x3 grid of the fixed preview noise", frame[None, :, :, None], step=epoch
            )

    def repaint_missing(self, last_epoch, generator, which="generator"):
        """Frames deleted by hand, repainted from their epochs' checkpoints where the run folder
        still keeps them (``RunFolder.frames_to_repaint``); the generator's own weights are put
        back afterwards. ``which`` names the checkpoint's weights that paint ("painter" when the
        preset keeps a running average). Returns whether any frame was missing."""
        todo, lost = self.run.frames_to_repaint(last_epoch)
        if not todo and not lost:
            return False
        own = [v.numpy() for v in generator.variables]
        player = player_checkpoint(**{which: generator})
        repainted = []
        try:
            for epoch, prefix in todo:
                try:
                    player.restore(prefix).expect_partial().assert_existing_objects_matched()
                except Exception:  # damaged: as good as gone
                    lost.append(epoch)
                    continue
                self.write(epoch)
                repainted.append(epoch)
        finally:
            for variable, value in zip(generator.variables, own):
                variable.assign(value)
        self.run.report_frames(repainted, sorted(lost))
        return True


class HistoryWriter(Callback):
    """Appends each epoch's row to ``history`` and, in a run folder, to ``history.csv`` and
    TensorBoard. ``config.json`` is written with the first finished epoch, so a start that failed
    before it leaves nothing to refuse later."""

    def __init__(self, history, run=None, config=None, tensorboard=None):
        self.history, self.run, self.config, self.tensorboard = history, run, config, tensorboard

    def on_epoch_end(self, epoch, row):
        self.history.append(row)
        if self.run is None:
            return
        if not self.run.checkpoint_numbers() or not self.run.config_path.exists():
            self.run.write_config(self.config)
        self.run.write_history(self.history)
        writer = self.tensorboard.writer()
        with writer.as_default():
            for name, value in row.items():
                if name != "epoch" and value is not None:
                    tf.summary.scalar(name, value, step=row["epoch"])
        writer.flush()


class CheckpointSaver(Callback):
    """Saved last: a kill before it only means the epoch is redone (its frame and history row
    rewritten identically) on resume. ``saved()`` is called after each save."""

    def __init__(self, epoch_variable, manager=None, saved=None):
        self.epoch_variable, self.manager, self.saved = epoch_variable, manager, saved

    def on_epoch_end(self, epoch, row):
        self.epoch_variable.assign(epoch)
        if self.manager is not None:
            self.manager.save(checkpoint_number=epoch)
            if self.saved is not None:
                self.saved()
