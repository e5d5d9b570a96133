"""The command line a teacher uses: train, generate, gif, and clear errors."""

import os
import subprocess
import sys

import cv2
import imageio.v3 as iio
import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


def cli(*args):
    return subprocess.run([sys.executable, "-m", "course_utils", *args], cwd=REPO, env=ENV,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("cli") / "run"
    result = cli("train", "--preset", "ci", "--data", "procedural", "--run-dir", str(run_dir),
                 "--metric-every", "2")
    assert result.returncode == 0, result.stderr
    return run_dir, result.stdout


def test_train_writes_everything_the_course_promises(trained_run):
    run_dir, stdout = trained_run
    for name in ("config.json", "history.csv", "frames/epoch_0001.png", "frames/epoch_0002.png",
                 "checkpoints/checkpoint", "training.gif"):
        assert (run_dir / name).exists(), name
    header = (run_dir / "history.csv").read_text().splitlines()[0].split(",")
    assert header[:4] == ["epoch", "gen_loss", "disc_loss", "seconds"]
    assert str(run_dir / "training.gif") in stdout
    assert iio.imread(run_dir / "training.gif", index=None).shape[0] == 2


def test_train_scores_image_quality_every_k_epochs_and_reports_it_next_to_the_floor(trained_run):
    from course_utils.metrics import TRAINING_METRIC_N, floor
    from course_utils.training import read_history
    run_dir, stdout = trained_run
    history = read_history(run_dir)
    assert [row["fd"] is not None for row in history] == [False, True]     # --metric-every 2
    fd = history[1]["fd"]
    low = floor("procedural", TRAINING_METRIC_N)["fd"]
    assert fd > 10 * low                                 # two epochs of a tiny artist: far from real
    assert f"image quality at epoch 2 ({TRAINING_METRIC_N} faces): FD {fd:.2f}" in stdout
    assert f"real faces score FD {low:.2f}" in stdout


def test_generate_draws_a_grid_of_new_faces(trained_run, tmp_path):
    run_dir, _ = trained_run
    out = tmp_path / "faces.png"
    result = cli("generate", "--run-dir", str(run_dir), "--n", "16", "--out", str(out), "--scale", "2")
    assert result.returncode == 0, result.stderr
    image = cv2.imread(str(out), cv2.IMREAD_GRAYSCALE)
    assert image.shape == (2 * (4 * 56 + 5 * 2), 2 * (4 * 56 + 5 * 2))


def test_gif_rebuilds_with_a_frame_limit(trained_run, tmp_path):
    run_dir, _ = trained_run
    result = cli("gif", "--run-dir", str(run_dir), "--out", str(tmp_path / "x.gif"), "--max-frames", "1")
    assert result.returncode == 0, result.stderr
    assert "1 frames" in result.stdout


def test_training_on_a_missing_folder_names_it(tmp_path):
    result = cli("train", "--preset", "ci", "--data", str(tmp_path / "no_such_faces"),
                 "--run-dir", str(tmp_path / "run"))
    assert result.returncode == 2
    assert "no_such_faces" in result.stderr and "does not exist" in result.stderr
