"""How good are the painted faces? Image-quality scores that need no download.

Why not FID: its ImageNet network is a 90 MB download that has never seen a 56×56 grey anime face.
The course scores with two judges of its own instead: the detector that cut the real dataset's crops
(``course_utils.detector``) and a small feature extractor it trained itself. ``SCORES`` lists every
score once; the quality table, the calibration, the training metric and the command line read it.
docs/metrics.md explains each score, the calibration and the limits.
"""

from __future__ import annotations

import functools
import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from course_utils.data import load_faces, to_model_input, to_pixels
from course_utils.detector import detection_rate, shuffle_blocks
from course_utils.faces import (
    CATEGORIES,
    CONTINUOUS_RANGES,
    IMAGE_SIZE,
    category_shares,
    render_faces,
)
from course_utils.language import Messages

_say = Messages(
    __name__,
    {
        "weights missing": (
            "{path} is missing: run scripts/train_feature_extractor.py",
            "缺少 {path}：请先运行 scripts/train_feature_extractor.py",
        ),
        "not uint8 faces": (
            "expected uint8 images (N, {size}, {size}), got {dtype} {shape}",
            "要的是 uint8 图像 (N, {size}, {size})，收到的是 {dtype} {shape}",
        ),
        "kid too few": (
            "KID needs at least 2 samples in each set",
            "KID 要求每组至少有 2 个样本",
        ),
        "bad reference": (
            "reference must be 'procedural' or a folder of images, got '{reference}'",
            "reference 必须是 'procedural' 或一个图像文件夹，收到的是 '{reference}'",
        ),
        "too few reference images": (
            "'{reference}' holds {count} readable images; the metric needs at least 30",
            "'{reference}' 里只有 {count} 张能读取的图像；这个指标至少要 30 张",
        ),
        "bad better": (
            "score {name}: better must be lower, higher or about 1",
            "分数 {name}：better 只能是 lower、higher 或 about 1",
        ),
        "unknown score": (
            "unknown score '{name}'; choose one of {names}",
            "没有叫 '{name}' 的分数；可选的有：{names}",
        ),
        "unknown distortion": (
            "unknown distortion '{kind}'; choose blur, noise or cut",
            "没有 '{kind}' 这种损坏方式；可选 blur、noise 或 cut",
        ),
        # What the built-in scores mean (``Score.note``) and say at the end of training
        # (``Score.training_line``); a score's ``better`` fills the lines' {better}.
        "afd note": (
            "anime-face detector finds a face, share (higher is better)",
            "动漫人脸检测器找到人脸的比例（越高越好）",
        ),
        "afd training line": (
            "faces at epoch {epoch} ({n} paintings): the anime-face detector finds a "
            "face in {value:.0%} of them, in {real:.0%} of real faces ({ratio:.2f} of real; "
            "{better} is better)",
            "第 {epoch} 轮的 {n} 幅画：动漫人脸检测器在其中 {value:.0%} 里找到了人脸，"
            "真实人脸是 {real:.0%}（达到真实的 {ratio:.2f} 倍；{better}）",
        ),
        "fd note": (
            "Fréchet distance of features (lower is better)",
            "特征的 Fréchet 距离（越低越好）",
        ),
        "fd training line": (
            "FD {value:.2f} (real faces: {real:.2f}; {better} is better)",
            "FD {value:.2f}（真实人脸：{real:.2f}；{better}）",
        ),
        "kid note": (
            "kernel distance of features (lower is better, ~0 for real)",
            "特征的核距离（越低越好，真实人脸约为 0）",
        ),
        "attribute_distance note": (
            "mean attribute mismatch, 0..1 (lower is better)",
            "属性的平均差距，0..1（越低越好）",
        ),
        "mode_coverage note": (
            "share of the 12 styles painted (higher is better)",
            "12 种风格里画出了多少（比例，越高越好）",
        ),
        "nn_ratio note": (
            "novelty vs training faces (~1 honest, << 1 copying)",
            "相对训练人脸的新颖度（~1 是自己画的，<< 1 是在照抄）",
        ),
        "lower": ("lower", "越低越好"),
        "higher": ("higher", "越高越好"),
        "about 1": ("about 1", "越接近 1 越好"),
        # The tables printed by ``quality`` and the lessons.
        "metric": ("metric", "指标"),
        "meaning": ("meaning", "含义"),
        "attribute": ("attribute", "属性"),
        "this run": ("this run", "本次运行"),
        "real floor": ("real floor", "真实下限"),
        "distance": ("distance", "距离"),
        "style shares": ("style shares, total variation", "风格比例，总变差距离"),
        "scaled w1": ("W1, on a 0..1 scale", "W1，缩放到 0..1"),
        "calibration head": (
            "{n} real faces vs {n} held-out real ones ({reference})",
            "{n} 张真实人脸 对比 {n} 张留出的真实人脸（{reference}）",
        ),
        "floor row": ("floor (real vs real)", "下限（真实对真实）"),
        "blur": ("blur", "模糊"),
        "noise": ("noise", "噪声"),
        "cut": ("cut", "遮挡"),
        "uniform noise": ("uniform noise", "均匀噪声"),
        "shuffled blocks": ("4x4 blocks shuffled", "4x4 分块打乱"),
    },
)


