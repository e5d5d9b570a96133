"""The command line a teacher uses: train, generate, gif, and clear errors."""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import imageio.v3 as iio
import pytest
from conftest import run_course

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}


cli = run_course


@pytest.fixture(scope="module")
def trained_run(tmp_path_factory):
    run_dir = tmp_path_factory.mktemp("cli") / "run"
    result = cli(
        "train",
        "--preset",
        "ci",
        "--data",
        "procedural",
        "--run-dir",
        str(run_dir),
        "--metric-every",
        "2",
    )
    assert result.returncode == 0, result.stderr
    return run_dir, result.stdout


def test_train_writes_everything_the_course_promises(trained_run):
    run_dir, stdout = trained_run
    for name in (
        "config.json",
        "history.csv",
        "frames/epoch_0001.png",
        "frames/epoch_0002.png",
        "checkpoints/checkpoint",
        "training.gif",
    ):
        assert (run_dir / name).exists(), name
    header = (run_dir / "history.csv").read_text().splitlines()[0].split(",")
    assert header[:4] == ["epoch", "gen_loss", "disc_loss", "seconds"]
    assert str(run_dir / "training.gif") in stdout
    assert iio.imread(run_dir / "training.gif", index=None).shape[0] == 2


def test_train_scores_image_quality_every_k_epochs_and_reports_it_next_to_the_floor(trained_run):
    from course_utils.metrics import TRAINING_METRIC_N, floor
    from course_utils.run_folder import read_history

    run_dir, stdout = trained_run
    history = read_history(run_dir)
    assert [row["fd"] is not None for row in history] == [False, True]  # --metric-every 2
    fd, afd = history[1]["fd"], history[1]["afd"]
    low = floor("procedural", TRAINING_METRIC_N)
    assert fd > 10 * low["fd"]  # two epochs of a tiny artist: far from real
    assert afd < 0.5 * low["afd"]  # ... and the detector finds few faces
    assert (
        f"faces at epoch 2 ({TRAINING_METRIC_N} paintings): the anime-face detector finds a "
        f"face in {afd:.0%} of them, in {low['afd']:.0%} of real faces"
    ) in stdout
    assert f"FD {fd:.2f} (real faces: {low['fd']:.2f}; lower is better)" in stdout


def test_generate_draws_a_grid_of_new_faces(trained_run, tmp_path):
    run_dir, _ = trained_run
    out = tmp_path / "faces.png"
    result = cli(
        "generate", "--run-dir", str(run_dir), "--n", "16", "--out", str(out), "--scale", "2"
    )
    assert result.returncode == 0, result.stderr
    image = cv2.imread(str(out), cv2.IMREAD_GRAYSCALE)
    assert image.shape == (2 * (4 * 56 + 5 * 2), 2 * (4 * 56 + 5 * 2))


def test_gif_rebuilds_with_a_frame_limit(trained_run, tmp_path):
    run_dir, _ = trained_run
    result = cli(
        "gif", "--run-dir", str(run_dir), "--out", str(tmp_path / "x.gif"), "--max-frames", "1"
    )
    assert result.returncode == 0, result.stderr
    assert "1 frames" in result.stdout


def test_training_on_a_missing_folder_names_it(tmp_path):
    result = cli(
        "train",
        "--preset",
        "ci",
        "--data",
        str(tmp_path / "no_such_faces"),
        "--run-dir",
        str(tmp_path / "run"),
    )
    assert result.returncode == 2
    assert "no_such_faces" in result.stderr and "does not exist" in result.stderr


# --- The command line itself: help, version, run folders (no TensorFlow, no training) ---------------


