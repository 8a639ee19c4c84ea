"""The gdtui Textual app: the course's home screen, lesson screens, help, and the too-small notice.

The lesson screen (Markdown, plots, the engine's runner) and the help screen are imported when first
opened, so the home screen appears without loading them; `--lesson` opens its lesson first and builds the
home screen only when the learner goes back to it.
"""

from __future__ import annotations

import asyncio
import contextvars
import gc

from textual import events
from textual.app import App
from textual.binding import Binding

from ..course.schema import Course
from ..store import Store
from ._textual_mends import mend_styles_cache
from .screens.home import HomeScreen
from .screens.small import TooSmallScreen

mend_styles_cache()

#: The smallest terminal the lesson layout reads well in.
MIN_SIZE = (80, 24)
#: Seconds after start when the cycle collector resumes if `gdtui` paused it for start-up (cli.py).
COLLECT_AFTER = 1.0
#: Seconds after the last page or lesson change when the widgets it removed are collected.
COLLECT_LEFT_AFTER = 1.0


class GdtuiApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "gdtui"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?", tooltip="list every key"),
        Binding("q", "quit", "Quit", tooltip="quit gdtui"),
    ]

    def __init__(
        self, course: Course, store: Store, lesson: str | None = None, *, redraw_rate: float = 10.0
    ) -> None:
        super().__init__()
        self.course = course
        self.store = store
        self.start_lesson = lesson
        self.redraw_rate = redraw_rate
        self._collect_left: asyncio.TimerHandle | None = None

    def on_mount(self) -> None:
        if not gc.isenabled():
            self.set_timer(COLLECT_AFTER, self._resume_collection)
        if self.start_lesson is not None:
            self.open_lesson(self.start_lesson)
        else:
            self.push_screen(HomeScreen(self.course))
        if self.store.notice:
            self.notify(self.store.notice, title="Progress", severity="warning", timeout=30)
        self._check_size(self.size.width, self.size.height)

    def _resume_collection(self) -> None:
        """Collect start-up's garbage once, then move every object that survived (modules, classes, the
        screens) out of the collector's sight: later collections, during play or a resize, scan only
        what was made since."""
        gc.collect()
        gc.freeze()
        gc.enable()

    def collect_soon(self) -> None:
        """Collect the widgets of a page or lesson just left, once the learner has stayed a moment.

        Textual's widgets refer to their parents and their parents to them, so a removed page (its Markdown
        blocks, exercises, controls, their cached lines) is freed only by the cycle collector, whose full
        passes come rarely once start-up is frozen. Meanwhile the next pages are built beside them, and the
        memory they held is scattered among theirs and is not returned (a session walking the course ends
        1–2 MiB larger without this; benchmarks/session_memory.py). A full pass takes 10–50 ms, so it
        waits COLLECT_LEFT_AFTER seconds after the last change (a learner paging through waits once) and
        runs from the event loop directly: a Textual timer late past its time can be skipped."""
        if self._collect_left is not None:
            self._collect_left.cancel()
        self._collect_left = asyncio.get_running_loop().call_later(
            COLLECT_LEFT_AFTER, gc.collect, context=contextvars.Context()
        )  # an empty context: the caller's would keep the screen that called (Textual's active pump) alive

    def open_lesson(self, slug: str, page: int | None = None) -> None:
        """Open a lesson at `page`, or where the learner last was in it."""
        from .screens.lesson import LessonScreen

        lesson = self.course.lesson(slug)
        if page is None:
            where = self.store.position()
            page = where[1] if where and where[0] == slug and where[1] < len(lesson.pages) else 0
        self.push_screen(LessonScreen(lesson, page))

    def pop_screen(self):
        """Going back from the first screen of a `--lesson` start goes to the home screen, built now."""
        stack = self.screen_stack
        if len(stack) == 2 and not isinstance(stack[-1], HomeScreen):  # [Textual's default, the lesson]
            return self.switch_screen(HomeScreen(self.course))
        return super().pop_screen()

    def action_help(self) -> None:
        from .screens.help import HelpScreen

        if isinstance(self.screen, (HelpScreen, TooSmallScreen)):
            return
        self.push_screen(HelpScreen([*self.screen.BINDINGS, *self.BINDINGS]))

    def on_resize(self, event: events.Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        small = width < MIN_SIZE[0] or height < MIN_SIZE[1]
        showing = isinstance(self.screen, TooSmallScreen)
        if small and not showing:
            self.push_screen(TooSmallScreen(MIN_SIZE))
        elif small:
            self.screen.show_size(width, height)
        elif showing:
            self.pop_screen()
