"""A run folder under damage: nothing lost, nothing silent.

Every case ends in a recovery said in one line, or in a one-line error that names the file and says
what to do: never a traceback, a silent wrong result or lost progress. One ``ci`` run of 3 epochs
is trained once (under umask 022) and copied for each test, which damages its copy.
"""

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from conftest import run_course, train_ci_run

from course_utils import cli
from course_utils.data import load_faces
from course_utils.run_folder import RunFolder, RunFolderError, load_generator, read_history
from course_utils.training import GANTrainer

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
FIELDS = ("epoch", "gen_loss", "disc_loss", "seconds", "d_real", "d_fake")


@pytest.fixture(scope="module")
def faces():
    return load_faces("procedural", limit=512)


@pytest.fixture(scope="module")
def trained(tmp_path_factory, faces):
    """A finished 3-epoch ``ci`` run (checkpoints 1-3, frames 1-3, the GIF), never modified."""
    return train_ci_run(tmp_path_factory.mktemp("trained") / "run", faces)


@pytest.fixture
def run(trained, tmp_path):
    """A copy of the trained run, to damage."""
    return shutil.copytree(trained, tmp_path / "run")


def warnings_of(capsys):
    lines = capsys.readouterr().err.splitlines()
    return [line for line in lines if line.startswith("warning: ")]


def weights(model):
    return [v.numpy().copy() for v in model.variables]


def same(a, b):
    return all(np.array_equal(x, y) for x, y in zip(a, b))


def generator_of_checkpoint(run_dir, number, painter=False):
    """The artist's weights in checkpoint ``number`` (``painter=True``: the painter's, which
    ``load_generator`` returns for the ci preset)."""
    trainer = GANTrainer("ci")
    trainer.checkpoint.restore(str(run_dir / "checkpoints" / f"ckpt-{number}"))
    return weights(trainer.painter if painter else trainer.generator)


def cut(path, size):
    with open(path, "r+b") as handle:
        handle.truncate(size)


def flip(path, where=0.5):
    data = bytearray(path.read_bytes())
    start = int(len(data) * where)
    for i in range(start, min(start + 8, len(data))):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


# --- 1. a damaged newest checkpoint: fall back to the newest one that restores ---------------------

