"""Play with a trained pair in a notebook: walk the artist's noise space, scrub through the epochs,
and try being the critic yourself.

The logic lives in plain, tested functions and in ``CriticGame``; the ipywidgets wrappers
(``latent_walk``, ``epoch_scrubber``, ``critic_game``) only wire sliders and buttons to them. Each
toy also has a still picture (``walk_sheet``, ``epoch_strip``, drawn by ``plot_sheet``) for a slide
deck or a notebook read without a live kernel.
"""

import unicodedata
from pathlib import Path

import cv2
import numpy as np

from course_utils.data import IMAGE_SIZE, to_model_input, to_pixels
from course_utils.detector import (
    MIN_NEIGHBORS,
    MIN_SIZE,
    SCALE_FACTOR,
    load_cascade,
    prepare_for_detector,
)
from course_utils.fonts import use_cjk_font
from course_utils.language import Messages
from course_utils.run_folder import FRAME_PATTERN
from course_utils.viz import frame_paths, grid_image, pick_frames

_say = Messages(
    __name__,
    {
        # Refusals.
        "bad count": (
            "count must be between 1 and 20 directions, got {count}",
            "count 必须在 1 到 20 个方向之间，得到的是 {count}",
        ),
        "too few paintings": (
            "n must be at least {least} paintings for {dim} noise numbers, got {n}",
            "噪声有 {dim} 个数，n 至少要 {least} 张画作，得到的是 {n}",
        ),
        "cannot encode": (
            "could not encode image of shape {shape}",
            "无法把形状为 {shape} 的图像编码成 PNG",
        ),
        "too few steps": (
            "steps must be at least 2 (the two ends), got {steps}",
            "steps 至少要 2（两个端点），得到的是 {steps}",
        ),
        "bad faces": (
            "faces must be uint8 (rows, columns, H, W), got {dtype} {shape}",
            "faces 必须是 uint8 的 (rows, columns, H, W)，得到的是 {dtype} {shape}",
        ),
        "row labels": (
            "{rows} rows of faces but {labels} row labels",
            "人脸有 {rows} 行，行标签却有 {labels} 个",
        ),
        "no frames": (
            "no frames in '{folder}': train first",
            "'{folder}' 里没有帧：请先训练",
        ),
        "unreadable frame": (
            "cannot read frame {name} in '{folder}'",
            "读不了 '{folder}' 里的帧 {name}",
        ),
        "frame sizes differ": (
            "the frames in '{folder}' differ in size",
            "'{folder}' 里的帧大小不一",
        ),
        "bad real faces": (
            "real faces must be uint8 (N, H, W), got {dtype} {shape}",
            "真实人脸必须是 uint8 的 (N, H, W)，得到的是 {dtype} {shape}",
        ),
        "sizes differ": (
            "paintings {painted} and real faces {real} differ in size",
            "画作 {painted} 和真实人脸 {real} 大小不同",
        ),
        "odd n": (
            "n must be an even number ≥ 2 (half real, half painted), got {n}",
            "n 必须是 ≥ 2 的偶数（一半真实，一半画作），得到的是 {n}",
        ),
        "bad real images": (
            "real_images must be uint8 (N, H, W), got {dtype} {shape}",
            "real_images 必须是 uint8 的 (N, H, W)，得到的是 {dtype} {shape}",
        ),
        "too few real": (
            "need at least {least} real images, got {count}",
            "至少需要 {least} 张真实图像，得到的是 {count}",
        ),
        "game over": (
            "the game is over: every face has been judged (see score())",
            "游戏已经结束：每张脸都评判过了（看 score()）",
        ),
        "real or fake": (
            "answer 'real' or 'fake', not {label}",
            "请回答 'real'（真实）或 'fake'（画作），而不是 {label}",
        ),
        # Pictures and widgets.
        "direction": ("direction {number}", "方向 {number}"),
        "epoch": ("epoch {epoch}", "第 {epoch} 轮"),
        "frame": ("frame", "帧"),
        "frame caption": (
            "{label} ({number} of {count} frames)",
            "{label}（共 {count} 帧中的第 {number} 帧）",
        ),
        "Real": ("Real", "真实"),
        "Painted": ("Painted", "画作"),
        "Game over": (
            "  Game over: print(game.reveal()) shows every answer.",
            "  游戏结束：print(game.reveal()) 会列出每一题的答案。",
        ),
        "Right": (
            "Right: it was {truth}; the critic said {critic} (logit {logit:+.2f}).",
            "答对了：答案是“{truth}”；评论家判的是“{critic}”（logit {logit:+.2f}）。",
        ),
        "Wrong": (
            "Wrong: it was {truth}; the critic said {critic} (logit {logit:+.2f}).",
            "答错了：答案是“{truth}”；评论家判的是“{critic}”（logit {logit:+.2f}）。",
        ),
        # The game's score and answers.
        "none judged": ("0 of {count} judged yet.", "{count} 张里还一张都没评判。"),
        "summary": (
            "{judged} of {count} judged — you: {you}/{judged} ({you_share:.0%}), "
            "the critic: {critic}/{judged} ({critic_share:.0%})",
            "{count} 张里评判了 {judged} 张 —— 你：{you}/{judged}（{you_share:.0%}），"
            "评论家：{critic}/{judged}（{critic_share:.0%}）",
        ),
        "judge all first": (
            "Judge all {count} faces first ({judged} judged so far): "
            "the answers appear here after the last one.",
            "请先评判完全部 {count} 张脸（目前评判了 {judged} 张）：评完最后一张，答案就会出现在这里。",
        ),
        "face": ("face", "脸"),
        "truth": ("truth", "答案"),
        "you": ("you", "你"),
        "critic": ("critic", "评论家"),
        "real": ("real", "真实"),
        "painted": ("painted", "画作"),
        "grainy real faces": (
            "The critic called {said_real} of the {real} grainy real faces real; "
            "without the added grain it calls {clean} of them real.",
            "{real} 张加了颗粒的真实人脸里，评论家认出 {said_real} 张是真的；"
            "去掉加上的颗粒，它认出 {clean} 张。",
        ),
    },
)

