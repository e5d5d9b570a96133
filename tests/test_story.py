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