def _width(text):
    """Columns ``text`` takes in a terminal: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _left(text, width):
    """``f"{text:{width}s}"``, counting a Chinese character as two columns."""
    return text + " " * (width - _width(text))


def _right(text, width):
    """``f"{text:>{width}s}"``, counting a Chinese character as two columns."""
    return " " * (width - _width(text)) + text


WEIGHTS_PATH = Path(__file__).resolve().parent / "assets" / "feature_extractor.weights.h5"
FEATURE_DIM = 96
FEATURE_SCALE = 2.40
"""Features are the dense layer's output divided by this, so their root mean square on procedural
faces is about 1 (it keeps KID's cubic kernel in a sensible range). Printed by the training script."""
CONTINUOUS = list(CONTINUOUS_RANGES)

TRAIN_SEED = 0  # the faces the GAN trains on (load_faces("procedural") uses seed 0)
HELDOUT_SEED = 1  # real faces that generated ones are compared with
FLOOR_SEED = 2  # a second, disjoint set of real faces: the real-vs-real floor
N_TRAIN_NN = 5000  # training faces searched by the nearest-neighbour copying check
N_NN = 1000  # generated (and held-out) faces used by the copying check
KID_SUBSETS = 20
KID_SUBSET_SIZE = 1000
MIN_SHARE = 0.2  # a category counts as covered at >= 20 % of its real share
TRAINING_METRIC_N = 500

DISTORTIONS = {
    "blur": (0.5, 1.0, 1.5, 2.0),  # Gaussian blur, sigma in pixels
    "noise": (8.0, 16.0, 32.0, 64.0),  # added Gaussian noise, std in grey levels (of 255)
    "cut": (8, 14, 20, 26),  # a grey square of this side pasted over the face
}
"""Calibration distortions and their levels, mildest first; every metric should rise with level."""


# ---------------------------------------------------------------------------------------------------
# The feature extractor
# ---------------------------------------------------------------------------------------------------


def build_feature_extractor():
    """4 strided 3×3 convolutions, a ``FEATURE_DIM`` dense layer (the features), and one head for
    the continuous attributes (scaled to 0..1) and one softmax per categorical attribute."""
    import keras
    from keras import layers

    inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1))
    x = inputs
    for width in (16, 32, 64, 64):  # 56 → 28 → 14 → 7 → 4
        x = layers.Conv2D(width, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    feats = layers.Dense(FEATURE_DIM, activation="leaky_relu", name="features")(x)
    outputs = {"continuous": layers.Dense(len(CONTINUOUS), name="continuous")(feats)}
    for name, count in CATEGORIES.items():
        outputs[name] = layers.Dense(count, activation="softmax", name=name)(feats)
    return keras.Model(inputs, outputs, name="feature_extractor")


to_input = to_model_input  # the extractor sees faces as the GAN does (scripts/ use this name)


def normalise_continuous(attrs):
    """The continuous attributes of ``render_faces`` as one ``(N, 11)`` array scaled to 0..1."""
    return np.stack(
        [
            (np.asarray(attrs[k], np.float32) - lo) / (hi - lo)
            for k, (lo, hi) in CONTINUOUS_RANGES.items()
        ],
        axis=1,
    )


@functools.lru_cache(maxsize=1)
def load_feature_extractor():
    """The trained extractor, loaded once: outputs ``continuous`` and one probability vector per
    categorical attribute."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if not WEIGHTS_PATH.exists():
        raise FileNotFoundError(_say("weights missing", path=WEIGHTS_PATH))
    model = build_feature_extractor()
    model.load_weights(WEIGHTS_PATH)
    return model


@functools.lru_cache(maxsize=2)
def _embedder(model):
    import keras
    import tensorflow as tf

    names = ["features", "continuous", *CATEGORIES]
    both = keras.Model(model.inputs, {name: model.get_layer(name).output for name in names})

    @tf.function
    def run(x):
        return both(x, training=False)

    return run


def _embed(images, model=None, batch_size=500):
    """Features ``(N, FEATURE_DIM)`` float64 and predicted attributes of uint8 images."""
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.shape[1:] != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(
            _say("not uint8 faces", size=IMAGE_SIZE, dtype=images.dtype, shape=images.shape)
        )
    model = model or load_feature_extractor()
    run = _embedder(model)
    feats, heads = [], []
    for start in range(0, len(images), batch_size):
        x = to_model_input(images[start : start + batch_size])
        # Pad to a full batch so the compiled function is traced once.
        pad = batch_size - len(x) if len(images) > batch_size else 0
        if pad:
            x = np.concatenate([x, np.zeros((pad,) + x.shape[1:], x.dtype)])
        outs = run(x)
        keep = len(x) - pad
        feats.append(outs["features"].numpy()[:keep] / FEATURE_SCALE)
        heads.append({k: v.numpy()[:keep] for k, v in outs.items() if k != "features"})
    feats = np.concatenate(feats).astype(np.float64) if feats else np.zeros((0, FEATURE_DIM))
    cont = (
        np.concatenate([h["continuous"] for h in heads])
        if heads
        else np.zeros((0, len(CONTINUOUS)))
    )
    attrs = {
        k: lo + (hi - lo) * cont[:, i] for i, (k, (lo, hi)) in enumerate(CONTINUOUS_RANGES.items())
    }
    for name in CATEGORIES:
        probs = (
            np.concatenate([h[name] for h in heads]) if heads else np.zeros((0, CATEGORIES[name]))
        )
        attrs[name] = probs.argmax(axis=1)
    return feats, attrs


def features(images_uint8):
    """The extractor's penultimate-layer features of uint8 faces: ``(N, FEATURE_DIM)`` float64."""
    return _embed(images_uint8)[0]


def predict_attributes(images_uint8, model=None):
    """Predicted ``ATTRIBUTES`` of uint8 faces: a dict like ``render_faces``' second value."""
    return _embed(images_uint8, model=model)[1]


def attribute_scores(predicted, true):
    """Per attribute: accuracy (categorical) or R² (continuous) of ``predicted`` against ``true``."""
    scores = {}
    for name in [*CONTINUOUS, *CATEGORIES]:
        p, t = np.asarray(predicted[name], np.float64), np.asarray(true[name], np.float64)
        if name in CATEGORIES:
            scores[name] = float(np.mean(p == t))
        else:
            scores[name] = float(1.0 - np.sum((p - t) ** 2) / np.sum((t - t.mean()) ** 2))
    return scores


# ---------------------------------------------------------------------------------------------------
# The distances (pure numpy, on feature arrays)
# ---------------------------------------------------------------------------------------------------


def frechet_distance(a, b):
    """Fréchet distance between Gaussians fitted to rows of ``a`` and ``b``:
    ``|μa − μb|² + tr(Σa + Σb − 2 (Σa^½ Σb Σa^½)^½)``. 1-D: ``(μa − μb)² + (σa − σb)²``."""
    a, b = np.atleast_2d(np.asarray(a, np.float64)), np.atleast_2d(np.asarray(b, np.float64))
    if a.shape[0] == 1 and a.ndim == 2 and b.shape[0] == 1:
        a, b = a.T, b.T
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a = np.atleast_2d(np.cov(a, rowvar=False))
    cov_b = np.atleast_2d(np.cov(b, rowvar=False))
    w, v = np.linalg.eigh(cov_a)
    root_a = (v * np.sqrt(np.clip(w, 0, None))) @ v.T
    middle = root_a @ cov_b @ root_a
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    value = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root
    return float(max(value, 0.0))


def _cubic(k):
    return k * k * k


def kernel_inception_distance(a, b, subsets=KID_SUBSETS, subset_size=KID_SUBSET_SIZE, seed=0):
    """Unbiased MMD² with the cubic kernel ``k(x, y) = (x·y / d + 1)³``, averaged over random subsets
    of ``subset_size`` rows from each set (fixed ``seed``). Expectation 0 for one distribution."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    d = a.shape[1]
    m = min(subset_size, len(a), len(b))
    if m < 2:
        raise ValueError(_say("kid too few"))
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(subsets):
        x = a[rng.choice(len(a), m, replace=False)]
        y = b[rng.choice(len(b), m, replace=False)]
        kxx, kyy, kxy = (_cubic(x @ x.T / d + 1), _cubic(y @ y.T / d + 1), _cubic(x @ y.T / d + 1))
        values.append(
            (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
            + (kyy.sum() - np.trace(kyy)) / (m * (m - 1))
            - 2 * kxy.mean()
        )
    return float(np.mean(values))


def wasserstein_1d(u, v):
    """1-D Wasserstein-1 distance between two samples (area between their quantile functions)."""
    u, v = np.sort(np.asarray(u, np.float64)), np.sort(np.asarray(v, np.float64))
    q = np.linspace(0, 1, max(len(u), len(v)) * 2 + 1)[1:-1:2]  # midpoints of equal-mass slices
    return float(
        np.mean(
            np.abs(
                np.quantile(u, q, method="inverted_cdf") - np.quantile(v, q, method="inverted_cdf")
            )
        )
    )


def attribute_distances(predicted, reference):
    """Per attribute: W1 of 0..1-scaled continuous predictions, or total variation between
    categorical shares (W1 under the 0/1 distance between categories)."""
    out = {}
    for name, (lo, hi) in CONTINUOUS_RANGES.items():
        out[name] = wasserstein_1d(
            (predicted[name] - lo) / (hi - lo), (reference[name] - lo) / (hi - lo)
        )
    for name, count in CATEGORIES.items():
        out[name] = float(
            0.5
            * np.abs(
                category_shares(predicted[name], count) - category_shares(reference[name], count)
            ).sum()
        )
    return out


def mode_coverage(predicted, reference, min_share=MIN_SHARE):
    """Fraction of categorical values (12 in all) whose share among ``predicted`` faces is at least
    ``min_share`` times their share among ``reference`` faces."""
    covered = total = 0
    for name, count in CATEGORIES.items():
        p, r = category_shares(predicted[name], count), category_shares(reference[name], count)
        for k in range(count):
            if r[k] > 0:
                total += 1
                covered += p[k] >= min_share * r[k]
    return float(covered / max(total, 1))


def _nn_distances(queries, pool, exclude_self=False):
    pool_sq = np.sum(pool**2, axis=1)
    out = []
    for start in range(0, len(queries), 500):
        q = queries[start : start + 500]
        d2 = np.sum(q**2, axis=1)[:, None] + pool_sq[None, :] - 2 * q @ pool.T
        if exclude_self:
            np.fill_diagonal(d2[:, start : start + len(q)], np.inf)
        out.append(np.sqrt(np.clip(d2.min(axis=1), 0, None)))
    return np.concatenate(out)


def nn_ratio(generated, heldout, train):
    """Median distance from each generated feature to its nearest training feature, divided by the
    same median for held-out real faces (use equally many of both). ≈ 1 honest, ≪ 1 copying."""
    n = min(len(generated), len(heldout))
    g = _nn_distances(np.asarray(generated, np.float64)[:n], train)
    h = _nn_distances(np.asarray(heldout, np.float64)[:n], train)
    return float(np.median(g) / max(np.median(h), 1e-12))


# ---------------------------------------------------------------------------------------------------
# References: real faces to compare with
# ---------------------------------------------------------------------------------------------------


class Reference:
    """Real faces in three disjoint parts, each embedded when first needed: ``train`` (searched by
    the copying check), ``heldout`` (what painted faces are compared with) and ``floor`` (a second
    real set, for the real-vs-real floor)."""

    def __init__(self, name, train, heldout, floor):
        self.name = name
        self.counts = {"train": len(train), "heldout": len(heldout), "floor": len(floor)}
        self.train_images, self.heldout_images, self.floor_images = train, heldout, floor

    @functools.cached_property
    def train_features(self):
        return features(self.train_images)

    @functools.cached_property
    def _heldout(self):
        return _embed(self.heldout_images)

    @functools.cached_property
    def _floor(self):
        return _embed(self.floor_images)

    heldout_features = property(lambda self: self._heldout[0])
    heldout_attrs = property(lambda self: self._heldout[1])
    floor_features = property(lambda self: self._floor[0])
    floor_attrs = property(lambda self: self._floor[1])


@functools.lru_cache(maxsize=4)
def get_reference(reference="procedural", n=2000):
    """The ``Reference`` for ``"procedural"`` (seeds 0, 1 and 2) or a folder of images (its thirds,
    at most ``n`` each for held-out and floor; docs/metrics.md says what that can tell)."""
    reference = str(reference)
    if reference == "procedural":
        return Reference(
            reference,
            render_faces(N_TRAIN_NN, seed=TRAIN_SEED)[0],
            render_faces(n, seed=HELDOUT_SEED)[0],
            render_faces(n, seed=FLOOR_SEED)[0],
        )
    folder = Path(reference)
    if not folder.is_dir():
        raise FileNotFoundError(_say("bad reference", reference=reference))
    images = load_faces(str(folder.resolve()), limit=3 * n)
    if len(images) < 30:
        raise ValueError(_say("too few reference images", reference=reference, count=len(images)))
    third = len(images) // 3
    return Reference(
        str(folder.resolve()),
        images[:third],
        images[third : 2 * third],
        images[2 * third : 3 * third],
    )


# ---------------------------------------------------------------------------------------------------
# The scores: one registry that the table, the calibration, training and the command line read
# ---------------------------------------------------------------------------------------------------


class Comparison:
    """uint8 faces to score against a ``Reference``'s held-out faces. Features and predicted
    attributes are computed when a score first asks (``embedded`` passes them in when known)."""

    def __init__(self, images, reference, embedded=None):
        self.images, self.reference = np.asarray(images), reference
        if embedded is not None:
            self._embedded = embedded

    @functools.cached_property
    def _embedded(self):
        return _embed(self.images)

    features = property(lambda self: self._embedded[0])
    attrs = property(lambda self: self._embedded[1])

    @functools.cached_property
    def per_attribute(self):
        """Each attribute's distance to the held-out faces' (``attribute_distances``)."""
        return attribute_distances(self.attrs, self.reference.heldout_attrs)


@dataclass(frozen=True)
class Score:
    """One image-quality score. Adding a score is adding one of these to ``SCORES``."""

    name: str  # its key in results and history.csv
    compute: Callable[[Comparison], float]
    note: str  # what the quality table says it means (text, or a key of ``_say``)
    better: str = "lower"  # "lower", "higher" or "about 1"
    during_training: bool = False  # recorded every metric_every epochs (TRAINING_METRIC_N faces)
    calibration_format: str | None = None  # its column in the damage table, e.g. "9.3f"
    short: str | None = None  # that column's heading (default: the name)
    # What ``train`` says of it at the end; str.format fields: value, real, ratio, epoch, n, better
    # (text, or a key of ``_say``).
    training_line: str | None = None

    def __post_init__(self):
        if self.better not in ("lower", "higher", "about 1"):
            raise ValueError(_say("bad better", name=self.name))

    def heading(self):
        """The damage table's column heading, as wide as the column."""
        width = int(self.calibration_format.split(".")[0])
        return f"{self.short or self.name:>{width}s}"

    def meaning(self):
        """``note`` in the language chosen now: what the quality table says the score means."""
        return _say(self.note) if self.note in _say else self.note

    def summary(self, value, real, epoch, n):
        """``training_line`` filled in: this score at ``epoch`` of ``n`` paintings, next to ``real``."""
        ratio = value / real if real else float("nan")
        fields = dict(value=value, real=real, ratio=ratio, epoch=epoch, n=n)
        if self.training_line in _say:
            return _say(self.training_line, better=_say(self.better), **fields)
        return self.training_line.format(better=self.better, **fields)


def _nn_ratio(c):
    n = min(N_NN, len(c.features), len(c.reference.heldout_features))
    return nn_ratio(c.features[:n], c.reference.heldout_features[:n], c.reference.train_features)


SCORES = (
    Score(
        "afd",
        lambda c: detection_rate(c.images),
        "afd note",
        better="higher",
        during_training=True,
        calibration_format="6.3f",
        training_line="afd training line",
    ),
    Score(
        "fd",
        lambda c: frechet_distance(c.features, c.reference.heldout_features),
        "fd note",
        during_training=True,
        calibration_format="9.3f",
        training_line="fd training line",
    ),
    Score(
        "kid",
        lambda c: kernel_inception_distance(c.features, c.reference.heldout_features),
        "kid note",
        during_training=True,
        calibration_format="9.4f",
    ),
    Score(
        "attribute_distance",
        lambda c: float(np.mean(list(c.per_attribute.values()))),
        "attribute_distance note",
        calibration_format="9.3f",
        short="attr.dist",
    ),
    Score(
        "mode_coverage",
        lambda c: mode_coverage(c.attrs, c.reference.heldout_attrs),
        "mode_coverage note",
        better="higher",
    ),
    Score(
        "nn_ratio",
        _nn_ratio,
        "nn_ratio note",
        better="about 1",
    ),
)
"""Every score, in the order tables show them. docs/DEVELOPING.md: how to add one."""


def score(name):
    """The ``Score`` called ``name``."""
    for entry in SCORES:
        if entry.name == name:
            return entry
    raise ValueError(_say("unknown score", name=name, names=", ".join(s.name for s in SCORES)))


def training_scores():
    """The scores recorded during training, e.g. ``("afd", "fd", "kid")``."""
    return tuple(s.name for s in SCORES if s.during_training)


def calibrated_scores():
    """The scores the damage table shows, e.g. ``("afd", "fd", "kid", "attribute_distance")``."""
    return tuple(s.name for s in SCORES if s.calibration_format)


def _scores(comparison, names=None):
    """``{name: value}`` of the scores called ``names`` (all by default), in registry order."""
    return {s.name: s.compute(comparison) for s in SCORES if names is None or s.name in set(names)}


def _evaluate(comparison):
    return {
        **_scores(comparison),
        "per_attribute": comparison.per_attribute,
        "n": len(comparison.images),
    }


def evaluate_images(images_uint8, reference="procedural", n=2000):
    """Every score of uint8 faces against ``reference`` (``"procedural"`` or a folder) with ``n``
    held-out real faces, plus ``per_attribute`` and ``n``. Score ``n`` faces to compare with ``floor``."""
    return _evaluate(Comparison(images_uint8, get_reference(str(reference), n)))


def generate_images(generator, n, seed=0, batch_size=50):
    """``n`` uint8 faces painted by ``generator`` from fixed noise (``seed``)."""
    import tensorflow as tf

    # 50 at a time: 250 held about 100 MB more at its peak, and memory is what Binder lacks.
    noise = tf.random.stateless_normal([n, generator.input_shape[-1]], seed=[seed, 11])
    out = [
        to_pixels(generator(noise[i : i + batch_size], training=False).numpy())
        for i in range(0, n, batch_size)
    ]
    return np.concatenate(out).reshape(n, IMAGE_SIZE, IMAGE_SIZE)


def evaluate_generator(generator, reference="procedural", n=2000, seed=0):
    """Every score of ``n`` faces painted from fixed noise (``seed``) against ``n`` real ones."""
    return evaluate_images(generate_images(generator, n, seed), reference=reference, n=n)


@functools.lru_cache(maxsize=8)
def _floor(reference, n):
    ref = get_reference(reference, n)
    embedded = (ref.floor_features, ref.floor_attrs)
    return _evaluate(Comparison(ref.floor_images, ref, embedded=embedded))


def floor(reference="procedural", n=2000):
    """The scores of *real* faces (the floor set, scored as painted ones are): the best a
    generator can hope for at this ``n``."""
    return dict(_floor(str(reference), n))


def distort(images_uint8, kind, level, seed=0):
    """A damaged copy of uint8 faces, for calibration: ``blur`` (sigma ``level`` px), ``noise``
    (std ``level`` grey levels) or ``cut`` (a grey ``level``-pixel square on the face)."""
    import cv2

    images = np.asarray(images_uint8)
    rng = np.random.default_rng(seed)
    if kind == "blur":
        return np.stack([cv2.GaussianBlur(im, (0, 0), float(level)) for im in images])
    if kind == "noise":
        noisy = images.astype(np.float32) + rng.normal(0, level, images.shape)
        return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)
    if kind == "cut":
        out = images.copy()
        level = int(level)
        size = images.shape[1]
        corners = rng.integers(
            size // 4 - level // 2, 3 * size // 4 - level // 2 + 1, (len(images), 2)
        )
        corners = np.clip(corners, 0, size - level)
        for im, (y, x) in zip(out, corners):
            im[y : y + level, x : x + level] = 128
        return out
    raise ValueError(_say("unknown distortion", kind=kind))


