"""An independent judge: does a painting contain an anime face, by the detector that cut the dataset?

``lbpcascade_animeface`` (nagadomi, 2011, MIT licence in the XML file's header) cropped the
Anime-Face-Dataset's faces. Why it judges: it never saw this course's faces or any GAN's output, so
it cannot be flattered by them. Its detection rate ("AFD") is what Hung-yi Lee's ML2022 homework 6
graded anime-face GANs by. docs/metrics.md has how a 56×56 face is prepared for it and its rates.
"""

from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np

from course_utils.language import Messages

_say = Messages(
    __name__,
    {
        "no cascade classifier": (
            "OpenCV {version} has no CascadeClassifier (OpenCV 5 moved it to the contrib "
            "build): pip install 'opencv-python-headless>=4.8,<5'",
            "OpenCV {version} 没有 CascadeClassifier（OpenCV 5 把它挪到了 contrib 版本）："
            "pip install 'opencv-python-headless>=4.8,<5'",
        ),
        "cascade unreadable": (
            "{path}: OpenCV could not read the anime-face cascade",
            "{path}：OpenCV 读不了这个动漫人脸检测器（级联分类器）文件",
        ),
        "not uint8": (
            "detect_faces wants uint8 pixels 0..255, got {dtype}",
            "detect_faces 要的是 0..255 的 uint8 像素，收到的是 {dtype}",
        ),
    },
)

CASCADE_PATH = Path(__file__).resolve().parent / "assets" / "lbpcascade_animeface.xml"
UPSCALE = 2
PAD_FRACTION = 0.25
SCALE_FACTOR = 1.1
MIN_NEIGHBORS = 5
MIN_SIZE = (40, 40)


@functools.lru_cache(maxsize=1)
def load_cascade():
    """The vendored cascade, loaded once. Needs an OpenCV with ``CascadeClassifier`` (4.x, or contrib)."""
    if not hasattr(cv2, "CascadeClassifier"):
        raise ImportError(_say("no cascade classifier", version=cv2.__version__))
    cascade = cv2.CascadeClassifier(str(CASCADE_PATH))
    if cascade.empty():
        raise OSError(_say("cascade unreadable", path=CASCADE_PATH))
    return cascade


def prepare_for_detector(image_uint8):
    """One 56×56 uint8 face → the 2× upscaled, edge-padded, equalised picture the cascade reads."""
    image = np.asarray(image_uint8, np.uint8).reshape(image_uint8.shape[:2])
    big = cv2.resize(image, None, fx=UPSCALE, fy=UPSCALE, interpolation=cv2.INTER_CUBIC)
    pad = int(round(PAD_FRACTION * big.shape[0]))
    big = cv2.copyMakeBorder(big, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    return cv2.equalizeHist(big)


def detect_faces(images_uint8):
    """For each uint8 image ``(N, H, W)`` or ``(N, H, W, 1)``: True where the cascade finds a face."""
    images = np.asarray(images_uint8)
    if images.dtype != np.uint8:
        raise ValueError(_say("not uint8", dtype=images.dtype))
    if images.ndim == 4:
        images = images[..., 0]
    cascade = load_cascade()
    found = np.zeros(len(images), bool)
    for i, image in enumerate(images):
        boxes = cascade.detectMultiScale(
            prepare_for_detector(image),
            scaleFactor=SCALE_FACTOR,
            minNeighbors=MIN_NEIGHBORS,
            minSize=MIN_SIZE,
        )
        found[i] = len(boxes) > 0
    return found


def detection_rate(images_uint8):
    """AFD: the share of images in which the anime-face detector finds a face (0..1, higher is better)."""
    found = detect_faces(images_uint8)
    return float(found.mean()) if len(found) else float("nan")


def shuffle_blocks(images_uint8, blocks=4, seed=0):
    """Cut each image into ``blocks × blocks`` tiles and shuffle them: every pixel kept, no face left
    (the check that the detector reads faces, not grey-level statistics)."""
    images = np.asarray(images_uint8)
    n, h, w = images.shape[:3]
    bh, bw = h // blocks, w // blocks
    rng = np.random.default_rng(seed)
    out = images.copy()
    for i in range(n):
        tiles = [
            images[i, r * bh : (r + 1) * bh, c * bw : (c + 1) * bw]
            for r in range(blocks)
            for c in range(blocks)
        ]
        order = rng.permutation(len(tiles))
        for k, j in enumerate(order):
            r, c = divmod(k, blocks)
            out[i, r * bh : (r + 1) * bh, c * bw : (c + 1) * bw] = tiles[j]
    return out
