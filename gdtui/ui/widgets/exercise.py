"""One exercise under a page's text: its prompt, an answer field (a number, or a list of choices), hints
that unfold one at a time, and the verdict.

Messages up (`Answered`, `HintRequested`), attributes down (`show_verdict`, `show_hints`, `show_waiting`):
the screen judges with the course's `judge` and records progress; this widget only shows.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, Input, OptionList, Static
from textual.widgets.option_list import Option

from ...course.schema import Exercise

KIND_NAMES = {"number": "a number", "choice": "choose one", "predict": "predict, then watch"}


class ExercisePanel(Vertical):
    class Answered(Message):
        def __init__(self, panel: ExercisePanel, response: str) -> None:
            super().__init__()
            self.panel = panel
            self.response = response

    class HintRequested(Message):
        def __init__(self, panel: ExercisePanel) -> None:
            super().__init__()
            self.panel = panel

    def __init__(
        self, exercise: Exercise, number: int, *, hints: int = 0, solved: bool = False, **kwargs
    ) -> None:
        """`hints` already unfolded and `solved` come from the learner's saved progress."""
        super().__init__(classes="exercise", **kwargs)
        self.exercise = exercise
        self.number = number
        self.solved = False
        self._saved = (hints, solved)

    def compose(self) -> ComposeResult:
        ex = self.exercise
        head = Text(f"Exercise {self.number} · {KIND_NAMES[ex.kind]}\n", style="bold")
        head.append(ex.prompt)
        yield Static(head, classes="exercise-prompt")
        if ex.kind == "number":
            yield Input(placeholder="type a number, then enter", compact=True, classes="exercise-answer")
        else:
            options = list(enumerate(ex.options, 1)) if ex.kind == "choice" else list(ex.outcomes.items())
            yield OptionList(
                *(Option(text, id=str(key)) for key, text in options), compact=True, classes="exercise-answer"
            )
        with Horizontal(classes="exercise-row"):
            if ex.hints:
                yield Button(f"hint (0/{len(ex.hints)})", compact=True, classes="exercise-hint")
            yield Static(classes="exercise-verdict")
        yield Static(classes="exercise-hints")

    def on_mount(self) -> None:
        hints, solved = self._saved
        self.show_hints(hints)
        if solved:
            self.show_verdict(True, "Solved earlier.")

    # -- messages up ----------------------------------------------------------------------------------
    @on(Input.Submitted)
    def _typed(self, event: Input.Submitted) -> None:
        event.stop()
        if not self.solved and event.value.strip():
            self.post_message(self.Answered(self, event.value))

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if not self.solved:
            self.post_message(self.Answered(self, event.option.id))

    @on(Button.Pressed, ".exercise-hint")
    def _hint(self, event: Button.Pressed) -> None:
        event.stop()
        self.request_hint()

    def request_hint(self) -> None:
        if self.exercise.hints:
            self.post_message(self.HintRequested(self))

    # -- attributes down ------------------------------------------------------------------------------
    def show_hints(self, unfolded: int) -> None:
        hints = self.exercise.hints[:unfolded]
        text = Text()
        for i, hint in enumerate(hints, 1):
            text.append(f"{'' if i == 1 else chr(10)}hint {i}: ", style="italic")
            text.append(hint)
        self.query_one(".exercise-hints", Static).update(text)
        if self.exercise.hints:
            button = self.query_one(".exercise-hint", Button)
            button.label = f"hint ({len(hints)}/{len(self.exercise.hints)})"
            button.disabled = len(hints) >= len(self.exercise.hints)

    def show_waiting(self, choice: str) -> None:
        said = self.exercise.outcomes.get(choice, choice)
        self.query_one(".exercise-verdict", Static).update(Text(f"You predict: {said}. Watch…", style="bold"))
        self.query_one(".exercise-answer").disabled = True

    def show_verdict(self, correct: bool, message: str) -> None:
        mark = Text("✓ " if correct else "✗ ", style="bold green" if correct else "bold red")
        mark.append(message)
        if correct and self.exercise.explain:
            mark.append("\n" + self.exercise.explain, style="italic")
        self.query_one(".exercise-verdict", Static).update(mark)
        self.set_class(correct, "-solved")
        answer = self.query_one(".exercise-answer")
        if correct:
            self.solved = True
            answer.disabled = True
        else:
            answer.disabled = False
            if isinstance(answer, Input):
                answer.value = ""
