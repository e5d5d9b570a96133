"""A progress line for training: where it is, how fast, and how long is left.

One line, rewritten in place with a carriage return (``\\r``), which both a terminal and a Jupyter
notebook understand; no backspace characters, which a notebook stores raw and a slide deck shows as
boxes. It is redrawn at most twice a second, so it costs nothing next to a training step. At the
end of each epoch the line is completed with the epoch's averages and a new one begins, so the
output reads as one line per epoch.
"""

import sys
import time
import unicodedata

from course_utils.language import Messages

_say = Messages(
    __name__,
    {
        "epoch of": ("epoch {epoch}/{epochs}", "第 {epoch}/{epochs} 轮"),
        "step of": ("step {step}/{steps}", "第 {step}/{steps} 步"),
        "pace": (", {faces:,.0f} faces/s, ETA {left}", "，每秒 {faces:,.0f} 张脸，还需 {left}"),
        "seconds": ("{seconds:.0f} s", "{seconds:.0f} 秒"),
        "gen loss": ("gen_loss {loss:.3f}", "生成器损失 {loss:.3f}"),
        "disc loss": ("disc_loss {loss:.3f}", "判别器损失 {loss:.3f}"),
        "eta": ("ETA {left}", "还需 {left}"),
    },
)


def _clock(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def _columns(text):
    """How many terminal columns ``text`` takes: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class Progress:
    """Progress of a run from epoch ``start + 1`` to ``epochs``, ``steps_per_epoch`` steps each."""

    def __init__(
        self,
        start,
        epochs,
        steps_per_epoch,
        batch_size,
        enabled=True,
        stream=None,
        every_seconds=0.5,
    ):
        self.start, self.epochs, self.steps_per_epoch = start, epochs, steps_per_epoch
        self.batch_size, self.enabled = batch_size, enabled
        self.stream = stream or sys.stdout
        self.every_seconds = every_seconds
        self._after_first = time.perf_counter()  # set again when the first step is done
        self.steps_done = 0  # steps taken in this session
        self.step_in_epoch = 0
        self._last_draw = 0.0
        self._width = 0

    def _eta(self):
        """Seconds left, from the pace since the first step: the first one also compiles the step
        (tf.function tracing), and counting it would promise an hour where minutes remain."""
        if self.steps_done < 2:
            return None
        pace = (time.perf_counter() - self._after_first) / (self.steps_done - 1)
        return pace * ((self.epochs - self.start) * self.steps_per_epoch - self.steps_done)

    def _draw(self, text, end=""):
        if not self.enabled:
            return
        self.stream.write("\r" + text + " " * max(0, self._width - _columns(text)) + end)
        self.stream.flush()
        self._width = 0 if end else _columns(text)

    def step(self, epoch):
        """One train step of ``epoch`` is done."""
        self.steps_done += 1
        self.step_in_epoch += 1
        if self.steps_done == 1:
            self._after_first = time.perf_counter()
        now = time.perf_counter()
        if now - self._last_draw >= self.every_seconds:
            self._last_draw = now
            eta = self._eta()
            filled = int(20 * self.step_in_epoch / self.steps_per_epoch)
            line = (
                _say("epoch of", epoch=epoch, epochs=self.epochs)
                + f" [{'=' * filled}{'.' * (20 - filled)}] "
                + _say("step of", step=self.step_in_epoch, steps=self.steps_per_epoch)
            )
            if eta is not None:  # the pace is known from the second step on
                faces_per_s = (self.steps_done - 1) * self.batch_size / (now - self._after_first)
                line += _say("pace", faces=faces_per_s, left=_clock(eta))
            self._draw(line)

    def end_epoch(self, epoch, row):
        """Complete the epoch's line with its averages (and scores, when the row has them)."""
        self.step_in_epoch = 0
        parts = [
            _say("epoch of", epoch=epoch, epochs=self.epochs),
            _say("seconds", seconds=row["seconds"]),
            _say("gen loss", loss=row["gen_loss"]),
            _say("disc loss", loss=row["disc_loss"]),
            f"D(x) {row['d_real']:.2f}",
            f"D(G(z)) {row['d_fake']:.2f}",
        ]
        if row.get("afd") is not None:
            parts.append(f"AFD {row['afd']:.2f}")
        if row.get("fd") is not None:
            parts.append(f"FD {row['fd']:.2f}")
        eta = self._eta()
        if eta and epoch < self.epochs:
            parts.append(_say("eta", left=_clock(eta)))
        self._draw(" · ".join(parts), end="\n")
        self._last_draw = 0.0

    def close(self):
        if self.enabled and self._width:
            self.stream.write("\n")
            self.stream.flush()