PAINT_BATCH = 50  # paintings generated at a time (a lesson's kernel stays small)
REACH = 3.0  # the direction sliders' full reach: ±3 standard deviations of the noise


# --- noise space ------------------------------------------------------------------------------
def slerp(a, b, t):
    """Spherical interpolation from noise vector ``a`` (t=0) to ``b`` (t=1).

    Gaussian noise vectors of dimension 160 all have length close to √160 ≈ 12.6; a straight line
    between two of them passes through shorter vectors the artist never saw in training (the middle
    of the line has length ≈ 12.6 / √2), while slerp follows the sphere and keeps the length typical.
    """
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    cos = np.clip(np.dot(a / na, b / nb), -1.0, 1.0)
    omega = np.arccos(cos)
    if omega < 1e-6:  # (almost) the same direction: plain interpolation is exact enough
        return ((1 - t) * a + t * b).astype(np.float32)
    return ((np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)).astype(
        np.float32
    )


def random_directions(count, dim=160, seed=0):
    """``count`` orthonormal directions in noise space (rows), reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.standard_normal((dim, count)))
    return q.T.astype(np.float32)


def paint(generator, z):
    """The artist's paintings for noise vectors ``z`` (N, dim) as uint8 (N, H, W), 50 at a time."""
    z = np.asarray(z, np.float32).reshape(-1, generator.input_shape[-1])
    batches = [
        to_pixels(generator(z[i : i + PAINT_BATCH], training=False).numpy())
        for i in range(0, len(z), PAINT_BATCH)
    ]
    return np.concatenate(batches) if batches else np.zeros((0, IMAGE_SIZE, IMAGE_SIZE), np.uint8)


