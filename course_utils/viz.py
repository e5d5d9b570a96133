"""Pictures: 3×3 grids of faces, per-epoch frames, the training GIF, and loss plots.

Grids and frames are plain uint8 arrays written with OpenCV, each write atomic
(``run_folder.atomic_write_bytes``) so a killed run never leaves half a PNG behind. matplotlib is
imported only inside the plotting functions: training writes frames and GIFs without paying for it
(or needing a display backend).
"""

import re
from pathlib import Path

import cv2
import imageio.v3 as iio
import numpy as np

from course_utils.data import to_pixels
from course_utils.faces import CATEGORIES, CATEGORY_LABELS, category_shares
from course_utils.run_folder import atomic_write_bytes, read_history

FRAME_PATTERN = re.compile(r"epoch_(\d+)\.png$")


def grid_image(images, ncols=3, pad=2, background=64):
    """Tile images into one uint8 picture with a ``pad``-pixel gutter.

    ``images`` may be uint8 ``(N, H, W)`` or model output in [-1, 1] ``(N, H, W[, 1])``.
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = to_pixels(images)
    if images.ndim == 4:
        images = images[..., 0]
    n, h, w = images.shape
    nrows = -(-n // ncols)
    out = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad), background, np.uint8)
    for i, image in enumerate(images):
        r, c = divmod(i, ncols)
        out[
            pad + r * (h + pad) : pad + r * (h + pad) + h,
            pad + c * (w + pad) : pad + c * (w + pad) + w,
        ] = image
    return out


def label_image(image, text, height=14):
    """Add a caption strip (e.g. "epoch 12") under a grayscale picture."""
    strip = np.full((height, image.shape[1]), 32, np.uint8)
    scale = height / 30
    cv2.putText(strip, text, (3, height - 4), cv2.FONT_HERSHEY_SIMPLEX, scale, 235, 1, cv2.LINE_AA)
    return np.vstack([image, strip])


def frame_image(images, epoch, scale=2):
    """The per-epoch frame: a 3×3 grid, upscaled ``scale``× (nearest, to keep pixels honest),
    captioned with the epoch number so the GIF says where it is."""
    grid = grid_image(images)
    grid = cv2.resize(grid, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    return label_image(grid, f"epoch {epoch}", height=10 * scale)


def write_png(path, image):
    """Atomically write a uint8 grayscale image as PNG."""
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise ValueError(f"{path}: could not encode image of shape {image.shape}")
    return atomic_write_bytes(path, encoded.tobytes())


def frame_paths(frames_dir):
    """The run's per-epoch frames, sorted by epoch."""
    found = [
        (int(m.group(1)), p)
        for p in Path(frames_dir).glob("epoch_*.png")
        if (m := FRAME_PATTERN.search(p.name))
    ]
    return [p for _, p in sorted(found)]


def pick_frames(count, max_frames):
    """Indices of at most ``max_frames`` frames out of ``count``, evenly spread, always keeping the
    first and the last (the start and the end of training are the two frames a learner wants)."""
    if count <= max_frames:
        return list(range(count))
    return sorted(set(np.linspace(0, count - 1, max_frames).round().astype(int).tolist()))


def frame_durations(count, play_ms=4000, min_ms=40, max_ms=500, hold_last_ms=2500):
    """Milliseconds per frame: training plays in about ``play_ms`` whatever the number of epochs
    (8 frames at 500 ms or 100 at 40 ms), then the last frame is held ``hold_last_ms`` so the final
    faces can be looked at before the loop starts again."""
    if count == 1:
        return [hold_last_ms]
    each = int(min(max_ms, max(min_ms, round(play_ms / (count - 1), -1))))
    return [each] * (count - 1) + [hold_last_ms]


