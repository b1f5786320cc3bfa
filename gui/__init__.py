"""Backprop Lab views: PySide6 + pyqtgraph.

The engine's modules the window needs are imported here, before any Qt module: PySide6
reads the source of every module imported after it (to look for ``from __feature__``
imports), which cost the window's start-up about 15 ms for the engine's forty modules.
"""

import engine.analysis.breakpoints  # noqa: F401
import engine.io.fileformat  # noqa: F401
import engine.lessons  # noqa: F401