def principal_directions(generator, count=3, n=500, seed=0):
    """The ``count`` directions in noise space along which the artist's paintings change the most.

    A random direction hardly matters: the artist spreads a face over all 160 numbers. So paint ``n``
    faces, find the biggest ways in which they differ from one another (the principal components of
    their pixels), and for each one the direction in noise space that predicts it best (least
    squares). Returns ``count`` orthonormal rows, each signed so that + brightens the face.
    """
    if not 1 <= count <= 20:
        raise ValueError(_say("bad count", count=count))
    dim = generator.input_shape[-1]
    if n < 2 * dim:
        raise ValueError(_say("too few paintings", least=2 * dim, dim=dim, n=n))
    z = np.random.default_rng(seed).standard_normal((n, dim))
    pixels = paint(generator, z).reshape(n, -1).astype(np.float64)
    pixels -= pixels.mean(axis=0)
    u, s, _ = np.linalg.svd(pixels, full_matrices=False)
    coefficients, *_ = np.linalg.lstsq(z, u[:, :count] * s[:count], rcond=None)
    directions, _ = np.linalg.qr(coefficients)  # orthonormal columns, in the same order
    directions = directions.T
    brighter = np.sign(directions @ z.T @ pixels.mean(axis=1))  # + means a brighter face
    return (directions * np.where(brighter == 0, 1, brighter)[:, None]).astype(np.float32)


def push_effect(generator, directions, reach=REACH, n=20, seed=0):
    """How far each direction slider moves a face at full reach: the mean absolute change, in grey
    levels of 255, between the painting at a random noise point and the one ``reach`` further
    along the direction (averaged over ``n`` points and over both ends, -reach and +reach)."""
    directions = np.asarray(directions, np.float64).reshape(-1, generator.input_shape[-1])
    z = np.random.default_rng(seed).standard_normal((n, directions.shape[1]))
    base = paint(generator, z).astype(np.float64)
    effects = []
    for direction in directions:
        ends = np.concatenate([z + reach * direction, z - reach * direction])
        moved = paint(generator, ends).astype(np.float64)
        effects.append(float(np.abs(moved - np.concatenate([base, base])).mean()))
    return np.array(effects)


def latent_point(z0, z1, t, directions=(), amounts=()):
    """The point ``t`` of the way from ``z0`` to ``z1`` (slerp), pushed ``amounts[i]`` along
    ``directions[i]``."""
    z = slerp(z0, z1, t).astype(np.float64)
    for direction, amount in zip(directions, amounts):
        z = z + amount * np.asarray(direction, np.float64)
    return z.astype(np.float32)


def draw(generator, z, scale=4):
    """The artist's face for one noise vector as uint8, upscaled ``scale``× (nearest: honest pixels)."""
    z = np.asarray(z, np.float32).reshape(1, -1)
    face = to_pixels(generator(z, training=False).numpy())[0]
    return cv2.resize(face, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)


def png_bytes(image):
    """uint8 image → PNG file bytes (what ``ipywidgets.Image`` shows)."""
    ok, encoded = cv2.imencode(".png", np.asarray(image, np.uint8))
    if not ok:
        raise ValueError(_say("cannot encode", shape=np.shape(image)))
    return encoded.tobytes()


