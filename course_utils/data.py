"""Where the faces come from and how they are shaped for the network.

Two sources give the same thing, a uint8 array ``(N, 56, 56)``:

* ``"procedural"``: the embedded default, drawn by ``course_utils.faces`` with no network.
* a folder of images (the real Anime-Face-Dataset JPEGs): read as grayscale, resized to 56×56,
  cached as ``.npz`` so the second run is instant. Bad files are skipped and reported by name with
  why (``PreparedFaces.summary()``), never fatal and never silently half-read.

Then the shaping the lesson teaches: ``(N, 56, 56)`` uint8 → ``(N, 56, 56, 1)`` float32 in [-1, 1]
(``to_model_input``, which checks what it is given), the check a training loop can make on that
float input (``check_model_input``), the way back for display (``to_pixels``), and a ``tf.data``
pipeline. TensorFlow is imported only inside ``make_dataset``, so preparing data does not pay
for it.
"""

import hashlib
import io
import os
import shutil
import sys
import tarfile
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
import weakref
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from course_utils.faces import render_faces
from course_utils.run_folder import atomic_write_bytes

IMAGE_SIZE = 56
DEFAULT_LIMIT = 20000
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
# Why INTER_AREA: shrinking a ~100 px face to 56 px averages about 3 source pixels into each target
# pixel. INTER_AREA does exactly that averaging. The seed's INTER_NEAREST keeps one source pixel and
# throws the others away, so thin lines (eyelashes, hair strands) break into jagged, aliased dots
# and JPEG noise survives at full strength: the GAN then has to learn the artefacts too.
RESIZE_INTERPOLATION = cv2.INTER_AREA
# Why 24 px: lbpcascade_animeface, the detector that cropped the dataset, finds no face smaller than
# 24×24. A smaller picture (a 1×1 pixel, an icon) is not a face crop: blown up to 56×56 it would
# become a flat or blocky "face" the GAN learns from.
MIN_SIDE = 24
# Why 4096×4096: the dataset's crops are about 100×100. Decoding is what costs: a 20,000×20,000 PNG
# took 44 s and 1.37 GB before being shrunk to 56×56. The size is read from the file's header and
# checked before decoding.
MAX_PIXELS = 4096 * 4096
# Why 4 GiB: the real dataset unpacks to about 460 MB; a "zip bomb" of 1 MB unpacks to 1 GiB or
# more. Checked on the archive's declared sizes before extracting, and on the bytes written while
# extracting.
MAX_EXTRACT_BYTES = 4 << 30
# Part of the cache key: bump it when the rules for reading a file change, so that a cache written
# under the old rules (which, say, let a damaged JPEG through) is not reused.
READER_VERSION = 2
SUMMARY_SKIPPED_SHOWN = 5  # how many skipped files ``PreparedFaces.summary()`` names

_COURSE_ROOT = Path(__file__).resolve().parent.parent


def load_faces(source="procedural", limit=DEFAULT_LIMIT, cache_dir=None, seed=0, verbose=False):
    """Return uint8 faces ``(N, 56, 56)`` from ``"procedural"`` or a folder of images.

    Procedural faces are deterministic: the first k faces of any call are the same k faces.
    For a folder, the first ``limit`` readable images in sorted path order are used, and the result
    is cached (``cache_dir``, default ``data/cache`` in a course checkout) so a re-run skips
    decoding.
    ``verbose=True`` prints the folder's ``PreparedFaces.summary()``: how many files were used and
    skipped, and the first few skipped ones with why.
    """
    if limit is not None and limit <= 0:
        raise ValueError(f"limit must be positive, got {limit}")
    if str(source) == "procedural":
        images, _ = render_faces(limit or DEFAULT_LIMIT, seed=seed)
        return images
    prepared = prepare_folder(source, limit=limit, cache_dir=cache_dir)
    if verbose:
        print(prepared.summary())
    return prepared.images


@dataclass
class PreparedFaces:
    """The result of preparing a folder: the images and every file that was skipped, with why.

    ``unused`` counts readable images left out because ``limit`` was reached.
    """

    images: np.ndarray
    files: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # [(path, reason), ...]
    folder: str = ""
    unused: int = 0

    def report(self):
        """A human-readable listing that names every skipped file (can be long)."""
        lines = [
            f"{len(self.images)} faces of {IMAGE_SIZE}×{IMAGE_SIZE} prepared, "
            f"{len(self.skipped)} files skipped"
        ]
        lines += [f"  skipped {path}: {reason}" for path, reason in self.skipped]
        return "\n".join(lines)

    def summary(self, shown=SUMMARY_SKIPPED_SHOWN):
        """A few short lines for the command line: how many files were used and skipped, and the
        first ``shown`` skipped ones with why (names relative to the folder)."""
        where = f" from {self.folder}" if self.folder else ""
        head = f"{len(self.images)} images used{where}, {len(self.skipped)} files skipped"
        if self.unused:
            head += f", {self.unused} more not needed (limit reached)"
        lines = [head] + [
            f"  skipped {self._short(path)}: {reason}" for path, reason in self.skipped[:shown]
        ]
        if len(self.skipped) > shown:
            lines.append(f"  ... and {len(self.skipped) - shown} more (all of them: .report())")
        return "\n".join(lines)

    def __str__(self):
        return self.summary()

    def _short(self, path):
        prefix = self.folder.rstrip(os.sep) + os.sep
        return path[len(prefix) :] if self.folder and path.startswith(prefix) else path


