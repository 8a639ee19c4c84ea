"""The home screen: every lesson in course order with how far the learner has got, starting on the
lesson they were in last."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ...course.schema import Course, Lesson
from ..widgets.footer import KeyFooter


def progress_label(lesson: Lesson, progress) -> Text:
    """`◐ Title  3/6 pages · 1/4 exercises · 2 hints`, and the summary below."""
    total = len(lesson.pages)
    done = len(progress.pages_seen & set(range(total)))
    exercises = {(i, ex.id) for i, page in enumerate(lesson.pages) for ex in page.exercises}
    solved = len(progress.solved & exercises)
    finished = done == total and solved == len(exercises)
    mark = "✓" if finished else "○" if not done else "◐"
    text = Text()
    text.append(f"{mark} {lesson.title}", style="bold")
    line = f"  {done}/{total} pages"
    if exercises:
        line += f" · {solved}/{len(exercises)} exercises"
    if progress.hints_used:
        line += f" · {progress.hints_used} hint{'s' * (progress.hints_used != 1)}"
    text.append(line + "\n", style="green" if finished else "dim")
    text.append(f"  {lesson.summary}", style="italic")
    return text


class HomeScreen(Screen):
    """Lists the course; enter opens the highlighted lesson."""

    def __init__(self, course: Course) -> None:
        super().__init__()
        self.course = course

    def compose(self) -> ComposeResult:
        yield Static(f"[b]{self.course.title}[/b]  ·  {len(self.course.lessons)} lessons", id="home-title")
        yield OptionList(*self._options(), id="lessons")
        yield KeyFooter()

    def _options(self) -> list[Option]:
        store = self.app.store
        return [
            Option(progress_label(lesson, store.lesson_progress(lesson.slug)), id=lesson.slug)
            for lesson in self.course.lessons
        ]

    def on_mount(self) -> None:
        where = self.app.store.position()
        slugs = [lesson.slug for lesson in self.course.lessons]
        if where and where[0] in slugs:
            self.query_one("#lessons", OptionList).highlighted = slugs.index(where[0])

    def on_screen_resume(self) -> None:
        lessons = self.query_one("#lessons", OptionList)
        highlighted = lessons.highlighted
        lessons.clear_options()
        lessons.add_options(self._options())
        lessons.highlighted = highlighted if highlighted is not None else 0
        lessons.focus()

    @on(OptionList.OptionSelected, "#lessons")
    def _open(self, event: OptionList.OptionSelected) -> None:
        self.app.open_lesson(event.option.id)
