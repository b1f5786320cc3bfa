"""The window's size on the screen (issue 14, point 9): a fresh start opens it at about 90 % of
the screen's available area, centred; a size kept from an earlier start (another, larger
screen) is brought back inside the screen. Never larger than the screen."""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

SHARE = 0.9  # of the available width and height


def fitted(available: QRect, share: float = SHARE) -> QRect:
    """The rectangle ``share`` of ``available`` wide and high, centred in it."""
    width, height = round(available.width() * share), round(available.height() * share)
    return QRect(available.x() + (available.width() - width) // 2,
                 available.y() + (available.height() - height) // 2, width, height)


def within(rect: QRect, available: QRect) -> QRect:
    """``rect`` made no larger than ``available`` and moved inside it (its size kept
    otherwise)."""
    width, height = min(rect.width(), available.width()), min(rect.height(), available.height())
    x = min(max(rect.x(), available.x()), available.x() + available.width() - width)
    y = min(max(rect.y(), available.y()), available.y() + available.height() - height)
    return QRect(x, y, width, height)


def available_area(window: QWidget) -> QRect:
    """The available area (without panels and docks of the desktop) of the window's screen,
    or of the primary one before the window is placed."""
    screen = window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


def frame_margins(window: QWidget) -> tuple[int, int]:
    """The width and height the window manager's frame adds (0 before the window is
    shown, or without a window manager)."""
    frame, inner = window.frameGeometry(), window.geometry()
    return frame.width() - inner.width(), frame.height() - inner.height()


def fit_to_screen(window: QWidget) -> None:
    """A fresh window: about 90 % of the available area, centred."""
    window.setGeometry(fitted(available_area(window)))


def keep_on_screen(window: QWidget) -> None:
    """A window restored from an earlier start: no larger than the available area and
    inside it."""
    area = available_area(window)
    extra_width, extra_height = frame_margins(window)
    inner = QRect(area.x(), area.y(), area.width() - extra_width, area.height() - extra_height)
    geometry = window.geometry()
    kept = within(geometry, inner)
    if kept != geometry:
        window.setGeometry(kept)
