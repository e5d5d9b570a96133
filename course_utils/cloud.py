"""Where the course is running (laptop, Binder, Colab) and where a run folder should live.

On Colab a session can vanish at any time; keeping the run folder on Google Drive lets the training
loop resume from its last checkpoint in the next session. Nothing here mounts Drive unless asked
(``run_dir_path(name, use_drive=True)``); without asking, Drive is used only when already mounted.
"""

import os
import sys
from pathlib import Path

from course_utils.language import Messages

_say = Messages(
    __name__,
    {
        "binder memory": (
            "Binder gives this session 1-2 GB of memory and a lesson needs up to 1 GB: shut down "
            "the previous lesson's kernel first (Kernel → Shut Down Kernel, or the Running tab).",
            "Binder 只给这个会话 1-2 GB 内存，而一课最多要用 1 GB：请先关掉上一课的内核"
            "（Kernel → Shut Down Kernel，或者在 Running 标签页里关）。",
        ),
        "gpu": ("GPU: {name} ({count} visible)", "GPU：{name}（可见 {count} 块）"),
        "cpu only": (
            "CPU only ({cores} cores): the classroom preset is sized for this",
            "只有 CPU（{cores} 核）：classroom 预设正是按这种机器设计的",
        ),
        "cpu only in colab": (
            "CPU only ({cores} cores): the classroom preset is sized for this. "
            "In Colab: Runtime → Change runtime type → T4 GPU, then run the notebook again.",
            "只有 CPU（{cores} 核）：classroom 预设正是按这种机器设计的。"
            "在 Colab 里：代码执行程序（Runtime）→ 更改运行时类型（Change runtime type）"
            "→ T4 GPU，然后重新运行这个笔记本。",
        ),
        "drive outside colab": (
            "Google Drive is only available inside Colab; use use_drive=False",
            "只有在 Colab 里才能用 Google Drive；请用 use_drive=False",
        ),
    },
)

REPO_ROOT = Path(__file__).resolve().parent.parent
DRIVE_MOUNT = Path("/content/drive")
DRIVE_MYDRIVE = DRIVE_MOUNT / "MyDrive"
DRIVE_ROOT = DRIVE_MYDRIVE / "gan-atelier"


def in_colab():
    """True inside Google Colab."""
    return "google.colab" in sys.modules or bool(os.environ.get("COLAB_RELEASE_TAG"))


def on_binder():
    """True on mybinder.org (repo2docker sets ``BINDER_SERVICE_HOST`` or ``BINDER_LAUNCH_HOST``)."""
    return bool(os.environ.get("BINDER_SERVICE_HOST") or os.environ.get("BINDER_LAUNCH_HOST"))


def binder_memory_hint():
    """On Binder, one line asking to shut down the previous lesson's kernel: Binder gives 1–2 GB, a
    lesson's kernel peaks just under 1 GB (TensorFlow alone 0.6 GB; ``benchmarks/lesson_memory.py``),
    and two open kernels lose one."""
    if on_binder():
        print(_say("binder memory"))


def gpu_names():
    """Names of the GPUs TensorFlow can see (an empty list on a CPU-only machine)."""
    import tensorflow as tf

    names = []
    for gpu in tf.config.list_physical_devices("GPU"):
        details = tf.config.experimental.get_device_details(gpu)
        names.append(details.get("device_name", gpu.name))
    return names


def describe_hardware():
    """One line: which accelerator TensorFlow sees (the GPU's name, or CPU with its core count).
    In Colab without a GPU, the line also says how to get one."""
    names = gpu_names()
    if names:
        return _say("gpu", name=names[0], count=len(names))
    return _say("cpu only in colab" if in_colab() else "cpu only", cores=os.cpu_count())


def suggested_training_options():
    """Keyword arguments for ``training.train``/``GANTrainer`` on this machine: XLA on any GPU, and
    mixed bfloat16 on GPUs with bfloat16 units (compute capability 8.0 and later: A100, L4, H100);
    plain float32 on a CPU, where neither pays (see ``benchmarks/gpu_options.py``). Colab's free T4
    (7.5) gets XLA only."""
    capabilities = gpu_compute_capabilities()
    return {
        "jit_compile": bool(capabilities),
        "mixed_precision": bool(capabilities) and min(capabilities) >= (8, 0),
    }


def gpu_compute_capabilities():
    """(major, minor) compute capability of each GPU TensorFlow sees; empty on a CPU-only machine."""
    import tensorflow as tf

    found = []
    for gpu in tf.config.list_physical_devices("GPU"):
        found.append(
            tuple(tf.config.experimental.get_device_details(gpu).get("compute_capability", (0, 0)))
        )
    return found


def run_dir_path(name, use_drive=None):
    """The folder for run ``name``: ``runs/NAME`` in the course, or on Google Drive in Colab.

    ``use_drive=None`` uses Drive only when running in Colab and Drive is already mounted.
    ``use_drive=True`` mounts it (Colab asks for permission once); outside Colab it is an error.
    The environment variable ``COURSE_RUNS_DIR`` puts local runs elsewhere: the tests point it at a
    fresh folder so every notebook trains from scratch and never touches a learner's ``runs/``.
    """
    if use_drive is None:
        use_drive = in_colab() and DRIVE_MYDRIVE.exists()
    if use_drive:
        if not in_colab():
            raise RuntimeError(_say("drive outside colab"))
        if not DRIVE_MYDRIVE.exists():
            from google.colab import drive

            drive.mount(str(DRIVE_MOUNT))
        root = DRIVE_ROOT / "runs"
    elif os.environ.get("COURSE_RUNS_DIR"):
        root = Path(os.environ["COURSE_RUNS_DIR"])
    else:
        root = REPO_ROOT / "runs" if (REPO_ROOT / "notebooks").is_dir() else Path.cwd() / "runs"
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_tensorflow_quietly():
    """Import TensorFlow without its start-up chatter (later ``import tensorflow`` lines are free).

    On a machine without a GPU the pip wheel prints "Could not find cuda drivers" and an absl
    warning while it loads, before ``TF_CPP_MIN_LOG_LEVEL`` can act; in a notebook that is a red box
    a learner takes for an error. The C++ library writes straight to file descriptor 2, which
    ``sys.stderr`` cannot intercept, so the descriptor itself points at the null device for the
    length of the import. Python exceptions are not affected: a failed import still raises.
    """
    if "tensorflow" in sys.modules:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    try:
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)
