"""The GAN doctor: is my run going wrong? Plain checks on a run folder, each with its lesson.

``diagnose(run_dir)`` reads what training leaves (config.json, history.csv, the frames) — of a
finished run or one still training — and returns ``Finding``s: a stable keyword, what it saw with
the numbers, what to do, and the lesson section that explains it. ``report(findings)`` says them
in one line each, or one line saying why the run looks healthy. ``python -m course_utils doctor
--run-dir DIR`` prints that report; ``DoctorWatch`` says a finding during training, once, when it
first trips. Every threshold is a named constant with where its number comes from: docs/doctor.md
has the calibration (``benchmarks/doctor_confusion.py``) and the normal band
(``scripts/normal_band.py``).
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course_utils.language import Messages
from course_utils.presets import preset_from_dict
from course_utils.run_folder import FRAME_PATTERN, RunFolder, RunFolderError

BAND_PATH = Path(__file__).resolve().parent / "assets" / "normal_band.json"

# --- Thresholds (docs/doctor.md: how each was calibrated) -----------------------------------------
PICTURE_MIN_STEPS = 600  # artist steps before paintings are judged: healthy classroom ones are
# still blobs with a checkerboard peak 3.7× real faces' at 400 steps (epoch 2), 2.1× at 800
DARK_LEVEL = 112  # a pixel darker than this grey (-0.12 in the artist's [-1, 1]) counts as dark
DARK_SHARE_MIN = 0.02  # real faces 43 % dark pixels, healthy runs 40-45 %, faces in [0, 1]: 0.1 %
INPUT_SLACK = 0.25  # a recorded input range must reach within 0.25 of -1 and of 1
CRITIC_WINS_D_FAKE = 0.01  # D(G(z)) under 1 %: healthy classroom runs 0.03-0.05, a critic at 10×
# the learning rate taking 2 steps a batch 0.002-0.006
CRITIC_WINS_EPOCHS = 3  # ... for this many epochs in a row ("several"), not one bad epoch
STILL_CHANGE = 4.0  # under 4 grey levels (of 255) an epoch: said as "stopped changing" (not judged)
COLLAPSE_SPREAD = 0.35  # the 9 paintings differ < 35 % as much as 9 real faces (healthy: > 0.8)
COLLAPSE_SIMILARITY = 0.7  # their mean pairwise correlation: real faces 0.14-0.38, healthy runs
# up to 0.36, learning rate 0.02 up to 0.56, an artist of a critic that never learns 0.9
MODE_COVERAGE_MIN = 0.5  # fewer than half of the 12 styles painted (when a run records it)
CHECKER_FACTOR = {2: 4.0, 4: 3.0}  # a spectral peak at period 2 / 4 over real faces' level there,
CHECKER_FRAMES = 3  # ... in each of the last 3 judged frames: one frame spikes (14× in a healthy
# run); the lowest of 3 reaches 2.2× / 2.0× in healthy classroom runs, 2.7× / 2.3× in the benchmark's
# healthy ones, and 2.6× / 3.4× with 3×3 kernels (the margin is thin); broken games 5-30×
DIVERGED_LOSS = 50.0  # a mean loss over 50: logits beyond ±50, the weights blew up
DIVERGED_DISC_LOSS = 3.0  # a critic worse than twice a coin's 2 ln 2 = 1.39: confidently wrong,
# its steps overshoot (healthy classroom: 0.4-0.5; learning rate 0.02: 4.2 at epoch 1) ...
FOOLED_D_FAKE = 0.9  # ... unless it is simply fooled (D(G(z)) over 0.9: a critic that stopped
# learning has a high loss too, 4.8-9.6, and the learning rate is not to blame)
STALL_TOLERANCE = 0.05  # a new best must beat the old by 5 % (FD swings 30-50 % between scorings)
STALL_MIN_EPOCHS = 6  # no improvement for at least 6 epochs ...
STALL_SHARE = 0.5  # ... and for the second half of the run or more
BAND_SIGMAS = 4.0  # the band: the seeds' mean ± 4 standard deviations (5 seeds: a wide net) ...
BAND_MIN_WIDTH = 0.15  # ... and never narrower than ± 15 % of the mean (seeds agree too well)
OUTSIDE_EPOCHS = 2  # out of the band at 2 epochs or more, not one blip
BAND_MATCH = ("n_images", "batch_size")  # a band compares runs of the same size only
BAND_MIN_SEEDS = 3  # with 2 seeds the spread is luck: healthy runs left such a band (3 of 3)
BAND_CURVES = ("gen_loss", "disc_loss", "afd", "fd")  # the losses and the scores
REAL_FACES = {
    "dark_share": 0.426,
    "spread": 58.6,
    "similarity": 0.22,
    "checker2": 0.938,
    "checker4": 0.348,
}
"""The picture measures of real faces, used where the band file lacks them."""

_say = Messages(
    __name__,
    {
        "line": ("{keyword}: {saw}; {todo} ({lesson})", "{keyword}：{saw}；{todo}（{lesson}）"),
        "healthy": (
            "healthy: {epochs} epochs, no check tripped: {why}",
            "健康：读了 {epochs} 轮，没有一项检查报警：{why}",
        ),
        "healthy why": (
            "losses finite (the largest {loss:.2f}), D(G(z)) {d_fake:.2f} at the end",
            "损失都是有限值（最大 {loss:.2f}），最后一轮 D(G(z)) 为 {d_fake:.2f}",
        ),
        "healthy parts": ("{why}, {pictures}; {band}", "{why}，{pictures}；{band}"),
        "pictures fine": (
            "the paintings of epoch {epoch} vary {spread:.0%} as much as real faces",
            "第 {epoch} 轮的画作之间的差异是真实人脸的 {spread:.0%}",
        ),
        "pictures early": (
            "the paintings are judged after {least} training steps (this run: {steps})",
            "画作要训练满 {least} 步后才评判（这次训练：{steps} 步）",
        ),
        "inside band": (
            "inside the normal band of preset {preset} ({seeds} seeds)",
            "处在预设 {preset} 的正常范围内（{seeds} 个种子）",
        ),
        "no band": (
            "no normal band for runs of this size and data (the course ships one for the "
            "classroom preset's 6,400 procedural faces in batches of 32)",
            "没有这种规模和数据的训练可比的正常范围（课程只提供 classroom 预设的正常范围："
            "6,400 张程序生成的人脸，批量 32）",
        ),
        "nothing yet": (
            "{path}: no epoch finished yet, nothing to judge; run the doctor again after an epoch",
            "{path}：还没有完成任何一轮，无从判断；等训练完一轮后再运行一次",
        ),
        "not a run": (
            "{path} is not a run folder (no config.json or history.csv): give --run-dir the "
            "folder that train wrote, e.g. runs/classroom",
            "{path} 不是训练文件夹（没有 config.json 或 history.csv）：--run-dir 应指向 train "
            "写出的文件夹，例如 runs/classroom",
        ),
        "checkpoint": (
            "; its last checkpoint from before that is epoch {epoch}",
            "；在那之前的最后一个检查点是第 {epoch} 轮",
        ),
        # data-range
        "data-range recorded": (
            "the faces it trained on lie in [{low:.2f}, {high:.2f}], not [-1, 1] as the artist's "
            "tanh paints",
            "训练用的人脸取值在 [{low:.2f}, {high:.2f}]，而不是艺术家的 tanh 所画的 [-1, 1]",
        ),
        "data-range saw": (
            "at epoch {epoch} only {share:.1%} of the paintings' pixels are darker than mid-grey "
            "(real faces: {real:.0%}): the artist paints in half of [-1, 1], as it does when the "
            "faces were scaled to [0, 1]",
            "第 {epoch} 轮画作中只有 {share:.1%} 的像素比中灰暗（真实人脸：{real:.0%}）："
            "艺术家只用了 [-1, 1] 的一半，人脸被缩放到 [0, 1] 时就会这样",
        ),
        "data-range todo": (
            "scale the faces with pixels / 127.5 - 1 and train again",
            "用 pixels / 127.5 - 1 缩放人脸，再重新训练",
        ),
        "data-range lesson": (
            "lesson 1, «Why [-1, 1]? Because of tanh»",
            "见第 1 课“为什么是 [-1, 1]？因为 tanh”一节",
        ),
        # critic-wins
        "critic-wins saw": (
            "D(G(z)) stayed under {limit:.2f} for epochs {first}-{last} (down to {low:.3f}): the "
            "critic is sure every painting is fake, the artist's loss is {loss_from:.2f} to "
            "{loss_to:.2f}{still}",
            "第 {first}-{last} 轮 D(G(z)) 一直低于 {limit:.2f}（最低 {low:.3f}）："
            "评论家确信每张画都是假的，艺术家的损失在 {loss_from:.2f} 到 {loss_to:.2f}{still}",
        ),
        "still": (
            " and its paintings changed by only {change:.1f} grey levels",
            "，画作只变化了 {change:.1f} 个灰度级",
        ),
        "critic-wins todo": (
            "the critic wins and the artist's gradients vanish: weaken the critic (fewer or "
            "narrower layers, label smoothing 0.9, or a lower critic learning rate) and train again",
            "评论家赢得太彻底，艺术家的梯度消失了：削弱评论家（层数更少或更窄、标签平滑 0.9，"
            "或者更低的评论家学习率）后重新训练",
        ),
        "critic-wins lesson": (
            "lesson 8, «Break it on purpose»",
            "见第 8 课“故意把它弄坏”一节",
        ),
        # collapse
        "collapse saw": (
            "at epoch {epoch} the 9 paintings of different noise differ by {spread:.1f} grey "
            "levels, {ratio:.0%} of what 9 real faces do ({real:.1f})",
            "第 {epoch} 轮，由不同噪声画出的 9 张画作之间只差 {spread:.1f} 个灰度级，"
            "是 9 张真实人脸之间差异（{real:.1f}）的 {ratio:.0%}",
        ),
        "collapse alike": (
            "at epoch {epoch} the 9 paintings of different noise are one pattern: their mean "
            "correlation is {similarity:.2f} (9 real faces: {real:.2f})",
            "第 {epoch} 轮，由不同噪声画出的 9 张画作是同一个图案：它们的平均相关系数为 "
            "{similarity:.2f}（9 张真实人脸：{real:.2f}）",
        ),
        "collapse coverage": (
            "at epoch {epoch} the paintings cover {coverage:.0%} of the styles (mode coverage)",
            "第 {epoch} 轮画作只覆盖了 {coverage:.0%} 的风格（模式覆盖率）",
        ),
        "collapse todo": (
            "mode collapse: the artist paints one face for every noise; lower the learning rate, "
            "keep the critic learning, or stop at an earlier checkpoint",
            "模式崩溃：艺术家对所有噪声都画同一张脸；降低学习率，让评论家继续学习，"
            "或者停在更早的检查点",
        ),
        "collapse lesson": ("lesson 8, «Mode collapse»", "见第 8 课“模式崩溃”一节"),
        # checkerboard
        "checkerboard saw": (
            "from epoch {first} to {last} the paintings' spectrum peaks at a period of {period} "
            "pixels, at least {ratio:.1f}× the level real faces show there",
            "从第 {first} 轮到第 {last} 轮，画作的频谱在周期 {period} 像素处都有一个峰，"
            "至少是真实人脸在该处的 {ratio:.1f} 倍",
        ),
        "checkerboard todo": (
            "checkerboard artifacts: transposed convolutions of stride 2 whose kernel "
            "({kernel}×{kernel}) covers the pixels unevenly paint them; use a kernel size "
            "divisible by the stride (4×4), or upsample then convolve",
            "棋盘格伪影：步幅为 2 的转置卷积，卷积核（{kernel}×{kernel}）对像素覆盖不均，"
            "就会画出这种图案；改用能被步幅整除的卷积核（4×4），或者先上采样再卷积",
        ),
        "checkerboard lesson": ("lesson 8, «Checkerboard artifacts»", "见第 8 课“棋盘格伪影”一节"),
        # diverged
        "diverged saw nan": (
            "at epoch {epoch} {loss} became {value}",
            "第 {epoch} 轮{loss}变成了 {value}",
        ),
        "diverged saw": (
            "at epoch {epoch} {loss} reached {value:.1f} (a healthy run stays under "
            "{limit:g}): the losses exploded",
            "第 {epoch} 轮{loss}达到 {value:.1f}（健康的训练低于 {limit:g}）：损失爆炸了",
        ),
        "diverged todo": (
            "the learning rate {rate:g} is too high for this recipe: train again with a tenth "
            "of it (e.g. {lower:g})",
            "学习率 {rate:g} 对这个配方太高了：用它的十分之一（例如 {lower:g}）重新训练",
        ),
        "diverged lesson": (
            "lesson 8, «Break it on purpose»",
            "见第 8 课“故意把它弄坏”一节",
        ),
        # stalled
        "stalled saw": (
            "the image scores stopped improving: FD was best at epoch {fd_epoch} ({fd:.2f}) and "
            "AFD at epoch {afd_epoch} ({afd:.0%}), and {epochs} more epochs brought nothing",
            "图像分数不再进步：FD 在第 {fd_epoch} 轮最好（{fd:.2f}），AFD 在第 {afd_epoch} 轮最好"
            "（{afd:.0%}），之后又训练了 {epochs} 轮也没有起色",
        ),
        "stalled todo": (
            "more epochs of this recipe buy nothing: keep the checkpoint of the best epoch, or "
            "change the recipe",
            "这个配方多训练也没有用：保留最好那一轮的检查点，或者改进配方",
        ),
        "stalled lesson": (
            "lesson 6, «The scores during training»",
            "见第 6 课“训练中的分数”一节",
        ),
        # outside-normal
        "outside-normal saw": (
            "{curve} left the normal band of preset {preset} at {count} epochs, first at epoch "
            "{epoch}: {value:.3g}, where {seeds} healthy seeds lie in [{low:.3g}, {high:.3g}]",
            "{curve} 有 {count} 轮超出预设 {preset} 的正常范围，第一次在第 {epoch} 轮："
            "{value:.3g}，而 {seeds} 个健康种子在 [{low:.3g}, {high:.3g}] 之内",
        ),
        "outside-normal todo": (
            "this run does not behave like the classroom recipe: look at its curves next to the "
            "band, and check what was changed",
            "这次训练的表现不像 classroom 配方：把它的曲线和正常范围画在一起看看，并检查改动了什么",
        ),
        "outside-normal lesson": (
            "lesson 7, «The normal band»",
            "见第 7 课“正常范围”一节",
        ),
        "summary": (
            "say whether a run is going wrong, and which lesson explains it",
            "判断一次训练是否出了问题，并指出讲解它的课",
        ),
        "run-dir help": (
            "a run folder written by train, finished or still training",
            "train 写出的训练文件夹，训练完成或仍在训练都可以",
        ),
        "examples": ("examples:", "示例："),
        "example": (
            "one line per finding; exit 0 healthy, 1 findings, 2 not a run",
            "每个问题一行；退出码 0 表示健康，1 表示有问题，2 表示不是训练文件夹",
        ),
        "the generator loss": ("the generator loss", "生成器损失"),
        "the discriminator loss": ("the discriminator loss", "判别器损失"),
    },
)

LOSS_NAMES = {"gen_loss": "the generator loss", "disc_loss": "the discriminator loss"}


class DoctorError(RunFolderError):
    """A folder the doctor cannot read as a run; the message is one line."""


@dataclass(frozen=True)
class Finding:
    """One problem: a stable ``keyword``, what it ``saw`` (with numbers), what to do (``todo``), and
    the ``lesson`` section that explains it."""

    keyword: str
    saw: str
    todo: str
    lesson: str

    def line(self):
        return _say("line", keyword=self.keyword, saw=self.saw, todo=self.todo, lesson=self.lesson)

    def __str__(self):
        return self.line()


class Diagnosis(list):
    """The findings (a list), the ``epochs`` read, and ``why``: the line a healthy run gets."""

    why, epochs, path = None, 0, None


# --- What a run leaves: its config, its rows, its frames ------------------------------------------


def paintings_of_frame(frame):
    """The 9 paintings (uint8 ``(9, 56, 56)``) of a frame written by ``viz.frame_image``: a 3×3
    grid with 2-pixel gutters, enlarged ``scale``× (nearest), a caption strip under it."""
    scale = frame.shape[1] // (3 * 58 + 2)
    if scale < 1 or frame.shape[0] < (3 * 58 + 2) * scale:
        return None
    out = []
    for i in range(9):
        r, c = divmod(i, 3)
        y, x = (2 + r * 58) * scale, (2 + c * 58) * scale
        out.append(frame[y : y + 56 * scale : scale, x : x + 56 * scale : scale])
    return np.stack(out)


@dataclass
class Evidence:
    """What a run folder holds, read once: the config, the history's rows, the frames by epoch."""

    path: Path
    config: dict
    rows: list
    frame_files: dict = field(default_factory=dict)
    checkpoints: list = field(default_factory=list)
    painted: dict = field(default_factory=dict)  # epoch -> (9, 56, 56) uint8, read when needed

    @property
    def preset(self):
        try:
            return preset_from_dict(self.config.get("preset") or {})
        except (TypeError, ValueError):
            return None

    @property
    def last_epoch(self):
        return self.rows[-1]["epoch"] if self.rows else 0

    def paintings(self, epoch):
        """The paintings of ``epoch``'s frame, or None when it has no readable frame."""
        if epoch not in self.painted:
            import cv2

            path = self.frame_files.get(epoch)
            frame = None if path is None else cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
            self.painted[epoch] = None if frame is None else paintings_of_frame(frame)
        return self.painted[epoch]

    def steps(self, epoch):
        """The artist's training steps up to ``epoch`` (from the preset's faces and batch)."""
        preset = self.preset
        per_epoch = max(1, preset.n_images // preset.batch_size) if preset else 200
        return epoch * per_epoch

    def last_paintings(self):
        """``(epoch, paintings)`` of the newest frame, or ``(None, None)``; also None before
        ``PICTURE_MIN_STEPS`` steps, while a healthy artist still paints blobs."""
        for epoch in sorted(self.frame_files, reverse=True):
            if self.steps(epoch) < PICTURE_MIN_STEPS:
                break
            images = self.paintings(epoch)
            if images is not None:
                return epoch, images
        return None, None

    def checkpoint_before(self, epoch):
        """The newest kept checkpoint from before ``epoch``, or None."""
        earlier = [n for n in self.checkpoints if n < epoch]
        return max(earlier) if earlier else None


def read_run(run_dir):
    """The ``Evidence`` of a run folder; ``DoctorError`` (one line) for a folder that is not one."""
    run = RunFolder(run_dir)
    if not run.path.is_dir() or not (run.config_path.exists() or run.history_path.exists()):
        raise DoctorError(_say("not a run", path=run.path))
    config = run.read_config() or {}
    rows, _ = run.history_rows()
    frames = {
        int(m.group(1)): p
        for p in run.frames_dir.glob("epoch_*.png")
        if (m := FRAME_PATTERN.search(p.name))
    }
    return Evidence(run.path, config, rows, frames, run.checkpoint_numbers())


# --- Measures of 9 paintings (uint8), compared with real faces' -----------------------------------


def picture_measures(images):
    """``dark_share`` (pixels darker than ``DARK_LEVEL``), ``spread`` (mean grey-level difference
    between two paintings, over all pairs), ``similarity`` (their mean pairwise correlation) and
    ``checker2`` / ``checker4`` (the peak of their mean
    spectrum at a period of 2 / 4 pixels) of uint8 ``(n, 56, 56)`` images."""
    x = np.asarray(images, np.float32)
    n = len(x)
    pairs = [np.mean(np.abs(x[i] - x[j])) for i in range(n) for j in range(i + 1, n)]
    power = np.mean([np.abs(np.fft.fft2(im - im.mean())) ** 2 for im in x], axis=0)
    flat = x.reshape(n, -1) - x.reshape(n, -1).mean(axis=1, keepdims=True)
    flat /= np.linalg.norm(flat, axis=1, keepdims=True) + 1e-9
    return {
        "dark_share": float(np.mean(x < DARK_LEVEL)),
        "spread": float(np.mean(pairs)) if pairs else 0.0,
        "similarity": float(((flat @ flat.T).sum() - n) / max(n * n - n, 1)),
        "checker2": _spectral_peak(power, 2),
        "checker4": _spectral_peak(power, 4),
    }


def _spectral_peak(power, period):
    """The power on the row and column of a 2-D spectrum at ``period`` pixels (where transposed
    convolutions of stride 2 leave their pattern: period 2 from the last layer, 4 from the one
    before) over the mean power 2-4 frequencies below it."""
    k = power.shape[0] // period
    at = np.concatenate([power[k, :], power[:, k]]).mean()
    near = [power[k - d, :] for d in (2, 3, 4)] + [power[:, k - d] for d in (2, 3, 4)]
    return float(at / max(np.concatenate(near).mean(), 1e-9))


# --- The normal band -----------------------------------------------------------------------------


def load_band_file(path=BAND_PATH):
    """The shipped normal band (scripts/normal_band.py), or {} when there is none."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}


def real_faces(band_file=None):
    """The picture measures of real faces (from the band file, else ``REAL_FACES``)."""
    band_file = load_band_file() if band_file is None else band_file
    return {**REAL_FACES, **band_file.get("real_faces", {})}


def band_for(evidence, band_file=None):
    """The band of runs of this run's size and data (its epochs are then alike: the same faces,
    the same steps), as ``{"preset", "seeds", "curves": {name: [(low, high) per epoch]}}``, or
    None. Other knobs may differ: leaving the band is how a changed recipe shows."""
    band_file = load_band_file() if band_file is None else band_file
    preset = evidence.config.get("preset") or {}
    for entry in band_file.get("bands", []):
        same = all(preset.get(k) == entry["preset"].get(k) for k in BAND_MATCH)
        enough = len(entry.get("runs", {})) >= BAND_MIN_SEEDS
        if same and enough and str(evidence.config.get("data")) == entry.get("data", "procedural"):
            return {
                "preset": entry["preset"]["name"],
                "seeds": len(entry["runs"]),
                "curves": _band_curves(list(entry["runs"].values())),
            }
    return None


def _band_curves(runs):
    """Per curve, per epoch: ``(low, high)`` = mean ± max(``BAND_SIGMAS`` sd, ``BAND_MIN_WIDTH``
    × |mean|) over the seeds that recorded it (None where fewer than 2 did)."""
    curves = {}
    for name in BAND_CURVES:
        length = max(len(run.get(name) or []) for run in runs)
        bounds = []
        for i in range(length):
            values = [
                run[name][i]
                for run in runs
                if i < len(run.get(name) or []) and run[name][i] is not None
            ]
            if len(values) < 2:
                bounds.append(None)
                continue
            mean, sd = float(np.mean(values)), float(np.std(values, ddof=1))
            half = max(BAND_SIGMAS * sd, BAND_MIN_WIDTH * abs(mean))
            bounds.append((mean - half, mean + half))
        curves[name] = bounds
    return curves


# --- The checks: each returns a Finding or None ---------------------------------------------------


def _finite(value):
    return value is not None and math.isfinite(value)


def check_data_range(ev, real):
    """The faces it trained on do not fill [-1, 1]: recorded (config ``input_range``), or seen in
    the paintings, which then never go darker than mid-grey."""
    recorded = ev.config.get("input_range")
    if recorded:
        low, high = recorded
        if low > -1 + INPUT_SLACK or not 1 - INPUT_SLACK <= high <= 1 + INPUT_SLACK:
            saw = _say("data-range recorded", low=low, high=high)
            return _data_range(saw)
    epoch, images = ev.last_paintings()
    if images is None:
        return None
    share = float(np.mean(images < DARK_LEVEL))
    if share < DARK_SHARE_MIN:
        saw = _say("data-range saw", epoch=epoch, share=share, real=real["dark_share"])
        return _data_range(saw)
    return None


def _data_range(saw):
    return Finding("data-range", saw, _say("data-range todo"), _say("data-range lesson"))


def check_diverged(ev, real):
    """NaN or infinite losses (the guard stops those), or losses that exploded."""
    for row in ev.rows:
        for name in ("gen_loss", "disc_loss"):
            value = row.get(name)
            if value is not None and not math.isfinite(value):
                saw = _say(
                    "diverged saw nan", epoch=row["epoch"], loss=_say(LOSS_NAMES[name]), value=value
                )
                return _diverged(ev, saw, row["epoch"])
            limit = DIVERGED_DISC_LOSS if name == "disc_loss" else DIVERGED_LOSS
            fooled = name == "disc_loss" and (row.get("d_fake") or 0) > FOOLED_D_FAKE
            if value is not None and value > limit and not fooled:
                saw = _say(
                    "diverged saw",
                    epoch=row["epoch"],
                    loss=_say(LOSS_NAMES[name]),
                    value=value,
                    limit=limit,
                )
                return _diverged(ev, saw, row["epoch"])
    return None


def _diverged(ev, saw, epoch):
    rate = ev.preset.learning_rate if ev.preset else 3e-4
    todo = _say("diverged todo", rate=rate, lower=rate / 10) + _checkpoint(ev, epoch)
    return Finding("diverged", saw, todo, _say("diverged lesson"))


def _checkpoint(ev, epoch):
    number = ev.checkpoint_before(epoch)
    return "" if number is None else _say("checkpoint", epoch=number)


def check_critic_wins(ev, real):
    """D(G(z)) near 0 for ``CRITIC_WINS_EPOCHS`` epochs in a row: the artist's loss is then high
    (over -ln 0.01 = 4.6) and says so; paintings that stopped changing are said too."""
    streak = []
    for row in ev.rows:
        d_fake = row.get("d_fake")
        streak = streak + [row] if _finite(d_fake) and d_fake < CRITIC_WINS_D_FAKE else []
        if len(streak) >= CRITIC_WINS_EPOCHS:
            break
    if len(streak) < CRITIC_WINS_EPOCHS:
        return None
    first, last = streak[0], streak[-1]
    change = _change(ev, first["epoch"], last["epoch"])
    still = change is not None and change < STILL_CHANGE
    saw = _say(
        "critic-wins saw",
        limit=CRITIC_WINS_D_FAKE,
        first=first["epoch"],
        last=last["epoch"],
        low=min(r["d_fake"] for r in streak),
        loss_from=first["gen_loss"],
        loss_to=last["gen_loss"],
        still=_say("still", change=change) if still else "",
    )
    todo = _say("critic-wins todo") + _checkpoint(ev, first["epoch"])
    return Finding("critic-wins", saw, todo, _say("critic-wins lesson"))


def _change(ev, first, last):
    """Mean grey-level change of the paintings per epoch from ``first`` to ``last``, or None."""
    a, b = ev.paintings(first), ev.paintings(last)
    if a is None or b is None or last <= first:
        return None
    return float(np.mean(np.abs(a.astype(np.float32) - b))) / (last - first)


def check_collapse(ev, real):
    """The paintings of different noise are near-duplicates (their spread far below real faces', or
    one pattern: highly correlated), or a recorded mode coverage is low."""
    for row in reversed(ev.rows):
        coverage = row.get("mode_coverage")
        if _finite(coverage):
            if coverage < MODE_COVERAGE_MIN:
                saw = _say("collapse coverage", epoch=row["epoch"], coverage=coverage)
                return Finding("collapse", saw, _say("collapse todo"), _say("collapse lesson"))
            break
    epoch, images = ev.last_paintings()
    if images is None:
        return None
    measures = picture_measures(images)
    spread, similarity = measures["spread"], measures["similarity"]
    ratio = spread / real["spread"]
    if ratio < COLLAPSE_SPREAD:
        saw = _say("collapse saw", epoch=epoch, spread=spread, ratio=ratio, real=real["spread"])
    elif similarity > COLLAPSE_SIMILARITY:
        saw = _say("collapse alike", epoch=epoch, similarity=similarity, real=real["similarity"])
    else:
        return None
    return Finding("collapse", saw, _say("collapse todo"), _say("collapse lesson"))


def check_checkerboard(ev, real):
    """The paintings' spectrum peaks at the stride's period (2 or 4 pixels) where real faces' does
    not, in each of the last ``CHECKER_FRAMES`` judged frames."""
    judged = [e for e in sorted(ev.frame_files) if ev.steps(e) >= PICTURE_MIN_STEPS]
    frames = [ev.paintings(e) for e in judged[-CHECKER_FRAMES:]]
    if len(frames) < CHECKER_FRAMES or any(f is None for f in frames):
        return None
    measures = [picture_measures(f) for f in frames]
    ratios = {
        p: min(m[f"checker{p}"] for m in measures) / real[f"checker{p}"] for p in CHECKER_FACTOR
    }
    period = max(ratios, key=lambda p: ratios[p] / CHECKER_FACTOR[p])
    if ratios[period] < CHECKER_FACTOR[period]:
        return None
    saw = _say(
        "checkerboard saw",
        first=judged[-CHECKER_FRAMES],
        last=judged[-1],
        period=period,
        ratio=ratios[period],
    )
    kernel = ev.preset.kernel_size if ev.preset else 3
    todo = _say("checkerboard todo", kernel=kernel)
    return Finding("checkerboard", saw, todo, _say("checkerboard lesson"))


def _last_improved(rows, name, higher):
    """``(epoch of the last improvement by STALL_TOLERANCE, best value)`` of a score, or None."""
    scored = [(r["epoch"], r[name]) for r in rows if _finite(r.get(name))]
    if len(scored) < 3:
        return None
    best_epoch, best = scored[0]
    for epoch, value in scored[1:]:
        gain = (value - best) if higher else (best - value)
        if gain > STALL_TOLERANCE * max(abs(best), 1e-9):
            best_epoch, best = epoch, value
    return best_epoch, best


def check_stalled(ev, real):
    """Neither FD nor AFD improved for the last ``STALL_MIN_EPOCHS`` epochs and half the run."""
    fd, afd = _last_improved(ev.rows, "fd", False), _last_improved(ev.rows, "afd", True)
    if fd is None or afd is None:
        return None
    since = ev.last_epoch - max(fd[0], afd[0])
    if since < max(STALL_MIN_EPOCHS, STALL_SHARE * ev.last_epoch):
        return None
    saw = _say("stalled saw", fd_epoch=fd[0], fd=fd[1], afd_epoch=afd[0], afd=afd[1], epochs=since)
    return Finding("stalled", saw, _say("stalled todo"), _say("stalled lesson"))


def check_outside_normal(ev, real, band=None):
    """The run's losses, verdicts or scores leave the normal band at ``OUTSIDE_EPOCHS`` epochs."""
    if band is None:
        return None
    for name in BAND_CURVES:
        bounds = band["curves"].get(name, [])
        out = []
        for row in ev.rows:
            i, value = row["epoch"] - 1, row.get(name)
            if i < len(bounds) and bounds[i] is not None and _finite(value):
                low, high = bounds[i]
                if not low <= value <= high:
                    out.append((row["epoch"], value, low, high))
        if len(out) >= OUTSIDE_EPOCHS:
            epoch, value, low, high = out[0]
            saw = _say(
                "outside-normal saw",
                curve=_say(LOSS_NAMES[name]) if name in LOSS_NAMES else name.upper(),
                preset=band["preset"],
                count=len(out),
                epoch=epoch,
                value=value,
                seeds=band["seeds"],
                low=low,
                high=high,
            )
            return Finding(
                "outside-normal", saw, _say("outside-normal todo"), _say("outside-normal lesson")
            )
    return None


