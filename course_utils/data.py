"""Where the faces come from and how they are shaped for the network.

Two sources give the same thing, a uint8 array ``(N, 56, 56)``:

* ``"procedural"``: the embedded default, drawn by ``course_utils.faces`` with no network.
* a folder of images (the real Anime-Face-Dataset JPEGs): read as grayscale, resized to 56×56,
  cached as ``.npz`` so the second run is instant. Bad files are skipped and reported, never fatal.

Then the shaping the lesson teaches: ``(N, 56, 56)`` uint8 → ``(N, 56, 56, 1)`` float32 in [-1, 1]
(``to_model_input``), the way back for display (``to_pixels``), and a ``tf.data`` pipeline.
TensorFlow is imported only inside ``make_dataset``, so preparing data does not pay for it.
"""

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.parse
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

IMAGE_SIZE = 56
DEFAULT_LIMIT = 20000
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
# Why INTER_AREA: shrinking a ~100 px face to 56 px averages about 3 source pixels into each target
# pixel. INTER_AREA does exactly that averaging. The seed's INTER_NEAREST keeps one source pixel and
# throws the others away, so thin lines (eyelashes, hair strands) break into jagged, aliased dots
# and JPEG noise survives at full strength: the GAN then has to learn the artefacts too.
RESIZE_INTERPOLATION = cv2.INTER_AREA


def load_faces(source="procedural", limit=DEFAULT_LIMIT, cache_dir=None, seed=0):
    """Return uint8 faces ``(N, 56, 56)`` from ``"procedural"`` or a folder of images.

    Procedural faces are deterministic: the first k faces of any call are the same k faces.
    For a folder, the first ``limit`` readable images in sorted path order are used, and the result
    is cached (``cache_dir``, default ``data/cache`` beside the course) so a re-run skips decoding.
    """
    if limit is not None and limit <= 0:
        raise ValueError(f"limit must be positive, got {limit}")
    if str(source) == "procedural":
        from course_utils.faces import render_faces
        images, _ = render_faces(limit or DEFAULT_LIMIT, seed=seed)
        return images
    return prepare_folder(source, limit=limit, cache_dir=cache_dir).images


@dataclass
class PreparedFaces:
    """The result of preparing a folder: the images and every file that was skipped, with why."""
    images: np.ndarray
    files: list = field(default_factory=list)
    skipped: list = field(default_factory=list)   # [(path, reason), ...]

    def report(self):
        """A short human-readable summary, naming each skipped file."""
        lines = [f"{len(self.images)} faces of {IMAGE_SIZE}×{IMAGE_SIZE} prepared, "
                 f"{len(self.skipped)} files skipped"]
        lines += [f"  skipped {path}: {reason}" for path, reason in self.skipped]
        return "\n".join(lines)


def _complete_file_problem(path, data):
    """Catch files OpenCV would decode only partly: a JPEG cut short decodes into grey blocks
    with a mere warning on stderr, so we check the end-of-image marker ourselves."""
    if len(data) == 0:
        return "empty file (0 bytes)"
    suffix = Path(path).suffix.lower()
    if suffix in (".jpg", ".jpeg"):
        if data[:2] != b"\xff\xd8":
            return "not a JPEG (bad start marker)"
        if b"\xff\xd9" not in data[-64:]:
            return "truncated JPEG (no end-of-image marker)"
    if suffix == ".png" and b"IEND" not in data[-32:]:
        return "truncated PNG (no IEND chunk)"
    return None


def read_face(path, size=IMAGE_SIZE):
    """Read one image file as grayscale ``(size, size)`` uint8, as in the seed article
    (``cv2.imread(path, IMREAD_GRAYSCALE)`` then ``cv2.resize``), with INTER_AREA.

    Raises ``ValueError`` naming the file and the problem when it cannot be read completely.
    """
    path = Path(path)
    data = path.read_bytes()
    problem = _complete_file_problem(path, data)
    if problem is None:
        image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
        if image is None:
            problem = "not a readable image"
    if problem is not None:
        raise ValueError(f"{path}: {problem}")
    if image.shape != (size, size):
        image = cv2.resize(image, (size, size), interpolation=RESIZE_INTERPOLATION)
    return image


