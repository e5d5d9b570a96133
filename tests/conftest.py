import http.server
import io
import os
import subprocess
import sys
import threading
import zipfile
from functools import partial

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent
COURSE = [sys.executable, "-m", "course_utils"]
"""The course's command line as a learner runs it; tests add a sub-command and its options."""


@pytest.fixture(autouse=True)
def _english_by_default(monkeypatch):
    """Every test starts in English (the default), whatever the shell or an earlier test chose."""
    from course_utils import language

    monkeypatch.delenv("COURSE_LANG", raising=False)
    monkeypatch.setattr(language, "_chosen", None)


@pytest.fixture
def zh(monkeypatch):
    """Chinese for one test; English again afterwards."""
    from course_utils import language

    monkeypatch.setattr(language, "_chosen", "zh")


def run_course(*args, timeout=600):
    """``python -m course_utils ARGS`` in the repository, TensorFlow quiet, output captured."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [*COURSE, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )


def train_ci_run(run_dir, faces, epochs=3):
    """A finished ``ci`` run of ``epochs`` epochs in ``run_dir`` (checkpoints, frames, the GIF),
    written under umask 022 as a learner's would be; the fault tests copy it and damage the copy."""
    from course_utils.training import GANTrainer

    umask = os.umask(0o022)
    try:
        GANTrainer("ci", run_dir).fit(faces, epochs=epochs, progress=False)
    finally:
        os.umask(umask)
    return run_dir


@pytest.fixture
def jpeg_folder(tmp_path):
    """A folder shaped like Anime-Face-Dataset: colour JPEGs of 90–120 px named like 12345_2008.jpg."""
    rng = np.random.default_rng(0)
    folder = tmp_path / "anime" / "images"
    folder.mkdir(parents=True)
    for i in range(12):
        size = int(rng.integers(90, 121))
        image = np.zeros((size, size, 3), np.uint8)
        image[:] = rng.integers(0, 256, 3)
        cv2.circle(image, (size // 2, size // 2), size // 3, (255, 255, 255), -1)
        cv2.imwrite(str(folder / f"{10000 + i}_2008.jpg"), image)
    return folder


@pytest.fixture
def served(tmp_path):
    """A web server on 127.0.0.1 serving ``tmp_path/www``: yields (that folder, its base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def zip_of(folder, count=None, extra=None):
    """A zip (bytes) of the first ``count`` JPEGs of ``folder`` under ``images/``, plus ``extra``
    members ({name: content}), deflated as real archives are."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.glob("*.jpg"))[:count]:
            zf.write(path, f"images/{path.name}")
        for name, content in (extra or {}).items():
            zf.writestr(name, content)
    return buffer.getvalue()
