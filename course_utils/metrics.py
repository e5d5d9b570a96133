"""How good are the painted faces? Offline image-quality numbers, with no download.

FID and KID, the usual GAN scores, compare *features* of generated and real images taken from an
ImageNet network that would have to be downloaded, and that has never seen a 56×56 grey anime face.
This module uses instead a small CNN that the course trained itself (``scripts/
train_feature_extractor.py``) to read the procedural faces' attributes back (hair shade and style,
eye size and style, tilt, ...). Its penultimate layer (``FEATURE_DIM`` numbers per image) is the
feature space; its heads predict each face's attributes. From them:

* ``afd`` — anime-face detection rate: the share of images in which an *independent* judge, the
  detector that cut the Anime-Face-Dataset's crops (``course_utils.detector``), finds a face.
  Higher is better; real faces score about 0.94 (procedural) to 0.998 (getchu crops). Unlike the
  numbers below, it was never trained on the course's faces, so it cannot be flattered by them.
* ``fd`` — Fréchet distance between Gaussian fits of generated and held-out real features (FID's
  formula in this feature space). Lower is better; see ``floor()`` for what "real" scores.
* ``kid`` — unbiased kernel inception distance (cubic polynomial kernel, averaged over subsets).
  Near 0 (it may dip below) when both sets come from one distribution.
* ``attribute_distance`` — mean over attributes of the 1-D Wasserstein distance between predicted
  attributes of generated and real faces (continuous attributes scaled to 0..1; for categorical
  ones the total-variation distance between the predicted category shares).
* ``mode_coverage`` — fraction of the 12 categorical values (4 hair styles, 3 eye styles, 3 mouth
  styles, blush or not) that the generator paints at least ``MIN_SHARE`` of their real share.
* ``nn_ratio`` — median nearest-neighbour distance generated → training faces, over the same for
  held-out real faces → training faces. About 1 for honest novelty; far below 1 means copying.

Keras and TensorFlow are imported inside the functions that build or run the extractor, so the
command line's ``quality --help`` and the plain-number helpers (``frechet_distance`` …) stay light.

Every number uses fixed sample counts and seeds, so two runs evaluated the same way are comparable.
docs/metrics.md explains the calibration (real-vs-real floor, blur/noise/occlusion) and the limits.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import numpy as np

from course_utils.data import load_faces, to_model_input, to_pixels
from course_utils.detector import detection_rate, shuffle_blocks
from course_utils.faces import CATEGORIES, CONTINUOUS_RANGES, category_shares, render_faces
from course_utils.run_folder import RunFolder

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
    """The extractor's architecture: 4 strided 3×3 convolutions, a ``FEATURE_DIM`` dense layer
    (the features) and one head per task (all continuous attributes scaled to 0..1 together, one
    softmax per categorical attribute)."""
    import keras
    from keras import layers

    inputs = keras.Input((56, 56, 1))
    x = inputs
    for width in (16, 32, 64, 64):  # 56 → 28 → 14 → 7 → 4
        x = layers.Conv2D(width, 3, strides=2, padding="same", activation="relu")(x)
    x = layers.Flatten()(x)
    feats = layers.Dense(FEATURE_DIM, activation="leaky_relu", name="features")(x)
    outputs = {"continuous": layers.Dense(len(CONTINUOUS), name="continuous")(feats)}
    for name, count in CATEGORIES.items():
        outputs[name] = layers.Dense(count, activation="softmax", name=name)(feats)
    return keras.Model(inputs, outputs, name="feature_extractor")


def to_input(images):
    """uint8 ``(N, 56, 56)`` → float32 ``(N, 56, 56, 1)`` in [-1, 1] (as the GAN sees them)."""
    return to_model_input(images)


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
    """The trained extractor (loaded once, then cached). Outputs a dict: ``continuous`` and one
    probability vector per categorical attribute."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if not WEIGHTS_PATH.exists():
        raise FileNotFoundError(
            f"{WEIGHTS_PATH} is missing: run scripts/train_feature_extractor.py"
        )
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
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"expected uint8 images (N, 56, 56), got {images.dtype} {images.shape}")
    model = model or load_feature_extractor()
    run = _embedder(model)
    feats, heads = [], []
    for start in range(0, len(images), batch_size):
        x = to_input(images[start : start + batch_size])
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
    """The extractor's penultimate-layer features of uint8 faces ``(N, 56, 56)``: ``(N, 96)`` float64."""
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
        raise ValueError("KID needs at least 2 samples in each set")
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
    """Real faces split in three disjoint parts, each embedded once, when first needed: ``train``
    (the copying check searches these), ``heldout`` (what generated faces are compared with) and
    ``floor`` (a second real set, for the real-vs-real floor). The training metric needs only the
    held-out part, so it never pays for the others."""

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
    """The ``Reference`` for ``"procedural"`` (training faces: seed 0; held-out: seed 1; floor:
    seed 2, ``n`` each) or a folder of images (its first, second and last thirds, at most ``n`` each
    for held-out and floor: see docs/metrics.md for what that can and cannot tell)."""
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
        raise FileNotFoundError(
            f"reference must be 'procedural' or a folder of images, got '{reference}'"
        )
    images = load_faces(str(folder.resolve()), limit=3 * n)
    if len(images) < 30:
        raise ValueError(
            f"'{reference}' holds {len(images)} readable images; the metric needs at least 30"
        )
    third = len(images) // 3
    return Reference(
        str(folder.resolve()),
        images[:third],
        images[third : 2 * third],
        images[2 * third : 3 * third],
    )