CHECKS = (
    check_data_range,
    check_diverged,
    check_critic_wins,
    check_collapse,
    check_checkerboard,
    check_stalled,
)
"""Every check but the band's, in the order the report lists them."""

SYMPTOM_OF = {
    "checkerboard": ("diverged", "critic-wins", "collapse"),
    "stalled": ("data-range", "diverged", "critic-wins", "collapse"),
    "collapse": ("diverged",),
    "critic-wins": ("diverged",),
    "outside-normal": ("data-range", "diverged", "critic-wins", "collapse", "checkerboard"),
}
"""A finding left out when one of its causes is found, so the report names the cause: a broken
game paints high-frequency noise too (the learning rate 0.02 and the strong critic of the
benchmark: 5-12× real faces' peak), one flat pattern when it diverged, and its scores stall; and
every broken run leaves the normal band, which names what no other check does."""


def examine(ev, band_file=None):
    """The findings of an ``Evidence`` (``diagnose`` for a folder; ``DoctorWatch`` during training)."""
    band_file = load_band_file() if band_file is None else band_file
    real = real_faces(band_file)
    band = band_for(ev, band_file)
    found = Diagnosis(f for f in (check(ev, real) for check in CHECKS) if f is not None)
    found.epochs, found.path = ev.last_epoch, ev.path
    normal = check_outside_normal(ev, real, band)
    if normal is not None:
        found.append(normal)
    causes = {f.keyword for f in found}
    found[:] = [f for f in found if not causes & set(SYMPTOM_OF.get(f.keyword, ()))]
    if not found and ev.rows:
        found.why = _healthy_why(ev, real, band)
    return found


