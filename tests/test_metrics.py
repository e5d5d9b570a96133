"""The quality metric: hand-computable distances, calibration orderings, and the trained extractor."""

import numpy as np
import pytest

from course_utils import metrics
from course_utils.faces import category_shares, render_faces

N = 1000  # real faces per set in these tests (the course's default is 2000)


# --- the distances, by hand ----------------------------------------------------------------------


def test_fd_of_identical_sets_is_zero():
    a = np.random.default_rng(0).normal(size=(500, 8))
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-8)


def test_fd_one_dimensional_gaussians_by_hand():
    # a has sample mean 0 and sample std 1 exactly; b = 2 + 3a has mean 2 and std 3.
    # FD = (0 - 2)² + (1 - 3)² = 8.
    a = np.random.default_rng(1).normal(size=400)
    a = (a - a.mean()) / a.std(ddof=1)
    b = 2 + 3 * a
    assert metrics.frechet_distance(a[:, None], b[:, None]) == pytest.approx(8.0, rel=1e-9)
    # Independent coordinates add: a 2-D copy with a second shifted coordinate adds its own term.
    two_a = np.stack([a, a[::-1]], axis=1)
    two_b = np.stack([b, a[::-1] + 1], axis=1)
    assert metrics.frechet_distance(two_a, two_b) == pytest.approx(8.0 + 1.0, rel=1e-6)


def test_kid_is_near_zero_for_one_distribution_and_positive_when_shifted():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(1000, 16)), rng.normal(size=(1000, 16))
    same = metrics.kernel_inception_distance(a, b)
    shifted = metrics.kernel_inception_distance(a, b + 0.5)
    assert abs(same) < 0.01
    assert shifted > 0.1
    assert shifted > 20 * abs(same)


def test_wasserstein_and_total_variation_by_hand():
    u = np.linspace(0, 1, 101)
    assert metrics.wasserstein_1d(u, u + 0.3) == pytest.approx(0.3, abs=1e-9)
    assert category_shares([0, 0, 1, 3], 4).tolist() == [0.5, 0.25, 0.0, 0.25]


# --- the trained extractor -----------------------------------------------------------------------


def test_extractor_reads_attributes_of_fresh_faces():
    assert metrics.WEIGHTS_PATH.stat().st_size < 1_000_000
    images, truth = render_faces(1000, seed=777)
    feats = metrics.features(images)
    assert feats.shape == (1000, metrics.FEATURE_DIM) and np.isfinite(feats).all()
    assert 0.7 < np.sqrt(np.mean(feats**2)) < 1.4  # FEATURE_SCALE matches these weights
    scores = metrics.attribute_scores(metrics.predict_attributes(images), truth)
    # Thresholds sit well below what scripts/train_feature_extractor.py reports (docs/metrics.md).
    for name, least in {
        "hair_style": 0.9,
        "eye_style": 0.8,
        "mouth_style": 0.7,
        "blush": 0.8,
        "hair_shade": 0.8,
        "background_shade": 0.8,
        "tilt_degrees": 0.8,
        "offset_x": 0.6,
        "eye_size": 0.4,
    }.items():
        assert scores[name] > least, (name, scores[name])


def test_features_reject_float_images():
    with pytest.raises(ValueError):
        metrics.features(np.zeros((2, 56, 56), np.float32))


# --- calibration -----------------------------------------------------------------------------------


def test_real_vs_real_floor_is_low():
    low = metrics.floor("procedural", N)
    assert low["afd"] >= 0.9  # the detector finds the real faces
    assert low["mode_coverage"] == 1.0
    assert 0.8 < low["nn_ratio"] < 1.25
    assert abs(low["kid"]) < 0.05
    assert low["attribute_distance"] < 0.05


@pytest.mark.parametrize("kind", sorted(metrics.DISTORTIONS))
def test_metrics_rise_with_damage(kind):
    low = metrics.floor("procedural", N)
    ref = metrics.get_reference("procedural", N)
    scores = [
        metrics.evaluate_images(metrics.distort(ref.floor_images, kind, level), "procedural", N)
        for level in metrics.DISTORTIONS[kind][:3]
    ]
    fds = [low["fd"]] + [s["fd"] for s in scores]
    kids = [low["kid"]] + [s["kid"] for s in scores]
    assert all(x < y for x, y in zip(fds, fds[1:])), (kind, fds)
    assert all(x < y for x, y in zip(kids, kids[1:])), (kind, kids)
    assert scores[-1]["fd"] > 2 * low["fd"]


def test_one_repeated_face_covers_few_modes():
    images, _ = render_faces(N, seed=9)
    result = metrics.evaluate_images(np.repeat(images[:1], N, axis=0), "procedural", N)
    assert result["mode_coverage"] <= 5 / 12  # one value per categorical attribute (+1 slack)
    assert result["fd"] > 10 * metrics.floor("procedural", N)["fd"]