def make_gif(frames_dir, out_path, max_frames=100, grey_levels=32, **timing):
    """Assemble per-epoch frames into a looping GIF with imageio.

    At most ``max_frames`` frames are kept (evenly spaced), so 500 epochs stay a few MB; the timing
    is ``frame_durations`` (keyword arguments go to it). Frames are rounded to ``grey_levels``
    shades (32 look the same as 256 to the eye) because GIF's LZW compression feeds on repetition:
    early, noisy epochs shrink by about half. Returns the number of frames written.
    """
    paths = frame_paths(frames_dir)
    if not paths:
        raise FileNotFoundError(f"no frames (epoch_*.png) in '{frames_dir}': train first")
    chosen = [paths[i] for i in pick_frames(len(paths), max_frames)]
    step = 256 // grey_levels
    frames = [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) // step * step + step // 2 for p in chosen]
    durations = frame_durations(len(frames), **timing)
    # Pillow wants one number, not a list, when the GIF has a single frame.
    encoded = iio.imwrite(
        "<bytes>",
        np.stack(frames),
        extension=".gif",
        duration=durations if len(frames) > 1 else durations[0],
        loop=0,
    )
    atomic_write_bytes(out_path, encoded)
    return len(frames)


def plot_grid(images, title=None, ncols=3, ax=None, scale=1.0):
    """Show images as a grid in a notebook (matplotlib)."""
    import matplotlib.pyplot as plt

    grid = grid_image(images, ncols=ncols)
    if ax is None:
        _, ax = plt.subplots(figsize=(scale * grid.shape[1] / 60, scale * grid.shape[0] / 60))
    ax.imshow(grid, cmap="gray", vmin=0, vmax=255)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def _label_points(ax, points, color, below=False, bottom=None):
    """Write each score next to its point (above, or ``below`` for a second run): a log axis is
    hard to read off. A second run's point at or under ``bottom`` (near the axis's lower edge) is
    labelled above the first run's label instead, clear of the tick labels."""
    for x, y in points:
        offset = -13 if below and (bottom is None or y > bottom) else 18 if below else 6
        ax.annotate(
            f"{y:.3g}",
            (x, y),
            textcoords="offset points",
            xytext=(0, offset),
            ha="center",
            fontsize="small",
            color=color,
        )


def _log_axis(ax):
    """A log scale labelled with plain numbers (0.1, 1, 10), not powers of ten."""
    from matplotlib.ticker import FuncFormatter

    ax.set_yscale("log")
    low, high = ax.get_ylim()
    ax.set_ylim(low, high * 2.5)  # room for the labels above the points
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))


