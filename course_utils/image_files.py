"""Judging one image file: a complete face crop is read as 56×56 grey; anything else is refused.

A file is judged by whether it decodes completely, not by its suffix or last bytes: the format comes
from its first bytes and its size from its header (before decoding). docs/faces.md says why.
"""

import os
import sys
import threading
import zlib
from contextlib import contextmanager
from pathlib import Path

import cv2
import numpy as np

from course_utils.faces import IMAGE_SIZE
from course_utils.language import Messages

_say = Messages(
    __name__,
    {
        "file and reason": ("{path}: {reason}", "{path}：{reason}"),
        "opencv cannot decode": (
            "OpenCV cannot decode it ({detail})",
            "OpenCV 无法解码它（{detail}）",
        ),
        "name not utf-8": (
            "file name is not valid UTF-8; rename the file to use it",
            "文件名不是有效的 UTF-8，改个名字才能使用",
        ),
        "jpeg without end": (
            "truncated JPEG (no end-of-image marker)",
            "JPEG 文件不完整（没有图像结束标记）",
        ),
        "jpeg without marker": (
            "corrupt JPEG (no segment marker at byte {pos})",
            "JPEG 文件已损坏（第 {pos} 字节处没有段标记）",
        ),
        "jpeg without frame": (
            "corrupt JPEG (no image frame in it)",
            "JPEG 文件已损坏（里面没有图像帧）",
        ),
        "jpeg frame too short": (
            "corrupt JPEG (frame header too short)",
            "JPEG 文件已损坏（帧头太短）",
        ),
        "jpeg data before frame": (
            "corrupt JPEG (image data before the frame header)",
            "JPEG 文件已损坏（帧头之前就出现了图像数据）",
        ),
        "jpeg scan too short": (
            "corrupt JPEG (scan header too short)",
            "JPEG 文件已损坏（扫描头太短）",
        ),
        "jpeg scans missing": (
            "truncated JPEG (it ends before the scans that complete the picture)",
            "JPEG 文件不完整（还没到补全画面的扫描就结束了）",
        ),
        "jpeg data stops": (
            "truncated JPEG (its image data stops before the picture is complete)",
            "JPEG 文件不完整（图像数据在画面完整之前就断了）",
        ),
        "png without end": ("truncated PNG (no IEND chunk)", "PNG 文件不完整（没有 IEND 块）"),
        "png bad checksum": (
            "corrupt PNG (bad checksum in its {chunk!r} chunk)",
            "PNG 文件已损坏（{chunk!r} 块的校验和不对）",
        ),
        "png without header": ("corrupt PNG (no IHDR chunk)", "PNG 文件已损坏（没有 IHDR 块）"),
        "bmp header cut": ("truncated BMP (header cut short)", "BMP 文件不完整（文件头被截断）"),
        "bmp rows cut": (
            "truncated BMP (pixel rows cut short)",
            "BMP 文件不完整（像素行被截断）",
        ),
        "webp header cut": (
            "truncated WebP (header cut short)",
            "WebP 文件不完整（文件头被截断）",
        ),
        "webp shorter than riff": (
            "truncated WebP (shorter than its RIFF header says)",
            "WebP 文件不完整（比 RIFF 头声明的长度短）",
        ),
        "webp unknown chunk": (
            "corrupt WebP (unknown first chunk)",
            "WebP 文件已损坏（第一个块的类型无法识别）",
        ),
        "too small": (
            "image is {width}×{height} px, too small for a face crop "
            "(under MIN_SIDE = {min_side} px on a side)",
            "图像只有 {width}×{height} 像素，太小，不会是人脸裁剪图"
            "（边长不到 MIN_SIDE = {min_side} 像素）",
        ),
        "too big": (
            "image is {width}×{height} px ({pixels:,} pixels), over "
            "MAX_PIXELS = {max_pixels:,}; shrink it first (face crops are ~100 px)",
            "图像有 {width}×{height} 像素（共 {pixels:,} 个），超过 "
            "MAX_PIXELS = {max_pixels:,}；请先把它缩小（人脸裁剪图约 100 像素见方）",
        ),
        "unsupported pixel type": ("unsupported pixel type {dtype}", "不支持的像素类型 {dtype}"),
        "empty file": ("empty file (0 bytes)", "空文件（0 字节）"),
        "not this format": (
            "not a {format} image (unrecognised start bytes)",
            "不是 {format} 图像（无法识别文件开头的字节）",
        ),
        "not an image": (
            "not an image (unrecognised start bytes)",
            "不是图像（无法识别文件开头的字节）",
        ),
        "opencv cannot decode format": (
            "corrupt {format} (OpenCV cannot decode it)",
            "{format} 文件已损坏（OpenCV 无法解码）",
        ),
    },
)

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
# Part of the folder cache's key: bump it when the rules for reading a file change, so that a cache
# written under the old rules (which, say, let a damaged JPEG through) is not reused.
READER_VERSION = 2