def _try_read(path, size):
    try:
        return read_face(path, size), None
    except (OSError, ValueError) as error:
        return None, str(error).split(": ", 1)[-1]


def _cache_key(files, limit, size):
    digest = hashlib.sha256(f"{limit}|{size}|{RESIZE_INTERPOLATION}".encode())
    for path in files:
        stat = path.stat()
        digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def prepare_folder(folder, limit=DEFAULT_LIMIT, size=IMAGE_SIZE, cache_dir=None, workers=None):
    """Turn a folder of face images (searched recursively) into ``PreparedFaces``.

    Corrupt, truncated, zero-byte or non-image files are skipped and listed in ``.skipped``; a
    missing folder, or one with no readable image, is a ``FileNotFoundError``/``ValueError`` that
    names it. Decoding runs on a small thread pool (OpenCV releases the GIL while decoding).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"Image folder '{folder}' does not exist or is not a folder. "
                                "Pass the folder that holds the Anime-Face-Dataset JPEGs "
                                "(see data/README.md), or 'procedural'.")
    all_files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    candidates = [p for p in all_files if p.suffix.lower() in IMAGE_SUFFIXES]
    skipped = [(str(p), f"not an image file ({p.suffix or 'no extension'})")
               for p in all_files if p.suffix.lower() not in IMAGE_SUFFIXES]
    if not candidates:
        raise ValueError(f"Image folder '{folder}' contains no image files "
                         f"({', '.join(sorted(IMAGE_SUFFIXES))}).")

    cache_path = None
    if cache_dir is not False:
        cache_dir = Path(cache_dir) if cache_dir else Path(__file__).resolve().parent.parent / "data" / "cache"
        cache_path = cache_dir / f"faces_{_cache_key(candidates, limit, size)}.npz"
        if cache_path.exists():
            with np.load(cache_path, allow_pickle=False) as cached:
                return PreparedFaces(cached["images"], list(cached["files"]),
                                     [tuple(s) for s in cached["skipped"]] or [])

    limit = limit or len(candidates)
    images, files = [], []
    workers = workers or min(4, os.cpu_count() or 1)
    with ThreadPoolExecutor(workers) as pool:
        start = 0
        while len(images) < limit and start < len(candidates):
            chunk = candidates[start:start + max(256, limit - len(images))]
            start += len(chunk)
            for path, (image, problem) in zip(chunk, pool.map(lambda p: _try_read(p, size), chunk)):
                if image is None:
                    skipped.append((str(path), problem))
                elif len(images) < limit:
                    images.append(image)
                    files.append(str(path))
    if not images:
        raise ValueError(f"Image folder '{folder}' has no readable images; "
                         f"{len(skipped)} files skipped, e.g. {skipped[0][0]}: {skipped[0][1]}")
    prepared = PreparedFaces(np.stack(images), files, skipped)
    if cache_path is not None:
        _atomic_savez(cache_path, images=prepared.images, files=np.array(files),
                      skipped=np.array(skipped, dtype=str).reshape(-1, 2))
    return prepared


def _atomic_savez(path, **arrays):
    """Write an .npz so that a crash leaves either the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npz")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez(handle, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- Shaping, exactly as the data lesson teaches it -------------------------------------------

def to_model_input(images):
    """uint8 ``(N, 56, 56)`` in 0..255 → float32 ``(N, 56, 56, 1)`` in [-1, 1].

    The channel axis is what Conv2D expects; ``(x - 127.5) / 127.5`` maps 0 → -1 and 255 → 1, the
    range of the generator's tanh, so real and painted faces live on the same scale.
    """
    images = np.asarray(images)
    if images.ndim != 3:
        raise ValueError(f"expected images of shape (N, H, W), got {images.shape}")
    x = images.reshape(images.shape[0], images.shape[1], images.shape[2], 1).astype("float32")
    return (x - 127.5) / 127.5