DAMAGE = {
    "index deleted": (lambda c: (c / "ckpt-3.index").unlink(), "ckpt-3.index is missing"),
    "data deleted": (
        lambda c: (c / "ckpt-3.data-00000-of-00001").unlink(),
        "ckpt-3.data-00000-of-00001 is missing",
    ),
    "index truncated": (lambda c: cut(c / "ckpt-3.index", 100), "its .index is unreadable"),
    "index emptied": (lambda c: cut(c / "ckpt-3.index", 0), "its .index is unreadable"),
    "index corrupted": (lambda c: flip(c / "ckpt-3.index"), "its .index is unreadable"),
    "data truncated": (
        lambda c: cut(c / "ckpt-3.data-00000-of-00001", 1000),
        "its data is cut short",
    ),
    "data corrupted": (
        lambda c: flip(c / "ckpt-3.data-00000-of-00001"),
        "its data fails its checksum",
    ),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_newest_checkpoint_falls_back_to_the_previous_one(run, trained, damage, capsys):
    make_damage, reason = DAMAGE[damage]
    make_damage(run / "checkpoints")
    trainer = GANTrainer("ci", run)
    assert warnings_of(capsys) == [
        f"warning: {run}/checkpoints/ckpt-3 is damaged ({reason}); resumed from ckpt-2 (epoch 2)"
    ]
    assert trainer.epochs_done == 2
    assert same(weights(trainer.generator), generator_of_checkpoint(run, 2))
    assert [row["epoch"] for row in trainer.history] == [1, 2]  # epoch 3 is trained again
    generator = load_generator(run)  # generate, quality
    said = warnings_of(capsys)
    if said:
        assert said == [
            f"warning: {run}/checkpoints/ckpt-3 is damaged ({reason}); loaded ckpt-2 (epoch 2)"
        ]
        assert same(weights(generator), generator_of_checkpoint(run, 2, painter=True))
    else:  # the damage hit the critic's or the optimizers' part: the artist is whole
        assert damage == "data corrupted"
        assert same(weights(generator), generator_of_checkpoint(trained, 3, painter=True))


def test_the_epochs_after_the_fallback_are_trained_again_exactly(run, trained, faces, capsys):
    flip(run / "checkpoints" / "ckpt-3.data-00000-of-00001")
    trainer = GANTrainer("ci", run)
    trainer.fit(faces, epochs=3, progress=False)
    assert [row["epoch"] for row in read_history(run)] == [1, 2, 3]
    # The same epoch 3 as the undamaged run: the same frame, and a checkpoint that restores.
    assert (run / "frames/epoch_0003.png").read_bytes() == (
        trained / "frames/epoch_0003.png"
    ).read_bytes()
    assert GANTrainer("ci", run).epochs_done == 3
    assert warnings_of(capsys) == [
        f"warning: {run}/checkpoints/ckpt-3 is damaged "
        "(its data fails its checksum); resumed from ckpt-2 (epoch 2)"
    ]


def test_no_checkpoint_that_restores_is_an_error_not_a_fresh_start(run):
    for number in (1, 2, 3):
        cut(run / "checkpoints" / f"ckpt-{number}.data-00000-of-00001", 10)
    with pytest.raises(
        RunFolderError,
        match=r"checkpoints: no checkpoint restores \(ckpt-3: its "
        r"data is cut short; ckpt-2: .*; ckpt-1: .*\); move that folder away",
    ):
        GANTrainer("ci", run)
    assert (run / "checkpoints/ckpt-3.index").exists()  # nothing trained over


# --- 2. TensorFlow's bookkeeping file lost or damaged: found from the checkpoint files -----------


@pytest.mark.parametrize("damage", ["deleted", "emptied", "garbage"])
def test_a_lost_checkpoint_bookkeeping_file_is_rebuilt_from_the_files(run, faces, damage, capsys):
    state = run / "checkpoints" / "checkpoint"
    if damage == "deleted":
        state.unlink()
    else:
        state.write_bytes(b"" if damage == "emptied" else b"\xff\x00 not a proto {")
    assert same(weights(load_generator(run)), generator_of_checkpoint(run, 3, painter=True))
    trainer = GANTrainer("ci", run)
    assert trainer.epochs_done == 3 and len(trainer.history) == 3
    said = "missing" if damage == "deleted" else "unreadable"
    assert warnings_of(capsys) == [
        f"warning: {state} was {said}; rebuilt from the checkpoint files (latest ckpt-3)"
    ]
    trainer.fit(faces, epochs=4, progress=False)
    # The rebuilt file lists the old checkpoints: the oldest is swept (keep_checkpoints=3), and
    # nothing older is overwritten.
    assert sorted(p.name for p in (run / "checkpoints").glob("*.index")) == [
        "ckpt-2.index",
        "ckpt-3.index",
        "ckpt-4.index",
    ]
    assert tf.train.latest_checkpoint(str(run / "checkpoints")).endswith("ckpt-4")


# --- 3. history.csv cut: rebuilt from its copy, a half row never kept ----------------------------


def _cut_history(path, where):
    text = path.read_bytes()
    size = {"emptied": 0, "inside the header": 10, "mid-row": len(text) - 7}[where]
    cut(path, size)


@pytest.mark.parametrize("where", ["emptied", "inside the header", "mid-row"])
def test_a_cut_history_is_rebuilt_from_its_copy(run, trained, where, capsys):
    _cut_history(run / "history.csv", where)
    trainer = GANTrainer("ci", run)
    assert trainer.history == read_history(trained)
    problem = {
        "emptied": "is empty",
        "inside the header": "is cut off inside its header",
        "mid-row": "is cut off inside its last row (dropped)",
    }[where]
    rebuilt = "epoch 3" if where == "mid-row" else "epochs 1-3"
    assert warnings_of(capsys) == [
        f"warning: {run}/history.csv {problem}; {rebuilt} rebuilt from .history.csv.bak"
    ]
    assert read_history(run) == read_history(trained)  # the plots' reader too
    assert len(warnings_of(capsys)) == 1


def test_with_no_copy_a_half_row_is_dropped_and_the_missing_epoch_named(run, capsys):
    (run / ".history.csv.bak").unlink()  # e.g. an older run folder
    _cut_history(run / "history.csv", "mid-row")
    trainer = GANTrainer("ci", run)
    assert [row["epoch"] for row in trainer.history] == [1, 2]
    assert all(row[k] is not None for row in trainer.history for k in FIELDS)
    assert warnings_of(capsys) == [
        f"warning: {run}/history.csv is cut off inside its last row (dropped); no copy to rebuild "
        "it from; no row for epoch 3, which the plots will miss"
    ]
    rows = read_history(run)
    assert [row["epoch"] for row in rows] == [1, 2]


def test_a_row_with_a_missing_field_is_dropped_anywhere_in_the_file(run, capsys):
    lines = (run / "history.csv").read_text().splitlines(keepends=True)
    lines[2] = ",".join(lines[2].split(",")[:-2]) + "\n"  # epoch 2 loses two fields
    (run / "history.csv").write_text("".join(lines))
    (run / ".history.csv.bak").unlink()
    assert [row["epoch"] for row in read_history(run)] == [1, 3]
    assert warnings_of(capsys) == [
        f"warning: {run}/history.csv has incomplete row (line 3, "
        "dropped); no copy to rebuild it from"
    ]


def test_history_is_written_twice_and_both_copies_agree(trained):
    assert (trained / "history.csv").read_text() == (trained / ".history.csv.bak").read_text()


# --- 4. frames deleted by hand: repainted from their checkpoint, or named -------------------------


def test_a_deleted_frame_is_repainted_from_its_checkpoint(run, trained, faces, capsys):
    (run / "frames" / "epoch_0002.png").unlink()
    gif_before = (run / "training.gif").stat().st_mtime_ns
    GANTrainer("ci", run).fit(faces, epochs=3, progress=False)  # nothing to train
    assert (run / "frames/epoch_0002.png").read_bytes() == (
        trained / "frames/epoch_0002.png"
    ).read_bytes()
    assert (run / "training.gif").stat().st_mtime_ns != gif_before  # the GIF is made again
    assert warnings_of(capsys) == [
        f"warning: {run}/frames: the frames of epoch 2 were missing "
        "and are repainted from their checkpoints"
    ]


def test_a_deleted_frame_without_a_checkpoint_is_named_when_the_gif_is_made(run, faces, capsys):
    import imageio.v3 as iio

    (run / "frames" / "epoch_0001.png").unlink()
    for path in (run / "checkpoints").glob("ckpt-1.*"):  # as if swept away
        path.unlink()
    GANTrainer("ci", run).fit(faces, epochs=4, progress=False)
    assert warnings_of(capsys) == [
        f"warning: {run}/frames: no whole frame for epoch 1 and no checkpoint "
        "to repaint it from: training.gif is made without it"
    ]
    assert iio.imread(run / "training.gif", index=None).shape[0] == 3  # epochs 2, 3, 4


# --- 5. a failed first start leaves nothing that refuses the corrected command --------------------


def test_a_mistyped_data_folder_then_the_corrected_command_trains(tmp_path):
    def train(data):
        return run_course(
            "train", "--preset", "ci", "--data", data, "--run-dir", str(tmp_path / "x"),
            "--epochs", "1", "--no-metric", timeout=300,
        )  # fmt: skip

    failed = train("/no/such/folder")
    assert failed.returncode == 2
    [line] = failed.stderr.strip().splitlines()
    assert line.startswith("error: ") and "/no/such/folder" in line and "Traceback" not in line
    assert not (tmp_path / "x" / "config.json").exists()
    fixed = train("procedural")
    assert fixed.returncode == 0, fixed.stderr
    assert [row["epoch"] for row in read_history(tmp_path / "x")] == [1]


# --- 6. a run folder that cannot be one ---------------------------------------------------------


def test_a_run_dir_that_is_a_file_or_under_a_file_is_one_line(tmp_path, capsys):
    (tmp_path / "afile").write_text("not a folder")
    cases = {
        tmp_path / "afile": f"{tmp_path}/afile is a file, not a folder; move it away or "
        "choose another run folder (--run-dir on the command line, COURSE_RUNS_DIR in a notebook)",
        tmp_path / "afile" / "run": f"{tmp_path}/afile/run cannot be made: {tmp_path}/afile "
        "is a file; choose another run folder (--run-dir on the command line, COURSE_RUNS_DIR in a notebook)",
    }
    for run_dir, message in cases.items():
        with pytest.raises(RunFolderError) as error:
            GANTrainer("ci", run_dir)
        assert str(error.value) == message
        assert cli.main(["train", "--preset", "ci", "--run-dir", str(run_dir), "--no-metric"]) == 2
        assert capsys.readouterr().err == f"error: {message}\n"


def test_a_frames_entry_that_is_a_file_is_refused_before_training(run):
    shutil.rmtree(run / "frames")
    (run / "frames").write_text("oops")
    with pytest.raises(RunFolderError, match=r"run/frames is a file, not a folder"):
        GANTrainer("ci", run)


# --- 7. config.json emptied or not JSON -----------------------------------------------------------


@pytest.mark.parametrize("text", ["", "{not json", "[]"])
def test_a_damaged_config_is_one_line_that_names_it(run, text, capsys):
    (run / "config.json").write_text(text)
    argv = ["train", "--preset", "ci", "--run-dir", str(run), "--epochs", "3", "--no-metric"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(
        f"error: {run}/config.json: not a readable config"
    )
    assert "put back a copy of it, or delete it" in err


def test_a_deleted_config_is_written_anew_once_a_checkpoint_restores(run, capsys):
    (run / "config.json").unlink()
    assert GANTrainer("ci", run).epochs_done == 3
    assert warnings_of(capsys) == [
        f"warning: {run}/config.json was missing; written anew from the "
        "settings given now (preset ci, data procedural, seed 0)"
    ]
    assert RunFolder(run).preset().name == "ci"


# --- 8. zero or negative epochs -------------------------------------------------------------------


@pytest.mark.parametrize("epochs", ["0", "-1", "two"])
def test_epochs_below_one_are_refused_by_the_command_line(epochs, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["train", "--preset", "ci", "--epochs", epochs])
    assert exit_.value.code == 2
    assert (
        f"argument --epochs: must be a whole number from 1 to 100,000, not '{epochs}'"
        in capsys.readouterr().err
    )


def test_epochs_below_one_are_refused_by_fit(faces):
    for epochs in (0, -1):
        with pytest.raises(ValueError, match=f"epochs must be at least 1, got {epochs}"):
            GANTrainer("ci").fit(faces, epochs=epochs, progress=False)


# --- 9. mixed precision on and off across a resume ----------------------------------------------


def test_a_plain_run_resumes_with_mixed_precision(run, faces):
    trainer = GANTrainer("ci", run, mixed_precision=True)
    before = weights(trainer.generator)
    trainer.fit(faces, epochs=4, progress=False)
    assert trainer.epochs_done == 4 and not same(before, weights(trainer.generator))
    assert GANTrainer("ci", run).epochs_done == 4


def test_a_mixed_precision_run_resumes_plain(tmp_path, faces):
    GANTrainer("ci", tmp_path / "run", mixed_precision=True).fit(faces, epochs=1, progress=False)
    trainer = GANTrainer("ci", tmp_path / "run")
    assert trainer.epochs_done == 1
    before = weights(trainer.generator)
    trainer.fit(faces, epochs=2, progress=False)
    assert trainer.epochs_done == 2 and not same(before, weights(trainer.generator))
    assert [row["epoch"] for row in read_history(tmp_path / "run")] == [1, 2]


# --- 11. leftovers of a write killed halfway --------------------------------------------------------


def test_leftovers_of_an_interrupted_write_are_removed_on_resume(run):
    checkpoints = run / "checkpoints"
    (checkpoints / "ckpt-4_temp").mkdir()  # TensorFlow's sharded temp folder
    (checkpoints / "ckpt-4_temp" / "part-00000-of-00001.data-00000-of-00001").write_bytes(b"x")
    leftovers = [
        checkpoints / "ckpt-4_temp",
        checkpoints / "checkpoint.tmp0123456789abcdef",  # its bookkeeping's temp
        checkpoints / "ckpt-4.index.tempstate123456",  # its bundle writer's temp
        run / ".history.csv.k2j3h4.tmp",
        run / "frames" / ".epoch_0004.png.a1b2.tmp",
    ]
    for path in leftovers[1:]:
        path.write_bytes(b"half")
    assert GANTrainer("ci", run).epochs_done == 3
    assert not [path for path in leftovers if path.exists()]


# --- 12. two trainings on one run folder --------------------------------------------------------

HOLD = (
    "import sys, time; from course_utils.run_folder import RunFolder\n"
    "with RunFolder(sys.argv[1]).locked():\n"
    "    print('held', flush=True); time.sleep(120)\n"
)


def test_a_second_training_is_refused_while_the_first_holds_the_folder(run, faces, capsys):
    trainer = GANTrainer("ci", run)  # built before the other one started
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(run)], cwd=REPO, env=ENV, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        message = (
            f"{run} is in use by another training (pid {holder.pid} on "
            f"{socket.gethostname()}); wait for it or choose another run folder (--run-dir on the "
            "command line, COURSE_RUNS_DIR in a notebook)"
        )
        with pytest.raises(RunFolderError) as error:
            GANTrainer("ci", run)
        assert str(error.value) == message
        with pytest.raises(RunFolderError) as error:
            trainer.fit(faces, epochs=4, progress=False)
        assert str(error.value) == message
        argv = ["train", "--preset", "ci", "--run-dir", str(run), "--epochs", "4", "--no-metric"]
        assert cli.main(argv) == 2 and capsys.readouterr().err == f"error: {message}\n"
    finally:
        holder.send_signal(signal.SIGKILL)  # a killed holder leaves a stale lock file
        holder.wait()
    assert "pid" in (run / ".lock").read_text()
    trainer.fit(faces, epochs=4, progress=False)  # ... which blocks nothing
    assert trainer.epochs_done == 4


def test_a_trainer_goes_on_from_where_another_one_took_the_folder(run, faces):
    first = GANTrainer("ci", run)
    second = GANTrainer("ci", run)  # both built: only fit holds the folder
    second.fit(faces, epochs=4, progress=False)
    first.fit(faces, epochs=5, progress=False)  # re-reads the folder: trains epoch 5 only
    assert [row["epoch"] for row in read_history(run)] == [1, 2, 3, 4, 5]
    assert [row["epoch"] for row in first.history] == [1, 2, 3, 4, 5]
    assert first.history[3]["gen_loss"] == pytest.approx(second.history[3]["gen_loss"], rel=1e-5)


# --- 13. files readable by the class ------------------------------------------------------------


def test_run_folder_files_are_readable_by_group_and_others_under_umask_022(trained):
    files = [p for p in trained.rglob("*") if p.is_file()]
    names = {p.relative_to(trained).as_posix() for p in files}
    assert {
        "config.json",
        "history.csv",
        ".history.csv.bak",
        "frames/epoch_0001.png",
        "training.gif",
        "checkpoints/checkpoint",
        "checkpoints/ckpt-3.index",
        "checkpoints/ckpt-3.data-00000-of-00001",
    } <= names
    private = [
        p.relative_to(trained).as_posix()
        for p in files
        if stat.S_IMODE(p.stat().st_mode) & 0o044 != 0o044
    ]
    assert private == []
