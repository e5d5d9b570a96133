"""Grids, frames and the GIF: sizes, frame choice and frame counts; plots that tell the truth
readably (axes from zero, losses on their own axes, legends and value labels that cover nothing)."""

import imageio.v3 as iio
import numpy as np
import pytest

from course_utils import viz


def test_grid_image_tiles_nine_faces_with_gutters():
    faces = np.stack([np.full((56, 56), 10 * i, np.uint8) for i in range(9)])
    grid = viz.grid_image(faces, pad=2, background=64)
    assert grid.shape == (3 * 56 + 4 * 2, 3 * 56 + 4 * 2)
    assert grid[0, 0] == 64  # gutter
    assert grid[2 + 58 + 5, 2 + 2 * 58 + 5] == 50  # row 1, column 2 is face 5
    # Model output in [-1, 1] with a channel axis is converted back to pixels.
    tanh = np.full((9, 56, 56, 1), 1.0, np.float32)
    assert viz.grid_image(tanh)[10, 10] == 255


def test_frame_is_upscaled_and_captioned():
    frame = viz.frame_image(np.zeros((9, 56, 56), np.uint8), epoch=7, scale=2)
    assert frame.shape == (2 * 176 + 20, 2 * 176)
    assert frame[-20:].max() > 200  # caption text drawn in the strip


@pytest.mark.parametrize("count,max_frames", [(5, 100), (500, 100), (101, 100), (2, 2)])
def test_pick_frames_keeps_first_and_last_and_respects_the_limit(count, max_frames):
    chosen = viz.pick_frames(count, max_frames)
    assert chosen[0] == 0 and chosen[-1] == count - 1
    assert len(chosen) == min(count, max_frames) and chosen == sorted(set(chosen))


def test_make_gif_has_one_frame_per_epoch_and_loops(tmp_path):
    for epoch in range(1, 8):
        viz.write_png(
            tmp_path / "frames" / f"epoch_{epoch:04d}.png",
            viz.frame_image(np.full((9, 56, 56), 30 * epoch, np.uint8), epoch),
        )
    count = viz.make_gif(tmp_path / "frames", tmp_path / "t.gif")
    frames = iio.imread(tmp_path / "t.gif", index=None)
    assert count == 7 and frames.shape[0] == 7
    assert iio.immeta(tmp_path / "t.gif").get("loop") == 0
    assert not list(tmp_path.rglob("*.tmp*"))  # atomic writes leave no debris
    assert viz.make_gif(tmp_path / "frames", tmp_path / "s.gif", max_frames=3) == 3


def test_frame_paths_sorts_by_epoch_number_not_text(tmp_path):
    for epoch in (10, 2, 1):
        viz.write_png(tmp_path / f"epoch_{epoch:04d}.png", np.zeros((4, 4), np.uint8))
    (tmp_path / "notes.png").write_bytes(b"")
    assert [p.name for p in viz.frame_paths(tmp_path)] == [
        "epoch_0001.png",
        "epoch_0002.png",
        "epoch_0010.png",
    ]


def test_a_single_frame_gif_works(tmp_path):
    viz.write_png(tmp_path / "f" / "epoch_0001.png", np.zeros((8, 8), np.uint8))
    assert viz.make_gif(tmp_path / "f", tmp_path / "one.gif") == 1
    assert iio.imread(tmp_path / "one.gif", index=None).shape[0] == 1


def test_make_gif_without_frames_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no frames"):
        viz.make_gif(tmp_path, tmp_path / "x.gif")


def test_gif_frames_are_rounded_to_32_grey_levels_within_half_a_step(tmp_path):
    ramp = np.tile(np.arange(256, dtype=np.uint8), (4, 1))
    viz.write_png(tmp_path / "f" / "epoch_0001.png", ramp)
    viz.write_png(tmp_path / "f" / "epoch_0002.png", ramp[::-1])
    viz.make_gif(tmp_path / "f", tmp_path / "g.gif")
    first = iio.imread(tmp_path / "g.gif", index=0)
    first = first[..., 0] if first.ndim == 3 else first
    assert len(np.unique(first)) == 32
    assert np.abs(first.astype(int) - ramp).max() <= 4


