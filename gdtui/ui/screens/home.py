"""The home screen: every lesson in course order with how far the learner has got."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from ...course.schema import Course, Lesson


def progress_label(lesson: Lesson, seen: set[int]) -> Text:
    total = len(lesson.pages)
    done = len(seen & set(range(total)))
    mark = "✓" if done == total else "○" if not done else "◐"
    text = Text()
    text.append(f"{mark} {lesson.title}", style="bold")
    text.append(f"  {done}/{total} pages\n", style="dim" if done < total else "green")
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
        yield Footer(compact=True)

    def _options(self) -> list[Option]:
        seen = self.app.seen
        return [
            Option(progress_label(lesson, seen.get(lesson.slug, set())), id=lesson.slug)
            for lesson in self.course.lessons
        ]

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
