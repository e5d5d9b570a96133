"""The play lesson's logic: slerp, directions that visibly change a face, the critic game (grain
matched, answers kept back until every face is judged), the still pictures, and the widgets' wiring."""

import cv2
import numpy as np
import pytest

from course_utils import widgets
from course_utils.data import load_faces
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


class LinearToyGenerator:
    """A fixed linear toy artist: pixels = tanh(z @ M), where noise numbers 0, 1 and 2 drive three
    strong patterns and the other 157 numbers weak ones. Pushing along e0 must show; a random
    direction barely does (its share of e0 is about 1/√160)."""

    input_shape = (None, 160)

    def __init__(self):
        rng = np.random.default_rng(42)
        self.m = 0.01 * rng.standard_normal((160, 56 * 56))
        for k, weight in enumerate([0.4, 0.3, 0.2]):
            self.m[k] = weight * rng.choice([-1.0, 1.0], 56 * 56)

    def __call__(self, z, training=False):
        out = np.tanh(np.asarray(z, np.float64) @ self.m)
        return _Tensor(out.reshape(-1, 56, 56, 1).astype(np.float32))


class FaceOrFogGenerator:
    """Paints a real procedural face when z[0] > 0.5 (about 31 % of noise points), grey fog
    otherwise: the game must pick the faces, which the detector recognises."""

    input_shape = (None, 160)

    def __init__(self):
        self.faces = load_faces("procedural", limit=64, seed=3)

    def __call__(self, z, training=False):
        z = np.asarray(z)
        fog = np.full((len(z), 56, 56), 128, np.uint8)
        index = np.abs((z[:, 1] * 1000).astype(int)) % len(self.faces)
        out = np.where((z[:, 0] > 0.5)[:, None, None], self.faces[index], fog)
        return _Tensor((out.astype(np.float32)[..., None] - 127.5) / 127.5)


class NoisyFaceGenerator:
    """Paints procedural faces with white noise (σ = 20 grey levels) on them: grainy paintings."""

    input_shape = (None, 160)

    def __init__(self):
        self.faces = load_faces("procedural", limit=64, seed=4).astype(np.float32)

    def __call__(self, z, training=False):
        z = np.asarray(z)
        index = np.abs((z[:, 0] * 1000).astype(int)) % len(self.faces)
        rng = np.random.default_rng(int(abs(z[0, 1]) * 1e6))
        out = np.clip(self.faces[index] + rng.normal(0, 20, (len(z), 56, 56)), 0, 255)
        return _Tensor((out[..., None] - 127.5) / 127.5)


def share_above(a, b):
    """The chance that a value from ``a`` exceeds one from ``b`` (0.5: they cannot be told apart)."""
    return float((np.asarray(a)[:, None] > np.asarray(b)[None, :]).mean())


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


def test_principal_directions_find_what_the_artist_uses_and_push_visibly():
    toy = LinearToyGenerator()
    found = widgets.principal_directions(toy, 3, n=400)
    assert found.shape == (3, 160)
    np.testing.assert_allclose(found @ found.T, np.eye(3), atol=1e-5)
    # The three strong noise numbers, strongest first: the directions lie along e0, e1, e2.
    assert np.all(np.abs(found[:, :3]).argmax(axis=1) == [0, 1, 2])
    assert np.all(np.abs(found[:, :3]).max(axis=1) > 0.9)
    # Full reach (±3) moves a face by tens of grey levels along them, a few along random ones.
    pushed = widgets.push_effect(toy, found)
    assert np.all(pushed >= 30), pushed
    random = widgets.push_effect(toy, widgets.random_directions(3, 160, seed=1))
    assert np.all(random < 15), random
    assert pushed.min() > 4 * random.max()
    # "+" means brighter: FakeGenerator paints tanh(z0) everywhere, so its one direction is +e0.
    (flat,) = widgets.principal_directions(FakeGenerator(), 1, n=400)
    assert flat[0] > 0.95


def test_push_effect_by_hand_on_a_flat_face():
    # FakeGenerator paints tanh(z0) everywhere, so a push of ±1 along e0 from a random point moves
    # every pixel from pixel(tanh(z0)) to pixel(tanh(z0 ± 1)).
    z0 = np.random.default_rng(3).standard_normal((30, 160))[:, 0]

    def pixel(v):
        return np.rint(np.tanh(v) * 127.5 + 127.5)

    by_hand = np.mean([np.abs(pixel(z0 + a) - pixel(z0)).mean() for a in (1, -1)])
    effect = widgets.push_effect(FakeGenerator(), np.eye(160)[:1], reach=1.0, n=30, seed=3)
    assert effect.shape == (1,)
    assert effect[0] == pytest.approx(by_hand, abs=1e-6)


