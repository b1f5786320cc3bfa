"""Reading and writing files safely.

Reading (``read_regular_file``): only a regular file is read, and its size is checked
before a byte is read. A FIFO, a device or a folder is refused without blocking: the file
is opened with O_NONBLOCK (opening a FIFO for reading then returns at once) and fstat of
the open descriptor decides, so nothing can be swapped in between the check and the read.

Writing (``write_bytes_atomic``): an interruption never leaves the file half-written: a
temporary file beside the target, fsynced, renamed over it, and the folder fsynced so that
the rename lasts. Networks (fileformat), data sets (datasets) and exports all save through
here.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile


class NotARegularFile(OSError):
    """The path names a FIFO, a socket, a device or a folder: nothing is read from it."""

    def __str__(self) -> str:  # the path is shown by whoever shows the error
        return self.strerror or super().__str__()


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"))


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_regular_file(path: str | os.PathLike, limit: int, too_large,
                      before_reading=None) -> bytes:
    """The bytes of the regular file at ``path`` (symbolic links followed).

    Raises :class:`NotARegularFile` (an OSError naming what the path is) for anything but
    a regular file, without blocking on a FIFO; ``too_large(size)`` is raised (it returns
    the exception) when the file holds more than ``limit`` bytes; ``before_reading(size)``,
    when given, is called with the size before a byte is read (it may raise: a memory
    budget); other OSErrors pass through."""
    path = os.fspath(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        handle = os.open(path, flags)
    except IsADirectoryError:
        raise NotARegularFile(21, "a directory, not a regular file; nothing was read",
                              path) from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(22, f"{_kind(info.st_mode)}, not a regular file; "
                                  "nothing was read", path)
        if info.st_size > limit:
            raise too_large(info.st_size)
        if before_reading is not None:
            before_reading(info.st_size)
    except BaseException:
        os.close(handle)
        raise
    with os.fdopen(handle, "rb", buffering=0) as file:
        if hasattr(os, "set_blocking"):
            os.set_blocking(handle, True)
        chunks, total = [], 0
        while total <= limit:  # a file that grows while it is read is cut at limit + 1
            chunk = file.read(min(limit + 1 - total, 1 << 24))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        raise too_large(len(data))
    return data


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Replace ``path`` by ``data`` atomically: on any failure the old file stays as it was
    and no temporary file is left behind. A new file gets mode 0644, an old one keeps its."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(OSError):
            mode = os.stat(path).st_mode & 0o777 if os.path.exists(path) else 0o644
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError, AttributeError):  # make the rename durable (POSIX)
        directory_handle = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(directory_handle)
        finally:
            os.close(directory_handle)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """``write_bytes_atomic`` of ``text`` encoded as UTF-8."""
    write_bytes_atomic(path, text.encode("utf-8"))
