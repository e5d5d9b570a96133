"""Pictures: 3×3 grids of faces, per-epoch frames, the training GIF, and plots of training.

The plots tell the truth readably: each loss on its own axis from 0, scores from 0 (FD on a log
scale), legends outside the data, value labels placed where they cover no line and no other label
(``_label_points``), and pixel histograms binned on whole grey levels (``pixel_bins``).

Grids and frames are plain uint8 arrays written with OpenCV, each write atomic
(``atomic_write.atomic_write_bytes``) so a killed run never leaves half a PNG behind. matplotlib is
imported only inside the plotting functions: training writes frames and GIFs without paying for it
(or needing a display backend).
"""

from pathlib import Path

import cv2
import imageio.v3 as iio
import numpy as np

from course_utils.atomic_write import atomic_write_bytes
from course_utils.data import to_pixels
from course_utils.faces import CATEGORIES, CATEGORY_LABELS, category_shares
from course_utils.fonts import use_cjk_font
from course_utils.language import Messages
from course_utils.notices import notice
from course_utils.run_folder import FRAME_PATTERN, frame_is_whole, read_history

_say = Messages(
    __name__,
    {
        # The normal band (plot_normal_band).
        "band title": (
            "your run (line) and the normal band of {seeds} {preset} runs",
            "你的训练（折线）与 {seeds} 次 {preset} 训练的正常范围",
        ),
        "no band title": (
            "your run: no normal band for runs of this size (the band is the classroom preset's)",
            "你的训练：没有这种规模训练的正常范围（正常范围来自 classroom 预设）",
        ),
        "band": ("normal band", "正常范围"),
        "your run": ("your run", "你的训练"),
        "fd panel": ("FD: distance to real faces", "FD：与真实人脸的距离"),
        "afd panel": ("AFD: faces found", "AFD：检出人脸的比例"),
        # Errors and notices.
        "cannot encode": (
            "{path}: could not encode image of shape {shape}",
            "{path}：无法把形状为 {shape} 的图像编码成 PNG",
        ),
        "damaged frame": (
            "{folder}: {names} is damaged (not a whole PNG): {gif} is made without it; `train` on "
            "the run repaints frames whose checkpoints are kept",
            "{folder}：{names} 已损坏（不是完整的 PNG），制作 {gif} 时跳过它；对这个运行再执行一次 "
            "`train`，会重画检查点还在的那些帧",
        ),
        "damaged frames": (
            "{folder}: {names} are damaged (not a whole PNG): {gif} is made without them; `train` "
            "on the run repaints frames whose checkpoints are kept",
            "{folder}：{names} 已损坏（不是完整的 PNG），制作 {gif} 时跳过它们；对这个运行再执行一次 "
            "`train`，会重画检查点还在的那些帧",
        ),
        "no frames": (
            "no frames (epoch_*.png) in '{folder}': train first",
            "'{folder}' 里没有帧（epoch_*.png）：请先训练",
        ),
        "bad levels per bin": (
            "levels_per_bin must divide 256 (1, 2, 4, ..., 256), got {levels}",
            "levels_per_bin 必须能整除 256（1、2、4、…、256），得到的是 {levels}",
        ),
        # Plots of training.
        "epoch": ("epoch", "轮"),
        "loss": ("loss", "损失"),
        "artist's loss": ("artist's loss (generator)", "艺术家的损失（生成器）"),
        "critic's loss": ("critic's loss (discriminator)", "评论家的损失（判别器）"),
        "D(x) real faces": ("D(x): real faces", "D(x)：真实人脸"),
        "D(G(z)) paintings": ("D(G(z)): paintings", "D(G(z))：画作"),
        "cannot tell": ("0.5: cannot tell", "0.5：分不出真假"),
        "average verdict": ("critic's average verdict", "评论家的平均评判"),
        "P(real)": ("P(real)", "P(真实)"),
        "the artist's paintings": ("the artist's paintings", "艺术家的画作"),
        "real faces": ("real faces", "真实人脸"),
        "real faces score": ("real faces: {floor:.2g}", "真实人脸：{floor:.2g}"),
        "higher is better": ("higher is better", "越高越好"),
        "lower is better": ("lower is better", "越低越好"),
        "score title": ("{metric}: {better}", "{metric}：{better}"),
        "score during training": (
            "{metric} during training ({better})",
            "训练中的 {metric}（{better}）",
        ),
        "how easily the critic wins": ("how easily the critic wins", "评论家赢得有多轻松"),
        # Style shares: the panels, the styles (faces.CATEGORY_LABELS), the legend.
        "hair_style": ("hair style", "发型"),
        "eye_style": ("eye style", "眼型"),
        "mouth_style": ("mouth style", "嘴型"),
        "blush": ("blush", "腮红"),
        "none": ("none", "无"),
        "bob": ("bob", "波波头"),
        "long": ("long", "长发"),
        "twin tails": ("twin tails", "双马尾"),
        "spiky": ("spiky", "刺猬头"),
        "round": ("round", "圆眼"),
        "sharp": ("sharp", "尖眼"),
        "sleepy": ("sleepy", "睡眼"),
        "smile": ("smile", "微笑"),
        "open": ("open", "张嘴"),
        "cat": ("cat", "猫嘴"),
        "share of faces": ("share of faces", "人脸占比"),
        "in another style": (
            "{label}: {off:.0%} of faces in another style",
            "{label}：{off:.0%} 的人脸风格不同",
        ),
    },
)