def walk_points(generator, seed=0):
    """The two noise points A and B that ``latent_walk(generator, seed)`` walks between."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((2, generator.input_shape[-1])).astype(np.float32)


def walk_sheet(generator, directions, seed=0, steps=7, reach=REACH):
    """The walk as still pictures, for slides and for a notebook read without a live kernel.

    Returns ``(faces, row_labels, column_labels)``: ``faces`` is uint8 ``(rows, steps, H, W)``.
    Row 0 walks from A to B (slerp); row ``i`` starts from A and pushes along ``directions[i-1]``
    from ``-reach`` to ``+reach``: what the widget's sliders show, at ``steps`` positions.
    """
    if steps < 2:
        raise ValueError(_say("too few steps", steps=steps))
    z0, z1 = walk_points(generator, seed)
    fractions = np.linspace(0.0, 1.0, steps)
    amounts = np.linspace(-reach, reach, steps)
    points = [latent_point(z0, z1, t) for t in fractions]
    for direction in directions:
        points += [latent_point(z0, z1, 0.0, [direction], [a]) for a in amounts]
    faces = paint(generator, np.stack(points))
    faces = faces.reshape(-1, steps, *faces.shape[1:])
    rows = ["A → B"] + [_say("direction", number=i + 1) for i in range(len(directions))]
    columns = [f"{a:+g}" if a else "0" for a in amounts]
    return faces, rows, columns


def plot_sheet(faces, row_labels, column_labels=None, title=None, scale=1.25):
    """Draw a sheet of faces ``(rows, columns, H, W)`` (uint8) with matplotlib, rows labelled on
    the left and columns under the picture; returns the axes."""
    import matplotlib.pyplot as plt

    use_cjk_font()
    faces = np.asarray(faces)
    if faces.ndim != 4 or faces.dtype != np.uint8:
        raise ValueError(_say("bad faces", dtype=faces.dtype, shape=faces.shape))
    rows, columns, h, w = faces.shape
    if len(row_labels) != rows:
        raise ValueError(_say("row labels", rows=rows, labels=len(row_labels)))
    pad = 2
    sheet = grid_image(faces.reshape(-1, h, w), ncols=columns, pad=pad, background=255)
    _, ax = plt.subplots(figsize=(scale * sheet.shape[1] / 60 + 1.2, scale * sheet.shape[0] / 60))
    ax.imshow(sheet, cmap="gray", vmin=0, vmax=255)
    centre = pad + np.arange(max(rows, columns)) * (h + pad) + h / 2
    ax.set_yticks(centre[:rows], row_labels)
    if column_labels is not None:
        ax.set_xticks(centre[:columns], column_labels)
    else:
        ax.set_xticks([])
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    if title:
        ax.set_title(title)
    return ax


# --- epochs -----------------------------------------------------------------------------------
def frame_label(path):
    """'epoch 12'-style caption for a frame file, from its name."""
    match = FRAME_PATTERN.search(Path(path).name)
    return _say("epoch", epoch=int(match.group(1))) if match else Path(path).name


def epoch_strip(run_dir, max_frames=6):
    """The scrubber as still pictures: at most ``max_frames`` of the run's per-epoch frames, evenly
    spread and always with the first and the last, as uint8 ``(N, H, W)`` (each is captioned with
    its epoch). Show them with ``viz.plot_grid(frames, ncols=3)``."""
    paths = frame_paths(Path(run_dir) / "frames")
    if not paths:
        raise FileNotFoundError(_say("no frames", folder=Path(run_dir) / "frames"))
    chosen = [paths[i] for i in pick_frames(len(paths), max_frames)]
    frames = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in chosen]
    unreadable = [p.name for p, f in zip(chosen, frames) if f is None]
    if unreadable:
        raise ValueError(
            _say("unreadable frame", name=unreadable[0], folder=Path(run_dir) / "frames")
        )
    if len({f.shape for f in frames}) > 1:
        raise ValueError(_say("frame sizes differ", folder=Path(run_dir) / "frames"))
    return np.stack(frames)


# --- be the critic ----------------------------------------------------------------------------
GRAIN_CUTOFF = 0.25  # cycles per pixel: finer detail (waves under 4 pixels long) counts as grain


def _frequency_radius(h, w):
    return np.hypot(np.fft.fftfreq(h)[:, None], np.fft.rfftfreq(w)[None, :])


def power_spectrum(images):
    """The mean power of uint8 images ``(N, H, W)`` at each spatial frequency (``rfft2`` layout)."""
    x = np.asarray(images, np.float64)
    x = x - x.mean(axis=(1, 2), keepdims=True)
    return (np.abs(np.fft.rfft2(x)) ** 2).mean(axis=0)


def grain(images, cutoff=GRAIN_CUTOFF):
    """How grainy each image is: the standard deviation of its detail finer than ``cutoff`` cycles
    per pixel, in grey levels. Crisp real faces score low, noisy paintings high."""
    x = np.asarray(images, np.float64)
    spectrum = np.fft.rfft2(x) * (_frequency_radius(*x.shape[1:]) >= cutoff)
    return np.fft.irfft2(spectrum, s=x.shape[1:]).std(axis=(1, 2))


def degrade_like(real, paintings, seed=0, cutoff=GRAIN_CUTOFF, reference=None):
    """Give real faces (uint8 ``(N, H, W)``) the fine grain of ``paintings``, so that grain alone no
    longer tells them apart.

    Compared frequency by frequency, above ``cutoff`` cycles per pixel only: where the paintings
    have less fine detail than real faces, the real faces are softened to match; where they have
    more, random noise with exactly the missing power is added. The real faces' own spectrum is
    measured on ``reference`` (more real faces) when given, else on ``real``.
    """
    real = np.asarray(real)
    if real.dtype != np.uint8 or real.ndim != 3:
        raise ValueError(_say("bad real faces", dtype=real.dtype, shape=real.shape))
    paintings = np.asarray(paintings)
    if paintings.shape[1:] != real.shape[1:]:
        raise ValueError(_say("sizes differ", painted=paintings.shape[1:], real=real.shape[1:]))
    h, w = real.shape[1:]
    fine = _frequency_radius(h, w) >= cutoff
    real_power = power_spectrum(real if reference is None else reference)
    painted_power = power_spectrum(paintings)
    gain = np.ones_like(real_power)
    soften = fine & (painted_power < real_power)
    gain[soften] = np.sqrt(painted_power[soften] / real_power[soften])
    missing = np.where(fine, np.maximum(painted_power - real_power * gain**2, 0.0), 0.0)
    white = np.random.default_rng(seed).standard_normal(real.shape)
    noise = np.fft.rfft2(white) * np.sqrt(missing / (h * w))  # white noise has power h·w per bin
    out = np.fft.irfft2(np.fft.rfft2(real.astype(np.float64)) * gain + noise, s=(h, w))
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def face_votes(images):
    """How sure the anime-face detector is that each uint8 image ``(N, H, W)`` holds a face: the
    number of neighbouring detections behind its strongest find (0: no face found)."""
    cascade = load_cascade()
    votes = []
    for image in np.asarray(images, np.uint8):
        _, counts = cascade.detectMultiScale2(
            prepare_for_detector(image),
            scaleFactor=SCALE_FACTOR,
            minNeighbors=MIN_NEIGHBORS,
            minSize=MIN_SIZE,
        )
        votes.append(int(np.max(counts)) if len(counts) else 0)
    return np.array(votes, int)


def _shown(label):
    """A label as the game's buttons say it: "painted" for fake."""
    if label == CriticGame.FAKE:
        return _say("painted")
    return _say("real") if label == CriticGame.REAL else str(label)


