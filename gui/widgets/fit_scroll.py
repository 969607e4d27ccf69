"""A scroll area for one column of the window's views: it asks its splitter for the room its
contents need, up to a cap, and scrolls them beyond it, so one wide view (a long line of numbers, a
wide form) can no longer make the window wider than a 1024-pixel screen and cut its panels."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtWidgets import QFrame, QScrollArea, QStackedWidget, QWidget


class FitScrollArea(QScrollArea):
    """`widget` in a frameless scroll area whose minimum is the widget's own, at most `widest` px
    wide and `tallest` px high: within those the contents get their room and never scroll.

    Two columns side by side share a width (pair_columns): a column may then take what its
    neighbour leaves of it, so one wide column and one narrow one both fit without scrolling."""

    def __init__(self, widget: QWidget, widest: int, tallest: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.widest, self.tallest = widest, tallest
        self.sibling: FitScrollArea | None = None
        self.shared = 0  # the width this column and its sibling share, once paired
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidget(widget)
        # A view shown or hidden inside (another family's boxes) changes what the column needs:
        # its layout request must reach the splitter as a new minimum of this area.
        widget.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest and watched in (self.widget(), self._sibling_widget()):
            self.updateGeometry()
        return super().eventFilter(watched, event)

    def _sibling_widget(self) -> QWidget | None:
        return self.sibling.widget() if self.sibling is not None else None

    def needed(self) -> QSize:
        """What the contents need, as a layout reads it: the larger of their hint and their minimum."""
        widget = self.widget()
        return QSize(0, 0) if widget is None else widget.minimumSizeHint().expandedTo(widget.minimumSize())

    def needed_width(self) -> int:
        return self.needed().width()

    def minimumSizeHint(self) -> QSize:
        inner = self.needed()
        widest = self.widest
        if self.sibling is not None:  # what the neighbour does not need of the shared width
            widest = max(widest, self.shared - min(self.sibling.needed_width(), self.sibling.widest))
        width = inner.width()
        if inner.height() > self.viewport().height():  # scrolling down: room for the bar beside it
            width += self.verticalScrollBar().sizeHint().width()
        return QSize(min(width, widest), min(inner.height(), self.tallest))

    def sizeHint(self) -> QSize:
        return self.widget().sizeHint() if self.widget() is not None else super().sizeHint()

    def scrolls_sideways(self) -> bool:
        """Whether the contents are wider than the room they got (the cap was reached)."""
        return self.needed_width() > self.viewport().width()


def pair_columns(first: FitScrollArea, second: FitScrollArea, shared: int) -> None:
    """Let two neighbouring columns share `shared` px: each is sure of its half, and either takes
    the rest of the other's half that the other does not need."""
    first.widest = shared // 2
    second.widest = shared - first.widest
    first.sibling, second.sibling = second, first
    first.shared = second.shared = shared
    for column in (first, second):  # either column's contents change the other's minimum too
        column.widget().installEventFilter(first)
        column.widget().installEventFilter(second)


class CurrentPageStack(QStackedWidget):
    """A stacked widget as small as the page it shows: QStackedWidget asks for the largest of all
    its pages, so compare mode's hidden page widened the window of a run that does not compare."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.currentChanged.connect(lambda _index: self.updateGeometry())

    def minimumSizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.minimumSizeHint() if page is not None else super().minimumSizeHint()

    def sizeHint(self) -> QSize:
        page = self.currentWidget()
        return page.sizeHint() if page is not None else super().sizeHint()
