"""The history's buffers: rows of a large network's snapshots in a shared mapping (its pages
are faulted 64 KB at a time, where numpy's own memory costs a fault per 4 KB at every step's
new row), the seeds' small rows in numpy's memory. Either way an ordinary writable array."""

from __future__ import annotations

import mmap

import numpy as np
import pytest

from engine.core.history import LARGE_ROW, _empty, _GrowingArray


def base_of(array: np.ndarray):
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array.base


def test_large_rows_go_into_a_mapping_and_behave_as_an_array():
    width = LARGE_ROW // 8 + 1
    array = _empty((3, width), np.float64)
    assert array.shape == (3, width) and array.dtype == np.float64 and array.flags.writeable
    assert isinstance(base_of(array), (mmap.mmap, memoryview))
    array[1] = np.arange(width)
    np.testing.assert_array_equal(array[1], np.arange(width))


def test_small_rows_and_vectors_stay_with_numpy():
    assert base_of(_empty((1000, 21), np.float64)) is None
    assert base_of(_empty((10_000_000,), np.float64)) is None


def test_a_growing_array_of_large_rows_keeps_its_rows_when_it_grows():
    width = LARGE_ROW // 4  # float32 rows of LARGE_ROW bytes
    rows = _GrowingArray(width=width, capacity=2, dtype=np.float32)
    for k in range(5):
        rows.append(np.full(width, k, dtype=np.float32))
    assert rows.capacity == 8 and rows.length == 5
    np.testing.assert_array_equal(rows.values[:, 0], [0, 1, 2, 3, 4])
    np.testing.assert_array_equal(rows.values[:, -1], [0, 1, 2, 3, 4])


def test_a_reserved_buffer_never_grows_and_keeps_rows_in_order():
    """Given the most rows it may hold, a buffer of large rows has them from the start (no
    copy to grow) and says it holds only the rows written; keeping every other row moves
    each down in order, the rows after them untouched by the result."""
    width = LARGE_ROW // 8
    rows = _GrowingArray(width=width, capacity=2, dtype=np.float64, most=10)
    assert rows.reserved and rows.capacity == 10 and rows.nbytes == 0
    buffer = rows._buffer
    for k in range(10):
        rows.append(np.full(width, k, dtype=np.float64))
    assert rows._buffer is buffer  # never reallocated
    assert rows.nbytes == 10 * rows.row_bytes
    rows.keep(np.arange(10) % 2 == 0)
    np.testing.assert_array_equal(rows.values[:, 0], [0, 2, 4, 6, 8])
    np.testing.assert_array_equal(rows.values[:, -1], [0, 2, 4, 6, 8])
    rows.keep(np.array([True, False, False, True, True]))
    np.testing.assert_array_equal(rows.values[:, width // 2], [0, 6, 8])
    assert rows.nbytes == 10 * rows.row_bytes  # the memory once written stays the buffer's


def test_small_rows_are_reserved_too_and_vectors_grow():
    rows = _GrowingArray(width=21, capacity=4, dtype=np.float64, most=1000)
    assert rows.reserved and rows.capacity == 1000 and rows.nbytes == 0
    for k in range(9):
        rows.append(np.full(21, k, dtype=np.float64))
    assert rows.capacity == 1000 and rows.nbytes == 9 * 21 * 8
    vector = _GrowingArray(capacity=4, dtype=np.int64, most=1000)
    assert not vector.reserved
    for k in range(9):
        vector.append(k)
    assert vector.capacity == 16


@pytest.mark.parametrize("width", [3, 21, LARGE_ROW // 8 + 5])
@pytest.mark.parametrize("seed", range(5))
def test_keeping_rows_in_place_gives_the_rows_kept(width, seed, monkeypatch):
    """Against numpy's ``values[mask]``, for random masks and for every other row, with a
    chunk of a few rows so that many chunks are moved."""
    import engine.core.history as history

    monkeypatch.setattr(history, "KEEP_CHUNK_BYTES", 3 * width * 8)
    rng = np.random.default_rng(seed)
    count = 40
    rows = _GrowingArray(width=width, capacity=2, dtype=np.float64, most=count)
    for _ in range(count):
        rows.append(rng.normal(size=width))
    for mask in (rng.random(count) < 0.5, np.arange(count) % 2 == 0):
        expected = rows.values[mask[: rows.length]].copy()
        rows.keep(mask[: rows.length])
        np.testing.assert_array_equal(rows.values, expected)