def calibration(reference="procedural", n=2000, metrics=None):
    """``{kind: [(level, {score: value}), ...]}``: the floor set damaged at each level of
    ``DISTORTIONS``, scored (``metrics``, default ``calibrated_scores()``) against the held-out set."""
    names = calibrated_scores() if metrics is None else tuple(score(m).name for m in metrics)
    ref = get_reference(str(reference), n)
    table = {}
    for kind, levels in DISTORTIONS.items():
        rows = []
        for level in levels:
            scores = _scores(Comparison(distort(ref.floor_images, kind, level), ref), names)
            rows.append((level, {name: scores[name] for name in names}))
        table[kind] = rows
    return table


# ---------------------------------------------------------------------------------------------------
# During training, and as text for the command line
# ---------------------------------------------------------------------------------------------------


def make_training_metric(data="procedural", preset=None, n=TRAINING_METRIC_N, seed=0):
    """A ``metric(generator) -> {"afd", "fd", "kid"}`` (``training_scores()``) for training: ``n``
    faces from fixed noise against ``n`` held-out real faces of ``data``."""
    ref = get_reference(str(data), n)
    load_feature_extractor()
    names = training_scores()

    def metric(generator):
        return _scores(Comparison(generate_images(generator, n, seed), ref), names)

    metric.reference = ref
    return metric