class _Unusable(ValueError):
    """Why one file cannot be used (the message is the reason, without the file's name)."""


def read_face(path, size=IMAGE_SIZE):
    """Read one image file as grayscale ``(size, size)`` uint8, as in the article
    (``cv2.imread(path, IMREAD_GRAYSCALE)`` then ``cv2.resize``), with INTER_AREA.

    Raises ``ValueError`` naming the file and the problem when it cannot be used: empty, not an
    image, cut short, smaller than ``MIN_SIDE`` or larger than ``MAX_PIXELS``. Transparent areas of
    a PNG or WebP are composited on white.
    """
    try:
        return _read_face(path, size)
    except (_Unusable, cv2.error) as error:
        raise ValueError(
            _say("file and reason", path=printable_path(path), reason=one_line(error))
        ) from None


def try_read_face(path, size):
    """``(image, None)`` or ``(None, reason)``, never an exception: one bad file cannot stop a load
    of thousands."""
    try:
        return _read_face(path, size), None
    except (_Unusable, OSError, cv2.error) as error:
        return None, one_line(error)


def _read_face(path, size):
    """``read_face`` without the file's name in its errors (the callers add it)."""
    data = Path(path).read_bytes()
    with decoder_warnings_silenced():
        image = _decode_grey(data, path)
    if image.shape != (size, size):
        image = cv2.resize(image, (size, size), interpolation=RESIZE_INTERPOLATION)
    return image


def one_line(error):
    """An exception as one short line: OpenCV's messages span several lines."""
    if isinstance(error, cv2.error):
        return _say("opencv cannot decode", detail=str(error).strip().splitlines()[-1])
    if isinstance(error, OSError) and error.strerror:
        return error.strerror  # "Permission denied", without the path again
    return str(error)


def printable_path(path):
    """The path as text that can always be printed: bytes that are not UTF-8 (possible on Linux)
    show as ``\\xff`` instead of making ``print`` fail."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def name_problem(path):
    """Why a file name cannot be used, or None: a name that is not valid UTF-8 cannot be printed,
    cached or passed on as text, so the file is skipped and reported."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return _say("name not utf-8")
    return None


# --- What the bytes hold: format, size from the header, and whether the picture is complete ---


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
    """Walk a JPEG's segments: return ``(width, height, eoi, all_scans)``.

    ``eoi`` is the offset of the end-of-image marker (bytes after it are ignored). ``all_scans``
    says whether the scans deliver every DCT coefficient in full: a progressive JPEG cut between
    two scans, with an end marker glued on, decodes without complaint, only blurred.
    """
    size, pos, n = None, 2, len(data)
    awaited = set()  # (component, coefficient) pairs no scan has yet delivered in full
    truncated = _Unusable(_say("jpeg without end"))
    while True:
        if pos >= n:
            raise truncated
        if data[pos] != 0xFF:
            raise _Unusable(_say("jpeg without marker", pos=pos))
        start = pos
        while pos < n and data[pos] == 0xFF:  # fill bytes before a marker
            pos += 1
        if pos >= n:
            raise truncated
        marker, pos = data[pos], pos + 1
        if marker == 0xD9:
            if size is None:
                raise _Unusable(_say("jpeg without frame"))
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
                raise _Unusable(_say("jpeg frame too short"))
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
                raise _Unusable(_say("jpeg data before frame"))
            count = data[pos + 2] if length > 2 else 0
            if length < 6 + 2 * count:
                raise _Unusable(_say("jpeg scan too short"))
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
# Shorter or more regular probes let a few cut files through (docs/faces.md).
_PROBE_BYTES = bytes(range(0xFE, 0x00, -1))


