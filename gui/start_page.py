"""The start page: what a new user sees when the window opens without a file (`python main.py`),
and Help ▸ Start page later. A page in the window, never a dialog: it takes the central area while
shown and gives it back to the project's views as soon as anything is opened (a lesson, an example,
a file, a new project) or Play is pressed.

show_start_page(window) puts the window's central widget into a stack beside the page (once), so
MainWindow builds exactly as before and windows made by tests and benchmarks never see it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.start_cards import LINK_STYLE, CardButton, LinkGrid, PageContent, TopicCard, styled_label
from gui.start_catalog import CLASSICS, FAMILIES, example_entries, first_lessons
from gui.widgets.param_form import tag

WELCOME = (
    "Layerlab is a playground for neural networks: stack layers by clicking, press Play, and watch "
    "a real PyTorch network learn — its loss, its decision boundary, every neuron and its gradients, "
    "live. Its lessons take you through the fundamentals of deep learning one idea at a time, each a "
    "small project ready to train, with what to watch and changes to try in one click."
)
PAGE_STYLE = "QWidget#startContent { background: #f8f9fa; }"
TITLE_STYLE = "QLabel { font-size: 24px; font-weight: 600; color: #202124; }"
HEADING_STYLE = "QLabel { font-size: 16px; font-weight: 600; color: #202124; margin-top: 10px; }"
SUBHEADING_STYLE = "QLabel { font-weight: 600; color: #3c4043; margin-top: 6px; }"
FAMILY_STYLE = "QLabel { color: #5f6368; font-size: 11px; padding-left: 10px; }"
NOTE_STYLE = "QLabel { color: #5f6368; }"
ACTION_STYLE = "QPushButton { padding: 6px 14px; }"
PRIMARY_STYLE = (
    "QPushButton { padding: 6px 14px; background: #1a73e8; color: white; border: none; border-radius: 4px; }"
    "QPushButton:hover { background: #1765cc; }"
)
# The topic cards' columns by the page's width: a narrower window gets fewer, never a clipped side.
TOPIC_COLUMNS = {1300: 4, 1000: 3, 0: 2}
RECENT_SHOWN = 6


class StartPage(QScrollArea):
    """Welcome, the lessons by topic, the examples by group, the recent files, and New / Open."""

    def __init__(self, window, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("startPage")
        self._window = window
        self.toolbar_was_visible = True  # the window's toolbar, given back as it was
        self.status_bar_was_visible = True  # and its status bar (epoch, device: nothing to say here)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        # Everything wraps to the width it gets; only a short window scrolls, down.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = PageContent()
        content.setObjectName("startContent")
        content.setStyleSheet(PAGE_STYLE)
        page = QVBoxLayout(content)
        page.setContentsMargins(36, 24, 36, 24)
        title = QLabel("Welcome to Layerlab")
        title.setStyleSheet(TITLE_STYLE)
        welcome = QLabel(WELCOME)
        welcome.setObjectName("startWelcome")
        welcome.setWordWrap(True)
        welcome.setStyleSheet("QLabel { font-size: 13px; color: #3c4043; }")
        welcome.setMaximumWidth(980)
        page.addWidget(title)
        page.addWidget(welcome)
        page.addLayout(self._build_actions())
        body = QHBoxLayout()
        body.setSpacing(28)
        lessons, side = self._build_lessons(), self._build_side()
        body.addLayout(lessons, 3)
        body.addLayout(side, 2)
        for column in (lessons, side):  # each its own height: the shorter one is not spread out
            body.setAlignment(column, Qt.AlignmentFlag.AlignTop)
        page.addLayout(body)
        page.addStretch(1)
        self.setWidget(content)

    # -- construction ---------------------------------------------------------------------------
    def _build_actions(self):
        row = QHBoxLayout()
        row.setContentsMargins(0, 10, 0, 4)
        self.lessonsButton = self._action("startLessonsButton", "Browse the lessons…", PRIMARY_STYLE)
        self.lessonsButton.clicked.connect(self._window.show_lessons)
        self.newButton = self._action("startNewButton", "New project")
        self.newButton.setToolTip("A fresh project on the spiral example (Ctrl+N)")
        self.newButton.clicked.connect(self._window.new_project)
        self.openButton = self._action("startOpenButton", "Open…")
        self.openButton.setToolTip("Open a Layerlab project file (Ctrl+O)")
        self.openButton.clicked.connect(self._on_open_clicked)
        self.continueButton = self._action("startContinueButton", "")
        self.continueButton.clicked.connect(lambda: hide_start_page(self._window))
        for button in (self.lessonsButton, self.newButton, self.openButton, self.continueButton):
            row.addWidget(button)
        row.addStretch(1)
        return row

    def _action(self, name: str, text: str, style: str = ACTION_STYLE) -> QPushButton:
        button = tag(QPushButton(text), name, text)
        button.setStyleSheet(style)
        button.setCursor(Qt.CursorShape.PointingHandCursor)
        return button

    def _build_lessons(self):
        from gui.lesson_browser import bundled_lessons

        column = QVBoxLayout()
        column.setSpacing(4)  # a nested layout would take the body's spacing between columns
        column.addWidget(styled_label("Lessons: the course, one idea at a time", HEADING_STYLE))
        lessons, _problems = bundled_lessons()  # the browser lists (and explains) unreadable ones
        topics = first_lessons(lessons)
        note = f"{len(lessons)} lessons in {len(topics)} topics. Start with the first of a topic:"
        column.addWidget(styled_label(note, NOTE_STYLE))
        self._topic_grid = QGridLayout()
        self._topic_grid.setSpacing(10)
        self._topic_columns = 0
        self.topicCards: list[TopicCard] = []
        for topic, shown, rest in topics:
            card = TopicCard(topic, shown, rest)
            card.lessonClicked.connect(self._window.open_lesson)
            card.moreClicked.connect(self._on_more_clicked)
            self.topicCards.append(card)
        self._place_topic_cards(max(TOPIC_COLUMNS.values()))
        column.addLayout(self._topic_grid)
        self._build_recent(column)
        column.addStretch(1)
        return column

    def _build_side(self):
        from gui.menus import EXAMPLE_TIPS

        column = QVBoxLayout()
        column.setSpacing(4)
        column.addWidget(styled_label("Examples", HEADING_STYLE))
        column.addWidget(styled_label("Ready-made projects: open one and press Play.", NOTE_STYLE))
        self.exampleButtons: dict[str, CardButton] = {}
        entries = example_entries(EXAMPLE_TIPS)
        groups = list(dict.fromkeys(entry.group for entry in entries))
        for group in groups:
            if group == CLASSICS:
                column.addWidget(styled_label(CLASSICS, SUBHEADING_STYLE))
            elif group == groups[1 if groups[0] == CLASSICS else 0]:
                column.addWidget(styled_label(FAMILIES, SUBHEADING_STYLE))
            if group != CLASSICS:
                column.addWidget(styled_label(group, FAMILY_STYLE))
            grid = LinkGrid()
            for entry in (e for e in entries if e.group == group):
                button = CardButton(entry.title)
                tag(button, f"startExample_{entry.name}", entry.title, entry.tip)
                button.clicked.connect(lambda _=False, n=entry.name: self._window.open_example(n))
                grid.add(button)
                self.exampleButtons[entry.name] = button
            column.addWidget(grid)
        column.addStretch(1)
        return column

    def _build_recent(self, column: QVBoxLayout) -> None:
        column.addWidget(styled_label("Recent", HEADING_STYLE))
        self._recent = LinkGrid()
        column.addWidget(self._recent)
        self.recentButtons: list[CardButton] = []
        self.recentEmpty = styled_label(
            "Nothing opened yet: what you open and save is listed here.", NOTE_STYLE
        )
        column.addWidget(self.recentEmpty)

    def _place_topic_cards(self, columns: int) -> None:
        if columns == self._topic_columns:
            return
        self._topic_columns = columns
        grid = self._topic_grid
        for card in self.topicCards:
            grid.removeWidget(card)
        for index, card in enumerate(self.topicCards):
            grid.addWidget(card, index // columns, index % columns)
        for c in range(max(TOPIC_COLUMNS.values())):
            grid.setColumnStretch(c, 1 if c < columns else 0)

    def resizeEvent(self, event) -> None:
        width = event.size().width()
        self._place_topic_cards(next(n for least, n in TOPIC_COLUMNS.items() if width >= least))
        super().resizeEvent(event)

    # -- state ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        """The recent list and the way back, as they are now."""
        from gui import files
        from gui.menus import open_recent_entry, recent_label

        model = self._window.model
        name = model.path.name if model.path is not None else model.project.name
        self.continueButton.setText(f"Continue with {name} →")
        self._recent.clear()
        self.recentButtons = []
        for entry in files.recent_files()[:RECENT_SHOWN]:
            label, tip, available = recent_label(entry)
            button = CardButton(label, tip if entry.kind in ("project", "csv") else "")
            tag(button, f"startRecent{len(self.recentButtons)}", label, tip)
            button.setEnabled(available)
            button.setStyleSheet(LINK_STYLE)
            button.clicked.connect(lambda _=False, e=entry: open_recent_entry(self._window, e))
            self._recent.add(button)
            self.recentButtons.append(button)
        self.recentEmpty.setVisible(not self.recentButtons)

    def lesson_buttons(self) -> dict[str, CardButton]:
        """Every lesson button of the page, by lesson id."""
        return {i: b for card in self.topicCards for i, b in card.buttons.items()}

    def _on_window_moved_on(self, *_args) -> None:
        hide_start_page(self._window)

    def _on_status_message_changed(self, text: str) -> None:
        """On the page the status bar shows only while it has a message to give (a file that
        could not be opened, say): its epoch and device belong to the project behind."""
        if start_page_shown(self._window):
            self._window.statusBar().setVisible(bool(text))

    def _on_open_clicked(self) -> None:
        from gui.menus import open_project_dialog

        open_project_dialog(self._window)

    def _on_more_clicked(self, lesson_id: str) -> None:
        self._window.show_lessons().select(lesson_id)


# -- the window's part -----------------------------------------------------------------------------
def start_page(window) -> StartPage | None:
    return getattr(window, "startPage", None)


def start_page_shown(window) -> bool:
    page = start_page(window)
    return page is not None and window.centralWidget().currentWidget() is page


def show_start_page(window) -> StartPage:
    """Show the start page in place of the project's views (a run in progress pauses)."""
    page = start_page(window) or _install(window)
    if window.running:
        window.pause()  # its views are hidden: training on unseen would only cost the machine
    page.refresh()
    if not start_page_shown(window):
        page.toolbar_was_visible = window.toolbar.isVisible()
        page.status_bar_was_visible = window.statusBar().isVisible()
    window.centralWidget().setCurrentWidget(page)
    window.toolbar.setVisible(False)  # Play and Reset act on the project behind: not offered here
    # The status bar speaks of the project behind (its epoch, its device): shown only for a message.
    window.statusBar().setVisible(bool(window.statusBar().currentMessage()))
    page.lessonsButton.setFocus()
    return page


def hide_start_page(window) -> None:
    """Give the central area back to the project's views."""
    if not start_page_shown(window):
        return
    window.centralWidget().setCurrentIndex(0)
    page = start_page(window)
    window.toolbar.setVisible(page.toolbar_was_visible)
    window.statusBar().setVisible(page.status_bar_was_visible)


def _install(window) -> StartPage:
    stack = QStackedWidget()
    stack.setObjectName("startStack")
    views = window.takeCentralWidget()
    stack.addWidget(views)
    page = StartPage(window)
    stack.addWidget(page)
    window.setCentralWidget(stack)
    stack.show()  # at once: a widget added to a shown window is shown only by a later event
    window.startPage = page
    # Anything opened (a lesson, an example, a file, a recent entry, New, a restored autosave)
    # replaces the project: the page makes way for it. So does training, from its shortcuts.
    # (methods, not lambdas: Qt drops a connection when its receiver goes)
    window.model.changed.connect(page._on_window_moved_on)
    window.statusBar().messageChanged.connect(page._on_status_message_changed)
    for action in (window.playAction, window.stepAction):
        action.triggered.connect(page._on_window_moved_on)
    return page
