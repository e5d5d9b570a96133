"""Lesson 1 in code: where the faces come from, and how they are shaped for the network.

uint8 faces ``(N, 56, 56)`` → float32 ``(N, 56, 56, 1)`` in [-1, 1], checked on the way in, the way
back for display, and the ``tf.data`` pipeline. TensorFlow is imported inside the functions that
use it, so preparing data does not pay for it. Reading image files, preparing folders and
downloading the dataset live in ``image_files``, ``face_folders`` and ``download``.
"""

import weakref

import numpy as np

from course_utils.download import EXTRACTED_FROM, download_dataset, safe_extract
from course_utils.face_folders import (
    DEFAULT_LIMIT,
    PreparedFaces,
    default_cache_dir,
    prepare_folder,
)
from course_utils.faces import IMAGE_SIZE, render_faces
from course_utils.image_files import RESIZE_INTERPOLATION, read_face
from course_utils.language import Messages

_say = Messages(
    __name__,
    {
        "limit not positive": (
            "limit must be positive, got {limit}",
            "limit 必须是正数，收到的是 {limit}",
        ),
        "floats like model input": (
            "to_model_input expects uint8 pixels 0..255, got {dtype} values "
            "from {low:g} to {high:g}: it looks like model input already: use it as it is",
            "to_model_input 要的是 0..255 的 uint8 像素，收到的是 {dtype}，取值从 {low:g} "
            "到 {high:g}：它看起来已经是模型输入了，直接用就行",
        ),
        "floats not pixels": (
            "to_model_input expects uint8 pixels 0..255, got {dtype} values "
            "from {low:g} to {high:g}: convert it to uint8 first",
            "to_model_input 要的是 0..255 的 uint8 像素，收到的是 {dtype}，取值从 {low:g} "
            "到 {high:g}：请先把它转换成 uint8",
        ),
        "not whole numbers": (
            "to_model_input expects uint8 pixels 0..255, got {dtype}",
            "to_model_input 要的是 0..255 的 uint8 像素，收到的是 {dtype}",
        ),
        "wrong shape": (
            "to_model_input: expected images of shape {expected} as uint8 pixels "
            "0..255, got shape {shape}",
            "to_model_input：要的是形状为 {expected} 的图像（0..255 的 uint8 像素），"
            "收到的形状是 {shape}",
        ),
        "wrong shape, channel axis": (
            "to_model_input: expected images of shape {expected} as uint8 pixels "
            "0..255, got shape {shape} (drop the channel axis: images[..., 0])",
            "to_model_input：要的是形状为 {expected} 的图像（0..255 的 uint8 像素），"
            "收到的形状是 {shape}（去掉通道轴：images[..., 0]）",
        ),
        "outside 0..255": (
            "to_model_input expects pixels 0..255, got {dtype} values from {low:g} to {high:g}",
            "to_model_input 要的是 0..255 的像素，收到的是 {dtype}，取值从 {low:g} 到 {high:g}",
        ),
        "model input type": (
            "model input: expected float32 in [-1, 1] of shape (N, {size}, {size}, 1), "
            "got {dtype}: did you forget to_model_input?",
            "模型输入：要的是形状为 (N, {size}, {size}, 1)、取值在 [-1, 1] 的 float32，"
            "收到的是 {dtype}：是不是忘了 to_model_input？",
        ),
        "model input shape": (
            "model input: expected float32 in [-1, 1] of shape (N, {size}, {size}, 1), "
            "got shape {shape}: did you forget to_model_input?",
            "模型输入：要的是形状为 (N, {size}, {size}, 1)、取值在 [-1, 1] 的 float32，"
            "收到的形状是 {shape}：是不是忘了 to_model_input？",
        ),
        "model input not finite": (
            "model input: expected float32 in [-1, 1] of shape (N, {size}, {size}, 1), "
            "got NaN or infinite values",
            "模型输入：要的是形状为 (N, {size}, {size}, 1)、取值在 [-1, 1] 的 float32，"
            "里面却有 NaN 或无穷大",
        ),
        "model input too high": (
            "model input: expected float32 in [-1, 1] of shape (N, {size}, {size}, 1), "
            "got values up to {high:.1f}: did you forget to_model_input?",
            "模型输入：要的是形状为 (N, {size}, {size}, 1)、取值在 [-1, 1] 的 float32，"
            "最大值却到了 {high:.1f}：是不是忘了 to_model_input？",
        ),
        "model input too low": (
            "model input: expected float32 in [-1, 1] of shape (N, {size}, {size}, 1), "
            "got values down to {low:.1f}: did you forget to_model_input?",
            "模型输入：要的是形状为 (N, {size}, {size}, 1)、取值在 [-1, 1] 的 float32，"
            "最小值却低到 {low:.1f}：是不是忘了 to_model_input？",
        ),
        "faces freed": (
            "make_dataset: its faces were freed while it was still being read",
            "make_dataset：数据集还在读取，它的人脸数组却已经被释放了",
        ),
    },
)