def test_principal_directions_rejects_too_few_paintings():
    with pytest.raises(ValueError, match="at least 320 paintings"):
        widgets.principal_directions(LinearToyGenerator(), 3, n=100)


def test_walk_sheet_rows_are_the_walk_and_the_pushes():
    toy = LinearToyGenerator()
    directions = np.eye(160)[:2]
    faces, rows, columns = widgets.walk_sheet(toy, directions, seed=5, steps=5)
    assert faces.shape == (3, 5, 56, 56) and faces.dtype == np.uint8
    assert rows == ["A → B", "direction 1", "direction 2"]
    assert columns == ["-3", "-1.5", "0", "+1.5", "+3"]
    a, b = widgets.walk_points(toy, seed=5)
    np.testing.assert_array_equal(faces[0, 0], widgets.paint(toy, [a])[0])
    np.testing.assert_array_equal(faces[0, -1], widgets.paint(toy, [b])[0])
    np.testing.assert_array_equal(faces[1, 2], faces[0, 0])  # no push: the face at A
    np.testing.assert_array_equal(faces[2, 0], widgets.paint(toy, [a - 3 * directions[1]])[0])
    # Along a direction that matters the ends differ visibly.
    assert np.abs(faces[1, 0].astype(int) - faces[1, -1]).mean() > 30


