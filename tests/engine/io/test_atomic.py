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
from paths import REPO

from engine.io import fileformat
from engine.io.atomic import (
    NotARegularFile,
    read_regular_file,
    remove_interrupted_saves,
    write_bytes_atomic,
)
from engine.io.fileformat import Document

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
    from engine.io import atomic

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


# a save killed in the middle, as a crash or SIGKILL would: while the new content goes to
# disk (os.fsync made slow), or half-way through rewriting a hard-linked file in place
KILLED_SAVE = textwrap.dedent("""
    import os, sys, time
    from engine.io import atomic
    def stall():
        sys.stdout.write("writing\\n"); sys.stdout.flush()
        time.sleep(60)
    if sys.argv[2] == "fsync":
        os.fsync = lambda handle: stall()
    else:
        real_pwrite = os.pwrite
        def half(handle, data, offset):
            real_pwrite(handle, bytes(data[:100]), offset)
            stall()
        os.pwrite = half
    atomic.write_bytes_atomic(sys.argv[1], b"the new content " * 3000)
""")


def killed_save(path, where: str = "fsync") -> None:
    child = subprocess.Popen([sys.executable, "-c", KILLED_SAVE, str(path), where], cwd=REPO,
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


def test_a_killed_in_place_save_is_finished_from_its_complete_copy(tmp_path):
    """A hard-linked file is rewritten in place: killed half-way through, the file is part
    new, part old; the complete new content, marked ready beside it, finishes the save."""
    path = tmp_path / "file.json"
    path.write_bytes(OLD)
    other = tmp_path / "other.json"
    os.link(path, other)
    killed_save(other, "pwrite")
    assert path.read_bytes() not in (OLD, NEW)  # half-written
    ready = [p.name for p in tmp_path.iterdir() if p.name.endswith(".ready")]
    assert len(ready) == 1 and ready[0].startswith(".other.json.")
    assert remove_interrupted_saves(tmp_path) == ready
    assert path.read_bytes() == NEW and other.read_bytes() == NEW
    assert path.stat().st_ino == other.stat().st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json", "other.json"]


def test_an_in_place_save_killed_before_its_copy_was_complete_leaves_the_file(tmp_path):
    path = tmp_path / "file.json"
    path.write_bytes(OLD)
    os.link(path, tmp_path / "other.json")
    killed_save(path, "fsync")  # while the complete copy is written: the file not touched
    assert path.read_bytes() == OLD
    left = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert len(left) == 1 and left[0].endswith(".tmp")
    assert remove_interrupted_saves(tmp_path) == left
    assert path.read_bytes() == OLD


def test_cleaning_never_follows_a_link_nor_opens_a_fifo_nor_touches_others_files(tmp_path):
    """A folder unpacked from somewhere, with files named like leftovers: nothing outside it
    is written through a link, a FIFO does not block, and a copy whose file is not a regular
    file of this user's finishes nothing (found in review)."""
    victim = tmp_path / "victim.txt"
    victim.write_text("my notes")
    folder = tmp_path / "downloaded"
    folder.mkdir()
    (folder / "notes").symlink_to(victim)
    (folder / ".notes.999999-a1.ready").write_text("ATTACKER CONTENT")
    (folder / ".link.999999-b2.ready").symlink_to(victim)  # a leftover that is a link
    (folder / "x").write_text("kept")
    os.mkfifo(folder / ".x.999999-c3.ready")
    os.mkfifo(folder / ".y.999999-d4.tmp")
    cleaned = remove_interrupted_saves(folder)
    assert cleaned == []
    assert victim.read_text() == "my notes" and (folder / "x").read_text() == "kept"
    assert (folder / ".notes.999999-a1.ready").exists()  # not ours to finish: left alone
    (folder / "notes").unlink()
    (folder / "notes").mkdir()  # a folder where the file should be: nothing either
    assert remove_interrupted_saves(folder) == []
    if os.geteuid() == 0:  # another user's leftover (the tests run as root here)
        theirs = folder / ".z.999999-e5.tmp"
        theirs.write_text("someone else's")
        os.chown(theirs, 65534, 65534)
        assert remove_interrupted_saves(folder) == [] and theirs.exists()


def test_cleaning_leaves_a_running_save_and_other_files_alone(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        running = tmp_path / f".file.json.{sleeper.pid}-abc123.tmp"
        running.write_bytes(NEW)
        others = [".file.json.tmp", "file.json", ".hidden", ".x.json.12ab.tmp",
                  "notes.12-ab.tmp", ".report.txt.999998-old.backup"]
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


def test_a_hard_linked_rewrite_on_a_full_disk_refuses_before_touching_the_file(
        tmp_path, monkeypatch):
    path = tmp_path / "file.json"
    path.write_bytes(b"short")
    os.link(path, tmp_path / "other.json")

    def full(handle, offset, length):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "posix_fallocate", full)
    with pytest.raises(OSError, match="No space left"):
        write_bytes_atomic(path, NEW)
    assert path.read_bytes() == b"short"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json", "other.json"]


def test_a_hard_linked_rewrite_that_fails_half_way_keeps_its_complete_copy(
        tmp_path, monkeypatch):
    """An I/O error in the middle of the rewrite: the file is part new, and the complete
    copy stays beside it, which the next clean-up (at the next Open) finishes from."""
    path = tmp_path / "file.json"
    path.write_bytes(OLD)
    os.link(path, tmp_path / "other.json")
    real_pwrite = os.pwrite

    def failing(handle, data, offset):
        real_pwrite(handle, bytes(data[:100]), offset)
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "pwrite", failing)
    with pytest.raises(OSError, match="Input/output error"):
        write_bytes_atomic(path, NEW)
    monkeypatch.setattr(os, "pwrite", real_pwrite)
    assert path.read_bytes() not in (OLD, NEW)
    ready = [p.name for p in tmp_path.iterdir() if p.name.endswith(".ready")]
    assert len(ready) == 1
    assert remove_interrupted_saves(tmp_path) == ready
    assert path.read_bytes() == NEW == (tmp_path / "other.json").read_bytes()