def _width(text):
    """Columns ``text`` takes in a fixed-width font: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text, width, right=False):
    """``text`` padded with spaces to ``width`` columns (on the left when ``right``)."""
    text = str(text)
    space = " " * max(0, width - _width(text))
    return space + text if right else text + space


def _logits(discriminator, images):
    return (
        np.asarray(discriminator(to_model_input(images), training=False))
        .reshape(-1)
        .astype(np.float32)
    )


class CriticGame:
    """Be the critic: judge ``n`` faces, half real and half painted, in a seeded shuffled order;
    then compare your accuracy with the discriminator's on exactly the same images.

    Two things keep the game from being won by spotting noise alone: the paintings are drawn from
    the fifth of ``pool`` paintings that the anime-face detector is surest hold a face
    (``face_votes``), and the real faces get the paintings' fine grain (``degrade_like``;
    ``degrade=False`` turns it off).
    The discriminator says "real" when its logit is > 0 (probability > 0.5). It judges the same
    uint8 pictures the learner sees, so neither player gets a sharper view. ``reveal()`` gives the
    answers once every face has been judged, and only then.
    """

    REAL, FAKE = "real", "fake"

    def __init__(self, real_images, generator, discriminator, n=10, seed=0, degrade=True, pool=100):
        if n < 2 or n % 2:
            raise ValueError(_say("odd n", n=n))
        real_images = np.asarray(real_images)
        if real_images.dtype != np.uint8 or real_images.ndim != 3:
            raise ValueError(
                _say("bad real images", dtype=real_images.dtype, shape=real_images.shape)
            )
        if len(real_images) < n // 2:
            raise ValueError(_say("too few real", least=n // 2, count=len(real_images)))
        rng = np.random.default_rng(seed)
        real = real_images[rng.choice(len(real_images), n // 2, replace=False)]
        noise = rng.standard_normal((max(pool, n // 2), generator.input_shape[-1]))
        candidates = paint(generator, noise)
        # The most face-like paintings: drawn at random from the fifth the detector is surest of.
        keep = max(n // 2, len(candidates) // 5)
        best = np.argsort(-face_votes(candidates), kind="stable")[:keep]
        fake = candidates[rng.choice(best, n // 2, replace=False)]
        clean = real
        if degrade:
            real = degrade_like(clean, candidates, seed=seed, reference=real_images[:500])
        order = rng.permutation(n)
        self.images = np.concatenate([real, fake])[order]
        self.truth = np.array([self.REAL] * (n // 2) + [self.FAKE] * (n // 2))[order]
        self.critic_logits = _logits(discriminator, self.images)
        self.critic_says = np.where(self.critic_logits > 0, self.REAL, self.FAKE)
        # What the critic says about the same real faces without the added grain (see reveal()).
        self.degraded = bool(degrade)
        self.critic_on_clean_real = int((_logits(discriminator, clean) > 0).sum())
        self.answers = []

    def __len__(self):
        return len(self.images)

    @property
    def done(self):
        return len(self.answers) == len(self.images)

    def next_image(self):
        """The face to judge now (uint8), or None when every face has been judged."""
        return None if self.done else self.images[len(self.answers)]

    def answer(self, label):
        """Record your verdict on the current face: "real" or "fake" (True means real; "painted"
        and the buttons' Chinese words are understood too). Returns whether you were right."""
        if self.done:
            raise IndexError(_say("game over"))
        if isinstance(label, (bool, np.bool_)):
            label = self.REAL if label else self.FAKE
        label = str(label).strip().lower()
        if label in ("painted", "generated", _say.both("painted")[1]):
            label = self.FAKE
        if label == _say.both("real")[1]:
            label = self.REAL
        if label not in (self.REAL, self.FAKE):
            raise ValueError(_say("real or fake", label=repr(label)))
        self.answers.append(label)
        return label == self.truth[len(self.answers) - 1]

    def score(self):
        """Accuracy so far, yours next to the critic's on the same faces."""
        k = len(self.answers)
        truth = self.truth[:k]
        you = int(np.sum(np.array(self.answers, dtype=object) == truth)) if k else 0
        critic = int(np.sum(self.critic_says[:k] == truth))
        return {
            "judged": k,
            "you_correct": you,
            "critic_correct": critic,
            "you_accuracy": you / k if k else None,
            "critic_accuracy": critic / k if k else None,
        }

    def summary(self):
        """One line for a learner."""
        s = self.score()
        if not s["judged"]:
            return _say("none judged", count=len(self))
        return _say(
            "summary",
            judged=s["judged"],
            count=len(self),
            you=s["you_correct"],
            you_share=s["you_accuracy"],
            critic=s["critic_correct"],
            critic_share=s["critic_accuracy"],
        )

    def reveal(self):
        """The answers face by face, yours and the critic's next to them: only once every face
        has been judged (before that, a line that says so)."""
        if not self.done:
            return _say("judge all first", count=len(self), judged=len(self.answers))

        def row(name, cells):
            return _pad(name, 8) + "".join(_pad(cell, 9, right=True) for cell in cells)

        lines = [
            self.summary(),
            row(_say("face"), range(1, len(self) + 1)),
            row(_say("truth"), map(_shown, self.truth)),
            row(_say("you"), map(_shown, self.answers)),
            row(_say("critic"), map(_shown, self.critic_says)),
        ]
        if self.degraded:
            real = int(np.sum(self.truth == self.REAL))
            said_real = int(np.sum((self.truth == self.REAL) & (self.critic_says == self.REAL)))
            lines.append(
                _say(
                    "grainy real faces",
                    said_real=said_real,
                    real=real,
                    clean=self.critic_on_clean_real,
                )
            )
        return "\n".join(lines)


# --- the widgets (thin) -----------------------------------------------------------------------
def latent_walk(generator, directions=None, seed=0, scale=4, reach=REACH):
    """Slider ``t`` walks from one noise vector to another (slerp); the other sliders push the
    point along ``directions`` (default: the artist's three ``principal_directions``), from
    ``-reach`` to ``+reach``. The face redraws as you drag."""
    import ipywidgets as w

    if directions is None:
        directions = principal_directions(generator, 3)
    z0, z1 = walk_points(generator, seed)
    image = w.Image(format="png", width=IMAGE_SIZE * scale, height=IMAGE_SIZE * scale)
    t = w.FloatSlider(0.0, min=0.0, max=1.0, step=0.05, description="A → B", continuous_update=True)
    pushes = [
        w.FloatSlider(
            0.0, min=-reach, max=reach, step=0.25, description=_say("direction", number=i + 1)
        )
        for i in range(len(directions))
    ]

    def redraw(*_):
        z = latent_point(z0, z1, t.value, directions, [p.value for p in pushes])
        image.value = png_bytes(draw(generator, z, scale))

    for slider in [t, *pushes]:
        slider.observe(redraw, names="value")
    redraw()
    return w.HBox([image, w.VBox([t, *pushes])])


def epoch_scrubber(run_dir, scale=1):
    """A slider over a run's per-epoch frames (``run_dir/frames``): drag to watch it learn."""
    import ipywidgets as w

    paths = frame_paths(Path(run_dir) / "frames")
    if not paths:
        raise FileNotFoundError(_say("no frames", folder=Path(run_dir) / "frames"))
    first = cv2.imread(str(paths[0]), cv2.IMREAD_GRAYSCALE)
    image = w.Image(format="png", width=first.shape[1] * scale, height=first.shape[0] * scale)
    slider = w.IntSlider(len(paths), min=1, max=len(paths), description=_say("frame"))
    caption = w.Label()

    def show(*_):
        path = paths[slider.value - 1]
        image.value = path.read_bytes()
        caption.value = _say(
            "frame caption", label=frame_label(path), number=slider.value, count=len(paths)
        )

    slider.observe(show, names="value")
    show()
    return w.VBox([w.HBox([slider, caption]), image])


def critic_game(game, scale=3):
    """Buttons "Real" and "Painted" over ``CriticGame`` ``game``; the score updates after each answer."""
    import ipywidgets as w

    image = w.Image(format="png", width=IMAGE_SIZE * scale, height=IMAGE_SIZE * scale)
    real, fake = w.Button(description=_say("Real")), w.Button(description=_say("Painted"))
    feedback, tally = w.Label(), w.Label(game.summary())

    def show():
        face = game.next_image()
        if face is None:
            real.disabled = fake.disabled = True
            feedback.value += _say("Game over")
            return
        image.value = png_bytes(
            cv2.resize(face, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
        )

    def on(label):
        def click(_):
            i = len(game.answers)
            right = game.answer(label)
            critic = game.critic_says[i]
            feedback.value = _say(
                "Right" if right else "Wrong",
                truth=_shown(game.truth[i]),
                critic=_shown(critic),
                logit=game.critic_logits[i],
            )
            tally.value = game.summary()
            show()

        return click

    real.on_click(on(CriticGame.REAL))
    fake.on_click(on(CriticGame.FAKE))
    show()
    return w.VBox([image, w.HBox([real, fake]), feedback, tally])
