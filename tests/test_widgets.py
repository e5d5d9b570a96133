"""The play lesson's logic: slerp, directions, the critic game's bookkeeping, and the widgets' wiring."""

import numpy as np
import pytest

from course_utils import widgets
from course_utils.viz import frame_image, write_png


class FakeGenerator:
    """Paints a flat face whose grey level is tanh(z[0]): easy to reason about by hand."""

    input_shape = (None, 160)

    def __call__(self, z, training=False):
        z = np.asarray(z, np.float32)
        return _Tensor(np.tanh(z[:, :1, None, None]) * np.ones((len(z), 56, 56, 1), np.float32))


class BrightnessCritic:
    """Logit = mean pixel in [-1, 1]: calls bright faces real, dark faces fake."""

    def __call__(self, x, training=False):
        return np.asarray(x).mean(axis=(1, 2, 3))[:, None]


class _Tensor:
    def __init__(self, value):
        self.value = value

    def numpy(self):
        return self.value


def test_slerp_ends_and_keeps_length_where_lerp_shrinks():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 160))
    np.testing.assert_allclose(widgets.slerp(a, b, 0.0), a, atol=1e-5)
    np.testing.assert_allclose(widgets.slerp(a, b, 1.0), b, atol=1e-5)
    mid = widgets.slerp(a, b, 0.5)
    lerp_mid = (a + b) / 2
    ends = (np.linalg.norm(a) + np.linalg.norm(b)) / 2
    assert abs(np.linalg.norm(mid) - ends) < 0.05 * ends
    assert np.linalg.norm(lerp_mid) < 0.8 * ends  # nearly orthogonal: ≈ 1/√2 of the length


def test_slerp_by_hand_on_orthogonal_unit_vectors():
    # a ⟂ b, both unit: slerp at t is (cos(tπ/2), sin(tπ/2)).
    out = widgets.slerp([1.0, 0.0], [0.0, 1.0], 1 / 3)
    np.testing.assert_allclose(out, [np.cos(np.pi / 6), np.sin(np.pi / 6)], atol=1e-6)
    np.testing.assert_allclose(widgets.slerp([2.0, 0.0], [4.0, 0.0], 0.5), [3.0, 0.0])


def test_random_directions_orthonormal_and_seeded():
    d = widgets.random_directions(3, 160, seed=5)
    assert d.shape == (3, 160)
    np.testing.assert_allclose(d @ d.T, np.eye(3), atol=1e-5)
    np.testing.assert_array_equal(d, widgets.random_directions(3, 160, seed=5))
    assert not np.allclose(d, widgets.random_directions(3, 160, seed=6))


def test_latent_point_adds_pushes_along_directions():
    z0, z1 = np.ones(4), np.ones(4)
    dirs = np.eye(4)[:2]
    np.testing.assert_allclose(
        widgets.latent_point(z0, z1, 0.3, dirs, [2.0, -1.0]), [3, 0, 1, 1], atol=1e-6
    )


def test_draw_upscales_and_png_roundtrips():
    face = widgets.draw(FakeGenerator(), np.r_[10.0, np.zeros(159)], scale=4)
    assert face.shape == (224, 224) and face.dtype == np.uint8
    assert face.min() == face.max() == 255  # tanh(10) ≈ 1 → white
    import cv2

    back = cv2.imdecode(np.frombuffer(widgets.png_bytes(face), np.uint8), cv2.IMREAD_GRAYSCALE)
    np.testing.assert_array_equal(back, face)


def make_game(n=10, seed=0):
    real = np.full((20, 56, 56), 255, np.uint8)  # bright real faces
    return widgets.CriticGame(real, FakeGenerator(), BrightnessCritic(), n=n, seed=seed)


def test_critic_game_is_balanced_shuffled_and_seeded():
    game = make_game()
    assert len(game) == 10
    assert sorted(game.truth.tolist()) == ["fake"] * 5 + ["real"] * 5
    assert game.truth.tolist() != ["real"] * 5 + ["fake"] * 5  # shuffled
    np.testing.assert_array_equal(game.truth, make_game().truth)
    np.testing.assert_array_equal(game.images, make_game().images)
    assert any(make_game(seed=s).truth.tolist() != game.truth.tolist() for s in range(1, 5))


def test_critic_game_scores_learner_next_to_the_critic():
    game = make_game()
    # The critic: logit = mean pixel; reals are +1 → real; fakes are tanh(z0) → real iff z0 > 0.
    expected_critic = np.where(game.images.reshape(10, -1).mean(1) > 127.5, "real", "fake")
    np.testing.assert_array_equal(game.critic_says, expected_critic)
    assert game.score() == {
        "judged": 0,
        "you_correct": 0,
        "critic_correct": 0,
        "you_accuracy": None,
        "critic_accuracy": None,
    }
    # Answer "real" for everything: right exactly on the real ones.
    rights = []
    while game.next_image() is not None:
        assert game.next_image().shape == (56, 56)
        rights.append(game.answer("real" if len(rights) % 2 == 0 else True))
    assert rights == (game.truth == "real").tolist()
    s = game.score()
    assert s["judged"] == 10 and s["you_correct"] == 5 and s["you_accuracy"] == 0.5
    assert s["critic_correct"] == int((game.critic_says == game.truth).sum())
    assert s["critic_correct"] >= 5  # it never misses the bright real faces
    assert "you: 5/10 (50%)" in game.summary()
    with pytest.raises(IndexError):
        game.answer("real")


def test_critic_game_rejects_bad_input():
    with pytest.raises(ValueError):
        make_game(n=7)
    game = make_game(n=2)
    with pytest.raises(ValueError, match="'real' or 'fake'"):
        game.answer("maybe")
    assert game.answer("painted") == (game.truth[0] == "fake")
    assert game.score()["judged"] == 1


def test_widgets_wire_up_with_a_real_tiny_model(tmp_path):
    pytest.importorskip("ipywidgets")
    from course_utils.presets import get_preset
    from course_utils.training import build_models

    generator, discriminator = build_models(get_preset("ci"))
    walk = widgets.latent_walk(generator, n_directions=2, scale=2)
    image, controls = walk.children
    before = image.value
    assert before[:8] == b"\x89PNG\r\n\x1a\n"
    controls.children[0].value = 1.0  # walk to B: the picture changes
    assert image.value != before

    faces = np.random.default_rng(0).integers(0, 256, (8, 9, 56, 56)).astype(np.uint8)
    for epoch, batch in enumerate(faces, 1):
        write_png(tmp_path / "frames" / f"epoch_{epoch:04d}.png", frame_image(batch, epoch))
    scrub = widgets.epoch_scrubber(tmp_path)
    (slider, caption), shown = scrub.children[0].children, scrub.children[1]
    assert slider.max == 8 and caption.value.startswith("epoch 8 ")
    slider.value = 3
    assert caption.value.startswith("epoch 3 ")
    assert shown.value == (tmp_path / "frames" / "epoch_0003.png").read_bytes()

    real = np.random.default_rng(1).integers(0, 256, (6, 56, 56)).astype(np.uint8)
    game = widgets.CriticGame(real, generator, discriminator, n=4, seed=0)
    ui = widgets.critic_game(game)
    real_button, fake_button = ui.children[1].children
    for _ in range(4):
        real_button.click()
    assert game.done and real_button.disabled and "Game over" in ui.children[2].value
    assert ui.children[3].value.startswith("4 of 4 judged — you: 2/4")