def _compare(images, feats, attrs, compare_features, compare_attrs, train_features):
    n_nn = min(N_NN, len(feats), len(compare_features))
    per_attribute = attribute_distances(attrs, compare_attrs)
    return {
        "afd": detection_rate(images),
        "fd": frechet_distance(feats, compare_features),
        "kid": kernel_inception_distance(feats, compare_features),
        "attribute_distance": float(np.mean(list(per_attribute.values()))),
        "per_attribute": per_attribute,
        "mode_coverage": mode_coverage(attrs, compare_attrs),
        "nn_ratio": nn_ratio(feats[:n_nn], compare_features[:n_nn], train_features),
        "n": len(feats),
    }


def evaluate_images(images_uint8, reference="procedural", n=2000):
    """All metrics of uint8 faces ``(N, 56, 56)`` against ``reference`` (``"procedural"`` or a
    folder) with ``n`` held-out real faces. Pass ``n`` images for numbers comparable with
    ``floor(reference, n)``. Returns a dict of floats (and ``n``, the number of images scored)."""
    ref = get_reference(str(reference), n)
    images = np.asarray(images_uint8)
    feats, attrs = _embed(images)
    return _compare(
        images, feats, attrs, ref.heldout_features, ref.heldout_attrs, ref.train_features
    )


def generate_images(generator, n, seed=0, batch_size=50):
    """``n`` uint8 faces painted by ``generator`` from fixed noise (``seed``).

    Small batches: painting 250 faces at a time held about 100 MB more at its peak than 50 at a
    time (the classroom artist), for about 0.1 s less per 500 faces: memory is what a lesson on
    Binder runs short of."""
    import tensorflow as tf

    noise = tf.random.stateless_normal([n, generator.input_shape[-1]], seed=[seed, 11])
    out = [
        to_pixels(generator(noise[i : i + batch_size], training=False).numpy())
        for i in range(0, n, batch_size)
    ]
    return np.concatenate(out).reshape(n, 56, 56)


def evaluate_generator(generator, reference="procedural", n=2000, seed=0):
    """All metrics of ``n`` faces painted from fixed noise (``seed``) against ``n`` real ones."""
    return evaluate_images(generate_images(generator, n, seed), reference=reference, n=n)


@functools.lru_cache(maxsize=8)
def _floor(reference, n):
    ref = get_reference(reference, n)
    return _compare(
        ref.floor_images,
        ref.floor_features,
        ref.floor_attrs,
        ref.heldout_features,
        ref.heldout_attrs,
        ref.train_features,
    )


def floor(reference="procedural", n=2000):
    """The metrics of *real* faces: the floor set scored exactly as generated faces are (against the
    held-out set; copying check floor→train over held-out→train). The best a generator can hope for."""
    return dict(_floor(str(reference), n))


def distort(images_uint8, kind, level, seed=0):
    """A damaged copy of uint8 faces for calibration: ``blur`` (Gaussian, sigma=level px),
    ``noise`` (Gaussian, std=level grey levels) or ``cut`` (a grey level×level square at a random
    place on the face)."""
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
    raise ValueError(f"unknown distortion '{kind}'; choose blur, noise or cut")


def calibration(reference="procedural", n=2000, metrics=("afd", "fd", "kid", "attribute_distance")):
    """``{kind: [(level, {metric: value}), ...]}``: the floor set, distorted at each level of
    ``DISTORTIONS``, scored against the held-out set. FD, KID and the attribute distance should rise
    with the level; the detector's rate (``afd``) shows which damage still leaves a face."""
    ref = get_reference(str(reference), n)
    table = {}
    for kind, levels in DISTORTIONS.items():
        rows = []
        for level in levels:
            scores = evaluate_images(distort(ref.floor_images, kind, level), reference, n)
            rows.append((level, {k: scores[k] for k in metrics}))
        table[kind] = rows
    return table


# ---------------------------------------------------------------------------------------------------
# During training, and from the command line
# ---------------------------------------------------------------------------------------------------


