"""The faults a learner meets next (issue 21): a full disk, a damaged frame, a cleaned-up folder,
a teacher's read-only run, a linked dataset folder, settings that do not match a run.

Each case ends in a recovery or one line that names the file or option, says what to do and loses
nothing. The damage is made here; one ``ci`` run of 3 epochs is trained once and copied.
"""

import errno
import json
import os
import shutil

import numpy as np
import pytest
import tensorflow as tf
from conftest import train_ci_run

from course_utils import cli
from course_utils.data import load_faces
from course_utils.presets import get_preset
from course_utils.run_folder import RunFolder, RunFolderError, frame_is_whole, read_history
from course_utils.training import GANTrainer, train
from course_utils.viz import make_gif, write_png


@pytest.fixture(scope="module")
def faces():
    return load_faces("procedural", limit=512)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, faces):
    return train_ci_run(tmp_path_factory.mktemp("trained") / "run", faces)


@pytest.fixture
def run(trained, tmp_path):
    return shutil.copytree(trained, tmp_path / "run")


def weights(model):
    return [v.numpy().copy() for v in model.variables]


def warnings_of(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.startswith("warning: ")]


# --- 1. a full disk --------------------------------------------------------------------------------


def test_a_full_disk_at_the_checkpoint_says_where_how_much_and_that_it_resumes(
    run, faces, monkeypatch
):
    def full(self, checkpoint_number=None):
        raise tf.errors.ResourceExhaustedError(
            None, None, "ckpt-4_temp/part-00000-of-00001.data; No space left on device [Op:SaveV2]"
        )

    monkeypatch.setattr(tf.train.CheckpointManager, "save", full)
    with pytest.raises(RunFolderError) as caught:
        GANTrainer("ci", run).fit(faces, epochs=4, progress=False)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{run}: the disk is full")
    assert "An epoch writes about" in message and "MB" in message
    assert "resumes after epoch 3" in message and "nothing was lost" in message
    monkeypatch.undo()
    # Space freed: the same command resumes, exactly as if nothing had happened.
    resumed = GANTrainer("ci", run)
    assert resumed.epochs_done == 3
    resumed.fit(faces, epochs=4, progress=False)
    straight = GANTrainer("ci", run.parent / "straight")
    straight.fit(faces, epochs=4, progress=False)
    assert all(
        np.array_equal(a, b)
        for a, b in zip(weights(resumed.generator), weights(straight.generator))
    )