def _subcommands(parser):
    [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return sub.choices


def test_every_option_of_every_command_has_help_and_every_command_an_example():
    from course_utils.cli import build_parser

    parser = build_parser()
    commands = _subcommands(parser)
    assert set(commands) == {"train", "generate", "gif", "quality", "slides", "doctor"}
    for name, command in [(None, parser), *commands.items()]:
        for action in command._actions:
            if action.option_strings:
                assert action.help and action.help != argparse.SUPPRESS, (
                    name,
                    action.option_strings,
                )
        if name:
            assert "example" in command.epilog and f"gan-atelier {name} " in command.format_help()


def test_help_names_the_program_as_it_was_called_and_has_no_rst_backticks():
    from course_utils.cli import build_parser

    parser = build_parser()
    texts = [parser.format_help()] + [c.format_help() for c in _subcommands(parser).values()]
    assert parser.format_usage().startswith("usage: gan-atelier ")
    for text in texts:
        assert "`" not in text
    module = cli("--help")
    assert module.returncode == 0 and module.stdout.startswith("usage: python -m course_utils ")
    assert "`" not in module.stdout


def test_help_does_not_load_tensorflow():
    code = (
        "import sys; from course_utils.cli import build_parser; build_parser().format_help(); "
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=ENV, capture_output=True, text=True, timeout=60
    )
    assert result.stdout.split() == ["False", "False"], result.stderr


def test_version_prints_the_package_version():
    import course_utils

    assert cli("--version").stdout.strip() == f"python -m course_utils {course_utils.__version__}"
    script = shutil.which("gan-atelier", path=os.path.dirname(sys.executable))
    if script:  # the console script of the installed package
        result = subprocess.run([script, "--version"], capture_output=True, text=True, timeout=60)
        assert result.stdout.strip() == f"gan-atelier {course_utils.__version__}"


def test_preset_choices_come_from_the_presets():
    from course_utils.cli import build_parser, preset_names
    from course_utils.presets import PRESETS

    assert preset_names() == list(PRESETS)
    commands = _subcommands(build_parser())
    for name in ("train", "slides"):
        [preset] = [a for a in commands[name]._actions if "--preset" in a.option_strings]
        assert list(preset.choices) == list(PRESETS)


@pytest.mark.parametrize(
    "argv, run_dir",
    [
        (["train", "--preset", "ci"], "runs/ci"),
        (["train", "--preset", "seed"], "runs/seed"),
        (["train", "--preset", "ci", "--run-dir", "elsewhere"], "elsewhere"),
    ],
)
def test_each_preset_trains_into_its_own_run_folder_unless_one_is_named(argv, run_dir):
    from course_utils.cli import build_parser, run_dir_for

    args = build_parser().parse_args(argv)
    assert run_dir_for(args, args.preset) == Path(run_dir)


def test_quality_and_slides_handlers_live_here_and_call_their_modules(monkeypatch, capsys):
    from course_utils import cli as cli_module
    from course_utils import metrics, slides
    from course_utils.cli import build_parser

    calls = []
    monkeypatch.setattr(
        metrics, "format_calibration", lambda ref, n: calls.append(("calibrate", ref, n)) or "CAL"
    )
    monkeypatch.setattr(
        slides,
        "build_decks",
        lambda lessons, out, preset, execute, lang="en": (
            calls.append(("slides", lessons, out.name, preset, execute)) or ["a.slides.html"]
        ),
    )
    parser = build_parser()
    for argv in (
        ["quality", "--calibrate", "--n", "50"],
        ["slides", "--lessons", "00", "--no-execute", "--out-dir", "decks"],
    ):
        args = parser.parse_args(argv)
        assert args.func.__module__ == "course_utils.cli"  # every handler is defined in cli.py
        assert args.func(args) == 0
    assert calls == [("calibrate", "procedural", 50), ("slides", ["00"], "decks", None, False)]
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "CAL" and out[1].startswith("1 deck(s) in decks/")
    assert not hasattr(metrics, "_quality") and not hasattr(slides, "_slides")
    assert cli_module._quality.__module__ == cli_module._slides.__module__ == "course_utils.cli"


def test_metric_every_help_names_the_scores_training_records():
    from course_utils.cli import build_parser
    from course_utils.metrics import training_scores

    [metric_every] = [
        a
        for a in _subcommands(build_parser())["train"]._actions
        if "--metric-every" in a.option_strings
    ]
    assert f"({', '.join(name.upper() for name in training_scores())})" in metric_every.help


def test_gif_names_epochs_without_a_frame_in_one_warning(trained_run, tmp_path):
    run_dir, _ = trained_run
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    (copy / "frames" / "epoch_0001.png").unlink()
    result = cli("gif", "--run-dir", str(copy))
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"warning: no frame for epoch(s) 1: the GIF skips them (train again in {copy} to "
        "repaint them from their checkpoints)"
    ]
    assert "1 frames" in result.stdout


# --- course.sh: one line while it installs, and the arguments it hands to the command line --------

FAKE_PYTHON3 = """#!/usr/bin/env bash
# Stands in for python3: passes the version check; '-m venv DIR' makes a venv with a fake python.
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin" && cp "$FAKE_VENV_PYTHON" "$3/bin/python" && exit 0
fi
cat >/dev/null
"""

FAKE_VENV_PYTHON = """#!/usr/bin/env bash
# The venv's python: 'pip' prints what this machine's pip prints; anything else echoes its arguments.
if [ "$1 $2" = "-m pip" ]; then
  echo "WARNING: Location 'file:///opt/pypi/simple/tensorflow/' is ignored: it is neither a file nor a directory."
  echo "pip $*"
  if [ -n "${FAKE_PIP_FAIL:-}" ]; then echo "ERROR: No matching distribution found for tensorflow" >&2; exit 1; fi
  exit 0
fi
echo "ARGS $*"
"""