#: The style names of ``faces.CATEGORY_LABELS`` that ``_say`` translates (the others stay as they are).
_STYLE_NAMES = (
    "none",
    "blush",
    "bob",
    "long",
    "twin tails",
    "spiky",
    "round",
    "sharp",
    "sleepy",
    "smile",
    "open",
    "cat",
)


def _style_name(name):
    return _say(name) if name in _STYLE_NAMES else name


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
    # In English whatever the language: OpenCV's Hershey font draws ASCII only, and a run's frames
    # (and its GIF) are files the run keeps, shared by learners of both languages.
    return label_image(grid, f"epoch {epoch}", height=10 * scale)


def write_png(path, image):
    """Atomically write a uint8 grayscale image as PNG."""
    ok, encoded = cv2.imencode(".png", image)
    if not ok:
        raise ValueError(_say("cannot encode", path=path, shape=image.shape))
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


def make_gif(frames_dir, out_path, max_frames=100, grey_levels=32, say_skipped=True, **timing):
    """Assemble per-epoch frames into a looping GIF with imageio.

    At most ``max_frames`` frames are kept (evenly spaced), so 500 epochs stay a few MB; the timing
    is ``frame_durations`` (keyword arguments go to it). Frames are rounded to ``grey_levels``
    shades (32 look the same as 256 to the eye) because GIF's LZW compression feeds on repetition:
    early, noisy epochs shrink by about half. Damaged frames (emptied, cut short) are left out,
    said in one line unless ``say_skipped=False``. Returns the number of frames written.
    """
    paths = frame_paths(frames_dir)
    damaged = [p for p in paths if not frame_is_whole(p)]
    if damaged:
        paths = [p for p in paths if p not in damaged]
        if say_skipped:
            names = ", ".join(p.name for p in damaged[:3]) + (" …" if len(damaged) > 3 else "")
            key = "damaged frame" if len(damaged) == 1 else "damaged frames"
            notice(_say(key, folder=Path(frames_dir), names=names, gif=Path(out_path).name))
    if not paths:
        raise FileNotFoundError(_say("no frames", folder=frames_dir))
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

    use_cjk_font()
    grid = grid_image(images, ncols=ncols)
    if ax is None:
        _, ax = plt.subplots(figsize=(scale * grid.shape[1] / 60, scale * grid.shape[0] / 60))
    ax.imshow(grid, cmap="gray", vmin=0, vmax=255)
    ax.axis("off")
    if title:
        ax.set_title(title)
    return ax


