"""The Qt binding must not leak or drop references: PySide6 6.12.0 drops a reference to None
on every call of a void method, which crashes any long-running window on Python 3.11
("Fatal Python error: none_dealloc"). pyproject.toml caps the version; this test keeps it so."""

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen


def test_void_methods_keep_the_reference_count_of_none(qapp):
    pen = QPen(QColor(10, 20, 30), 2.0)
    colour = QColor(1, 2, 3)
    calls = 2000
    pen.setWidthF(1.0)  # warm up any caches
    before = sys.getrefcount(None)
    for _ in range(calls):
        pen.setWidthF(1.5)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        colour.setAlpha(100)
    drift = sys.getrefcount(None) - before
    # a little drift from unrelated objects is fine; one reference per call is the bug
    assert abs(drift) < calls // 10, f"None's reference count moved by {drift} over {calls} calls"