# --- Reading one file: judge it by whether it decodes completely -----------------------------


class _Unusable(ValueError):
    """Why one file cannot be used (the message is the reason, without the file's name)."""


def _printable(path):
    """The path as text that can always be printed: a name that is not valid UTF-8 (possible on
    Linux) shows its odd bytes as ``\\xff`` instead of making ``print`` fail."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _name_problem(path):
    """Why a file name cannot be used, or None. A name that is not valid UTF-8 cannot be printed,
    cached or passed on as text, so the file is skipped and reported rather than failing the
    load."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not valid UTF-8; rename the file to use it"
    return None


_FORMAT_NAMES = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".bmp": "BMP", ".webp": "WebP"}


def _sniff_format(data):
    """The image format from the file's first bytes (not its suffix), or None."""
    if data[:2] == b"\xff\xd8":
        return "jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if data[:2] == b"BM":
        return "bmp"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


# JPEG start-of-frame markers carry the size; C4 (DHT), C8 (reserved) and CC (DAC) are not frames.
_JPEG_FRAMES = set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_JPEG_LOSSLESS_FRAMES = {0xC3, 0xC7, 0xCB, 0xCF}  # no DCT coefficients to account for


def _jpeg_layout(data):
    """Walk a JPEG's segments: return ``(width, height, eoi, all_scans)``. ``eoi`` is the offset of
    the marker that ends the image; bytes after it (trailers some editors add) are ignored.
    ``all_scans`` says whether the scans deliver every DCT coefficient of every component to full
    precision: a progressive JPEG cut between two scans, with an end marker glued on, decodes
    without complaint but blurred, and only this count tells.

    Why walk rather than look at the last two bytes: a valid JPEG followed by other bytes is fine,
    and a cut JPEG with an end marker glued on is not (``_jpeg_decodes_completely`` tells).
    """
    size, pos, n = None, 2, len(data)
    awaited = set()  # (component, coefficient) pairs no scan has yet delivered in full
    truncated = _Unusable("truncated JPEG (no end-of-image marker)")
    while True:
        if pos >= n:
            raise truncated
        if data[pos] != 0xFF:
            raise _Unusable(f"corrupt JPEG (no segment marker at byte {pos})")
        start = pos
        while pos < n and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= n:
            raise truncated
        marker, pos = data[pos], pos + 1
        if marker == 0xD9:
            if size is None:
                raise _Unusable("corrupt JPEG (no image frame in it)")
            return size[0], size[1], start, not awaited
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            continue
        if pos + 2 > n:
            raise truncated
        length = int.from_bytes(data[pos : pos + 2], "big")
        if pos + length > n:
            raise truncated
        if marker in _JPEG_FRAMES:
            if length < 8 or length < 8 + 3 * data[pos + 7]:
                raise _Unusable("corrupt JPEG (frame header too short)")
            size = (
                int.from_bytes(data[pos + 5 : pos + 7], "big"),
                int.from_bytes(data[pos + 3 : pos + 5], "big"),
            )
            if marker not in _JPEG_LOSSLESS_FRAMES:
                awaited = {
                    (data[pos + 8 + 3 * i], k) for i in range(data[pos + 7]) for k in range(64)
                }
        if marker == 0xDA:  # a scan: entropy-coded data follows
            if size is None:
                raise _Unusable("corrupt JPEG (image data before the frame header)")
            count = data[pos + 2] if length > 2 else 0
            if length < 6 + 2 * count:
                raise _Unusable("corrupt JPEG (scan header too short)")
            first, last, low_bit = (
                data[pos + 3 + 2 * count],
                data[pos + 4 + 2 * count],
                data[pos + 5 + 2 * count] & 0x0F,
            )
            if low_bit == 0:  # these coefficients are now complete
                awaited -= {
                    (data[pos + 3 + 2 * i], k) for i in range(count) for k in range(first, last + 1)
                }
            pos = _end_of_scan(data, pos + length, truncated)
        else:
            pos += length