def pixel_bins(levels_per_bin=8, scaled=False):
    """Histogram bin edges for pixels: each bin holds exactly ``levels_per_bin`` whole grey levels.

    Pixels are whole numbers 0..255; 64 equal bins over their range would hold 3 or 4 levels each and
    draw a sawtooth that is not in the data. The edges sit halfway between levels (-0.5, 7.5, ...,
    255.5 for 8 levels a bin). ``scaled=True`` gives the same edges after the lessons' scaling
    ``(x - 127.5) / 127.5``, so uint8 faces and model input in [-1, 1] give the same counts.
    """
    if levels_per_bin < 1 or 256 % levels_per_bin:
        raise ValueError(_say("bad levels per bin", levels=levels_per_bin))
    edges = np.arange(0, 257, levels_per_bin) - 0.5
    return (edges - 127.5) / 127.5 if scaled else edges


# Where a value label may go around its point, in points (dx, dy) with its alignment, nearest
# first: above, below, to either side, the diagonals, then the same further out.
_LABEL_SPOTS = [
    (dx * k, dy * k, ha, va)
    for k in (1, 2, 3, 4)
    for dx, dy, ha, va in [
        (0, 6, "center", "bottom"),
        (0, -6, "center", "top"),
        (7, 0, "left", "center"),
        (-7, 0, "right", "center"),
        (6, 6, "left", "bottom"),
        (-6, 6, "right", "bottom"),
        (6, -6, "left", "top"),
        (-6, -6, "right", "top"),
    ]
]


def _obstacles(ax):
    """What a value label must not cover, in display coordinates: every line of ``ax`` (as a path)
    and a box around every marker."""
    from matplotlib.path import Path as MplPath
    from matplotlib.transforms import Bbox

    paths, boxes = [], []
    for line in ax.get_lines():
        xy = line.get_transform().transform(np.asarray(line.get_xydata(), float))
        xy = xy[np.isfinite(xy).all(axis=1)]
        if len(xy) >= 2 and line.get_linestyle() not in ("None", "none", ""):
            paths.append(MplPath(xy))
        if line.get_marker() not in (None, "None", "none", ""):
            radius = line.get_markersize() / 2 * ax.figure.dpi / 72 + 1
            boxes += [
                Bbox.from_extents(x - radius, y - radius, x + radius, y + radius) for x, y in xy
            ]
    return paths, boxes


def _label_points(ax, runs, pad=1.5):
    """Write each score next to its point (a log axis is hard to read off): ``runs`` is a list of
    ``(points, color)``. Each label takes the first spot of ``_LABEL_SPOTS`` where it stays inside
    the axes and covers no line, no marker and no other label. Call it once the axes' limits and the
    figure's layout are final (the spots are measured with the figure's renderer). A point with no
    free spot goes unlabelled rather than drawn over something. Returns the labels."""
    fig = ax.figure
    canvas = fig.canvas
    renderer = canvas.get_renderer() if hasattr(canvas, "get_renderer") else fig._get_renderer()
    paths, taken = _obstacles(ax)
    inside = ax.get_window_extent(renderer)
    labels = []
    for points, color in runs:
        for x, y in points:
            for dx, dy, ha, va in _LABEL_SPOTS:
                label = ax.annotate(
                    f"{y:.3g}",
                    (x, y),
                    textcoords="offset points",
                    xytext=(dx, dy),
                    ha=ha,
                    va=va,
                    fontsize="small",
                    color=color,
                )
                box = label.get_window_extent(renderer).padded(pad)
                fits = (
                    inside.x0 <= box.x0
                    and box.x1 <= inside.x1
                    and inside.y0 <= box.y0
                    and box.y1 <= inside.y1
                )
                if (
                    fits
                    and not any(box.overlaps(other) for other in taken)
                    and not any(path.intersects_bbox(box, filled=False) for path in paths)
                ):
                    taken.append(box)
                    labels.append(label)
                    break
                label.remove()
    return labels


