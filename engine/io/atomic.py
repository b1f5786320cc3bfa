"""Reading and writing files safely.

Reading (``read_regular_file``): only a regular file is read, and its size is checked
before a byte is read. A FIFO, a device or a folder is refused without blocking: the file
is opened with O_NONBLOCK (opening a FIFO for reading then returns at once) and fstat of
the open descriptor decides, so nothing can be swapped in between the check and the read.

Writing (``write_bytes_atomic``): an interruption never leaves the file half-written: a
temporary file beside the target, fsynced, renamed over it, and the folder fsynced so that
the rename lasts. A symbolic link is written through (its target changes, the link stays);
a file with several hard links is rewritten in place from a complete copy beside it, so that
every name sees the new content. Networks (fileformat), data sets (datasets), exports, settings
and recovery files all save through here. ``remove_interrupted_saves`` cleans up what a
killed save left behind.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
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


def _sync_directory(directory: str) -> None:
    """Make a rename or an unlink in ``directory`` durable (POSIX; elsewhere a no-op)."""
    with contextlib.suppress(OSError, AttributeError):
        handle = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def _copy_into(file, data: bytes) -> None:
    """Write ``data`` into the new file (one place, which the tests make fail as a full disk
    would)."""
    file.write(data)


def _write_beside(directory: str, name: str, data: bytes, suffix: str) -> str:
    """A new file ``.NAME.<pid>-XXXX<suffix>`` in ``directory`` holding ``data``, written
    and fsynced. The process id in the name tells a later ``remove_interrupted_saves``
    whether the writer can still be at work."""
    handle, temporary = tempfile.mkstemp(prefix=f".{name}.{os.getpid()}-", suffix=suffix,
                                         dir=directory)
    try:
        with os.fdopen(handle, "wb") as file:
            _copy_into(file, data)
            file.flush()
            os.fsync(file.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return temporary


def _default_mode() -> int:
    """The mode a new file gets: 0666 less this process's umask, as open() would give."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_NEW_FILE_MODE = _default_mode()
_OPEN_SAFELY = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)


def _reserve(handle: int, size: int) -> None:
    """Reserve ``size`` bytes for the open file where the system can, so that a full disk
    refuses (OSError) before a byte of its content is changed."""
    if size > os.fstat(handle).st_size and hasattr(os, "posix_fallocate"):
        try:
            os.posix_fallocate(handle, 0, size)
        except OSError as error:  # not every file system can reserve; a full disk can't
            if error.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                raise