def _healthy_why(ev, real, band):
    last = ev.rows[-1]
    losses = [r.get(k) for r in ev.rows for k in ("gen_loss", "disc_loss")]
    why = _say(
        "healthy why",
        loss=max(v for v in losses if _finite(v)) if any(_finite(v) for v in losses) else 0.0,
        d_fake=last.get("d_fake") or 0.0,
    )
    epoch, images = ev.last_paintings()
    if images is None:
        pictures = _say("pictures early", least=PICTURE_MIN_STEPS, steps=ev.steps(ev.last_epoch))
    else:
        spread = picture_measures(images)["spread"] / real["spread"]
        pictures = _say("pictures fine", epoch=epoch, spread=spread)
    where = _say("inside band", preset=band["preset"], seeds=band["seeds"]) if band else None
    return _say("healthy parts", why=why, pictures=pictures, band=where or _say("no band"))


def normal_band(run_dir, band_file=None):
    """The normal band for the run in ``run_dir`` (lesson 7, «The normal band»): per curve, per
    epoch, ``(low, high)`` where healthy runs of its size lie; None for a run of another size."""
    return band_for(read_run(run_dir), band_file)


def diagnose(run_dir, band_file=None):
    """The findings on the run in ``run_dir`` (a ``Diagnosis``: a list of ``Finding``), empty when
    it looks healthy; ``DoctorError`` when the folder is not a run."""
    ev = read_run(run_dir)
    return examine(ev, band_file)


