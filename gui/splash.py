"""The application icon, and a small card shown while PyTorch loads (~5 s before the window)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QSplashScreen

ICON_PATH = Path(__file__).resolve().parent.parent / "resources" / "icons" / "layerlab.svg"
CARD_SIZE = (380, 132)


def app_icon() -> QIcon:
    """Layerlab's icon; an empty icon (the platform's default) if the file is missing."""
    return QIcon(str(ICON_PATH)) if ICON_PATH.is_file() else QIcon()


def show_splash(app: QApplication) -> QSplashScreen:
    """A card with the icon, the name and what is happening; painted before returning."""
    ratio = app.primaryScreen().devicePixelRatio() if app.primaryScreen() else 1.0
    width, height = CARD_SIZE
    pixmap = QPixmap(int(width * ratio), int(height * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(QColor("#ffffff"))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QColor("#dadce0"))
    painter.drawRect(QRectF(0.5, 0.5, width - 1, height - 1))
    app_icon().paint(painter, 20, 18, 96, 96)
    painter.setPen(QColor("#3c4043"))
    title = QFont(app.font())
    title.setPointSizeF(title.pointSizeF() * 2.0)
    title.setBold(True)
    painter.setFont(title)
    painter.drawText(QRectF(132, 30, width - 150, 40), Qt.AlignmentFlag.AlignVCenter, "Layerlab")
    painter.setFont(app.font())
    painter.drawText(
        QRectF(132, 72, width - 150, 40),
        Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap,
        "Loading PyTorch…",
    )
    painter.end()
    splash = QSplashScreen(pixmap)
    splash.show()
    app.processEvents()  # paint it now: the imports that follow hold the event loop
    return splash
