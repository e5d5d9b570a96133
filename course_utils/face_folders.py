"""A folder of face images → ``PreparedFaces``: the first ``limit`` usable ones, and why the rest
were skipped, cached as ``.npz`` so that the second run skips decoding.
"""

import hashlib
import io
import os
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from course_utils.atomic_write import atomic_write_bytes
from course_utils.faces import IMAGE_SIZE
from course_utils.image_files import (
    IMAGE_SUFFIXES,
    READER_VERSION,
    RESIZE_INTERPOLATION,
    decoder_warnings_silenced,
    name_problem,
    one_line,
    printable_path,
    try_read_face,
)
from course_utils.language import Messages
from course_utils.notices import notice

_say = Messages(
    __name__,
    {
        "report head": (
            "{faces} faces of {size}×{size} prepared, {skipped} files skipped",
            "准备好了 {faces} 张 {size}×{size} 的人脸，跳过了 {skipped} 个文件",
        ),
        "skipped file": ("  skipped {path}: {reason}", "  跳过 {path}：{reason}"),
        "summary head": (
            "{used} images used, {skipped} files skipped",
            "用了 {used} 张图像，跳过了 {skipped} 个文件",
        ),
        "summary head from folder": (
            "{used} images used from {folder}, {skipped} files skipped",
            "从 {folder} 用了 {used} 张图像，跳过了 {skipped} 个文件",
        ),
        "limit reached": (
            ", {unused} more not needed (limit reached)",
            "，另有 {unused} 张没有用上（已达到 limit）",
        ),
        "and more skipped": (
            "  ... and {more} more (all of them: .report())",
            "  ……还有 {more} 个（完整列表见 .report()）",
        ),
        "no such folder": (
            "Image folder '{folder}' does not exist or is not a folder. "
            "Pass the folder that holds the Anime-Face-Dataset JPEGs "
            "(see data/README.md), or 'procedural'.",
            "图像文件夹 '{folder}' 不存在，或者不是文件夹。"
            "请传入存放 Anime-Face-Dataset JPEG 图片的文件夹（见 data/README.md），"
            "或者 'procedural'。",
        ),
        "no usable image files": (
            "Image folder '{folder}' has no usable image files; {count} "
            "files skipped, e.g. {path}: {reason}",
            "图像文件夹 '{folder}' 里没有可用的图像文件：跳过了 {count} 个文件，"
            "例如 {path}：{reason}",
        ),
        "no image files": (
            "Image folder '{folder}' contains no image files ({suffixes}).",
            "图像文件夹 '{folder}' 里没有图像文件（{suffixes}）。",
        ),
        "no readable images": (
            "Image folder '{folder}' has no readable images; "
            "{count} files skipped, e.g. {path}: {reason}",
            "图像文件夹 '{folder}' 里没有能读取的图像：跳过了 {count} 个文件，"
            "例如 {path}：{reason}",
        ),
        "not an image file": ("not an image file ({suffix})", "不是图像文件（{suffix}）"),
        "not an image file, no extension": (
            "not an image file (no extension)",
            "不是图像文件（没有扩展名）",
        ),
        "unreadable cache": (
            "ignoring unreadable cache file {path} ({reason}); rebuilding it",
            "缓存文件 {path} 无法读取（{reason}），先不用它，重新生成",
        ),
        "folder and reason": ("{path}: {reason}", "{path}：{reason}"),
        "cached elsewhere": (
            "cannot write the cache folder {failure}; cached in {directory} instead",
            "无法写入缓存文件夹 {failure}；改为缓存到 {directory}",
        ),
        "no cache": (
            "cannot write the cache folder {failure}; working without a cache "
            "(the next run decodes the images again)",
            "无法写入缓存文件夹 {failure}；这次不用缓存（下次运行会重新解码这些图像）",
        ),
    },
)

DEFAULT_LIMIT = 20000  # faces loaded unless told otherwise: the article trained on 20,000
SUMMARY_SKIPPED_SHOWN = 5  # how many skipped files ``PreparedFaces.summary()`` names

_COURSE_ROOT = Path(__file__).resolve().parent.parent


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
            _say(
                "report head",
                faces=len(self.images),
                size=IMAGE_SIZE,
                skipped=len(self.skipped),
            )
        ]
        lines += [_say("skipped file", path=path, reason=reason) for path, reason in self.skipped]
        return "\n".join(lines)

    def summary(self, shown=SUMMARY_SKIPPED_SHOWN):
        """A few short lines for the command line: how many files were used and skipped, and the
        first ``shown`` skipped ones with why (names relative to the folder)."""
        used, skipped = len(self.images), len(self.skipped)
        if self.folder:
            head = _say("summary head from folder", used=used, folder=self.folder, skipped=skipped)
        else:
            head = _say("summary head", used=used, skipped=skipped)
        if self.unused:
            head += _say("limit reached", unused=self.unused)
        lines = [head] + [
            _say("skipped file", path=self._short(path), reason=reason)
            for path, reason in self.skipped[:shown]
        ]
        if len(self.skipped) > shown:
            lines.append(_say("and more skipped", more=len(self.skipped) - shown))
        return "\n".join(lines)

    def __str__(self):
        return self.summary()

    def _short(self, path):
        prefix = self.folder.rstrip(os.sep) + os.sep
        return path[len(prefix) :] if self.folder and path.startswith(prefix) else path