def _log_axis(ax):
    """A log scale labelled with plain numbers (0.1, 1, 10), not powers of ten."""
    from matplotlib.ticker import FuncFormatter

    ax.set_yscale("log")
    low, high = ax.get_ylim()
    ax.set_ylim(low / 1.5, high * 2.5)  # room for the labels around the points
    ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))


def _plot_score(ax, histories, metric, floor=None, colors=None):
    """One image-quality score per run over the epochs that recorded it, with what real faces score
    (``floor``) dashed. The y-axis starts at 0 (FD, which falls by orders of magnitude, on a log
    scale instead). Returns the runs' points and colours for ``_label_points``, which writes the
    values once the figure's layout is final."""
    from matplotlib.ticker import MaxNLocator

    values, runs = [], []
    for index, (label, history) in enumerate(histories.items()):
        points = [(r["epoch"], r[metric]) for r in history if r.get(metric) is not None]
        if points:
            color = colors[index] if colors else f"C{index}"
            (line,) = ax.plot(*zip(*points), marker="o", color=color, label=label)
            runs.append((points, line.get_color()))
            values += [v for _, v in points]
    if floor is not None:
        ax.axhline(
            floor,
            color="grey",
            lw=1,
            ls="--",
            label=_say("real faces score", floor=floor),
            gid="floor",
        )
        values.append(floor)
    ax.set_ylabel(metric.upper())
    if metric == "fd" and values and min(values) > 0:
        _log_axis(ax)
    elif metric == "afd":
        ax.set_ylim(0, 1.12)  # a rate: 0 to 1, with room for labels above the top points
    elif values:
        low, high = min(0.0, min(values)), max(values)  # from 0, lower only for a negative score
        ax.set_ylim(low - 0.05 * (high - low) if low < 0 else 0, high + 0.2 * (high - low or 1))
    ax.set_xlabel(_say("epoch"))
    ax.margins(x=0.1)  # room for a label beside the first and the last point
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return runs


def _better(metric):
    """Which way a score improves: the detector's rate up, the distances down."""
    return _say("higher is better") if metric == "afd" else _say("lower is better")


def _legend_below(ax, **kwargs):
    """A legend under the axes (below the x-axis label), where it covers no data."""
    return ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.2), frameon=False, fontsize="small", **kwargs
    )


def _freeze_layout(fig):
    """Lay the figure out once (constrained layout), then keep it: value labels are placed in
    display coordinates, which must not move afterwards."""
    fig.draw_without_rendering()
    fig.set_layout_engine("none")


