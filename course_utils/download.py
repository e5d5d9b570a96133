"""Download the real face dataset and extract it safely: for learners with a network (Colab, Binder).

An archive from the web is not trusted: its checksum is checked when known, and extraction refuses
paths that leave the target folder, links, and archives that unpack to more than a cap.
"""

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
import zlib
from pathlib import Path

from course_utils.face_folders import DEFAULT_LIMIT, prepare_folder
from course_utils.image_files import one_line
from course_utils.language import Messages
from course_utils.notices import notice

_say = Messages(
    __name__,
    {
        "archive changed": (
            "{archive} does not match the SHA-256 given (the archive changed?); "
            "downloading it again",
            "{archive} 与给定的 SHA-256 不符（压缩包换过了？），重新下载",
        ),
        "checksum mismatch": (
            "{archive}: SHA-256 mismatch (expected {expected}, got {actual}); "
            "the download was deleted.",
            "{archive}：SHA-256 不符（应为 {expected}，实际是 {actual}），下载的文件已删除。",
        ),
        "gave a web page": (
            "{archive}: {url} gave a web page, not a zip or tar archive; the URL "
            "must point at the archive file itself (…/name.zip), not at a folder "
            "or a page. The download was deleted.",
            "{archive}：{url} 返回的是一个网页，不是 zip 或 tar 压缩包；URL "
            "必须直接指向压缩包文件本身（…/name.zip），而不是文件夹或网页。下载的文件已删除。",
        ),
        "gave another file": (
            "{archive}: {url} gave a file starting {start!r}, not a zip or tar archive; "
            "the URL must point at the archive file itself (…/name.zip), not at a folder "
            "or a page. The download was deleted.",
            "{archive}：{url} 返回的文件以 {start!r} 开头，不是 zip 或 tar 压缩包；URL "
            "必须直接指向压缩包文件本身（…/name.zip），而不是文件夹或网页。下载的文件已删除。",
        ),
        "download failed": (
            "{url}: download failed ({reason}); check the link and the network",
            "{url}：下载失败（{reason}）；请检查链接和网络",
        ),
        "writes too much": (
            "{archive}: extracting it writes more than {cap} "
            "(MAX_EXTRACT_BYTES): a zip bomb, or not the face dataset; "
            "extraction stopped",
            "{archive}：解压写出的数据超过 {cap}（MAX_EXTRACT_BYTES）："
            "可能是压缩炸弹，或者根本不是人脸数据集；已停止解压",
        ),
        "not an archive": (
            "{archive}: not a zip or tar archive",
            "{archive}：不是 zip 或 tar 压缩包",
        ),
        "declares too much": (
            "{archive}: its members add up to {declared}, more "
            "than {cap} (MAX_EXTRACT_BYTES; the face dataset "
            "unpacks to about 0.5 GiB): a zip bomb, or not the face dataset; "
            "nothing extracted",
            "{archive}：里面的文件加起来有 {declared}，超过 {cap}"
            "（MAX_EXTRACT_BYTES；人脸数据集解压后约 0.5 GiB）："
            "可能是压缩炸弹，或者根本不是人脸数据集；什么都没有解压",
        ),
        "cannot extract": (
            "{archive}: cannot extract '{name}' ({reason}); "
            "the archive may be damaged: delete it and download it "
            "again",
            "{archive}：无法解压 '{name}'（{reason}）；压缩包可能已损坏：请删除它，重新下载",
        ),
        "unsafe member": (
            "{archive}: unsafe member '{name}' (a link, device or path outside "
            "the target folder); nothing extracted",
            "{archive}：不安全的成员 '{name}'（链接、设备文件，或落在目标文件夹之外的路径）；"
            "什么都没有解压",
        ),
    },
)

# Why 4 GiB: the real dataset unpacks to about 460 MB; a "zip bomb" of 1 MB unpacks to 1 GiB or
# more. Checked on the archive's declared sizes before extracting, and on the bytes written while
# extracting.
MAX_EXTRACT_BYTES = 4 << 30
# Inside the extracted folder (hidden, so prepare_folder ignores it): the SHA-256 of the archive it
# came from. A different archive (the dataset page changed it) is extracted afresh, not mixed up.
EXTRACTED_FROM = ".extracted-from.sha256"


def download_dataset(
    url, dest, sha256=None, limit=DEFAULT_LIMIT, cache_dir=None, max_extract_bytes=None
):
    """Fetch a .zip/.tar(.gz) of face images from ``url``, check it, extract it safely, prepare it.

    With ``sha256``, an archive that does not match is downloaded again, or deleted and refused.
    ``dest/images/`` is this function's own: it is extracted afresh whenever the archive changes,
    and nothing outside ``dest`` is ever written (``safe_extract``). Returns ``PreparedFaces``.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest / _archive_name(url, dest)
    expected = sha256.lower() if sha256 else None
    actual = file_sha256(archive) if archive.exists() else None
    if actual is not None and expected is not None and actual != expected:
        notice(_say("archive changed", archive=archive))
        archive.unlink()
        actual = None
    if actual is None:
        _fetch(url, archive)
        actual = file_sha256(archive)
    if expected is not None and actual != expected:
        archive.unlink()
        raise ValueError(_say("checksum mismatch", archive=archive, expected=sha256, actual=actual))
    if _archive_kind(archive) is None:
        start = archive.read_bytes()[:64]
        archive.unlink()
        if start.lstrip()[:1] == b"<":
            raise ValueError(_say("gave a web page", archive=archive, url=url))
        raise ValueError(_say("gave another file", archive=archive, url=url, start=start[:16]))
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
        raise ConnectionError(_say("download failed", url=url, reason=reason)) from None
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
    """The file's SHA-256 as hex, read 1 MiB at a time."""
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
                raise ValueError(_say("writes too much", archive=archive, cap=_size_text(cap)))
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
        raise ValueError(_say("not an archive", archive=archive))
    with zipfile.ZipFile(archive) if kind == "zip" else tarfile.open(archive) as opened:
        members = _safe_members(archive, opened, kind, dest)
        declared = _declared_size(size for _, is_dir, size in members if not is_dir)
        if declared > cap:
            raise ValueError(
                _say(
                    "declares too much",
                    archive=archive,
                    declared=_size_text(declared),
                    cap=_size_text(cap),
                )
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
                    _say("cannot extract", archive=archive, name=name, reason=one_line(error))
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
            raise ValueError(_say("unsafe member", archive=archive, name=name))
        members.append((member, is_dir, size))
    return members