def _overwrite(handle: int, data: bytes) -> None:
    """Write ``data`` over the open file's content, in place (the inode, so every hard link,
    keeps it), and fsync."""
    view, written = memoryview(data), 0
    while written < len(data):
        written += os.pwrite(handle, view[written:written + (1 << 24)], written)
    os.ftruncate(handle, len(data))
    os.fsync(handle)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Replace the content of ``path`` by ``data`` so that an interruption never leaves it
    half-written; on a failure the old content stays and no temporary file is left behind.

    - A symbolic link is followed: its target gets the content, the link stays a link.
    - The file keeps its mode (and its owner where the system allows); a new one gets the
      mode open() would give it (0666 less the umask).
    - An ordinary file is replaced by a temporary file renamed over it.
    - A file with other hard links is rewritten in place, so that every name sees the new
      content: the new content is first written whole beside it and marked complete
      (``.NAME.<pid>-XXXX.ready``), the space for it reserved, and then copied over the
      file. If the process dies during that copy, ``remove_interrupted_saves`` finishes it
      from the complete copy; a full disk refuses before the file is touched."""
    data = bytes(data)
    target = os.path.realpath(os.fspath(path))
    directory, name = os.path.split(target)
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None and stat.S_ISREG(info.st_mode) and info.st_nlink > 1:
        _rewrite_in_place(target, directory, name, data)
        return
    temporary = _write_beside(directory, name, data, ".tmp")
    with contextlib.suppress(OSError):
        os.chmod(temporary, stat.S_IMODE(info.st_mode) if info is not None
                 else _NEW_FILE_MODE)
    if info is not None and hasattr(os, "chown"):
        with contextlib.suppress(OSError):
            os.chown(temporary, info.st_uid, info.st_gid)
    _rename_or_remove(temporary, target)
    _sync_directory(directory)


def _rename_or_remove(temporary: str, destination: str) -> None:
    """Rename ``temporary`` over ``destination``; on any failure remove it (and raise)."""
    try:
        os.replace(temporary, destination)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _rewrite_in_place(target: str, directory: str, name: str, data: bytes) -> None:
    temporary = _write_beside(directory, name, data, ".tmp")
    ready = temporary.removesuffix(".tmp") + ".ready"  # complete: may be copied over target
    _rename_or_remove(temporary, ready)
    _sync_directory(directory)
    handle = os.open(target, os.O_WRONLY | _OPEN_SAFELY)
    try:
        try:
            _reserve(handle, len(data))
        except BaseException:  # the space could not be had: the file was not touched
            with contextlib.suppress(OSError):
                os.unlink(ready)
            raise
        # from here on the file changes: if the rewrite fails, the complete copy stays
        # beside it and remove_interrupted_saves finishes it
        _overwrite(handle, data)
    finally:
        os.close(handle)
    os.unlink(ready)
    _sync_directory(directory)


# .NAME.<pid>-XXXXXXXX.tmp or .ready, as _write_beside and _rewrite_in_place name them
_LEFT_BEHIND = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)-[A-Za-z0-9_]+\.(?P<kind>tmp|ready)$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # this process writes one file at a time and is not writing now
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process: leave its files alone
    return True


def _own_regular_file(path: str, flags: int) -> int | None:
    """An open descriptor of ``path`` if it is a regular file of this user's, reached without
    following a link and without blocking (a FIFO named like ours is not opened for real);
    else None."""
    try:
        handle = os.open(path, flags | _OPEN_SAFELY)
    except OSError:
        return None  # a link (O_NOFOLLOW), gone, or not ours to open
    info = os.fstat(handle)
    mine = not hasattr(os, "geteuid") or info.st_uid == os.geteuid()
    if stat.S_ISREG(info.st_mode) and mine:
        if hasattr(os, "set_blocking"):
            os.set_blocking(handle, True)
        return handle
    os.close(handle)
    return None


def remove_interrupted_saves(directory: str | os.PathLike) -> list[str]:
    """Clean up after saves that were interrupted (the process killed, the machine off)
    in ``directory``, touching only what such a save leaves — regular files of this user's,
    named as this module names them, of a process that no longer runs — and never following
    a link:

    - a temporary file (``.NAME.<pid>-XXXX.tmp``) is removed: the file it was to replace is
      whole;
    - the complete new content of an in-place rewrite (``.NAME.<pid>-XXXX.ready``) is copied
      over NAME — itself a regular file of this user's in the same folder — finishing the
      save, and then removed.

    Returns the names of the files cleaned up; errors are ignored (a later call tries
    again)."""
    directory = os.fspath(directory)
    cleaned = []
    try:
        names = os.listdir(directory)
    except OSError:
        return cleaned
    for entry in names:
        match = _LEFT_BEHIND.match(entry)
        if match is None or _alive(int(match["pid"])):
            continue
        left = os.path.join(directory, entry)
        handle = _own_regular_file(left, os.O_RDONLY)
        if handle is None:
            continue
        with contextlib.suppress(OSError), os.fdopen(handle, "rb") as source:
            if match["kind"] == "ready":
                target = _own_regular_file(os.path.join(directory, match["name"]),
                                           os.O_WRONLY)
                if target is None:
                    continue  # no file of ours to finish: the copy stays, untouched
                try:
                    _overwrite(target, source.read())
                finally:
                    os.close(target)
            os.unlink(left)
            cleaned.append(entry)
    if cleaned:
        _sync_directory(directory)
    return cleaned


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """``write_bytes_atomic`` of ``text`` encoded as UTF-8."""
    write_bytes_atomic(path, text.encode("utf-8"))