def test_plot_history_draws_the_score_only_where_recorded_next_to_the_floor():
    import matplotlib

    matplotlib.use("Agg")
    rows = [
        {
            "epoch": e,
            "gen_loss": 1.0,
            "disc_loss": 1.2,
            "d_real": 0.6,
            "d_fake": 0.4,
            "fd": (40.0 / e if e % 2 == 0 else None),
            "kid": None,
        }
        for e in range(1, 9)
    ]
    fig = viz.plot_history(rows, metric="fd", floor=0.16)
    assert len(fig.axes) == 4
    score = fig.axes[3]
    (line,) = [l for l in score.get_lines() if l.get_marker() == "o"]
    assert list(line.get_xdata()) == [2, 4, 6, 8] and list(line.get_ydata()) == [
        20.0,
        10.0,
        40 / 6,
        5.0,
    ]
    floors = [l for l in score.get_lines() if l.get_linestyle() == "--"]
    assert [l.get_ydata()[0] for l in floors] == [0.16]
    assert score.get_yscale() == "log"
    assert len(viz.plot_history(rows).axes) == 3


# Four real faces' styles, and an artist that paints every face in style 0 of each category.
REAL_STYLES = {
    "hair_style": [0, 1, 2, 3],
    "eye_style": [0, 1, 2, 0],
    "mouth_style": [0, 1, 2, 2],
    "blush": [0, 1, 0, 1],
}
COLLAPSED_STYLES = {name: [0, 0, 0, 0] for name in REAL_STYLES}


def test_category_share_bars_show_a_collapsed_artist():
    import matplotlib

    matplotlib.use("Agg")
    from course_utils.faces import CATEGORIES, CATEGORY_LABELS

    real, collapsed = REAL_STYLES, COLLAPSED_STYLES
    fig = viz.plot_category_shares({"real faces": real, "collapsed": collapsed})
    hair = fig.axes[0]
    assert hair.get_title() == "hair style"
    assert [t.get_text() for t in hair.get_xticklabels()] == list(CATEGORY_LABELS["hair_style"])
    heights = [bar.get_height() for bar in hair.patches]
    assert heights == [
        0.25,
        0.25,
        0.25,
        0.25,
        1.0,
        0.0,
        0.0,
        0.0,
    ]  # real bars, then the collapsed ones
    assert {name: len(labels) for name, labels in CATEGORY_LABELS.items()} == CATEGORIES


def test_plot_runs_compares_the_critics_gap_and_the_score_of_each_run():
    import matplotlib

    matplotlib.use("Agg")

    def rows(gap, fds):
        return [
            {"epoch": e, "d_real": 0.5 + gap, "d_fake": 0.5, "fd": fd}
            for e, fd in enumerate(fds, 1)
        ]

    fig = viz.plot_runs({"a": rows(0.3, [None, 20.0]), "b": rows(0.1, [None, 5.0])}, floor=0.26)
    gap, score = fig.axes
    assert np.allclose([l.get_ydata() for l in gap.get_lines()], [[0.3, 0.3], [0.1, 0.1]])
    assert [list(l.get_ydata()) for l in score.get_lines()] == [[20.0], [5.0], [0.26, 0.26]]
    # One legend above both panels names the runs (and the floor) once.
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == ["a", "b", "real faces: 0.26"]


@pytest.mark.parametrize("count,each", [(8, 500), (12, 360), (41, 100), (100, 40), (500, 40)])
def test_training_plays_for_a_few_seconds_whatever_the_epochs_then_holds_the_last_frame(
    count, each
):
    durations = viz.frame_durations(count)
    assert len(durations) == count and durations[-1] == 2500  # the final faces stay on screen
    assert set(durations[:-1]) == {each}
    # 8 epochs no longer flash by in under a second; 100 do not drag on for 12.
    assert 3.5 <= sum(durations[:-1]) / 1000 <= 4.0 or each in (40, 500)