def high_frequency_energy(images_uint8):
    """The mean squared response of the 3×3 Laplacian over faces (pixels scaled to 0..1): how much
    of a picture is edges and fine grain."""
    import cv2

    images = np.asarray(images_uint8, np.float32) / 255.0
    return float(np.mean([np.mean(cv2.Laplacian(im, cv2.CV_32F, ksize=1) ** 2) for im in images]))


def sharpness(images_uint8, reference="procedural", n=2000):
    """Lesson 9: the faces' high-frequency energy ÷ real held-out faces'. 1 is as crisp as real
    faces; below 1 blurrier (real faces blurred by σ 0.5 px score about 0.65, by σ 1 px 0.21);
    above 1 grainier than real faces (``benchmarks/vae_vs_gan.py`` prints the calibration)."""
    real = get_reference(str(reference), n).heldout_images
    return high_frequency_energy(images_uint8) / high_frequency_energy(real)


def format_table(columns, notes=True):
    """A text table: one row per score, one column per entry of ``columns`` (``{"label": result}``,
    e.g. two runs and ``floor()``); ``notes`` adds what each score means."""
    labels = list(columns)
    widths = [max(10, _width(label)) for label in labels]
    header = _left(_say("metric"), 20) + " "
    header += " ".join(_right(label, w) for label, w in zip(labels, widths))
    lines = [header + ("   " + _say("meaning") if notes else "")]
    for s in SCORES:
        cells = " ".join(f"{columns[label][s.name]:{w}.4f}" for label, w in zip(labels, widths))
        lines.append(f"{s.name:20s} {cells}" + (f"   {s.meaning()}" if notes else ""))
    return "\n".join(lines)


