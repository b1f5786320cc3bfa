"""The history's buffers: rows of a large network's snapshots in a shared mapping (its pages
are faulted 64 KB at a time, where numpy's own memory costs a fault per 4 KB at every step's
new row), the seeds' small rows in numpy's memory. Either way an ordinary writable array."""

from __future__ import annotations

import mmap

import numpy as np

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
