"""Backprop Lab views: PySide6 + pyqtgraph."""