def _end_of_scan(data, pos, truncated):
    """Offset of the marker that ends entropy-coded data starting at ``pos``. Inside it, 0xFF is
    followed by 0x00 (a stuffed byte) or D0–D7 (a restart marker); anything else is a marker."""
    while True:
        pos = data.find(b"\xff", pos)
        if pos < 0 or pos + 1 >= len(data):
            raise truncated
        following = data[pos + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7:
            pos += 2
            continue
        return pos


# Bytes a decoder would read as image data if a scan were short of it: every value but 0x00 (what
# libjpeg pads a short scan with, so it would change nothing) and 0xFF (that would make a marker).
# Shorter or more regular probes let a few cut files through (cutting a test JPEG at each of 40,000
# places: 7 got through a 20-byte probe, none through this one).
_PROBE_BYTES = bytes(range(0xFE, 0x00, -1))


def _jpeg_decodes_completely(data, eoi, image):
    """Whether the JPEG's last scan holds all the data its frame needs.

    libjpeg (inside OpenCV) pads a scan that ends early with zeros and only prints a warning, so a
    cut JPEG with an end marker glued on decodes into rows of flat grey. Decoding it once more with
    extra bytes just before the end marker tells: a complete image never reads them (the decoder
    stops after its last block), a cut one decodes them as pixels, and the picture changes.
    """
    probe = _imdecode(data[:eoi] + _PROBE_BYTES + b"\xff\xd9", cv2.IMREAD_GRAYSCALE)
    return probe is not None and np.array_equal(probe, image)


def _png_layout(data):
    """Walk a PNG's chunks, checking each one's CRC: return ``(width, height)``.

    A cut PNG, or one with an end chunk glued on, fails the walk; bytes after IEND are ignored.
    """
    size, pos, n = None, 8, len(data)
    while True:
        if pos + 12 > n:
            raise _Unusable("truncated PNG (no IEND chunk)")
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind, end = data[pos + 4 : pos + 8], pos + 12 + length
        if end > n:
            raise _Unusable("truncated PNG (no IEND chunk)")
        if zlib.crc32(data[pos + 4 : end - 4]) != int.from_bytes(data[end - 4 : end], "big"):
            raise _Unusable(f"corrupt PNG (bad checksum in its {kind.decode('latin-1')!r} chunk)")
        if kind == b"IHDR" and length >= 8:
            size = (
                int.from_bytes(data[pos + 8 : pos + 12], "big"),
                int.from_bytes(data[pos + 12 : pos + 16], "big"),
            )
        if kind == b"IEND":
            if size is None:
                raise _Unusable("corrupt PNG (no IHDR chunk)")
            return size
        pos = end


def _bmp_layout(data):
    """``(width, height)`` of a BMP from its header; refuses one cut short of its pixel rows."""
    if len(data) < 26:
        raise _Unusable("truncated BMP (header cut short)")
    header = int.from_bytes(data[14:18], "little")
    if header == 12:  # the old OS/2 header: 16-bit sizes
        return int.from_bytes(data[18:20], "little"), int.from_bytes(data[20:22], "little")
    if len(data) < 34:
        raise _Unusable("truncated BMP (header cut short)")
    width = int.from_bytes(data[18:22], "little", signed=True)
    height = abs(int.from_bytes(data[22:26], "little", signed=True))
    bits, compression = int.from_bytes(data[28:30], "little"), int.from_bytes(data[30:34], "little")
    if compression in (0, 3) and width > 0:  # uncompressed rows: their size is known
        row = (width * bits + 31) // 32 * 4
        if int.from_bytes(data[10:14], "little") + row * height > len(data):
            raise _Unusable("truncated BMP (pixel rows cut short)")
    return width, height


def _webp_layout(data):
    """``(width, height)`` of a WebP from its first chunk (VP8X, VP8L or VP8)."""
    if len(data) < 30:
        raise _Unusable("truncated WebP (header cut short)")
    if int.from_bytes(data[4:8], "little") + 8 > len(data):
        raise _Unusable("truncated WebP (shorter than its RIFF header says)")
    chunk = data[12:16]
    if chunk == b"VP8X":
        return (
            int.from_bytes(data[24:27], "little") + 1,
            int.from_bytes(data[27:30], "little") + 1,
        )
    if chunk == b"VP8L":
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8 ":
        return (
            int.from_bytes(data[26:28], "little") & 0x3FFF,
            int.from_bytes(data[28:30], "little") & 0x3FFF,
        )
    raise _Unusable("corrupt WebP (unknown first chunk)")


_LAYOUTS = {"png": _png_layout, "bmp": _bmp_layout, "webp": _webp_layout}


def _check_dimensions(width, height):
    """Refuse, from the header and before decoding, what cannot be a face crop: too small to hold
    a face (``MIN_SIDE``), or so big that decoding it would cost seconds and gigabytes
    (``MAX_PIXELS``)."""
    if min(width, height) < MIN_SIDE:
        raise _Unusable(
            f"image is {width}×{height} px, too small for a face crop "
            f"(under MIN_SIDE = {MIN_SIDE} px on a side)"
        )
    if width * height > MAX_PIXELS:
        raise _Unusable(
            f"image is {width}×{height} px ({width * height:,} pixels), over "
            f"MAX_PIXELS = {MAX_PIXELS:,}; shrink it first (face crops are ~100 px)"
        )


def _imdecode(data, flags):
    return cv2.imdecode(np.frombuffer(data, np.uint8), flags)


def _to_grey(image):
    """An image as OpenCV decodes it unchanged (grey, BGR or BGRA; 8 or 16 bits) → uint8 grey.

    Transparent pixels are composited on white, as an image viewer shows them: read as plain grey,
    OpenCV would drop the alpha channel and every transparent area would turn to whatever colour
    the pixels hold there, black for most editors.
    """
    if image.dtype.kind not in "ui":
        raise _Unusable(f"unsupported pixel type {image.dtype}")
    if image.dtype != np.uint8:  # 16-bit PNG: scale 0..65535 to 0..255
        image = image.astype(np.float32) * (255.0 / np.iinfo(image.dtype).max)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[..., 0]
    if image.ndim == 2:
        grey = image
    elif image.shape[2] == 3:
        grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
    else:
        colour = cv2.cvtColor(np.ascontiguousarray(image[..., :3]), cv2.COLOR_BGR2GRAY)
        alpha = image[..., 3].astype(np.float32) / 255.0
        grey = colour.astype(np.float32) * alpha + 255.0 * (1.0 - alpha)
    return np.clip(np.rint(grey), 0, 255).astype(np.uint8) if grey.dtype != np.uint8 else grey


def _decode_grey(data, path):
    """Check one file's bytes and decode them to uint8 grey at full size, or raise ``_Unusable``."""
    if len(data) == 0:
        raise _Unusable("empty file (0 bytes)")
    kind = _sniff_format(data)
    if kind is None:
        expected = _FORMAT_NAMES.get(Path(path).suffix.lower(), "image")
        raise _Unusable(f"not a {expected} image (unrecognised start bytes)")
    if kind == "jpeg":
        width, height, eoi, all_scans = _jpeg_layout(data)
        _check_dimensions(width, height)
        if not all_scans:
            raise _Unusable("truncated JPEG (it ends before the scans that complete the picture)")
        image = _imdecode(data[:eoi] + b"\xff\xd9", cv2.IMREAD_GRAYSCALE)
        if image is None:
            raise _Unusable("corrupt JPEG (OpenCV cannot decode it)")
        if not _jpeg_decodes_completely(data, eoi, image):
            raise _Unusable("truncated JPEG (its image data stops before the picture is complete)")
        return image
    _check_dimensions(*_LAYOUTS[kind](data))
    image = _imdecode(data, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise _Unusable(f"corrupt {_FORMAT_NAMES['.' + kind]} (OpenCV cannot decode it)")
    return _to_grey(image)


# libjpeg prints its warnings ("Premature end of JPEG file") straight to the process's stderr,
# naming no file; the completeness probe would add one per good file. While files are decoded they
# go to the null device instead, and the report names each skipped file with why. Counted, so that
# decoding threads and nested calls share one redirection and the last one out restores stderr.
_quiet_lock = threading.Lock()
_quiet_state = {"depth": 0, "saved_fd": None}


def _stderr_to_null():
    """Point file descriptor 2 at the null device; return a copy of the old one (None: no fd 2)."""
    try:
        sys.stderr.flush()
    except (AttributeError, ValueError, OSError):  # no sys.stderr (pythonw), or closed
        pass
    try:
        saved = os.dup(2)
    except OSError:
        return None
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 2)
    os.close(null)
    return saved


@contextmanager
def _decoder_warnings_silenced():
    with _quiet_lock:
        if _quiet_state["depth"] == 0:
            _quiet_state["saved_fd"] = _stderr_to_null()
        _quiet_state["depth"] += 1
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_state["depth"] -= 1
            saved = _quiet_state["saved_fd"]
            if _quiet_state["depth"] == 0 and saved is not None:
                os.dup2(saved, 2)
                os.close(saved)
                _quiet_state["saved_fd"] = None


def _read_face(path, size):
    """``read_face`` without the file's name in its errors (``_try_read`` adds it to the report)."""
    data = Path(path).read_bytes()
    with _decoder_warnings_silenced():
        image = _decode_grey(data, path)
    if image.shape != (size, size):
        image = cv2.resize(image, (size, size), interpolation=RESIZE_INTERPOLATION)
    return image


def read_face(path, size=IMAGE_SIZE):
    """Read one image file as grayscale ``(size, size)`` uint8, as in the article
    (``cv2.imread(path, IMREAD_GRAYSCALE)`` then ``cv2.resize``), with INTER_AREA.

    Raises ``ValueError`` naming the file and the problem when it cannot be used: empty, not an
    image, cut short (judged by decoding it, not by its last bytes), smaller than ``MIN_SIDE`` or
    larger than ``MAX_PIXELS`` (read from its header, before decoding). Transparent areas of a
    PNG or WebP are composited on white.
    """
    try:
        return _read_face(path, size)
    except (_Unusable, cv2.error) as error:
        raise ValueError(f"{_printable(path)}: {_one_line(error)}") from None


def _one_line(error):
    """An exception as one short line: OpenCV's messages span several lines."""
    if isinstance(error, cv2.error):
        return f"OpenCV cannot decode it ({str(error).strip().splitlines()[-1]})"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror  # "Permission denied", without the path again
    return str(error)


def _try_read(path, size):
    """For the decoding pool: ``(image, None)`` or ``(None, reason)``, never an exception, so that
    one bad file cannot stop a load of thousands."""
    try:
        return _read_face(path, size), None
    except (_Unusable, OSError, cv2.error) as error:
        return None, _one_line(error)


# --- A folder of images -----------------------------------------------------------------------


def _cache_key(files, limit, size):
    digest = hashlib.sha256(f"{limit}|{size}|{RESIZE_INTERPOLATION}|{READER_VERSION}".encode())
    for path in files:
        stat = path.stat()
        digest.update(os.fsencode(path) + f"|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _list_images(folder):
    """The image files under ``folder`` (recursively, sorted) and the other files, with why they
    are not used: a wrong suffix, or a name that is not valid UTF-8."""
    all_files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    candidates, skipped = [], []
    for path in all_files:
        problem = _name_problem(path)
        if problem is None and path.suffix.lower() not in IMAGE_SUFFIXES:
            problem = f"not an image file ({path.suffix or 'no extension'})"
        if problem is None:
            candidates.append(path)
        else:
            skipped.append((_printable(path), problem))
    return candidates, skipped


def prepare_folder(folder, limit=DEFAULT_LIMIT, size=IMAGE_SIZE, cache_dir=None, workers=None):
    """Turn a folder of face images (searched recursively) into ``PreparedFaces``.

    Corrupt, truncated, zero-byte, unreadable, too small, too large or non-image files, and names
    that are not valid UTF-8, are skipped and listed in ``.skipped`` with why (``.summary()``
    prints the counts and the first few). A missing folder, or one with no readable image, is a
    ``FileNotFoundError``/``ValueError`` that names it. ``cache_dir=False`` disables the cache; an
    unwritable cache folder falls back to the user's cache folder, then to no cache, with a warning.
    Decoding runs on a small thread pool (OpenCV releases the GIL while decoding).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(
            f"Image folder '{folder}' does not exist or is not a folder. "
            "Pass the folder that holds the Anime-Face-Dataset JPEGs "
            "(see data/README.md), or 'procedural'."
        )
    candidates, skipped = _list_images(folder)
    if not candidates:
        if skipped and any(Path(p).suffix.lower() in IMAGE_SUFFIXES for p, _ in skipped):
            raise ValueError(
                f"Image folder '{folder}' has no usable image files; {len(skipped)} "
                f"files skipped, e.g. {skipped[0][0]}: {skipped[0][1]}"
            )
        raise ValueError(
            f"Image folder '{folder}' contains no image files "
            f"({', '.join(sorted(IMAGE_SUFFIXES))})."
        )

    cache_dirs = _cache_dirs(cache_dir)
    cache_name = f"faces_{_cache_key(candidates, limit, size)}.npz"
    cached = _load_cache(cache_dirs, cache_name, folder)
    if cached is not None:
        return cached

    limit = limit or len(candidates)
    images, files, bad = [], [], []
    workers = workers or min(4, os.cpu_count() or 1)
    with _decoder_warnings_silenced(), ThreadPoolExecutor(workers) as pool:
        start = 0
        while len(images) < limit and start < len(candidates):
            chunk = candidates[start : start + max(256, limit - len(images))]
            start += len(chunk)
            for path, (image, problem) in zip(chunk, pool.map(lambda p: _try_read(p, size), chunk)):
                if image is None:
                    bad.append((_printable(path), problem))
                elif len(images) < limit:
                    images.append(image)
                    files.append(str(path))
    skipped += bad
    if not images:
        raise ValueError(
            f"Image folder '{folder}' has no readable images; "
            f"{len(skipped)} files skipped, e.g. {skipped[0][0]}: {skipped[0][1]}"
        )
    prepared = PreparedFaces(
        np.stack(images),
        files,
        skipped,
        _printable(folder),
        unused=len(candidates) - len(files) - len(bad),
    )
    _save_cache(cache_dirs, cache_name, prepared)
    return prepared


# --- The cache: where it may live, and what to do when it cannot be written --------------------


def user_cache_dir():
    """The user's own cache folder for the course: ``$XDG_CACHE_HOME/gan-atelier``, else
    ``~/.cache/gan-atelier``. Used when the course's ``data/cache`` is missing or not writable."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        try:
            base = Path.home() / ".cache"
        except RuntimeError:  # no home folder known
            return None
    return Path(base) / "gan-atelier"


def default_cache_dir():
    """``data/cache`` in a course checkout (it has a pyproject.toml beside ``course_utils``); in an
    installed copy that folder would sit inside the Python installation, so the user cache
    instead."""
    if (_COURSE_ROOT / "pyproject.toml").is_file() and (_COURSE_ROOT / "data").is_dir():
        return _COURSE_ROOT / "data" / "cache"
    return user_cache_dir()


def _cache_dirs(cache_dir):
    """The folders to look in and write to, in order: the one asked for (or the default), then the
    user cache as a fallback. ``cache_dir=False``: none."""
    if cache_dir is False:
        return []
    first = Path(cache_dir) if cache_dir else default_cache_dir()
    dirs = [first, user_cache_dir()]
    return [d for i, d in enumerate(dirs) if d is not None and d not in dirs[:i]]


def _warn(message):
    """One warning line on stderr: something was recovered from and the user should know."""
    print(f"warning: {message}", file=sys.stderr, flush=True)


def _load_cache(cache_dirs, name, folder):
    """The cached ``PreparedFaces`` from the first folder that holds a readable copy, or None.
    An unreadable cache file is not fatal: it is ignored (with a warning) and rebuilt."""
    for directory in cache_dirs:
        path = directory / name
        if not path.is_file():
            continue
        try:
            with np.load(path, allow_pickle=False) as cached:
                return PreparedFaces(
                    cached["images"],
                    [str(f) for f in cached["files"]],
                    [tuple(s) for s in cached["skipped"]],
                    _printable(folder),
                    int(cached["unused"]) if "unused" in cached else 0,
                )
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            _warn(f"ignoring unreadable cache file {path} ({_one_line(error)}); rebuilding it")
    return None


def _save_cache(cache_dirs, name, prepared):
    """Write the cache in the first folder that accepts it. If the preferred one cannot be written
    (an installed copy, a read-only disk), say so and use the next; if none can, say so and go on
    without: the images are already prepared, only the next run will be slower."""
    failures = []
    for directory in cache_dirs:
        try:
            _atomic_savez(
                directory / name,
                images=prepared.images,
                files=np.array(prepared.files),
                skipped=np.array(prepared.skipped, dtype=str).reshape(-1, 2),
                unused=np.array(prepared.unused),
            )
        except OSError as error:
            failures.append(f"{directory}: {_one_line(error)}")
            continue
        if failures:
            _warn(f"cannot write the cache folder {failures[0]}; cached in {directory} instead")
        return directory / name
    if failures:
        _warn(
            f"cannot write the cache folder {failures[0]}; working without a cache "
            "(the next run decodes the images again)"
        )
    return None


def _atomic_savez(path, **arrays):
    """Write an .npz so that a crash leaves either the old file or the new one, never half of one."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())


# --- Shaping, exactly as the data lesson teaches it -------------------------------------------


def _value_range(array):
    return (float(np.min(array)), float(np.max(array))) if array.size else (0.0, 0.0)


def check_pixels(images, size):
    """Refuse at the door what ``to_model_input`` would silently turn into nonsense: floats
    (already model input, or not pixels), integers outside 0..255, and the wrong shape."""
    images = np.asarray(images)
    shape = f"(N, {size}, {size})" if size else "(N, H, W)"
    if images.dtype.kind == "f":
        low, high = _value_range(images)
        hint = (
            "it looks like model input already: use it as it is"
            if low >= -1 and high <= 1
            else "convert it to uint8 first"
        )
        raise ValueError(
            f"to_model_input expects uint8 pixels 0..255, got {images.dtype} values "
            f"from {low:g} to {high:g}: {hint}"
        )
    if images.dtype.kind not in "ui":
        raise ValueError(f"to_model_input expects uint8 pixels 0..255, got {images.dtype}")
    if images.ndim != 3 or (size and images.shape[1:] != (size, size)):
        channel_axis = images.ndim == 4 and images.shape[-1] == 1
        hint = " (drop the channel axis: images[..., 0])" if channel_axis else ""
        raise ValueError(
            f"to_model_input: expected images of shape {shape} as uint8 pixels "
            f"0..255, got shape {images.shape}{hint}"
        )
    if images.dtype != np.uint8:
        low, high = _value_range(images)
        if low < 0 or high > 255:
            raise ValueError(
                f"to_model_input expects pixels 0..255, got {images.dtype} values "
                f"from {low:g} to {high:g}"
            )
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
    expected = f"expected float32 in [-1, 1] of shape (N, {size}, {size}, 1)"
    hint = "did you forget to_model_input?"
    if array.dtype != np.float32:
        raise ValueError(f"model input: {expected}, got {array.dtype}: {hint}")
    if array.ndim != 4 or array.shape[1:] != (size, size, 1):
        raise ValueError(f"model input: {expected}, got shape {array.shape}: {hint}")
    low, high = _value_range(array)  # NaN and infinity show up in these two
    if not (np.isfinite(low) and np.isfinite(high)):
        raise ValueError(f"model input: {expected}, got NaN or infinite values")
    if high > 1 + MODEL_INPUT_TOLERANCE:
        raise ValueError(f"model input: {expected}, got values up to {high:.1f}: {hint}")
    if low < -1 - MODEL_INPUT_TOLERANCE:
        raise ValueError(f"model input: {expected}, got values down to {low:.1f}: {hint}")
    return x


def to_pixels(x):
    """The way back for display: values in [-1, 1] (any shape, channel axis optional) → uint8."""
    x = np.asarray(x, dtype="float32")
    if x.ndim >= 3 and x.shape[-1] == 1:
        x = x[..., 0]
    return np.clip(np.rint(x * 127.5 + 127.5), 0, 255).astype(np.uint8)


def make_dataset(x, batch_size=256, seed=None):
    """The input pipeline: shuffle (whole set) → batch (dropping the last partial batch) → prefetch.

    What is shuffled is the faces' *positions*, 0 … N-1; each batch of positions then picks its
    faces from the array itself (NumPy indexing, run by ``tf.numpy_function``). The order is exactly
    the one shuffling the faces themselves would give, but the faces are never copied: not into
    tf.data's buffers, and not into a TensorFlow tensor (``tf.convert_to_tensor`` copies a NumPy
    array, and a tensor the pipeline captures is copied again when tf.data optimises its graph).
    For the course's 20,000 faces that is about 10 MB more memory instead of about 500 MB, which
    helps a lesson fit in Binder's memory; a paired timing of classroom training found it no
    slower. The pipeline reads ``x`` as it is when each batch is drawn: change the array and later
    batches change. ``drop_remainder`` keeps every batch the same size, so the compiled train step
    is traced once (20,000 / 256 would otherwise leave a last batch of 32 and trigger a retrace)."""
    import tensorflow as tf

    faces = np.asarray(x)
    # TensorFlow keeps every function given to tf.numpy_function for as long as the process lives,
    # so that function holds the faces only weakly; the dataset (and every iterator over it, and
    # every dataset built on it) holds them for real, and they are freed with it.
    weak_faces = weakref.ref(faces)

    def faces_at(positions):
        held = weak_faces()
        if held is None:
            raise RuntimeError("make_dataset: its faces were freed while it was still being read")
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
        .prefetch(tf.data.AUTOTUNE)
    )
    dataset.faces = faces
    return dataset


# --- Download helper, for learners with a network (Colab, Binder) --------------------------------

# Inside the extracted folder (hidden, so prepare_folder ignores it): the SHA-256 of the archive it
# came from. A different archive (the dataset page changed it) is extracted afresh, not mixed up.
EXTRACTED_FROM = ".extracted-from.sha256"


def download_dataset(
    url, dest, sha256=None, limit=DEFAULT_LIMIT, cache_dir=None, max_extract_bytes=None
):
    """Fetch a .zip/.tar(.gz) of face images from ``url``, check it, extract it safely, prepare it.

    The archive's SHA-256 is checked when ``sha256`` is given: an archive already in ``dest`` that
    does not match is downloaded again, and a fresh download that does not match is deleted and
    refused. Extraction refuses members that would land outside ``dest`` (``../`` or absolute
    paths) and links, and stops at ``max_extract_bytes`` (default ``MAX_EXTRACT_BYTES``); nothing
    outside ``dest`` is ever written. ``dest/images/`` is this function's own: it is extracted
    afresh whenever the archive changes. Returns ``PreparedFaces``.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest / _archive_name(url, dest)
    expected = sha256.lower() if sha256 else None
    actual = file_sha256(archive) if archive.exists() else None
    if actual is not None and expected is not None and actual != expected:
        _warn(
            f"{archive} does not match the SHA-256 given (the archive changed?); "
            "downloading it again"
        )
        archive.unlink()
        actual = None
    if actual is None:
        _fetch(url, archive)
        actual = file_sha256(archive)
    if expected is not None and actual != expected:
        archive.unlink()
        raise ValueError(
            f"{archive}: SHA-256 mismatch (expected {sha256}, got {actual}); "
            "the download was deleted."
        )
    if _archive_kind(archive) is None:
        start = archive.read_bytes()[:64]
        archive.unlink()
        what = "a web page" if start.lstrip()[:1] == b"<" else f"a file starting {start[:16]!r}"
        raise ValueError(
            f"{archive}: {url} gave {what}, not a zip or tar archive; the URL "
            "must point at the archive file itself (…/name.zip), not at a folder "
            "or a page. The download was deleted."
        )
    images_dir = dest / "images"
    if _extracted_from(images_dir) != actual:
        _extract_afresh(archive, images_dir, actual, max_extract_bytes)
    return prepare_folder(images_dir, limit=limit, cache_dir=cache_dir)


def _archive_name(url, dest):
    """The local file name for the download: the URL's last part, unless that is empty or would
    take the place of a folder (``…/images`` is the extraction folder's own name)."""
    name = Path(urllib.parse.unquote(urllib.parse.urlparse(url).path)).name
    if not name or name == "images" or (dest / name).is_dir():
        name = f"{name or 'archive'}.download"
    return name


def _fetch(url, archive):
    """Download ``url`` to ``archive`` through a temporary file, so a broken download leaves nothing
    that looks complete. Network and HTTP errors become one line naming the URL."""
    fd, tmp = tempfile.mkstemp(dir=archive.parent, suffix=".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(response, out, length=1 << 20)
        os.replace(tmp, archive)
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        Path(tmp).unlink(missing_ok=True)
        reason = getattr(error, "reason", None) or error
        raise ConnectionError(
            f"{url}: download failed ({reason}); check the link and the network"
        ) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _extracted_from(images_dir):
    """The SHA-256 of the archive ``images_dir`` was extracted from, or None if unknown."""
    try:
        return (images_dir / EXTRACTED_FROM).read_text().strip()
    except OSError:
        return None


def _extract_afresh(archive, images_dir, digest, max_extract_bytes):
    """Extract into a temporary folder beside ``images_dir``, mark it with the archive's SHA-256,
    then swap it in: a failure leaves the old folder untouched, and success replaces it whole."""
    tmp_dir = Path(tempfile.mkdtemp(dir=images_dir.parent, prefix=".extract-"))
    old = images_dir.with_name(f".old-{images_dir.name}-{os.getpid()}")
    try:
        safe_extract(archive, tmp_dir, max_bytes=max_extract_bytes)
        (tmp_dir / EXTRACTED_FROM).write_text(digest + "\n")
        if images_dir.exists() or images_dir.is_symlink():
            os.replace(images_dir, old)
        os.replace(tmp_dir, images_dir)
    except BaseException:
        shutil.rmtree(tmp_dir, ignore_errors=True)
        raise
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old, ignore_errors=True)
    elif old.exists() or old.is_symlink():
        old.unlink()


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _archive_kind(archive):
    if zipfile.is_zipfile(archive):
        return "zip"
    try:
        return "tar" if tarfile.is_tarfile(archive) else None
    except (OSError, EOFError, tarfile.TarError, zlib.error):
        return None


def _inside(root, member_name):
    target = (root / member_name).resolve()
    return target == root or root in target.parents


def _size_text(n):
    return f"{n / (1 << 30):.1f} GiB" if n >= 1 << 30 else f"{n / (1 << 20):.1f} MiB"


def _declared_size(sizes):
    """What the archive says its members add up to (a zip's sizes are mere numbers: they can lie,
    so extraction counts the bytes it writes too)."""
    return sum(sizes)


def _copy_capped(source, target, written, cap, archive):
    """Copy one member, counting the bytes written against ``cap``; returns the new total."""
    with open(target, "wb") as out:
        for block in iter(lambda: source.read(1 << 20), b""):
            written += len(block)
            if written > cap:
                raise ValueError(
                    f"{archive}: extracting it writes more than {_size_text(cap)} "
                    "(MAX_EXTRACT_BYTES): a zip bomb, or not the face dataset; "
                    "extraction stopped"
                )
            out.write(block)
    return written


def safe_extract(archive, dest, max_bytes=None):
    """Extract a zip or tar archive into ``dest``, refusing path traversal, links and devices, and
    archives that unpack to more than ``max_bytes`` (default ``MAX_EXTRACT_BYTES``): checked on
    the sizes the archive declares before anything is written, and on the bytes written."""
    cap = MAX_EXTRACT_BYTES if max_bytes is None else max_bytes
    archive, dest = Path(archive), Path(dest).resolve()
    kind = _archive_kind(archive)
    if kind is None:
        raise ValueError(f"{archive}: not a zip or tar archive")
    with zipfile.ZipFile(archive) if kind == "zip" else tarfile.open(archive) as opened:
        members = _safe_members(archive, opened, kind, dest)
        declared = _declared_size(size for _, is_dir, size in members if not is_dir)
        if declared > cap:
            raise ValueError(
                f"{archive}: its members add up to {_size_text(declared)}, more "
                f"than {_size_text(cap)} (MAX_EXTRACT_BYTES; the face dataset "
                "unpacks to about 0.5 GiB): a zip bomb, or not the face dataset; "
                "nothing extracted"
            )
        written = 0
        for member, is_dir, _ in members:
            name = member.filename if kind == "zip" else member.name
            target = dest / name
            try:
                if is_dir:
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with opened.open(member) if kind == "zip" else opened.extractfile(member) as src:
                    written = _copy_capped(src, target, written, cap, archive)
            except ValueError:
                raise
            except (
                OSError,
                EOFError,
                RuntimeError,
                zlib.error,
                zipfile.BadZipFile,
                tarfile.TarError,
            ) as error:
                raise ValueError(
                    f"{archive}: cannot extract '{name}' ({_one_line(error)}); "
                    "the archive may be damaged: delete it and download it "
                    "again"
                ) from None
    return dest


def _safe_members(archive, opened, kind, dest):
    """``[(member, is_dir, size)]``, after refusing the whole archive if any member is a link, a
    device, or a path that would land outside ``dest``."""
    members = []
    for member in opened.infolist() if kind == "zip" else opened.getmembers():
        if kind == "zip":
            name, is_dir, size = member.filename, member.is_dir(), member.file_size
            bad_type = (member.external_attr >> 16) & 0o170000 == 0o120000
        else:
            name, is_dir, size = member.name, member.isdir(), member.size
            bad_type = not (member.isfile() or member.isdir())
        if bad_type or not _inside(dest, name) or Path(name).is_absolute():
            raise ValueError(
                f"{archive}: unsafe member '{name}' (a link, device or path outside "
                "the target folder); nothing extracted"
            )
        members.append((member, is_dir, size))
    return members