def plot_history(history, metric=None, floor=None):
    """One run's training in panels, from ``history.csv`` rows (a list of dicts or a path): the
    artist's loss and the critic's loss, each on its own axis from 0 (they live on different
    scales: on one axis the smaller becomes a flat strip), and the critic's average verdicts D(x)
    and D(G(z)) on 0..1 with the 0.5 of "cannot tell" dashed. With ``metric`` (``"afd"``, ``"fd"``
    or ``"kid"``), a fourth panel shows that image-quality score on the epochs that recorded it,
    values written at the points; ``floor`` (what real faces score) is dashed, the best any artist
    can reach. FD falls by orders of magnitude, hence a log scale. Legends sit under their panels.
    Axes in ``fig.axes``: artist loss, critic loss, verdicts[, score]."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    use_cjk_font()
    if isinstance(history, (str, Path)):
        history = read_history(history)
    epochs = [row["epoch"] for row in history]
    panels = 4 if metric else 3
    # Four panels share the width of three and a half, so a slide's labels stay readable.
    width = 4.1 * panels if panels < 4 else 14.4
    fig, axes = plt.subplots(1, panels, figsize=(width, 3.6), layout="constrained")
    axes = list(axes)
    for ax, key, who, color in (
        (axes[0], "gen_loss", _say("artist's loss"), "C0"),
        (axes[1], "disc_loss", _say("critic's loss"), "C1"),
    ):
        values = [r[key] for r in history]
        ax.plot(epochs, values, marker=".", color=color)
        ax.set_title(who)
        ax.set_ylabel(_say("loss"))
        ax.set_ylim(0, max(values) * 1.15 if values and max(values) > 0 else 1)
    verdicts = axes[2]
    real, fake = [r["d_real"] for r in history], [r["d_fake"] for r in history]
    verdicts.plot(epochs, real, color="C2", label=_say("D(x) real faces"))
    verdicts.plot(epochs, fake, color="C3", label=_say("D(G(z)) paintings"))
    verdicts.axhline(0.5, color="grey", lw=0.8, ls="--", label=_say("cannot tell"))
    verdicts.set_ylim(0, 1)
    verdicts.set_title(_say("average verdict"))
    verdicts.set_ylabel(_say("P(real)"))
    _legend_below(verdicts)
    for ax in axes[:3]:
        ax.margins(x=0.1)  # as the score's panel, so the epochs line up
        ax.set_xlabel(_say("epoch"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
    runs = []
    if metric:
        ax = axes[3]
        runs = _plot_score(
            ax, {_say("the artist's paintings"): history}, metric, floor, colors=["C4"]
        )
        ax.set_title(_say("score title", metric=metric.upper(), better=_better(metric)))
        ax.set_xlim(axes[0].get_xlim())
        _legend_below(ax)
    _freeze_layout(fig)
    if metric:
        _label_points(axes[3], runs)
    return fig


def plot_normal_band(history, band=None):
    """Lesson 7, «The normal band»: a run's curves over the band where healthy runs of its size lie.

    ``band`` is ``doctor.normal_band(run_dir)``: per curve and epoch, ``(low, high)`` from several
    seeds of the classroom preset (None for a run of another size: then the run is drawn alone).
    Four panels: the two losses and AFD from 0, FD on a log scale. Axes in ``fig.axes``."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    use_cjk_font()
    if isinstance(history, (str, Path)):
        history = read_history(history)
    panels = (
        ("gen_loss", _say("artist's loss")),
        ("disc_loss", _say("critic's loss")),
        ("afd", _say("afd panel")),
        ("fd", _say("fd panel")),
    )
    fig, axes = plt.subplots(1, 4, figsize=(14.4, 3.6), layout="constrained")
    for ax, (name, title) in zip(axes, panels):
        bounds = (band or {}).get("curves", {}).get(name) or []
        spans = [(i + 1, b) for i, b in enumerate(bounds) if b is not None]
        if spans:
            ax.fill_between(
                [e for e, _ in spans],
                [max(low, 0 if name != "fd" else high / 100) for _, (low, high) in spans],
                [high for _, (_, high) in spans],
                facecolor=(0.5, 0.5, 0.5, 0.3),  # grey, see-through
                edgecolor="none",
                label=_say("band"),
            )
        points = [(r["epoch"], r[name]) for r in history if r.get(name) is not None]
        if points:
            ax.plot(*zip(*points), marker=".", color="C0", label=_say("your run"))
        ax.set_title(title)
        ax.set_xlabel(_say("epoch"))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        top = max([v for _, v in points] + [high for _, (_, high) in spans] + [1e-9])
        if name == "fd":  # FD falls by orders of magnitude: a log scale, as in plot_history
            ax.set_yscale("log")
        else:  # from 0; AFD on its whole range
            ax.set_ylim(0, 1 if name == "afd" else top * 1.15)
    _legend_below(axes[0], ncols=2)
    if band:
        fig.suptitle(_say("band title", seeds=band["seeds"], preset=band["preset"]))
    else:
        fig.suptitle(_say("no band title"))
    return fig


STYLES = ("hair_style", "eye_style", "mouth_style", "blush")
"""The categorical attributes whose shares ``plot_category_shares`` draws, one panel each."""


