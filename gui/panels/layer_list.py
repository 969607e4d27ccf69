"""The builder's list of layer cards, whose drops ask for a move instead of moving widgets, and
the layer kinds that fit a kind of data."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QWidget

from engine.spec.catalog.layers import LAYERS


def allowed_kinds(data_kind: str) -> list[str]:
    """Layer kinds that fit data of `data_kind`: "any" always, plus image or sequence layers."""
    tags = {"any"} | ({data_kind} & {"image", "sequence"})
    return [name for name, entry in LAYERS.items() if entry.tags & tags]


class LayerListWidget(QListWidget):
    """A list of cards; a drop asks for a move (`moveRequested(src, dst)`) instead of moving widgets."""

    moveRequested = Signal(int, int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setSpacing(3)
        self.setStyleSheet(
            "QListWidget { background: transparent; border: none; }"
            "QListWidget::item:selected { background: transparent; }"
        )

    def dropEvent(self, event) -> None:
        src = self.currentRow()
        target = self.indexAt(event.position().toPoint())
        dst = self.count() if not target.isValid() else target.row()
        if (
            target.isValid()
            and self.dropIndicatorPosition() == QAbstractItemView.DropIndicatorPosition.BelowItem
        ):
            dst += 1
        if dst > src:
            dst -= 1  # the row is taken out before it is put back
        # Qt would move the row (and lose its card widget); we edit the project instead, after the drag.
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if src >= 0 and dst != src:
            QTimer.singleShot(0, lambda: self.moveRequested.emit(src, dst))
