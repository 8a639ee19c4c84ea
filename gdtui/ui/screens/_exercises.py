"""The lesson screen's exercises: mounting a page's panels under its text, judging answers with the
course's `judge`, recording attempts and hints in the progress store, and `h` for the next hint.

Every exercise is about the scene as its page sets it up. A predict exercise first commits the learner's
prediction, then plays that scene from its start (the learner's control changes undone, with a notice, so
the run they watch is the run that decides); the verdict shows when the run has ended (it was decided, and
recorded, at commit time). A wrong answer given while the learner's settings differ from the page's says
so, and that `R` restores them.
"""

from __future__ import annotations

from ...course.exercises import judge
from ...course.schema import Page
from ..runner import Changes
from ..widgets.exercise import ExercisePanel


class ExercisesMixin:
    """Mixed into LessonScreen, which provides `lesson`, `index`, `page`, `runner`, `play()`,
    `action_restore()` and `app`."""

    _pending_verdict: tuple[ExercisePanel, bool, str] | None = None

    def mount_exercises(self, page: Page) -> None:
        scroll = self.query_one("#page-scroll")
        for panel in scroll.query(ExercisePanel):
            panel.remove()
        self._pending_verdict = None
        if not page.exercises:
            return
        progress = self.app.store.lesson_progress(self.lesson.slug)
        scroll.mount_all(
            ExercisePanel(
                ex,
                n,
                hints=progress.hints.get((self.index, ex.id), 0),
                solved=(self.index, ex.id) in progress.solved,
            )
            for n, ex in enumerate(page.exercises, 1)
        )

    def action_hint(self) -> None:
        """`h`: the next hint of the first unsolved exercise on this page."""
        for panel in self.query(ExercisePanel):
            if not panel.solved and panel.exercise.hints:
                panel.request_hint()
                panel.scroll_visible()
                return

    def on_exercise_panel_hint_requested(self, message: ExercisePanel.HintRequested) -> None:
        panel = message.panel
        unfolded = self.app.store.hint_used(
            self.lesson.slug, self.index, panel.exercise.id, limit=len(panel.exercise.hints)
        )
        panel.show_hints(min(unfolded, len(panel.exercise.hints)))

    def on_exercise_panel_answered(self, message: ExercisePanel.Answered) -> None:
        panel, ex = message.panel, message.panel.exercise
        verdict = judge(ex, self.page.scene, message.response)
        self.app.store.attempt(self.lesson.slug, self.index, ex.id, message.response, verdict.correct)
        if ex.kind != "predict":
            note = ""
            if not verdict.correct and self._settings_changed() and self._about_own_settings(ex):
                note = " Your settings differ from the page's: R restores them."
            panel.show_verdict(verdict.correct, verdict.message + note)
            return
        panel.show_waiting(message.response)
        if self._settings_changed():
            self.action_restore("Playing the page's own settings for your prediction.")
        else:
            self.action_reset()
        self._pending_verdict = (panel, verdict.correct, verdict.message)
        self.play()

    def _settings_changed(self) -> bool:
        return self.runner is not None and self.runner.changes != Changes()

    @staticmethod
    def _about_own_settings(ex) -> bool:
        """Is the answer read off the scene at the page's own settings? (A number that names changes, or
        a setting the learner types, says what to set; a choice is about the page's scene.)"""
        if ex.kind == "choice":
            return True
        return ex.kind == "number" and ex.answer is not None and not ex.answer.changes

    def reveal_pending(self) -> None:
        """Called when the scene's run ends: a committed prediction learns how it went."""
        if self._pending_verdict is not None:
            panel, correct, message = self._pending_verdict
            self._pending_verdict = None
            if panel.is_mounted:
                panel.show_verdict(correct, message)