def style_mismatch(attrs, reference):
    """How far the style shares of ``attrs`` are from those of ``reference`` (both as returned by
    ``metrics.predict_attributes``): for each of ``STYLES``, the share of faces that would have to
    change style for the shares to match (half the summed absolute differences: 0 same shares, 1
    no style in common), and ``"mean"``, their average over the four."""
    off = {}
    for name in STYLES:
        count = CATEGORIES[name]
        ours = category_shares(attrs[name], count)
        theirs = category_shares(reference[name], count)
        off[name] = float(np.abs(ours - theirs).sum() / 2)
    off["mean"] = float(np.mean([off[name] for name in STYLES]))
    return off


def plot_category_shares(groups, reference=None):
    """Bar charts of how often each style (hair, eyes, mouth, blush) occurs, one bar per group:
    ``groups`` maps a label ("real faces", "article recipe", ...) to attributes as returned by
    ``metrics.predict_attributes``. A collapsed artist shows as bars missing where real faces have
    them. When ``groups`` holds ``reference``, each other group's legend entry says how far its
    shares are from the reference's, over all four panels (``style_mismatch``): one panel alone
    can favour the recipe that the others do not. ``reference`` defaults to "real faces" in the
    language chosen (or in English, whichever ``groups`` holds)."""
    import matplotlib.pyplot as plt

    use_cjk_font()
    if reference is None:
        said = _say("real faces")
        reference = said if said in groups or "real faces" not in groups else "real faces"

    fig, axes = plt.subplots(
        1,
        len(STYLES),
        figsize=(15, 3.2),
        gridspec_kw={"width_ratios": [CATEGORIES[n] for n in STYLES]},
    )
    width = 0.8 / len(groups)
    for ax, name in zip(axes, STYLES):
        count = CATEGORIES[name]
        for i, (label, attrs) in enumerate(groups.items()):
            if reference in groups and label != reference:
                off = style_mismatch(attrs, groups[reference])["mean"]
                label = _say("in another style", label=label, off=off)
            ax.bar(
                np.arange(count) + (i - (len(groups) - 1) / 2) * width,
                category_shares(attrs[name], count),
                width,
                label=label,
            )
        ax.set_xticks(np.arange(count), [_style_name(n) for n in CATEGORY_LABELS[name]])
        ax.set_title(_say(name))
        ax.set_ylim(0, 1)
    axes[0].set_ylabel(_say("share of faces"))
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
    D(x) − D(G(z)) on 0..1, and each run's image-quality score over the epochs that recorded it,
    values written at the points, with what real faces score (``floor``) dashed. ``histories`` maps a
    label to ``history.csv`` rows. One legend, above both panels, names the runs."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    use_cjk_font()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), layout="constrained")
    gaps = []
    for index, (label, history) in enumerate(histories.items()):
        gap = [r["d_real"] - r["d_fake"] for r in history]
        axes[0].plot([r["epoch"] for r in history], gap, color=f"C{index}", label=label)
        gaps += gap
    axes[0].set_ylim(min(0.0, min(gaps, default=0.0) - 0.05), 1)
    axes[0].margins(x=0.1)  # as the score's panel, so the epochs line up
    axes[0].set_title(_say("how easily the critic wins"))
    axes[0].set_ylabel("D(x) − D(G(z))")
    axes[0].set_xlabel(_say("epoch"))
    axes[0].xaxis.set_major_locator(MaxNLocator(integer=True))
    runs = _plot_score(axes[1], histories, metric, floor)
    axes[1].set_title(_say("score during training", metric=metric.upper(), better=_better(metric)))
    handles, labels = axes[0].get_legend_handles_labels()  # every run, scored or not
    for line in axes[1].get_lines():
        if line.get_gid() == "floor":
            handles.append(line)
            labels.append(line.get_label())
    fig.legend(handles, labels, loc="outside upper center", ncol=len(labels), frameon=False)
    _freeze_layout(fig)
    _label_points(axes[1], runs)
    return fig