def to_pixels(x):
    """The way back for display: values in [-1, 1] (any shape, channel axis optional) → uint8."""
    x = np.asarray(x, dtype="float32")
    if x.ndim >= 3 and x.shape[-1] == 1:
        x = x[..., 0]
    return np.clip(np.rint(x * 127.5 + 127.5), 0, 255).astype(np.uint8)


def make_dataset(x, batch_size=256, seed=None):
    """The input pipeline: cache → shuffle (whole set) → batch (dropping the last partial batch)
    → prefetch. ``drop_remainder`` keeps every batch the same size, so the compiled train step is
    traced once (20,000 / 256 would otherwise leave a last batch of 32 and trigger a retrace)."""
    import tensorflow as tf
    return (tf.data.Dataset.from_tensor_slices(x)
            .cache()
            .shuffle(len(x), seed=seed)
            .batch(batch_size, drop_remainder=True)
            .prefetch(tf.data.AUTOTUNE))


# --- Download helper, for learners with a network (Colab, Binder) --------------------------------

def download_dataset(url, dest, sha256=None, limit=DEFAULT_LIMIT, cache_dir=None):
    """Fetch a .zip/.tar(.gz) of face images from ``url``, check it, extract it safely, prepare it.

    The archive's SHA-256 is checked when ``sha256`` is given (a mismatch deletes the download and
    raises). Extraction refuses members that would land outside ``dest`` (``../`` or absolute
    paths) and links; nothing outside ``dest`` is ever written. Returns ``PreparedFaces``.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    name = Path(urllib.parse.urlparse(url).path).name or "archive"
    archive = dest / name
    if not archive.exists():
        fd, tmp = tempfile.mkstemp(dir=dest, suffix=".part")
        try:
            with urllib.request.urlopen(url, timeout=60) as response, os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(response, out, length=1 << 20)
            os.replace(tmp, archive)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    if sha256 is not None:
        actual = file_sha256(archive)
        if actual.lower() != sha256.lower():
            archive.unlink()
            raise ValueError(f"{archive}: SHA-256 mismatch (expected {sha256}, got {actual}); "
                             "the download was deleted.")
    images_dir = dest / "images"
    if not images_dir.exists():
        tmp_dir = Path(tempfile.mkdtemp(dir=dest, prefix=".extract-"))
        try:
            safe_extract(archive, tmp_dir)
            os.replace(tmp_dir, images_dir)
        except BaseException:
            shutil.rmtree(tmp_dir, ignore_errors=True)
            raise
    return prepare_folder(images_dir, limit=limit, cache_dir=cache_dir)


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _inside(root, member_name):
    target = (root / member_name).resolve()
    return target == root or root in target.parents


def safe_extract(archive, dest):
    """Extract a zip or tar archive into ``dest``, refusing path traversal and links."""
    archive, dest = Path(archive), Path(dest).resolve()
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
                if is_link or not _inside(dest, info.filename) or Path(info.filename).is_absolute():
                    raise ValueError(f"{archive}: unsafe member '{info.filename}' "
                                     "(a link or a path outside the target folder); nothing extracted")
            zf.extractall(dest)
    elif tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tf_:
            for member in tf_.getmembers():
                if (member.issym() or member.islnk() or not (member.isfile() or member.isdir())
                        or not _inside(dest, member.name) or Path(member.name).is_absolute()):
                    raise ValueError(f"{archive}: unsafe member '{member.name}' "
                                     "(a link, device or path outside the target folder); nothing extracted")
            tf_.extractall(dest, filter="data")
    else:
        raise ValueError(f"{archive}: not a zip or tar archive")
    return dest
