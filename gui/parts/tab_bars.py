"""A workaround for Qt 6.11's stale tab bars among tabbed docks."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QDockWidget, QTabBar

STALE = "hidden_as_stale"  # a bar this module hid (it may be in use again later)
DIRECT = Qt.FindChildOption.FindDirectChildrenOnly  # the docks and their bars are the window's


def _tabs(bar: QTabBar) -> set[str]:
    return {bar.tabText(i) for i in range(bar.count())}


def _bars(window) -> list[QTabBar]:
    return window.findChildren(QTabBar, "", DIRECT)


def _closed(window) -> set[str]:
    """The titles of the window's closed docks."""
    return {dock.windowTitle() for dock in window.findChildren(QDockWidget, "", DIRECT)
            if dock.isHidden()}


def _is_stale(bar: QTabBar, bars: list[QTabBar], closed: set[str]) -> bool:
    """Empty or of one tab (Qt shows a dock area's bar for two tabs or more), naming a dock
    that is closed (Qt's bars hold the docks in view only), or a copy of part of another of
    the window's tab bars (``bars``)."""
    if bar.count() < 2:
        return True
    tabs = _tabs(bar)
    if tabs & closed:
        return True
    return any(tabs < _tabs(other) for other in bars
               if other is not bar and not other.property(STALE))


def _hide(bar: QTabBar) -> None:
    bar.setProperty(STALE, True)
    bar.hide()


class _StaleTabBarFilter(QObject):
    """Hides a stale tab bar whenever the layout shows it again, and looks at every bar once
    more when the layout has settled (the bars are shown one by one while it changes)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.pending = False

    def eventFilter(self, watched, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.Show and isinstance(watched, QTabBar):
            if _is_stale(watched, _bars(self.window), _closed(self.window)):
                _hide(watched)
            else:
                watched.setProperty(STALE, False)
            self.later()
        elif watched is self.window and kind in (QEvent.Type.ChildAdded, QEvent.Type.Show):
            self.later()  # a bar the layout just made (not yet a QTabBar here), or shown
        return False

    def later(self) -> None:
        """Every bar looked at once the event loop has finished what it is doing."""
        if not self.pending:
            self.pending = True
            QTimer.singleShot(0, self, self._settled)

    def _settled(self) -> None:
        self.pending = False
        hide_stale_tab_bars(self.window)


def _watcher(window) -> _StaleTabBarFilter:
    watcher = window.findChild(_StaleTabBarFilter, "stale_tab_bar_filter", DIRECT)
    if watcher is None:
        watcher = _StaleTabBarFilter(window)
        watcher.setObjectName("stale_tab_bar_filter")
        window.installEventFilter(watcher)
    return watcher


def hide_stale_tab_bars_later(window) -> None:
    """``hide_stale_tab_bars`` once the event loop has finished what it is doing (the docks
    being rearranged: once, not for each)."""
    _watcher(window).later()


def hide_stale_tab_bars(window) -> None:
    """Qt 6.11 leaves an extra tab bar behind when docks are tabified in a second group
    (a copy of the group's first two tabs, never laid out, drawn over the toolbars), and
    shows it again whenever the docks are laid out anew. Hide every bar that has fewer than
    two tabs, names a closed dock or copies part of another, now and each time it is shown;
    a bar the layout really uses holds tabs no other bar has, and stays. A bar hidden here
    while the docks were being rearranged (a workspace placed, a dock closed) that is no copy
    any more, whose docks are all in view, and that the layout placed inside the window, is
    shown again."""
    watcher = _watcher(window)
    bars, closed = _bars(window), _closed(window)
    for bar in bars:
        if not bar.property("stale_filter_installed"):
            bar.installEventFilter(watcher)
            bar.setProperty("stale_filter_installed", True)
        if _is_stale(bar, bars, closed):
            _hide(bar)
    for bar in bars:
        if (bar.property(STALE) and bar.count() > 1 and not _is_stale(bar, bars, closed)
                and window.rect().contains(bar.geometry())):
            bar.setProperty(STALE, False)
            bar.show()
