"""Where the course is running (laptop, Binder, Colab) and where a run folder should live.

On Colab a session can vanish at any time; keeping the run folder on Google Drive lets the training
loop resume from its last checkpoint in the next session. Nothing here mounts Drive unless asked.
"""

import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DRIVE_ROOT = Path("/content/drive/MyDrive/gan-atelier")


def in_colab():
    """True inside Google Colab."""
    return "google.colab" in sys.modules or bool(os.environ.get("COLAB_RELEASE_TAG"))


def describe_hardware():
    """One line: which accelerator TensorFlow sees (the GPU's name, or CPU with its core count)."""
    import tensorflow as tf
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        details = tf.config.experimental.get_device_details(gpus[0])
        return f"GPU: {details.get('device_name', gpus[0].name)} ({len(gpus)} visible)"
    return f"CPU only ({os.cpu_count()} cores): the classroom preset is sized for this"


def run_folder(name, use_drive=None):
    """The folder for run ``name``: ``runs/NAME`` in the course, or on Google Drive in Colab.

    ``use_drive=None`` uses Drive only when running in Colab and Drive is already mounted.
    ``use_drive=True`` mounts it (Colab asks for permission once).
    """
    if use_drive is None:
        use_drive = in_colab() and Path("/content/drive/MyDrive").exists()
    if use_drive:
        if not in_colab():
            raise RuntimeError("Google Drive is only available inside Colab; use use_drive=False")
        if not Path("/content/drive/MyDrive").exists():
            from google.colab import drive  # pragma: no cover - Colab only
            drive.mount("/content/drive")
        root = DRIVE_ROOT / "runs"
    else:
        root = REPO_ROOT / "runs" if (REPO_ROOT / "notebooks").is_dir() else Path.cwd() / "runs"
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    return path
