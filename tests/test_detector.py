"""The independent judge: the anime-face detector that cut the Anime-Face-Dataset's crops."""

import cv2
import numpy as np
import pytest

from course_utils import detector
from course_utils.faces import render_faces


@pytest.fixture(scope="module")
def faces():
    return render_faces(400, seed=5)[0]


def test_the_installed_opencv_has_the_cascade_classifier_and_reads_the_vendored_file():
    assert hasattr(cv2, "CascadeClassifier"), "OpenCV 5 main wheels dropped it: pin opencv<5"
    assert not detector.load_cascade().empty()
    header = detector.CASCADE_PATH.read_text()[:2000]
    assert "The MIT License" in header and "nagadomi" in header  # the licence travels with it


def test_it_finds_procedural_faces(faces):
    assert detector.detection_rate(faces) >= 0.9


def test_it_finds_nothing_in_noise_or_flat_grey():
    noise = np.random.default_rng(0).integers(0, 256, (300, 56, 56), dtype=np.uint8)
    assert detector.detection_rate(noise) == 0.0
    assert detector.detection_rate(np.full((20, 56, 56), 128, np.uint8)) == 0.0


def test_it_reads_faces_not_grey_levels_shuffled_blocks_fail(faces):
    shuffled = detector.shuffle_blocks(faces, blocks=4, seed=0)
    # Every pixel is still there, so the grey-level histogram is unchanged ...
    assert np.array_equal(np.sort(shuffled[0].ravel()), np.sort(faces[0].ravel()))
    # ... but the faces are gone.
    assert detector.detection_rate(shuffled) <= 0.1


def test_preparation_is_the_measured_recipe():
    prepared = detector.prepare_for_detector(np.zeros((56, 56), np.uint8))
    # 2x upscale to 112, then 25 % (28 px) of edge padding on every side.
    assert prepared.shape == (168, 168)


def test_it_takes_model_shaped_uint8_and_refuses_floats(faces):
    assert (
        detector.detect_faces(faces[:10, :, :, None]).tolist()
        == detector.detect_faces(faces[:10]).tolist()
    )
    with pytest.raises(ValueError, match="uint8"):
        detector.detect_faces(faces[:2].astype(np.float32) / 127.5 - 1)
