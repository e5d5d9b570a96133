"""The story lesson's helpers: the loop diagram and the 2-D toy GAN."""

import matplotlib
import numpy as np

matplotlib.use("Agg")

from course_utils import story


def test_distance_to_ring_by_hand():
    points = np.array([[2.0, 0.0], [0.0, 3.0], [0.0, 0.0]])
    assert story.distance_to_ring(points, radius=2.0) == (0 + 1 + 2) / 3


def test_toy_gan_pushes_the_artist_cloud_onto_the_ring():
    snapshots = story.train_toy_gan(steps=400, seed=0, snapshots=3)
    assert [s[0] for s in snapshots] == [0, 200, 400]
    first, last = story.distance_to_ring(snapshots[0][1]), story.distance_to_ring(snapshots[-1][1])
    assert first > 1.0 and last < 0.5 * first, (first, last)
    assert story.distance_to_ring(snapshots[0][2]) < 0.1  # the real points lie on the ring


def test_diagram_names_both_players_and_both_losses():
    texts = " ".join(t.get_text() for t in story.draw_gan_loop().axes[0].texts)
    for word in ("artist", "critic", "noise", "real faces", "artist's loss", "critic's loss"):
        assert word in texts


def test_gradient_path_runs_forward_to_the_loss_and_back_into_the_artist():
    from matplotlib.colors import to_hex
    from matplotlib.patches import FancyArrowPatch

    from course_utils import slides

    fig = story.draw_gradient_path()
    ax = fig.axes[0]
    row = sorted((t.get_position()[0], t.get_text()) for t in ax.texts if t.get_va() == "center")
    assert [text.split("\n")[0] for _, text in row] == [
        "noise z",
        "artist G",
        "painting",
        "critic D",
        "verdict",
        "artist's loss",
    ]
    assert "weights change" in row[1][1] and "weights stay put" in row[3][1]
    back = [
        p._posA_posB
        for p in ax.patches
        if isinstance(p, FancyArrowPatch) and to_hex(p.get_edgecolor()) == "#c92a2a"
    ]
    (start, tip), *_ = [ab for ab in back if ab[0][0] == ab[1][0]]  # the one arrow going up
    assert tip[0] == row[1][0] and tip[1] > start[1], "the gradient ends in the artist's weights"
    assert all(a[0] > b[0] for a, b in back if a[1] == b[1]), "backward arrows point back"
    report = slides.figure_text_report(fig)
    assert (
        report["text_overlap"] is None and report["font_px"] >= 11 * 100 / 72
    )  # 11 pt, like the diagram of lesson 0