def test_a_full_disk_at_a_frame_names_the_file(run, faces, monkeypatch):
    import course_utils.atomic_write as atomic_write

    real_replace = os.replace

    def no_space(source, target):
        if str(target).endswith("epoch_0004.png"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_replace(source, target)

    monkeypatch.setattr(atomic_write.os, "replace", no_space)
    with pytest.raises(RunFolderError, match=r"the disk is full \(no space left while writing "):
        GANTrainer("ci", run).fit(faces, epochs=4, progress=False)
    assert not list((run / "frames").glob(".*.tmp"))  # no half file left behind
    assert GANTrainer("ci", run).epochs_done == 3


def test_the_command_line_says_a_full_disk_in_one_line(run, monkeypatch, capsys):
    def full(self, checkpoint_number=None):
        raise tf.errors.ResourceExhaustedError(None, None, "No space left on device [Op:SaveV2]")

    monkeypatch.setattr(tf.train.CheckpointManager, "save", full)
    code = cli.main(
        ["train", "--preset", "ci", "--run-dir", str(run), "--epochs", "4", "--no-metric"]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith(f"error: {run}: the disk is full") and "Traceback" not in err


# --- 3. a damaged frame -------------------------------------------------------------------------


def test_frame_is_whole_tells_a_whole_png_from_an_emptied_or_cut_one(tmp_path):
    path = write_png(tmp_path / "f.png", np.zeros((20, 20), np.uint8))
    assert frame_is_whole(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert not frame_is_whole(path)
    path.write_bytes(b"")
    assert not frame_is_whole(path)
    assert not frame_is_whole(tmp_path / "missing.png")


def test_a_damaged_frame_is_repainted_from_its_checkpoint(run, faces, capsys):
    newest = run / "frames" / "epoch_0003.png"
    good = newest.read_bytes()
    newest.write_bytes(good[: len(good) // 2])  # half-written
    GANTrainer("ci", run).fit(faces, epochs=3, progress=False)
    assert newest.read_bytes() == good
    assert warnings_of(capsys) == [
        f"warning: {run}/frames: the frames of epoch 3 were missing and are repainted from their "
        "checkpoints"
    ]


def test_a_damaged_frame_without_a_checkpoint_is_left_out_of_the_gif_and_named(run, faces, capsys):
    import imageio.v3 as iio

    (run / "frames" / "epoch_0001.png").write_bytes(b"")
    for path in (run / "checkpoints").glob("ckpt-1.*"):
        path.unlink()
    assert make_gif(run / "frames", run / "training.gif") == 2
    assert warnings_of(capsys) == [
        f"warning: {run}/frames: epoch_0001.png is damaged (not a whole PNG): training.gif is "
        "made without it; `train` on the run repaints frames whose checkpoints are kept"
    ]
    assert iio.imread(run / "training.gif", index=None).shape[0] == 2


# --- 4. a cleaned-up folder ---------------------------------------------------------------------


def test_a_run_whose_checkpoints_were_deleted_is_refused_and_kept(run, faces):
    history = (run / "history.csv").read_bytes()
    config = (run / "config.json").read_bytes()
    shutil.rmtree(run / "checkpoints")
    with pytest.raises(RunFolderError) as caught:
        GANTrainer("ci", run).fit(faces, epochs=3, progress=False)
    message = str(caught.value)
    assert message.startswith(
        f"{run} holds a run (history to epoch 3, 3 frames) but no checkpoints"
    )
    assert "COURSE_RUNS_DIR" in message and "--run-dir" in message
    assert (run / "history.csv").read_bytes() == history
    assert (run / "config.json").read_bytes() == config
    assert len(list((run / "frames").glob("*.png"))) == 3


def test_a_first_epoch_killed_before_its_checkpoint_is_still_redone(run, faces):
    # A kill only ever loses the first epoch's checkpoint: that folder is not a cleaned-up run.
    shutil.rmtree(run / "checkpoints")
    for epoch in (2, 3):
        (run / "frames" / f"epoch_{epoch:04d}.png").unlink()
    rows = (run / "history.csv").read_text().splitlines()[:2]
    (run / "history.csv").write_text("\n".join(rows) + "\n")
    (run / ".history.csv.bak").write_text("\n".join(rows) + "\n")
    GANTrainer("ci", run).fit(faces, epochs=1, progress=False)
    assert [row["epoch"] for row in read_history(run)] == [1]


# --- 5. a teacher's shared, read-only run ---------------------------------------------------------


def read_only(monkeypatch):
    monkeypatch.setattr(RunFolder, "writable", lambda self: False)


def test_a_read_only_finished_run_is_read_without_writing(run, monkeypatch, capsys):
    before = {p: p.stat().st_mtime_ns for p in run.rglob("*")}
    read_only(monkeypatch)
    trainer = train(run, "ci", epochs=3)
    assert trainer.epochs_done == 3 and [r["epoch"] for r in trainer.history] == [1, 2, 3]
    assert {p: p.stat().st_mtime_ns for p in run.rglob("*")} == before
    assert "Already trained to epoch 3" in capsys.readouterr().out


def test_training_a_read_only_run_further_says_what_to_set_in_a_notebook(run, monkeypatch):
    read_only(monkeypatch)
    with pytest.raises(RunFolderError) as caught:
        train(run, "ci", epochs=4, progress=False)
    message = str(caught.value)
    assert message.startswith(f"{run} is read-only (a shared run?): it is trained to epoch 3")
    assert "COURSE_RUNS_DIR in a notebook" in message


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write any folder")
def test_a_truly_read_only_folder_is_read(run):
    for path in [run, *run.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        assert RunFolder(run).writable() is False
        assert GANTrainer("ci", run).epochs_done == 3
    finally:
        for path in [run, *run.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)


def test_writable_is_true_for_a_folder_not_made_yet(tmp_path):
    assert RunFolder(tmp_path / "new").writable()


# --- 6. a linked dataset folder ----------------------------------------------------------------


def test_a_linked_subfolder_is_followed_and_a_link_loop_ends(tmp_path):
    images = load_faces("procedural", limit=7)
    main, other = tmp_path / "main", tmp_path / "other"
    main.mkdir()
    other.mkdir()
    for i in range(3):
        write_png(main / f"{i}.png", images[i])
    for i in range(3, 7):
        write_png(other / f"{i}.png", images[i])
    (main / "more").symlink_to(other, target_is_directory=True)
    (main / "again").symlink_to(main, target_is_directory=True)  # a loop: must not hang
    found = load_faces(main, limit=None, cache_dir=False)
    assert len(found) == 7


# --- 7. settings that do not match the run ----------------------------------------------------


def test_a_bad_course_preset_is_blamed_on_the_environment_variable(monkeypatch):
    monkeypatch.setenv("COURSE_PRESET", "clasroom")
    with pytest.raises(ValueError, match=r"^the environment variable COURSE_PRESET names an "):
        get_preset()
    with pytest.raises(ValueError, match=r"^unknown preset 'x'; choose one of"):
        get_preset("x")


def test_an_edited_config_is_quoted_as_what_it_records_not_as_the_truth(run):
    path = run / "config.json"
    config = json.loads(path.read_text())
    config["preset"]["learning_rate"] = 0.5
    path.write_text(json.dumps(config))
    with pytest.raises(ValueError) as caught:
        GANTrainer("ci", run)
    message = str(caught.value)
    assert "records preset learning_rate=0.5" in message
    assert "edited by hand, put its old value back" in message


def test_a_missing_config_with_another_preset_does_not_advise_moving_the_checkpoints(run):
    (run / "config.json").unlink()
    with pytest.raises(RunFolderError) as caught:
        GANTrainer("classroom", run)
    message = str(caught.value)
    assert message == (
        f"{run}/checkpoints: no checkpoint fits the networks of preset classroom, and config.json, "
        "which says what the run was trained with, is missing: resume with the preset the run was "
        "made with (--preset, or COURSE_PRESET in a notebook); the checkpoints are kept"
    )
    assert len(list((run / "checkpoints").glob("ckpt-*.index"))) == 3  # nothing moved


def test_resuming_a_float32_run_in_mixed_precision_is_said(run, capsys):
    GANTrainer("ci", run, mixed_precision=True)
    assert warnings_of(capsys) == [
        f"warning: {run} was trained in float32 and goes on in mixed precision (bfloat16): its "
        "numbers from here on differ from an uninterrupted run's"
    ]


# --- 2. impossible numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, message",
    [
        (["generate", "--n", "0"], "argument --n: must be a whole number from 1 to 1,000, not '0'"),
        (
            ["generate", "--n", "-3"],
            "argument --n: must be a whole number from 1 to 1,000, not '-3'",
        ),
        (["generate", "--n", "100000"], "from 1 to 1,000, not '100000'"),
        (["generate", "--scale", "0"], "argument --scale: must be a whole number from 1 to 16"),
        (["gif", "--run-dir", "x", "--max-frames", "0"], "argument --max-frames: must be a whole"),
        (["quality", "--calibrate", "--n", "5"], "argument --n: must be a whole number from 50"),
        (["train", "--metric-every", "-1"], "argument --metric-every: must be a whole number"),
        (["train", "--seed", "-5"], "argument --seed: must be a whole number from 0 to"),
    ],
)
def test_impossible_numbers_are_refused_at_the_door_with_the_range(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_a_grid_too_large_for_memory_is_refused_before_anything_is_loaded(tmp_path, capsys):
    code = cli.main(
        ["generate", "--run-dir", str(tmp_path / "none"), "--n", "1000", "--scale", "16"]
    )
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert err == (
        "error: generate: 1000 faces at --scale 16 make an image over 8,192 pixels a side; use a "
        "smaller --scale or --n"
    )


def test_a_gif_into_a_read_only_folder_suggests_out(run, monkeypatch, capsys):
    import course_utils.atomic_write as atomic_write

    def refused(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(run / ".training.gif.x.tmp"))

    monkeypatch.setattr(atomic_write.tempfile, "mkstemp", refused)
    assert cli.main(["gif", "--run-dir", str(run)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: {run} is not writable (a shared run?): write the GIF elsewhere with --out FILE"
    )


# --- 7. stopping: SIGTERM, and Ctrl-C while TensorFlow loads -------------------------------------


def _default_sigint():
    """Ctrl-C as a terminal delivers it: a suite started in the background (``cmd &`` in a script)
    ignores SIGINT, its children inherit that, and Python then installs no KeyboardInterrupt."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(*args):
    import subprocess
    import sys

    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "course_utils", *args],
        cwd=repo,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_sigint,
    )


def _wait_for_tensorflow(process, timeout=120):
    """Until TensorFlow's library is being loaded into the process (``main`` has started)."""
    import time

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with open(f"/proc/{process.pid}/maps") as maps:
                if "tensorflow" in maps.read():
                    return
        except FileNotFoundError:
            return
        time.sleep(0.02)


@pytest.mark.skipif(not os.path.exists("/proc/self/maps"), reason="needs /proc")
def test_ctrl_c_while_tensorflow_loads_is_one_line(tmp_path):
    import signal

    process = _start("train", "--preset", "ci", "--run-dir", str(tmp_path / "run"))
    _wait_for_tensorflow(process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("interrupted; run the same command again")


def test_sigterm_during_training_says_it_stopped_and_resumes(tmp_path):
    import signal

    run_dir = tmp_path / "run"
    process = _start("train", "--preset", "ci", "--run-dir", str(run_dir), "--no-metric")
    for line in process.stdout:  # the first line is printed before the slow imports
        if line.startswith("Training preset"):
            break
    _wait_for_tensorflow(process)
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 143, err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1] == (
        "stopped (SIGTERM); run the same command again to resume from the last finished epoch"
    )


def test_generate_after_an_edited_architecture_is_one_line_without_warnings(run, tmp_path):
    from conftest import run_course

    path = run / "config.json"
    config = json.loads(path.read_text())
    config["preset"]["dense_channels"] = config["preset"]["dense_channels"] * 2
    path.write_text(json.dumps(config))
    result = run_course("generate", "--run-dir", str(run), "--out", str(tmp_path / "g.png"))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert lines == [
        f"error: {run}/checkpoints: no checkpoint fits the networks {run}/config.json describes "
        "(their shapes differ): if config.json was edited, put its old values back; the "
        "checkpoints are kept"
    ]
    assert "WARNING" not in result.stderr