def make_training_metric(data="procedural", preset=None, n=TRAINING_METRIC_N, seed=0):
    """A ``metric(generator) -> {"afd", "fd", "kid"}`` for ``GANTrainer.fit``: ``n`` faces from
    fixed noise against ``n`` held-out real faces of ``data``, whose features are computed once, here."""
    ref = get_reference(str(data), n)
    load_feature_extractor()

    def metric(generator):
        images = generate_images(generator, n, seed)
        feats = features(images)
        return {
            "afd": detection_rate(images),
            "fd": frechet_distance(feats, ref.heldout_features),
            "kid": kernel_inception_distance(feats, ref.heldout_features),
        }

    metric.reference = ref
    return metric


METRIC_NOTES = {
    "afd": "anime-face detector finds a face, share (higher is better)",
    "fd": "Fréchet distance of features (lower is better)",
    "kid": "kernel distance of features (lower is better, ~0 for real)",
    "attribute_distance": "mean attribute mismatch, 0..1 (lower is better)",
    "mode_coverage": "share of the 12 styles painted (higher is better)",
    "nn_ratio": "novelty vs training faces (~1 honest, << 1 copying)",
}


def format_table(columns, notes=True):
    """A text table of metrics, one row per metric and one column per entry of ``columns``
    (``{"label": result_dict}``), e.g. a run, another run and ``floor()``; ``notes`` adds what each
    number means."""
    labels = list(columns)
    widths = [max(10, len(label)) for label in labels]
    header = f"{'metric':20s} " + " ".join(f"{label:>{w}s}" for label, w in zip(labels, widths))
    lines = [header + ("   meaning" if notes else "")]
    for key, note in METRIC_NOTES.items():
        cells = " ".join(f"{columns[label][key]:{w}.4f}" for label, w in zip(labels, widths))
        lines.append(f"{key:20s} {cells}" + (f"   {note}" if notes else ""))
    return "\n".join(lines)


def format_attribute_table(result, reference_floor):
    """Per attribute, how far the painted faces' distribution is from real faces' (0 = the same),
    worst first, next to what real faces score: which attributes the artist gets wrong."""
    rows = sorted(result["per_attribute"].items(), key=lambda item: -item[1])
    lines = [f"{'attribute':20s} {'this run':>10s} {'real floor':>10s}   distance"]
    for name, value in rows:
        kind = "style shares, total variation" if name in CATEGORIES else "W1, on a 0..1 scale"
        lines.append(
            f"{name:20s} {value:10.4f} {reference_floor['per_attribute'][name]:10.4f}   {kind}"
        )
    return "\n".join(lines)


def format_calibration(reference="procedural", n=2000):
    """The floor and the damage table as text: what real faces score, and how each score moves as
    they are blurred, noised or cut (``calibration()``), with the anime-face detector's rate on
    noise and on faces cut into shuffled blocks (it must find nothing there)."""
    low = floor(reference, n)
    ref = get_reference(str(reference), n)
    noise = np.random.default_rng(0).integers(0, 256, ref.floor_images.shape, dtype=np.uint8)
    lines = [
        f"{n} real faces vs {n} held-out real ones ({reference})",
        f"{'':22s} {'afd':>6s} {'fd':>9s} {'kid':>9s} {'attr.dist':>9s}",
        f"{'floor (real vs real)':22s} {low['afd']:6.3f} {low['fd']:9.3f} {low['kid']:9.4f} "
        f"{low['attribute_distance']:9.3f}",
    ]
    for kind, rows in calibration(reference, n).items():
        for level, scores in rows:
            lines.append(
                f"{kind + ' ' + format(level, 'g'):22s} {scores['afd']:6.3f} "
                f"{scores['fd']:9.3f} {scores['kid']:9.4f} {scores['attribute_distance']:9.3f}"
            )
    lines.append(f"{'uniform noise':22s} {detection_rate(noise):6.3f}")
    lines.append(
        f"{'4x4 blocks shuffled':22s} {detection_rate(shuffle_blocks(ref.floor_images)):6.3f}"
    )
    return "\n".join(lines)


def _quality(args):
    if args.calibrate:
        print(format_calibration(args.reference or "procedural", args.n))
        return 0
    if not args.run_dir:
        raise ValueError("quality needs --run-dir DIR (or --calibrate)")
    run = RunFolder(args.run_dir)
    run_dir = run.path
    reference = args.reference
    if reference is None:
        reference = (run.read_config() or {}).get("data", "procedural")
    generator = run.load("generator")
    result = evaluate_generator(generator, reference=reference, n=args.n, seed=args.seed)
    print(f"{run_dir}: {args.n} painted faces vs {args.n} real ones ({reference})")
    low = floor(reference, args.n)
    print(format_table({"this run": result, "real floor": low}))
    print()
    print(format_attribute_table(result, low))
    return 0
