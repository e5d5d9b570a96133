"""Atomic writes: a reader (or a kill -9) sees the old file or the new one, never a part."""

import os
import tempfile
from pathlib import Path


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path, data):
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:  # name the file asked for, not the temporary one
        raise OSError(error.errno, error.strerror, str(path)) from error
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        # mkstemp makes the file private (0600); give it the permissions a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError) and error.filename is None:  # e.g. a full disk: say where
            raise OSError(error.errno, error.strerror, str(path)) from error
        raise
    return path


def atomic_write_text(path, text):
    """``atomic_write_bytes`` for text (UTF-8, newlines as given)."""
    return atomic_write_bytes(path, text.encode("utf-8"))