@pytest.fixture
def course_sh(tmp_path):
    """Run course.sh with a fake python3 and venv: what it prints and passes on, in milliseconds."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, text in (("python3", FAKE_PYTHON3), ("venv_python", FAKE_VENV_PYTHON)):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    venv = tmp_path / "venv"

    def run(*args, **env):
        environ = {
            **ENV,
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "VENV": str(venv),
            "FAKE_VENV_PYTHON": str(bin_dir / "venv_python"),
            **env,
        }
        if "COURSE_PRESET" not in env:
            environ.pop("COURSE_PRESET", None)
        return subprocess.run(
            ["bash", os.path.join(REPO, "course.sh"), *args],
            env=environ,
            capture_output=True,
            text=True,
            timeout=60,
        )

    run.venv = venv
    return run


def test_course_sh_installs_with_one_line_and_keeps_pip_output_in_a_log(course_sh):
    first = course_sh("train")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].startswith("Installing GAN Atelier and its dependencies") and len(lines) == 2
    assert first.stderr == ""
    log = (course_sh.venv / "install.log").read_text()
    assert "is ignored" in log and "pip -m pip install -e .[test]" in log
    again = course_sh("train")  # installed: straight to the command
    assert again.stdout.splitlines() == lines[1:]


def test_course_sh_shows_pip_log_only_when_the_install_fails(course_sh):
    failed = course_sh("train", FAKE_PIP_FAIL="1")
    assert failed.returncode == 1
    assert "ERROR: No matching distribution found for tensorflow" in failed.stderr
    assert (
        "is ignored" not in failed.stderr and str(course_sh.venv / "install.log") in failed.stderr
    )
    assert "ARGS" not in failed.stdout
    assert not list(course_sh.venv.glob(".gan-atelier-*"))  # the next run tries again


@pytest.mark.parametrize(
    "args, env, passed",
    [
        ((), {}, "--data procedural"),
        (("--preset", "ci"), {}, "--data procedural --preset ci"),
        (("--preset=seed", "--epochs", "3"), {}, "--data procedural --preset=seed --epochs 3"),
        ((), {"COURSE_PRESET": "ci"}, "--data procedural"),  # the course reads it (below)
        (
            ("--data", "faces/", "--run-dir", "runs/anime"),
            {},
            "--data procedural --data faces/ --run-dir runs/anime",
        ),
    ],
)
def test_course_sh_train_names_no_preset_and_no_run_folder_of_its_own(course_sh, args, env, passed):
    # course.sh passes no --preset of its own: COURSE_PRESET is read by get_preset(), so a bad
    # value is blamed on the variable, not on an option the learner never typed.
    result = course_sh("train", *args, **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"ARGS -m course_utils train {passed}"


def test_a_bad_course_preset_is_blamed_on_the_variable_by_the_command_line(monkeypatch, capsys):
    from course_utils.cli import main

    monkeypatch.setenv("COURSE_PRESET", "clasroom")
    assert main(["train", "--run-dir", "unused"]) == 2
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        "error: the environment variable COURSE_PRESET names an unknown preset 'clasroom'; "
        "choose one of seed, classroom, ci, vae, vae_ci"
    )


def test_training_on_a_folder_says_how_many_files_were_used_and_which_were_skipped(tmp_path):
    import cv2
    import numpy as np

    from course_utils.faces import render_faces

    folder = tmp_path / "faces"
    folder.mkdir()
    for i, face in enumerate(render_faces(70, seed=4)[0]):
        big = cv2.resize(face, (96, 96), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(folder / f"{i:05d}_2008.jpg"), cv2.cvtColor(big, cv2.COLOR_GRAY2BGR))
    (folder / "notes.txt").write_text("not an image")
    (folder / "empty.jpg").write_bytes(b"")
    result = cli(
        "train",
        "--preset",
        "ci",
        "--data",
        str(folder),
        "--run-dir",
        str(tmp_path / "run"),
        "--epochs",
        "1",
        "--no-metric",
    )
    assert result.returncode == 0, result.stderr
    assert f"70 images used from {folder}, 2 files skipped" in result.stdout
    assert "skipped empty.jpg: empty file (0 bytes)" in result.stdout
    assert "skipped notes.txt:" in result.stdout
    assert np.isfinite(float(result.stdout.split("generator loss ")[1].split(",")[0]))