# The lesson's own names, and (after them) those re-exported for the lessons, tests and benchmarks
# that import them from here.
__all__ = [
    "load_faces",
    "check_pixels",
    "to_model_input",
    "MODEL_INPUT_TOLERANCE",
    "check_model_input",
    "to_pixels",
    "PREFETCH_BATCHES",
    "make_dataset",
    "pixels_to_model_input",
    # re-exported
    "IMAGE_SIZE",
    "DEFAULT_LIMIT",
    "PreparedFaces",
    "prepare_folder",
    "default_cache_dir",
    "read_face",
    "RESIZE_INTERPOLATION",
    "download_dataset",
    "safe_extract",
    "EXTRACTED_FROM",
]


# --- Where the faces come from -------------------------------------------------------------------


def load_faces(source="procedural", limit=DEFAULT_LIMIT, cache_dir=None, seed=0, verbose=False):
    """Return uint8 faces ``(N, 56, 56)`` from ``"procedural"`` or a folder of images.

    Procedural faces are deterministic: the first k faces of any call are the same k faces. For a
    folder, the first ``limit`` readable images in sorted path order are used, and cached
    (``prepare_folder``); ``verbose=True`` prints what was used and skipped.
    """
    if limit is not None and limit <= 0:
        raise ValueError(_say("limit not positive", limit=limit))
    if str(source) == "procedural":
        images, _ = render_faces(limit or DEFAULT_LIMIT, seed=seed)
        return images
    prepared = prepare_folder(source, limit=limit, cache_dir=cache_dir)
    if verbose:
        print(prepared.summary())
    return prepared.images


# --- Shaping, exactly as the data lesson teaches it ----------------------------------------------


def _value_range(array):
    return (float(np.min(array)), float(np.max(array))) if array.size else (0.0, 0.0)


def check_pixels(images, size):
    """Refuse at the door what ``to_model_input`` would silently turn into nonsense: floats
    (already model input, or not pixels), integers outside 0..255, and the wrong shape."""
    images = np.asarray(images)
    shape = f"(N, {size}, {size})" if size else "(N, H, W)"
    if images.dtype.kind == "f":
        low, high = _value_range(images)
        kind = "floats like model input" if low >= -1 and high <= 1 else "floats not pixels"
        raise ValueError(_say(kind, dtype=images.dtype, low=low, high=high))
    if images.dtype.kind not in "ui":
        raise ValueError(_say("not whole numbers", dtype=images.dtype))
    if images.ndim != 3 or (size and images.shape[1:] != (size, size)):
        channel_axis = images.ndim == 4 and images.shape[-1] == 1
        kind = "wrong shape, channel axis" if channel_axis else "wrong shape"
        raise ValueError(_say(kind, expected=shape, shape=images.shape))
    if images.dtype != np.uint8:
        low, high = _value_range(images)
        if low < 0 or high > 255:
            raise ValueError(_say("outside 0..255", dtype=images.dtype, low=low, high=high))
    return images


def to_model_input(images, size=IMAGE_SIZE):
    """uint8 ``(N, 56, 56)`` in 0..255 → float32 ``(N, 56, 56, 1)`` in [-1, 1].

    Taught in lesson 1. The channel axis is what Conv2D expects; ``(x - 127.5) / 127.5`` maps
    0 → -1 and 255 → 1, the range of the generator's tanh, so real and painted faces live on the
    same scale. ``check_pixels`` first refuses anything that is not pixels of the right shape
    (floats included: scaling them twice would train on the wrong range) with a message saying
    what it wanted.
    """
    images = check_pixels(images, size)
    x = images.reshape(images.shape[0], images.shape[1], images.shape[2], 1).astype("float32")
    x -= 127.5  # (x - 127.5) / 127.5, in place: 20,000 faces make a 251 MB array,
    x /= 127.5  # and the one-line form would hold a second one beside it
    return x