def report(findings):
    """One line per finding, or one line saying the run looks healthy and why."""
    if findings:
        return "\n".join(f.line() for f in findings)
    if getattr(findings, "why", None) is None:
        return _say("nothing yet", path=getattr(findings, "path", None) or ".")
    return _say("healthy", epochs=findings.epochs, why=findings.why)


def add_parser(subparsers, prog):
    """Register ``doctor`` on the command line's sub-commands (``cli.build_parser`` calls it)."""
    import argparse

    summary = _say("summary")
    p = subparsers.add_parser(
        "doctor",
        help=summary,
        description=summary[0].upper() + summary[1:] + ".",
        epilog="\n".join(
            [
                _say("examples"),
                f"  # {_say('example')}",
                f"  {prog} doctor --run-dir runs/classroom",
            ]
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--run-dir", required=True, metavar="DIR", help=_say("run-dir help"))
    p.set_defaults(func=command)
    return p


def command(args):
    """``python -m course_utils doctor --run-dir DIR``: the report; exit 0 healthy, 1 findings."""
    findings = diagnose(args.run_dir)
    print(report(findings))
    return 1 if findings else 0


class DoctorWatch:
    """Says a finding during training, once, when it first trips: the same interface as the
    training loop's callbacks (``course_utils.callbacks``). Give it the run folder (its frames
    and config are read from there) and, where the run has none, the ``preset``."""

    def __init__(self, run_dir=None, preset=None, say=print, band_file=None):
        self.run_dir = Path(run_dir) if run_dir else None
        self.preset, self.say = preset, say
        self.band_file = load_band_file() if band_file is None else band_file
        self.rows, self.said, self.findings = [], set(), []

    def on_step_end(self, epoch, step):
        pass

    def on_epoch_end(self, epoch, row):
        self.rows = [r for r in self.rows if r["epoch"] < epoch] + [dict(row)]
        ev = self._evidence()
        for finding in examine(ev, self.band_file):
            if finding.keyword not in self.said:
                self.said.add(finding.keyword)
                self.findings.append(finding)
                self.say(finding.line())

    def _evidence(self):
        if self.run_dir is not None and (self.run_dir / "config.json").exists():
            ev = read_run(self.run_dir)
            ev.rows = self.rows  # this epoch's row, NaN included, before history.csv has it
            # frames up to this epoch only: the same judgement when a finished run is replayed
            ev.frame_files = {
                e: p for e, p in ev.frame_files.items() if e <= self.rows[-1]["epoch"]
            }
            return ev
        config = {}
        if self.preset is not None:
            from dataclasses import asdict

            config = {"preset": asdict(self.preset), "data": "procedural"}
        frames = {}
        if self.run_dir is not None:
            frames = {
                int(m.group(1)): p
                for p in (self.run_dir / "frames").glob("epoch_*.png")
                if (m := FRAME_PATTERN.search(p.name))
            }
        return Evidence(self.run_dir or Path("."), config, self.rows, frames)