def format_attribute_table(result, reference_floor):
    """Per attribute, the painted faces' distance from real faces' (0 = the same), worst first,
    next to the floor's: which attributes the artist gets wrong."""
    rows = sorted(result["per_attribute"].items(), key=lambda item: -item[1])
    lines = [
        f"{_left(_say('attribute'), 20)} {_right(_say('this run'), 10)} "
        f"{_right(_say('real floor'), 10)}   {_say('distance')}"
    ]
    for name, value in rows:
        kind = _say("style shares") if name in CATEGORIES else _say("scaled w1")
        lines.append(
            f"{name:20s} {value:10.4f} {reference_floor['per_attribute'][name]:10.4f}   {kind}"
        )
    return "\n".join(lines)


def format_calibration(reference="procedural", n=2000):
    """The floor and the damage table (``calibration()``) as text, then the detector's rate on
    noise and on faces cut into shuffled blocks (it must find nothing there)."""
    low = floor(reference, n)
    ref = get_reference(str(reference), n)
    shown = [s for s in SCORES if s.calibration_format]

    def row(label, scores):
        cells = " ".join(f"{scores[s.name]:{s.calibration_format}}" for s in shown)
        return f"{_left(label, 22)} {cells}"

    lines = [
        _say("calibration head", n=n, reference=reference),
        f"{'':22s} " + " ".join(s.heading() for s in shown),
        row(_say("floor row"), low),
    ]
    for kind, rows in calibration(reference, n, [s.name for s in shown]).items():
        said = _say(kind) if kind in _say else kind
        lines += [row(f"{said} {level:g}", scores) for level, scores in rows]
    noise = np.random.default_rng(0).integers(0, 256, ref.floor_images.shape, dtype=np.uint8)
    lines.append(f"{_left(_say('uniform noise'), 22)} {detection_rate(noise):6.3f}")
    shuffled = detection_rate(shuffle_blocks(ref.floor_images))
    lines.append(f"{_left(_say('shuffled blocks'), 22)} {shuffled:6.3f}")
    return "\n".join(lines)