def test_copies_of_training_faces_are_flagged():
    train, _ = render_faces(N, seed=metrics.TRAIN_SEED)  # the first N of the GAN's training faces
    copies = metrics.evaluate_images(train, "procedural", N)
    assert copies["nn_ratio"] < 0.1
    assert metrics.floor("procedural", N)["nn_ratio"] > 0.8


# --- in training and with a folder reference -----------------------------------------------------


def test_training_metric_returns_fd_and_kid():
    import keras

    from course_utils.models import make_generator_model

    keras.utils.set_random_seed(0)
    generator = make_generator_model(widths=(16, 8), kernel_size=4)
    metric = metrics.make_training_metric("procedural", None, n=200)
    first = metric(generator)
    assert set(first) == {"afd", "fd", "kid"}
    assert first["afd"] == 0.0  # an untrained artist paints no face
    assert metric(generator) == first  # fixed noise: the same numbers again
    assert first["fd"] > 10 * metrics.floor("procedural", 200)["fd"]  # an untrained artist


def test_folder_reference(tmp_path):
    import cv2

    real, _ = render_faces(90, seed=5)
    for i, image in enumerate(real):
        cv2.imwrite(str(tmp_path / f"face_{i:03d}.png"), image)
    clean, _ = render_faces(30, seed=6)
    good = metrics.evaluate_images(clean, reference=str(tmp_path), n=30)
    bad = metrics.evaluate_images(
        metrics.distort(clean, "blur", 2.0), reference=str(tmp_path), n=30
    )
    assert set(good) >= {"fd", "kid", "attribute_distance", "mode_coverage", "nn_ratio"}
    assert good["fd"] < bad["fd"]
    assert metrics.get_reference(str(tmp_path), 30).counts == {
        "train": 30,
        "heldout": 30,
        "floor": 30,
    }
    small = tmp_path / "small"
    small.mkdir()
    for i in range(5):
        cv2.imwrite(str(small / f"{i}.png"), real[i])
    with pytest.raises(ValueError):
        metrics.evaluate_images(clean, reference=str(small), n=30)


def test_quality_command_prints_metrics_next_to_the_floor(tmp_path, capsys):
    from course_utils.cli import main
    from course_utils.data import load_faces
    from course_utils.training import GANTrainer

    trainer = GANTrainer("ci", tmp_path / "run")
    trainer.fit(load_faces("procedural", limit=64), epochs=1, progress=False)  # one step is enough
    assert main(["quality", "--run-dir", str(tmp_path / "run"), "--n", "200"]) == 0
    out = capsys.readouterr().out
    scores, attributes = _tables(out)
    assert list(scores) == [s.name for s in metrics.SCORES]
    fd_run, fd_floor = map(float, scores["fd"])
    low = metrics.floor("procedural", 200)
    assert fd_floor == pytest.approx(low["fd"], abs=1e-4)
    assert fd_run > 10 * fd_floor
    # Per attribute, worst first: every attribute once, and the mean of the column is the summary.
    assert set(attributes) == set(metrics.CONTINUOUS) | set(metrics.CATEGORIES)
    values = [float(run) for run, _ in attributes.values()]
    assert values == sorted(values, reverse=True)
    assert np.mean(values) == pytest.approx(float(scores["attribute_distance"][0]), abs=1e-3)
    assert float(attributes["hair_style"][1]) == pytest.approx(
        low["per_attribute"]["hair_style"], abs=1e-4
    )


def _tables(out):
    """The ``quality`` command's two tables (scores, then per attribute) as {name: [run, floor]}."""
    lines = out.splitlines()
    blank = lines.index("")

    def rows(block):
        return {line.split()[0]: line.split()[1:3] for line in block}

    return rows(lines[2:blank]), rows(lines[blank + 2 :])


def test_training_loop_records_fd_and_kid():
    from course_utils.training import GANTrainer

    trainer = GANTrainer("ci")
    images, _ = render_faces(128, seed=3)
    history = trainer.fit(
        images,
        epochs=1,
        progress=False,
        metric_every=1,
        metric=metrics.make_training_metric("procedural", trainer.preset, n=200),
    )
    assert history[0]["fd"] > 0 and np.isfinite(history[0]["kid"])


def test_training_on_a_folder_scores_against_that_folder(tmp_path, capsys):
    """The real-data path end to end: JPEGs in a folder → training records FD against that folder →
    ``quality`` defaults to the folder the run trained on."""
    import cv2

    from course_utils.cli import main
    from course_utils.training import train

    folder = tmp_path / "anime"
    folder.mkdir()
    faces, _ = render_faces(150, seed=21)
    for i, face in enumerate(faces):  # colour JPEGs of 90–120 px, like the dataset
        size = 90 + i % 31
        big = cv2.resize(face, (size, size), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(folder / f"{1000 + i}_2008.jpg"), cv2.cvtColor(big, cv2.COLOR_GRAY2BGR))
    trainer = train(tmp_path / "run", "ci", data=str(folder), epochs=1, progress=False)
    fd = trainer.history[-1]["fd"]
    assert np.isfinite(fd) and fd > 0
    assert metrics.get_reference(str(folder), metrics.TRAINING_METRIC_N).counts == {
        "train": 50,
        "heldout": 50,
        "floor": 50,
    }
    assert main(["quality", "--run-dir", str(tmp_path / "run"), "--n", "50"]) == 0
    out = capsys.readouterr().out
    assert f"({folder})" in out.splitlines()[0]
    scores, _ = _tables(out)
    assert float(scores["fd"][0]) > float(
        scores["fd"][1]
    )  # an artist of one epoch is worse than real


