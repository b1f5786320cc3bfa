"""A workaround for Qt 6.11's stale tab bars among tabbed docks."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QTabBar


def _tabs(bar: QTabBar) -> set[str]:
    return {bar.tabText(i) for i in range(bar.count())}


def _is_stale(bar: QTabBar) -> bool:
    """Empty, or a copy of part of another of the window's tab bars."""
    others = [b for b in bar.parent().findChildren(QTabBar) if b is not bar
              and b.parent() is bar.parent()]
    return not bar.count() or any(_tabs(bar) < _tabs(other) for other in others)


class _StaleTabBarFilter(QObject):
    """Hides a stale tab bar whenever the layout shows it again."""

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Show and isinstance(watched, QTabBar) and _is_stale(
                watched):
            watched.hide()
        return False


def hide_stale_tab_bars(window) -> None:
    """Qt 6.11 leaves an extra tab bar behind when docks are tabified in a second group
    (a copy of the group's first two tabs, never laid out, drawn over the toolbars), and
    shows it again whenever the docks are laid out anew. Hide every bar that is empty or a
    copy of part of another, now and each time it is shown; a bar the layout really uses
    holds tabs no other bar has, and stays."""
    watcher = window.findChild(_StaleTabBarFilter, "stale_tab_bar_filter")
    if watcher is None:
        watcher = _StaleTabBarFilter(window)
        watcher.setObjectName("stale_tab_bar_filter")
    for bar in window.findChildren(QTabBar):
        if bar.parent() is not window:
            continue
        if not bar.property("stale_filter_installed"):
            bar.installEventFilter(watcher)
            bar.setProperty("stale_filter_installed", True)
        if _is_stale(bar):
            bar.hide()
