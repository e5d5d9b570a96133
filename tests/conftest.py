import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from pathlib import Path

import cv2
import numpy as np
import pytest

REPO = Path(__file__).resolve().parent.parent


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