def _plot_score(ax, histories, metric, floor=None, colors=None):
    """One image-quality score per run over the epochs that recorded it, values written on the
    points, with what real faces score (``floor``) dashed; FD on a log scale when all is positive."""
    from matplotlib.ticker import MaxNLocator

    values, runs = [], []
    for index, (label, history) in enumerate(histories.items()):
        points = [(r["epoch"], r[metric]) for r in history if r.get(metric) is not None]
        if points:
            color = colors[index] if colors else None
            (line,) = ax.plot(*zip(*points), marker="o", color=color, label=label)
            runs.append((index, points, line.get_color()))
            values += [v for _, v in points]
    if floor is not None:
        ax.axhline(floor, color="grey", lw=1, ls="--", label=f"real faces: {floor:.2g}")
        values.append(floor)
    log = metric == "fd" and values and min(values) > 0
    if values:  # the lowest tenth of the drawn range: no room for a label under the point
        low, high = min(values), max(values)
        bottom = low * (high / low) ** 0.1 if log else low + 0.1 * (high - low)
        for index, points, color in runs:
            _label_points(ax, points, color, below=index % 2 == 1, bottom=bottom)
    if log:
        _log_axis(ax)
    ax.set_xlabel("epoch")
    ax.legend()
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def plot_history(history, metric=None, floor=None):
    """Loss curves next to the critic's average verdicts D(x) and D(G(z)), from ``history.csv`` rows
    (a list of dicts or a path). With ``metric`` (``"afd"``, ``"fd"`` or ``"kid"``), a third panel shows that
    image-quality score on the epochs that recorded it; ``floor`` (what real faces score) is drawn as
    a dashed line, the best any artist can reach. FD falls by orders of magnitude, hence a log scale."""
    import matplotlib.pyplot as plt

    if isinstance(history, (str, Path)):
        history = read_history(history)
    epochs = [row["epoch"] for row in history]
    panels = 3 if metric else 2
    fig, axes = plt.subplots(1, panels, figsize=(5 * panels, 3.4))
    axes[0].plot(epochs, [r["gen_loss"] for r in history], label="artist (generator) loss")
    axes[0].plot(epochs, [r["disc_loss"] for r in history], label="critic (discriminator) loss")
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("loss")
    axes[0].legend()
    axes[1].plot(epochs, [r["d_real"] for r in history], label="D(x): verdict on real faces")
    axes[1].plot(epochs, [r["d_fake"] for r in history], label="D(G(z)): verdict on paintings")
    axes[1].axhline(0.5, color="grey", lw=0.8, ls="--")
    axes[1].set_ylim(0, 1)
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("P(real)")
    axes[1].legend()
    from matplotlib.ticker import MaxNLocator

    for ax in axes:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    if metric:
        ax = axes[2]
        _plot_score(ax, {"the artist's paintings": history}, metric, floor, colors=["C2"])
        ax.set_ylabel(metric.upper())
        better = "higher" if metric == "afd" else "lower"
        ax.set_title(f"image quality: {metric.upper()} ({better} is better)")
        if metric == "afd":
            ax.set_ylim(0, 1.05)
        ax.set_xlim(axes[0].get_xlim())
    fig.tight_layout()
    return fig


def plot_category_shares(groups):
    """Bar charts of how often each style (hair, eyes, mouth, blush) occurs, one bar per group:
    ``groups`` maps a label ("real faces", "article recipe", ...) to attributes as returned by
    ``metrics.predict_attributes``. A collapsed artist shows as bars missing where real faces have
    them."""
    import matplotlib.pyplot as plt

    names = ["hair_style", "eye_style", "mouth_style", "blush"]
    fig, axes = plt.subplots(
        1,
        len(names),
        figsize=(15, 3.2),
        gridspec_kw={"width_ratios": [CATEGORIES[n] for n in names]},
    )
    width = 0.8 / len(groups)
    for ax, name in zip(axes, names):
        count = CATEGORIES[name]
        for i, (label, attrs) in enumerate(groups.items()):
            ax.bar(
                np.arange(count) + (i - (len(groups) - 1) / 2) * width,
                category_shares(attrs[name], count),
                width,
                label=label,
            )
        ax.set_xticks(np.arange(count), CATEGORY_LABELS[name])
        ax.set_title(name.replace("_", " "))
        ax.set_ylim(0, 1)
    axes[0].set_ylabel("share of faces")
    fig.legend(
        *axes[0].get_legend_handles_labels(),
        loc="upper center",
        ncol=len(groups),
        bbox_to_anchor=(0.5, 1.0),
        frameon=False,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


def plot_runs(histories, metric="fd", floor=None):
    """Two runs (or more) side by side: how easily each critic tells real from painted,
    D(x) − D(G(z)), and each run's image-quality score over the epochs that recorded it, with what
    real faces score (``floor``) dashed. ``histories`` maps a label to ``history.csv`` rows."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.4))
    for label, history in histories.items():
        axes[0].plot(
            [r["epoch"] for r in history], [r["d_real"] - r["d_fake"] for r in history], label=label
        )
    axes[0].set_title("D(x) − D(G(z)): how easily the critic tells")
    axes[0].set_xlabel("epoch")
    axes[0].legend()
    axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))
    _plot_score(axes[1], histories, metric, floor)
    better = "higher" if metric == "afd" else "lower"
    axes[1].set_title(f"{metric.upper()} during training ({better} is better)")
    if metric == "afd":
        axes[1].set_ylim(0, 1.05)
    fig.tight_layout()
    return fig