MODEL_INPUT_TOLERANCE = 1e-3  # float rounding; pixels left at 0..255 are off by a factor of 255


def check_model_input(x, size=IMAGE_SIZE):
    """Raise ``ValueError`` unless ``x`` is what the networks take: float32 ``(N, size, size, 1)``
    with values in [-1, 1] (within ``MODEL_INPUT_TOLERANCE``). Returns ``x`` unchanged.

    A training loop calls it on float input it did not make itself: pixels 0..255 passed as floats
    would train without an error and give a GAN that never matches its data.
    """
    array = np.asarray(x)
    if array.dtype != np.float32:
        raise ValueError(_say("model input type", size=size, dtype=array.dtype))
    if array.ndim != 4 or array.shape[1:] != (size, size, 1):
        raise ValueError(_say("model input shape", size=size, shape=array.shape))
    low, high = _value_range(array)  # NaN and infinity show up in these two
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(_say("model input not finite", size=size))
    if high > 1 + MODEL_INPUT_TOLERANCE:
        raise ValueError(_say("model input too high", size=size, high=high))
    if low < -1 - MODEL_INPUT_TOLERANCE:
        raise ValueError(_say("model input too low", size=size, low=low))
    return x


def to_pixels(x):
    """The way back for display: values in [-1, 1] (any shape, channel axis optional) → uint8."""
    x = np.asarray(x, dtype="float32")
    if x.ndim >= 3 and x.shape[-1] == 1:
        x = x[..., 0]
    return np.clip(np.rint(x * 127.5 + 127.5), 0, 255).astype(np.uint8)


# --- Batches with tf.data, as the train step reads them ------------------------------------------


PREFETCH_BATCHES = 2  # batches prepared ahead of the train step (fixed: see make_dataset)


def make_dataset(x, batch_size=256, seed=None):
    """The input pipeline: shuffle (whole set) → batch (dropping the last partial batch) → prefetch.

    It shuffles the faces' *positions*, and each batch picks its faces from ``x`` itself: the same
    order as shuffling the faces, without copying them (docs/faces.md), so changing ``x`` changes
    later batches. ``drop_remainder`` keeps every batch the same size, so the compiled train step
    is traced once."""
    import tensorflow as tf

    faces = np.asarray(x)
    # TensorFlow keeps every function given to tf.numpy_function for as long as the process lives,
    # so that function holds the faces only weakly; the dataset (and every iterator over it, and
    # every dataset built on it) holds them for real, and they are freed with it.
    weak_faces = weakref.ref(faces)

    def faces_at(positions):
        held = weak_faces()
        if held is None:
            raise RuntimeError(_say("faces freed"))
        return held[positions]

    def pick(positions):
        batch = tf.numpy_function(faces_at, [positions], tf.as_dtype(faces.dtype), stateful=False)
        batch.set_shape((batch_size, *faces.shape[1:]))
        return batch

    dataset = (
        tf.data.Dataset.range(len(faces))
        .shuffle(len(faces), seed=seed)
        .batch(batch_size, drop_remainder=True)
        .map(pick)
        .prefetch(PREFETCH_BATCHES)
    )
    # tf.data's autotuner, when on, makes every epoch's iterator wait for its background thread
    # when it is destroyed: a pause of up to 10-40 s at the end of each epoch (docs/DEVELOPING.md).
    # Fixed buffers and no autotuning give the same batches without the pause.
    options = tf.data.Options()
    options.autotune.enabled = False
    dataset = dataset.with_options(options)
    dataset.faces = faces
    return dataset


def pixels_to_model_input(batch):
    """``to_model_input`` for a batch of uint8 faces inside the tf.data pipeline: the same float32
    arithmetic, so the same numbers (a test compares them), without a float copy of every face."""
    import tensorflow as tf

    x = tf.cast(batch, tf.float32)[..., tf.newaxis]
    return (x - 127.5) / 127.5
