"""Why the history cannot be opened or written, in words: read-only, full, or in the way."""

from __future__ import annotations

import errno
import os
import sqlite3
from pathlib import Path

from desktop_app.core.errors import ConfigError

# SQLite's primary result codes (the low byte of an extended code) for a storage problem.
_SQLITE_READONLY, _SQLITE_IOERR, _SQLITE_FULL, _SQLITE_CANTOPEN = 8, 10, 13, 14
_SQLITE_BUSY, _SQLITE_LOCKED = 5, 6


class HistoryUnavailable(ConfigError):
    """The history cannot be opened or written; `reason` is the why, as a phrase."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"The history cannot be used: {reason}.")
        self.reason = reason


def storage_reason(exc: BaseException, db_path: Path) -> str | None:
    """Why the database at `db_path` could not be used, if `exc` is a storage problem (a
    read-only or full disk, a folder in the way); None for anything else (e.g. a damaged
    database, which the caller words itself)."""
    folder = db_path.parent
    if isinstance(exc, OSError):
        return _os_reason(exc, db_path)
    if not isinstance(exc, sqlite3.Error):
        return None
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code == _SQLITE_FULL:
        return f"the disk holding {folder} is full"
    if code == _SQLITE_READONLY:
        return _unwritable(folder)
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED):
        return "another program holds the history database locked"
    if code in (_SQLITE_CANTOPEN, _SQLITE_IOERR):
        return _diagnose(db_path) or f"{db_path} could not be opened or written ({exc})"
    return None


def room_problem(db_path: Path, needed: int) -> str | None:
    """Why writing `needed` more bytes next to the database would not fit, if it would not:
    the disk's free space, or the process's file size limit for the write-ahead log."""
    folder = db_path.parent
    try:
        info = os.statvfs(folder)
    except (OSError, AttributeError):  # statvfs: POSIX only
        return None
    if info.f_bavail * info.f_frsize < needed:
        return f"the disk holding {folder} is full"
    try:
        import resource
    except ImportError:
        return None
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    wal = db_path.with_name(db_path.name + "-wal")
    if limit != resource.RLIM_INFINITY and wal.exists() and wal.stat().st_size + needed > limit:
        return _file_size_limit(folder)
    return None


def _os_reason(exc: OSError, db_path: Path) -> str:
    folder = db_path.parent
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"the disk holding {folder} is full"
    if exc.errno == errno.EFBIG:
        return _file_size_limit(folder) or f"a file in {folder} reached the size limit for files"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return _unwritable(Path(exc.filename) if exc.filename else folder)
    if exc.errno in (errno.EISDIR, errno.ENOTDIR, errno.EEXIST):
        return _diagnose(db_path) or f"{exc.filename or db_path} is in the way ({exc.strerror})"
    return f"{exc.filename or folder} could not be written ({exc.strerror or exc})"


def _diagnose(db_path: Path) -> str | None:
    """Look at the disk itself for the usual reasons an open or a write failed."""
    if db_path.is_dir():
        return f"there is a folder at {db_path}, where the database file should be"
    images = db_path.parent / "images"
    if images.exists() and not images.is_dir():
        return f"there is a file at {images}, where the images folder should be"
    folder = _existing_parent(db_path.parent)
    if not folder.is_dir():
        return f"{folder} is a file, where the history's folder should be"
    if not os.access(folder, os.W_OK | os.X_OK):
        return _unwritable(folder)
    try:
        if os.statvfs(folder).f_bavail == 0:
            return f"the disk holding {folder} is full"
    except (OSError, AttributeError):  # statvfs: POSIX only
        pass
    return _file_size_limit(folder)


def _file_size_limit(folder: Path) -> str | None:
    """A write cut short by the process's file size limit (`ulimit -f`) shows as an I/O error."""
    try:
        import resource
    except ImportError:  # not on Windows
        return None
    limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
    if limit == resource.RLIM_INFINITY:
        return None
    return f"a file in {folder} reached the size limit set for this process ({limit} bytes)"


def _unwritable(folder: Path) -> str:
    where = _existing_parent(folder)
    try:
        read_only_disk = bool(os.statvfs(where).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):
        read_only_disk = False
    if read_only_disk:
        return f"{where} is on a read-only disk"
    return f"Qwen Math may not write to {where} (it is read-only)"


def _existing_parent(path: Path) -> Path:
    while not path.exists() and path.parent != path:
        path = path.parent
    return path