def test_the_gif_carries_those_durations(tmp_path):
    for epoch in range(1, 9):
        viz.write_png(
            tmp_path / "f" / f"epoch_{epoch:04d}.png", np.full((8, 8), 20 * epoch, np.uint8)
        )
    viz.make_gif(tmp_path / "f", tmp_path / "g.gif")
    shown = [iio.immeta(tmp_path / "g.gif", index=i)["duration"] for i in range(8)]
    assert shown == [500] * 7 + [2500]
    assert sum(shown) / 1000 == 6.0  # a few seconds, not 1


# --- Plots a learner can read -----------------------------------------------------------------


def _two_runs():
    """Lesson 8's comparison as a learner saw it: two runs scored every other epoch whose last
    scores (0.882 and 0.746) once had their labels drawn over each other and over the line."""

    def rows(afd, gaps):
        return [
            {
                "epoch": e,
                "gen_loss": 3.0,
                "disc_loss": 0.5,
                "d_real": 0.5 + gaps[e - 1],
                "d_fake": 0.5,
                "afd": afd[e // 2 - 1] if e % 2 == 0 else None,
                "fd": [5.6, 2.1, 1.2, 0.8, 0.6][e // 2 - 1] * (1 + gaps[0]) if e % 2 == 0 else None,
            }
            for e in range(1, 11)
        ]

    return {
        "article recipe": rows([0.0, 0.024, 0.354, 0.52, 0.746], [0.45] * 5 + [0.41] * 5),
        "improved recipe": rows([0.208, 0.666, 0.758, 0.84, 0.882], [0.4] * 5 + [0.34] * 5),
    }


def _covered(ax, renderer):
    """Every value label's box, and what each one collides with: other labels, lines, the axes'
    edge (a label must stay inside its panel)."""
    from matplotlib.path import Path as MplPath

    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    frame = ax.get_window_extent(renderer)
    problems = []
    for i, box in enumerate(boxes):
        name = ax.texts[i].get_text()
        problems += [
            f"{name} on {ax.texts[j].get_text()}" for j in range(i) if box.overlaps(boxes[j])
        ]
        for line in ax.get_lines():
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), float))
            if MplPath(xy).intersects_bbox(box, filled=False):
                problems.append(f"{name} on the line {line.get_label()}")
        if not (
            frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        ):
            problems.append(f"{name} outside the panel")
    return boxes, problems


@pytest.mark.parametrize("font_size", [10, 14])  # a notebook's, and a slide deck's (SLIDE_RC)
@pytest.mark.parametrize("metric,floor", [("afd", 0.99), ("fd", 0.3)])
def test_value_labels_cover_no_line_and_no_other_label(metric, floor, font_size):
    import matplotlib

    matplotlib.use("Agg")
    with matplotlib.rc_context({"font.size": font_size}):
        fig = viz.plot_runs(_two_runs(), metric=metric, floor=floor)
    score = fig.axes[1]
    texts = sorted(t.get_text() for t in score.texts)
    # Every point keeps its value, 0.882 against 0.746 at epoch 10 included.
    assert len(texts) == 10
    if metric == "afd":
        assert texts == [
            "0",
            "0.024",
            "0.208",
            "0.354",
            "0.52",
            "0.666",
            "0.746",
            "0.758",
            "0.84",
            "0.882",
        ]
    for dpi in (fig.dpi, 200):  # the notebook may render at another resolution
        fig.set_dpi(dpi)
        renderer = fig.canvas.get_renderer()
        fig.draw(renderer)
        _, problems = _covered(score, renderer)
        assert problems == []


def test_labels_of_equal_scores_do_not_stack():
    import matplotlib

    matplotlib.use("Agg")
    runs = _two_runs()
    runs["same again"] = runs["improved recipe"]
    fig = viz.plot_runs(runs, metric="afd", floor=0.99)
    renderer = fig.canvas.get_renderer()
    boxes, problems = _covered(fig.axes[1], renderer)
    assert problems == [] and len(boxes) >= 10


