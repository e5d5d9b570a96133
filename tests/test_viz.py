"""Grids, frames and the GIF: sizes, frame choice and frame counts."""

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
    assert len(fig.axes) == 3
    score = fig.axes[2]
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
    assert len(viz.plot_history(rows).axes) == 2


def test_category_share_bars_show_a_collapsed_artist():
    import matplotlib

    matplotlib.use("Agg")
    from course_utils.faces import CATEGORIES, CATEGORY_LABELS

    real = {
        "hair_style": [0, 1, 2, 3],
        "eye_style": [0, 1, 2, 0],
        "mouth_style": [0, 1, 2, 2],
        "blush": [0, 1, 0, 1],
    }
    collapsed = {name: [0, 0, 0, 0] for name in real}
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
    assert [t.get_text() for t in score.get_legend().get_texts()] == ["a", "b", "real faces: 0.26"]


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