def test_plot_sheet_labels_rows_and_columns(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    faces, rows, columns = widgets.walk_sheet(LinearToyGenerator(), np.eye(160)[:1], steps=3)
    ax = widgets.plot_sheet(faces, rows, columns, title="walk")
    assert [t.get_text() for t in ax.get_yticklabels()] == rows
    assert [t.get_text() for t in ax.get_xticklabels()] == columns
    shown = ax.images[0].get_array()
    assert shown.shape == (2 * 58 + 2, 3 * 58 + 2)  # 2 rows, 3 columns, 2-pixel gutters
    plt.savefig(tmp_path / "sheet.png")
    plt.close("all")
    with pytest.raises(ValueError, match="2 rows of faces but 1 row labels"):
        widgets.plot_sheet(faces, rows[:1])


def test_epoch_strip_keeps_first_and_last_frames(tmp_path):
    with pytest.raises(FileNotFoundError, match="train first"):
        widgets.epoch_strip(tmp_path)
    faces = np.random.default_rng(0).integers(0, 256, (8, 9, 56, 56)).astype(np.uint8)
    for epoch, batch in enumerate(faces, 1):
        write_png(tmp_path / "frames" / f"epoch_{epoch:04d}.png", frame_image(batch, epoch))
    strip = widgets.epoch_strip(tmp_path, max_frames=4)
    first = cv2.imread(str(tmp_path / "frames" / "epoch_0001.png"), cv2.IMREAD_GRAYSCALE)
    assert strip.shape == (4, *first.shape) and strip.dtype == np.uint8
    np.testing.assert_array_equal(strip[0], first)
    np.testing.assert_array_equal(strip[-1], frame_image(faces[-1], 8))
    assert len(widgets.epoch_strip(tmp_path, max_frames=20)) == 8


def test_degrade_like_gives_real_faces_the_paintings_grain():
    real = load_faces("procedural", limit=120, seed=5)
    rng = np.random.default_rng(1)
    paintings = np.clip(
        load_faces("procedural", limit=120, seed=6) + rng.normal(0, 12, (120, 56, 56)), 0, 255
    ).astype(np.uint8)
    # Before: grain alone tells them apart; after: a coin toss.
    assert share_above(widgets.grain(paintings), widgets.grain(real)) > 0.95
    degraded = widgets.degrade_like(real, paintings, seed=2)
    assert degraded.shape == real.shape and degraded.dtype == np.uint8
    assert 0.3 < share_above(widgets.grain(paintings), widgets.grain(degraded)) < 0.7
    assert widgets.grain(degraded).mean() == pytest.approx(widgets.grain(paintings).mean(), rel=0.1)
    # The face itself stays: coarse shapes unchanged, to within a grey level or two.
    blur = [cv2.GaussianBlur(x.astype(np.float32), (0, 0), 3) for x in (real, degraded)]
    assert np.abs(blur[0] - blur[1]).mean() < 2
    # Paintings with *less* fine detail than real faces: the real faces are softened instead.
    soft = np.stack([cv2.GaussianBlur(x, (0, 0), 1.5) for x in paintings])
    softened = widgets.degrade_like(real, soft, seed=2)
    assert widgets.grain(softened).mean() == pytest.approx(widgets.grain(soft).mean(), rel=0.15)
    assert widgets.grain(softened).mean() < 0.7 * widgets.grain(real).mean()
    with pytest.raises(ValueError, match="uint8"):
        widgets.degrade_like(real.astype(float), paintings)


def test_face_votes_see_faces_not_fog():
    faces = load_faces("procedural", limit=20, seed=7)
    fog = np.random.default_rng(0).integers(100, 156, (20, 56, 56)).astype(np.uint8)
    assert (widgets.face_votes(faces) > 0).mean() >= 0.8
    assert widgets.face_votes(fog).max() == 0


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


def test_critic_game_keeps_the_answers_until_every_face_is_judged():
    game = make_game()
    for _ in range(len(game) - 1):
        text = game.reveal()
        assert text.startswith("Judge all 10 faces first")
        assert "truth" not in text and "painted" not in text and "real" not in text.split(":")[-1]
        game.answer("real")
    assert "9 judged so far" in game.reveal()
    game.answer("fake")
    lines = game.reveal().splitlines()
    assert lines[0] == game.summary()
    assert lines[1].split() == ["face", *[str(i) for i in range(1, 11)]]
    shown = ["painted" if t == "fake" else t for t in game.truth]
    assert lines[2].split() == ["truth", *shown]
    assert lines[3].split() == ["you", *["real"] * 9, "painted"]
    assert lines[4].split()[0] == "critic" and len(lines[4].split()) == 11


def test_critic_game_gives_real_faces_the_paintings_grain():
    real = load_faces("procedural", limit=60, seed=8)
    gen = NoisyFaceGenerator()
    game = widgets.CriticGame(real, gen, BrightnessCritic(), n=20, seed=0)
    shown_real = game.images[game.truth == "real"]
    painted = game.images[game.truth == "fake"]
    # The real faces shown are not the crisp originals, and their grain matches the paintings'.
    assert not any((shown_real[0] == face).all() for face in real)
    assert 0.2 < share_above(widgets.grain(painted), widgets.grain(shown_real)) < 0.8
    assert widgets.grain(shown_real).mean() > 2 * widgets.grain(real).mean()
    plain = widgets.CriticGame(real, gen, BrightnessCritic(), n=20, seed=0, degrade=False)
    assert (
        share_above(
            widgets.grain(plain.images[plain.truth == "fake"]),
            widgets.grain(plain.images[plain.truth == "real"]),
        )
        > 0.95
    )
    assert all(any((face == r).all() for r in real) for face in plain.images[plain.truth == "real"])


def test_critic_game_paints_faces_the_detector_is_sure_of():
    # About 31 % of the artist's paintings are faces, 69 % fog; the game's paintings are all faces.
    real = load_faces("procedural", limit=20, seed=9)
    game = widgets.CriticGame(real, FaceOrFogGenerator(), BrightnessCritic(), n=10, seed=0)
    painted = game.images[game.truth == "fake"]
    assert (painted.std(axis=(1, 2)) > 20).all()  # no flat fog
    assert (widgets.face_votes(painted) > 0).all()


def test_critic_game_reports_the_critic_on_the_real_faces_without_grain():
    # A critic that calls a face real when it is smooth: it refuses the grainy real faces but
    # accepts their clean originals, and reveal() says so.
    class SmoothCritic:
        def __call__(self, x, training=False):
            x = np.asarray(x)[..., 0] * 127.5 + 127.5
            return (8 - widgets.grain(x))[:, None]

    real = load_faces("procedural", limit=40, seed=10)
    game = widgets.CriticGame(real, NoisyFaceGenerator(), SmoothCritic(), n=10, seed=1)
    assert (game.critic_says[game.truth == "real"] == "fake").all()
    assert game.critic_on_clean_real == 5
    for _ in range(10):
        game.answer("real")
    assert game.reveal().splitlines()[-1] == (
        "The critic called 0 of the 5 grainy real faces real; "
        "without the added grain it calls 5 of them real."
    )


def test_widgets_wire_up_with_a_real_tiny_model(tmp_path):
    pytest.importorskip("ipywidgets")
    from course_utils.presets import get_preset
    from course_utils.training import build_models

    generator, discriminator = build_models(get_preset("ci"))
    walk = widgets.latent_walk(generator, widgets.random_directions(2, 160), scale=2)
    image, controls = walk.children
    assert [c.description for c in controls.children] == ["A → B", "direction 1", "direction 2"]
    assert controls.children[1].min == -3 and controls.children[1].max == 3
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
    assert ui.children[2].value == "" and ui.children[3].value == "0 of 4 judged yet."
    for _ in range(4):
        real_button.click()
    assert game.done and real_button.disabled and "Game over" in ui.children[2].value
    assert ui.children[3].value.startswith("4 of 4 judged — you: 2/4")