def test_scores_and_the_critics_gap_start_at_zero_and_say_what_they_show():
    import matplotlib

    matplotlib.use("Agg")
    for metric in ("afd", "kid"):
        runs = _two_runs()
        for rows in runs.values():
            for r in rows:
                r["kid"] = None if r["afd"] is None else 0.5 - r["afd"] / 2
        gap, score = viz.plot_runs(runs, metric=metric).axes
        assert score.get_yscale() == "linear" and score.get_ylim()[0] == 0
        assert metric.upper() in score.get_ylabel()
        # 0.80-0.90 on an axis from 0.80 made a small gap look huge: the gap runs from 0 to 1.
        assert gap.get_ylim() == (0.0, 1.0) and gap.get_ylabel() == "D(x) − D(G(z))"
    assert viz.plot_runs(_two_runs(), metric="fd").axes[1].get_yscale() == "log"


def test_losses_have_their_own_axes_from_zero_and_legends_cover_no_data():
    import matplotlib

    matplotlib.use("Agg")
    rows = _two_runs()["improved recipe"]
    for r, g in zip(rows, [4.0, 3.6, 3.1, 2.9, 2.8, 2.7, 2.6, 2.6, 2.6, 2.55]):
        r["gen_loss"], r["disc_loss"] = g, 0.43 + 0.01 * r["epoch"]
    fig = viz.plot_history(rows, metric="afd", floor=0.99)
    artist, critic, verdicts, score = fig.axes
    # Each loss alone on its axis: the critic's 0.4-0.5 is no flat strip under the artist's 2-4.
    assert [list(l.get_ydata()) for l in artist.get_lines()] == [[r["gen_loss"] for r in rows]]
    assert [list(l.get_ydata()) for l in critic.get_lines()] == [[r["disc_loss"] for r in rows]]
    assert artist.get_ylim()[0] == 0 and critic.get_ylim()[0] == 0
    assert critic.get_ylim()[1] < 1  # its own scale, not the artist's
    assert verdicts.get_ylim() == (0.0, 1.0)
    assert 0.5 in [l.get_ydata()[0] for l in verdicts.get_lines() if l.get_linestyle() == "--"]
    renderer = fig.canvas.get_renderer()
    for ax in (verdicts, score):
        legend = ax.get_legend()
        assert legend is not None
        assert not legend.get_window_extent(renderer).overlaps(ax.get_window_extent(renderer))
    _, problems = _covered(score, renderer)
    assert problems == [] and len(score.texts) == 5


def test_pixel_histogram_bins_hold_whole_grey_levels():
    edges = viz.pixel_bins()
    assert len(edges) == 33 and edges[0] == -0.5 and edges[-1] == 255.5
    levels = np.arange(256)
    per_bin, _ = np.histogram(levels, bins=edges)
    assert set(per_bin.tolist()) == {8}  # no bin gets 3 levels and its neighbour 4: no sawtooth
    assert set(np.histogram(levels, bins=viz.pixel_bins(1))[0].tolist()) == {1}
    # The same faces, stored or scaled for the network, fill the same bars.
    pixels = np.random.default_rng(0).integers(11, 245, size=(50, 56, 56), dtype=np.uint8)
    scaled = (pixels.astype("float32") - 127.5) / 127.5
    stored, _ = np.histogram(pixels, bins=viz.pixel_bins())
    seen, _ = np.histogram(scaled, bins=viz.pixel_bins(scaled=True))
    assert np.array_equal(stored, seen) and stored.sum() == pixels.size
    with pytest.raises(ValueError, match="must divide 256"):
        viz.pixel_bins(3)


def test_style_mismatch_counts_the_faces_in_another_style_and_the_legend_says_it():
    import matplotlib

    matplotlib.use("Agg")
    real, collapsed = REAL_STYLES, COLLAPSED_STYLES
    off = viz.style_mismatch(collapsed, real)
    # Hair: real shares 1/4 each, the artist paints only style 0: 3 faces in 4 would have to change.
    assert off["hair_style"] == 0.75 and off["eye_style"] == 0.5 and off["blush"] == 0.5
    assert off["mouth_style"] == pytest.approx(0.75)
    assert off["mean"] == pytest.approx((0.75 + 0.5 + 0.75 + 0.5) / 4)
    assert viz.style_mismatch(real, real)["mean"] == 0
    fig = viz.plot_category_shares({"real faces": real, "collapsed": collapsed})
    (legend,) = fig.legends
    assert [t.get_text() for t in legend.get_texts()] == [
        "real faces",
        "collapsed: 62% of faces in another style",
    ]
