"""Where runs live: runs/NAME locally, Google Drive in Colab (faked here; nothing is ever mounted)."""

import json
import os
import re
import sys
import types
from pathlib import Path

import pytest

from course_utils import cloud

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def fake_colab(monkeypatch, tmp_path):
    """Pretend to be in Colab: a fake ``google.colab`` module whose drive.mount records its calls
    and creates the MyDrive folder, with every Drive path moved under tmp_path."""
    mounts = []
    mount_point = tmp_path / "content" / "drive"

    def mount(path):
        mounts.append(path)
        (Path(path) / "MyDrive").mkdir(parents=True)

    colab = types.ModuleType("google.colab")
    colab.drive = types.SimpleNamespace(mount=mount)
    google = types.ModuleType("google")
    google.colab = colab
    monkeypatch.setitem(sys.modules, "google", google)
    monkeypatch.setitem(sys.modules, "google.colab", colab)
    monkeypatch.setattr(cloud, "DRIVE_MOUNT", mount_point)
    monkeypatch.setattr(cloud, "DRIVE_MYDRIVE", mount_point / "MyDrive")
    monkeypatch.setattr(cloud, "DRIVE_ROOT", mount_point / "MyDrive" / "gan-atelier")
    return mounts, mount_point


def test_run_folder_outside_colab_is_under_repo_runs(monkeypatch):
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    monkeypatch.delenv("COURSE_RUNS_DIR", raising=False)
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    assert not cloud.in_colab()
    path = cloud.run_dir_path("pytest_cloud_probe")
    try:
        assert path == REPO / "runs" / "pytest_cloud_probe"
        assert path.is_dir()
    finally:
        path.rmdir()
    with pytest.raises(RuntimeError, match="only available inside Colab"):
        cloud.run_dir_path("x", use_drive=True)


def test_course_runs_dir_moves_local_runs(monkeypatch, tmp_path):
    monkeypatch.delenv("COLAB_RELEASE_TAG", raising=False)
    monkeypatch.setenv("COURSE_RUNS_DIR", str(tmp_path / "elsewhere"))
    assert cloud.run_dir_path("classroom") == tmp_path / "elsewhere" / "classroom"
    assert (tmp_path / "elsewhere" / "classroom").is_dir()


def test_colab_without_drive_mounted_stays_local_and_never_mounts(fake_colab):
    mounts, _ = fake_colab
    assert cloud.in_colab()
    path = cloud.run_dir_path("pytest_cloud_probe")
    try:
        assert path == REPO / "runs" / "pytest_cloud_probe"
        assert mounts == []
    finally:
        path.rmdir()


def test_colab_opt_in_mounts_drive_once_then_reuses_it(fake_colab):
    mounts, mount_point = fake_colab
    path = cloud.run_dir_path("classroom", use_drive=True)
    assert path == mount_point / "MyDrive" / "gan-atelier" / "runs" / "classroom"
    assert path.is_dir()
    assert mounts == [str(mount_point)]
    # Already mounted: the default now picks Drive, and nothing is mounted again.
    assert cloud.run_dir_path("classroom") == path
    assert mounts == [str(mount_point)]
    # Asking for local explicitly still works in Colab.
    local = cloud.run_dir_path("pytest_cloud_probe", use_drive=False)
    try:
        assert local.parent == REPO / "runs"
    finally:
        local.rmdir()


def test_hardware_line_on_this_cpu_machine(monkeypatch, fake_colab):
    monkeypatch.setattr(cloud, "gpu_names", lambda: [])
    line = cloud.describe_hardware()
    assert line.startswith("CPU only") and "Change runtime type" in line
    assert cloud.suggested_training_options() == {"jit_compile": False, "mixed_precision": False}
    monkeypatch.setattr(cloud, "gpu_names", lambda: ["Tesla T4"])
    assert cloud.describe_hardware() == "GPU: Tesla T4 (1 visible)"


@pytest.mark.parametrize(
    "capabilities,expected",
    [
        ([], {"jit_compile": False, "mixed_precision": False}),  # a CPU
        (
            [(7, 5)],
            {"jit_compile": True, "mixed_precision": False},
        ),  # Colab's T4: no bfloat16 units
        ([(8, 0)], {"jit_compile": True, "mixed_precision": True}),  # A100
        ([(9, 0)], {"jit_compile": True, "mixed_precision": True}),  # H100
    ],
)
def test_suggested_options_follow_the_gpu(monkeypatch, capabilities, expected):
    monkeypatch.setattr(cloud, "gpu_compute_capabilities", lambda: capabilities)
    assert cloud.suggested_training_options() == expected


NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
BADGE = re.compile(
    r"\[!\[Open In Colab\]\(https://colab\.research\.google\.com/assets/colab-badge\.svg\)\]"
    r"\((https://colab\.research\.google\.com/github/gan-atelier/gan-atelier/blob/v0\.1\.0/"
    r"notebooks/[^)]+)\)"
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_every_notebook_opens_in_colab_at_its_own_path(path):
    first = json.loads(path.read_text())["cells"][0]
    assert first["cell_type"] == "markdown"
    found = BADGE.findall("".join(first["source"]))
    assert found, f"{path.name}: no Colab badge in the first cell"
    assert all(url.endswith("/notebooks/" + path.name) for url in found), found


def test_tensorflow_imports_without_its_start_up_chatter_and_stderr_still_works():
    import subprocess

    code = (
        "import sys; from course_utils.cloud import import_tensorflow_quietly as q; q(); "
        "import tensorflow as tf; print(tf.reduce_sum(tf.ones([3])).numpy()); "
        "print('still heard', file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=REPO, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "3.0"
    assert result.stderr.strip() == "still heard"  # no cudart / absl lines, stderr restored


def test_binder_users_are_told_to_close_the_previous_kernel_and_nobody_else(monkeypatch, capsys):
    monkeypatch.delenv("BINDER_SERVICE_HOST", raising=False)
    monkeypatch.delenv("BINDER_LAUNCH_HOST", raising=False)
    cloud.binder_memory_hint()
    assert capsys.readouterr().out == ""
    monkeypatch.setenv("BINDER_LAUNCH_HOST", "https://mybinder.org/")
    cloud.binder_memory_hint()
    assert "shut down the previous lesson's kernel" in capsys.readouterr().out