def _jpeg_decodes_completely(data, eoi, image):
    """Whether the JPEG's last scan holds all the data its frame needs.

    libjpeg pads a scan that ends early with zeros, so a cut JPEG decodes into flat grey rows.
    Decoded once more with extra bytes before its end marker, a complete image never reads them
    and stays the same; a cut one decodes them as pixels and changes.
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
            raise _Unusable(_say("png without end"))
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind, end = data[pos + 4 : pos + 8], pos + 12 + length
        if end > n:
            raise _Unusable(_say("png without end"))
        if zlib.crc32(data[pos + 4 : end - 4]) != int.from_bytes(data[end - 4 : end], "big"):
            raise _Unusable(_say("png bad checksum", chunk=kind.decode("latin-1")))
        if kind == b"IHDR" and length >= 8:
            size = (
                int.from_bytes(data[pos + 8 : pos + 12], "big"),
                int.from_bytes(data[pos + 12 : pos + 16], "big"),
            )
        if kind == b"IEND":
            if size is None:
                raise _Unusable(_say("png without header"))
            return size
        pos = end


def _bmp_layout(data):
    """``(width, height)`` of a BMP from its header; refuses one cut short of its pixel rows."""
    if len(data) < 26:
        raise _Unusable(_say("bmp header cut"))
    header = int.from_bytes(data[14:18], "little")
    if header == 12:  # the old OS/2 header: 16-bit sizes
        return int.from_bytes(data[18:20], "little"), int.from_bytes(data[20:22], "little")
    if len(data) < 34:
        raise _Unusable(_say("bmp header cut"))
    width = int.from_bytes(data[18:22], "little", signed=True)
    height = abs(int.from_bytes(data[22:26], "little", signed=True))
    bits, compression = int.from_bytes(data[28:30], "little"), int.from_bytes(data[30:34], "little")
    if compression in (0, 3) and width > 0:  # uncompressed rows: their size is known
        row = (width * bits + 31) // 32 * 4
        if int.from_bytes(data[10:14], "little") + row * height > len(data):
            raise _Unusable(_say("bmp rows cut"))
    return width, height


def _webp_layout(data):
    """``(width, height)`` of a WebP from its first chunk (VP8X, VP8L or VP8)."""
    if len(data) < 30:
        raise _Unusable(_say("webp header cut"))
    if int.from_bytes(data[4:8], "little") + 8 > len(data):
        raise _Unusable(_say("webp shorter than riff"))
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
    raise _Unusable(_say("webp unknown chunk"))


_LAYOUTS = {"png": _png_layout, "bmp": _bmp_layout, "webp": _webp_layout}


def _check_dimensions(width, height):
    """Refuse, from the header and before decoding, what cannot be a face crop: too small to hold
    a face (``MIN_SIDE``), or so big that decoding it would cost seconds and gigabytes
    (``MAX_PIXELS``)."""
    if min(width, height) < MIN_SIDE:
        raise _Unusable(_say("too small", width=width, height=height, min_side=MIN_SIDE))
    if width * height > MAX_PIXELS:
        raise _Unusable(
            _say(
                "too big",
                width=width,
                height=height,
                pixels=width * height,
                max_pixels=MAX_PIXELS,
            )
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
        raise _Unusable(_say("unsupported pixel type", dtype=image.dtype))
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
        raise _Unusable(_say("empty file"))
    kind = _sniff_format(data)
    if kind is None:
        expected = _FORMAT_NAMES.get(Path(path).suffix.lower())
        if expected is None:
            raise _Unusable(_say("not an image"))
        raise _Unusable(_say("not this format", format=expected))
    if kind == "jpeg":
        width, height, eoi, all_scans = _jpeg_layout(data)
        _check_dimensions(width, height)
        if not all_scans:
            raise _Unusable(_say("jpeg scans missing"))
        image = _imdecode(data[:eoi] + b"\xff\xd9", cv2.IMREAD_GRAYSCALE)
        if image is None:
            raise _Unusable(_say("opencv cannot decode format", format="JPEG"))
        if not _jpeg_decodes_completely(data, eoi, image):
            raise _Unusable(_say("jpeg data stops"))
        return image
    _check_dimensions(*_LAYOUTS[kind](data))
    image = _imdecode(data, cv2.IMREAD_UNCHANGED)
    if image is None:
        raise _Unusable(_say("opencv cannot decode format", format=_FORMAT_NAMES["." + kind]))
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
def decoder_warnings_silenced():
    """While decoding: libjpeg's warnings go to the null device (counted, so threads share it)."""
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