def test_calibrate_command_prints_the_floor_first_and_damage_rising(capsys):
    from course_utils.cli import main

    assert main(["quality", "--calibrate", "--n", "300"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[2].startswith("floor (real vs real)")
    floor_fd = float(lines[2].split()[-3])
    assert floor_fd == pytest.approx(metrics.floor("procedural", 300)["fd"], abs=1e-3)
    for kind, levels in metrics.DISTORTIONS.items():
        fds = [float(line.split()[-3]) for line in lines[3:] if line.startswith(kind + " ")]
        assert len(fds) == len(levels)
        assert floor_fd < fds[0] and fds == sorted(fds), (kind, fds)


def test_calibrate_command_shows_the_detector_finds_nothing_in_noise_or_shuffled_blocks(capsys):
    from course_utils.cli import main

    assert main(["quality", "--calibrate", "--n", "300"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert float(lines[2].split()[-4]) >= 0.9  # AFD of real faces
    rates = {line.rsplit(" ", 1)[0].strip(): float(line.split()[-1]) for line in lines[-2:]}
    assert rates == {"uniform noise": 0.0, "4x4 blocks shuffled": pytest.approx(0.0, abs=0.1)}


# --- the registry: one entry per score, read by every table and by training ------------------------


def test_every_score_is_named_once_and_its_note_says_which_way_is_better():
    names = [s.name for s in metrics.SCORES]
    assert len(set(names)) == len(names)
    assert metrics.training_scores() == ("afd", "fd", "kid")
    assert metrics.calibrated_scores() == ("afd", "fd", "kid", "attribute_distance")
    for s in metrics.SCORES:
        if s.better in ("lower", "higher"):
            assert f"({s.better} is better" in s.meaning(), s.name
    with pytest.raises(ValueError, match="better"):
        metrics.Score("x", len, "x", better="bigger")
    with pytest.raises(ValueError, match="unknown score 'fid'"):
        metrics.score("fid")


def test_a_score_added_to_the_registry_reaches_every_table_training_and_the_command_line(
    monkeypatch, capsys, request
):
    """Adding a score is adding one ``Score``: the quality table, the damage table, the training
    metric and the ``train`` command's last lines all show it, with no other edit."""
    import keras

    from course_utils.cli import _print_last_scores
    from course_utils.models import make_generator_model

    dark = metrics.Score(
        "dark_share",
        lambda c: float(np.mean(c.images < 64)),
        "share of dark pixels (lower is better)",
        during_training=True,
        calibration_format="7.3f",
        short="dark",
        training_line="dark pixels {value:.1%} (real faces: {real:.1%}; {better} is better)",
    )
    n = 60
    monkeypatch.setattr(metrics, "SCORES", (*metrics.SCORES, dark))
    monkeypatch.setattr(metrics, "TRAINING_METRIC_N", n)  # what train's last lines compare with
    metrics._floor.cache_clear()  # floors cached without the extra score must not be reused,
    request.addfinalizer(metrics._floor.cache_clear)  # nor floors with it after this test
    low = metrics.floor("procedural", n)
    real = float(np.mean(metrics.get_reference("procedural", n).floor_images < 64))
    assert low["dark_share"] == real

    table = metrics.format_table({"real": low}).splitlines()
    assert table[-1].split()[:2] == ["dark_share", f"{real:.4f}"]
    assert table[-1].endswith("share of dark pixels (lower is better)")

    calibration = metrics.format_calibration("procedural", n).splitlines()
    assert calibration[1].split() == ["afd", "fd", "kid", "attr.dist", "dark"]
    assert calibration[2].split()[-1] == f"{real:.3f}"
    assert all(len(line.split()) == 2 + 5 for line in calibration[3:-2])  # "blur 0.5" + 5 scores

    keras.utils.set_random_seed(0)
    metric = metrics.make_training_metric("procedural", None, n=n)
    row = {"epoch": 3, **metric(make_generator_model(widths=(16, 8), kernel_size=4))}
    assert list(row) == ["epoch", "afd", "fd", "kid", "dark_share"]
    _print_last_scores([row], "procedural")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and lines[1].startswith("  FD ")
    assert lines[2] == (
        f"  dark pixels {row['dark_share']:.1%} (real faces: {real:.1%}; lower is better)"
    )