# --- A folder of images -----------------------------------------------------------------------


def prepare_folder(folder, limit=DEFAULT_LIMIT, size=IMAGE_SIZE, cache_dir=None, workers=None):
    """Turn a folder of face images (searched recursively) into ``PreparedFaces``.

    Files that cannot be used are skipped and listed in ``.skipped`` with why, never fatal; a
    missing folder, or one with no readable image, is an error that names it. ``cache_dir=False``
    disables the cache. Decoding runs on a small thread pool (OpenCV releases the GIL).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(_say("no such folder", folder=folder))
    candidates, skipped = _list_images(folder)
    if not candidates:
        if skipped and any(Path(p).suffix.lower() in IMAGE_SUFFIXES for p, _ in skipped):
            raise ValueError(
                _say(
                    "no usable image files",
                    folder=folder,
                    count=len(skipped),
                    path=skipped[0][0],
                    reason=skipped[0][1],
                )
            )
        raise ValueError(
            _say("no image files", folder=folder, suffixes=", ".join(sorted(IMAGE_SUFFIXES)))
        )

    cache_dirs = _cache_dirs(cache_dir)
    cache_name = f"faces_{_cache_key(candidates, limit, size)}.npz"
    cached = _load_cache(cache_dirs, cache_name, folder)
    if cached is not None:
        return cached

    limit = limit or len(candidates)
    images, files, bad = [], [], []
    workers = workers or min(4, os.cpu_count() or 1)
    with decoder_warnings_silenced(), ThreadPoolExecutor(workers) as pool:
        start = 0
        while len(images) < limit and start < len(candidates):
            chunk = candidates[start : start + max(256, limit - len(images))]
            start += len(chunk)
            for path, (image, problem) in zip(
                chunk, pool.map(lambda p: try_read_face(p, size), chunk)
            ):
                if image is None:
                    bad.append((printable_path(path), problem))
                elif len(images) < limit:
                    images.append(image)
                    files.append(str(path))
    skipped += bad
    if not images:
        raise ValueError(
            _say(
                "no readable images",
                folder=folder,
                count=len(skipped),
                path=skipped[0][0],
                reason=skipped[0][1],
            )
        )
    prepared = PreparedFaces(
        np.stack(images),
        files,
        skipped,
        printable_path(folder),
        unused=len(candidates) - len(files) - len(bad),
    )
    _save_cache(cache_dirs, cache_name, prepared)
    return prepared


def _list_images(folder):
    """The image files under ``folder`` (recursively, sorted) and the other files, with why they
    are not used: a wrong suffix, or a name that is not valid UTF-8."""
    all_files = sorted(p for p in _walk_files(folder) if not p.name.startswith("."))
    candidates, skipped = [], []
    for path in all_files:
        problem = name_problem(path)
        if problem is None and path.suffix.lower() not in IMAGE_SUFFIXES:
            if path.suffix:
                problem = _say("not an image file", suffix=path.suffix)
            else:
                problem = _say("not an image file, no extension")
        if problem is None:
            candidates.append(path)
        else:
            skipped.append((printable_path(path), problem))
    return candidates, skipped


def _walk_files(folder):
    """Every file under ``folder``, following links to folders (a dataset split across disks is
    often joined by links), each real folder visited once: a link to ``.`` cannot loop."""
    seen = set()
    for root, dirs, names in os.walk(folder, followlinks=True):
        stat = os.stat(root)
        if (stat.st_dev, stat.st_ino) in seen:
            dirs[:] = []
            continue
        seen.add((stat.st_dev, stat.st_ino))
        for name in names:
            path = Path(root) / name
            if path.is_file():
                yield path


def _cache_key(files, limit, size):
    digest = hashlib.sha256(f"{limit}|{size}|{RESIZE_INTERPOLATION}|{READER_VERSION}".encode())
    for path in files:
        stat = path.stat()
        digest.update(os.fsencode(path) + f"|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


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
                    printable_path(folder),
                    int(cached["unused"]) if "unused" in cached else 0,
                )
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as error:
            notice(_say("unreadable cache", path=path, reason=one_line(error)))
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
            failures.append(_say("folder and reason", path=directory, reason=one_line(error)))
            continue
        if failures:
            notice(_say("cached elsewhere", failure=failures[0], directory=directory))
        return directory / name
    if failures:
        notice(_say("no cache", failure=failures[0]))
    return None


def _atomic_savez(path, **arrays):
    """Write an .npz so that a crash leaves either the old file or the new one, never half of one."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write_bytes(path, buffer.getvalue())
