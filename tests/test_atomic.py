"""Saving never loses a file (issue 12, points 2, 3 and 5): through a symbolic link the
target changes and the link stays; every hard link sees the new content; the mode is kept;
a save killed in the middle leaves the old content whole, and what it left behind is
cleaned up afterwards; a FIFO or a device is never read from."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import REPO

from engine import fileformat
from engine.atomic import (
    NotARegularFile,
    read_regular_file,
    remove_interrupted_saves,
    write_bytes_atomic,
)
from engine.fileformat import Document

OLD, NEW = b"old content " * 1000, b"the new content " * 3000


def too_large(size):
    return ValueError(f"{size} bytes")


def test_saving_through_a_symbolic_link_writes_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_bytes(OLD)
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write_bytes_atomic(link, NEW)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() == NEW and link.read_bytes() == NEW
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_a_link_to_a_link_in_another_folder_and_a_dangling_link(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    real = tmp_path / "b" / "real.json"
    real.write_bytes(OLD)
    middle = tmp_path / "b" / "middle.json"
    middle.symlink_to(real)
    link = tmp_path / "a" / "link.json"
    link.symlink_to(middle)
    write_bytes_atomic(link, NEW)
    assert real.read_bytes() == NEW and link.is_symlink() and middle.is_symlink()
    dangling = tmp_path / "a" / "dangling.json"
    dangling.symlink_to(tmp_path / "b" / "new.json")
    write_bytes_atomic(dangling, NEW)
    assert dangling.is_symlink() and (tmp_path / "b" / "new.json").read_bytes() == NEW


def test_every_hard_link_sees_the_new_content(tmp_path):
    first = tmp_path / "first.json"
    first.write_bytes(OLD)
    first.chmod(0o600)
    second = tmp_path / "second.json"
    os.link(first, second)
    inode = first.stat().st_ino
    write_bytes_atomic(second, NEW)
    assert first.read_bytes() == NEW and second.read_bytes() == NEW
    assert first.stat().st_ino == second.stat().st_ino == inode
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    write_bytes_atomic(first, b"short")  # shorter than before: the rest is cut off
    assert second.read_bytes() == b"short"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["first.json", "second.json"]


def test_a_network_saved_through_a_symbolic_link_opens_from_both_names(tmp_path):
    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    document = fileformat.load(REPO / "resources" / "examples" / "seed-000.json")
    fileformat.save(real, document)
    link.symlink_to(real)
    stepper = document.make_stepper()
    stepper.run(5)
    fileformat.save(link, Document.from_stepper(stepper))
    assert link.is_symlink()
    assert fileformat.load(real).state.iteration == 5


def test_a_failed_write_leaves_the_old_content_and_nothing_beside_it(tmp_path, monkeypatch):
    from engine import atomic

    path = tmp_path / "file.json"
    path.write_bytes(OLD)
    other = tmp_path / "other.json"
    os.link(path, other)

    copy_into = atomic._copy_into

    def full(file, source):
        """The disk fills up a hundred bytes into the new content (copies of old content,
        the backup and its restoring, go through)."""
        if not isinstance(source, bytes):
            return copy_into(file, source)
        file.write(source[:100])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "_copy_into", full)
    for target in (path, tmp_path / "new.json"):
        with pytest.raises(OSError, match="No space left"):
            write_bytes_atomic(target, NEW)
    assert path.read_bytes() == OLD and other.read_bytes() == OLD
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json", "other.json"]


# a save killed while its data goes to disk (os.fsync made slow), as a crash or SIGKILL would
KILLED_SAVE = textwrap.dedent("""
    import os, sys, time
    from engine import atomic
    real_fsync = os.fsync
    def slow(handle):
        sys.stdout.write("writing\\n"); sys.stdout.flush()
        time.sleep(60)
    os.fsync = slow
    atomic.write_bytes_atomic(sys.argv[1], b"the new content " * 3000)
""")


def killed_save(path) -> None:
    child = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(path)], cwd=REPO,
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline() == "writing\n"  # in the middle of the save
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL


def test_a_killed_atomic_save_leaves_the_file_whole_and_its_temporary_is_cleaned(tmp_path):
    path = tmp_path / "file.json"
    path.write_bytes(OLD)
    killed_save(path)
    assert path.read_bytes() == OLD  # whole: the rename never happened
    left = [p.name for p in tmp_path.iterdir() if p.name != "file.json"]
    assert len(left) == 1 and left[0].startswith(".file.json.") and left[0].endswith(".tmp")
    assert remove_interrupted_saves(tmp_path) == left
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json"]
    assert path.read_bytes() == OLD


def test_a_killed_in_place_save_is_undone_from_its_backup(tmp_path):
    """A hard-linked file is rewritten in place: killed during the rewrite, the file may be
    half new; the backup of its old content, left beside it, puts it back whole."""
    path = tmp_path / "file.json"
    path.write_bytes(OLD)
    other = tmp_path / "other.json"
    os.link(path, other)
    killed_save(other)
    backups = [p.name for p in tmp_path.iterdir() if p.name.endswith(".backup")]
    assert len(backups) == 1 and backups[0].startswith(".other.json.")
    assert remove_interrupted_saves(tmp_path) == backups
    assert path.read_bytes() == OLD and other.read_bytes() == OLD
    assert path.stat().st_ino == other.stat().st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json", "other.json"]


def test_cleaning_leaves_a_running_save_and_other_files_alone(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = tmp_path / f".file.json.{sleeper.pid}-abc123.tmp"
        running.write_bytes(NEW)
        others = [".file.json.tmp", "file.json", ".hidden", ".x.json.12ab.tmp",
                  "notes.12-ab.tmp"]
        for name in others:
            (tmp_path / name).write_bytes(OLD)
        assert remove_interrupted_saves(tmp_path) == []
        assert running.exists() and all((tmp_path / name).exists() for name in others)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert remove_interrupted_saves(tmp_path) == [running.name]  # its writer is gone now
    assert remove_interrupted_saves(tmp_path / "missing") == []


@pytest.mark.parametrize("kind", ["fifo", "directory", "device"])
def test_reading_refuses_anything_but_a_regular_file_at_once(tmp_path, kind):
    if kind == "fifo":
        path = tmp_path / "pipe"
        os.mkfifo(path)
        expected = "a named pipe (FIFO), not a regular file"
    elif kind == "directory":
        path = tmp_path
        expected = "a directory, not a regular file"
    else:
        path = "/dev/zero"
        expected = "a character device, not a regular file"
    started = time.perf_counter()
    with pytest.raises(NotARegularFile) as caught:
        read_regular_file(path, 100, too_large)
    assert str(caught.value) == f"{expected}; nothing was read"
    assert time.perf_counter() - started < 30  # the test did not hang: the point is not speed


def test_reading_checks_the_size_first_and_through_a_link(tmp_path):
    path = tmp_path / "file"
    path.write_bytes(b"x" * 101)
    with pytest.raises(ValueError, match="^101 bytes$"):
        read_regular_file(path, 100, too_large)
    seen = []
    assert read_regular_file(path, 200, too_large, before_reading=seen.append) == b"x" * 101
    assert seen == [101]
    link = tmp_path / "link"
    link.symlink_to(path)
    assert read_regular_file(link, 200, too_large) == b"x" * 101
