"""A learner's walk through the whole bundled course at 80×24: every lesson, page by page, every exercise
answered wrongly, its hints unfolded one at a time with `h`, then answered rightly, with progress checked
at the end. Right answers come from the engine (the computed answer, a setting found by running the
scene, the scene's real outcome), never from the lesson files or the UI code."""

import numpy as np
import pytest
from textual.widgets import Button, Input, OptionList

from gdtui.course import load_course
from gdtui.course.exercises import compute_answer, judge, outcome
from gdtui.engine import get_problem
from gdtui.ui.app import GdtuiApp
from gdtui.ui.widgets.exercise import ExercisePanel

COURSE = load_course()


def candidates(scene, setting):
    if setting == "lr":
        return [float(v) for v in np.logspace(-4, 1, 61)]
    if setting == "momentum":
        return [float(v) for v in np.linspace(0.0, 0.99, 34)]
    if setting == "batch_size":
        return list(range(1, get_problem(scene.problem).n_examples + 1))
    return list(range(1, 501))


def responses(exercise, scene) -> tuple[str, str]:
    """(a wrong response, a right response), worked out with the engine."""
    if exercise.kind == "choice":
        wrong = next(i for i in range(1, len(exercise.options) + 1) if i != exercise.correct)
        return str(wrong), str(exercise.correct)
    if exercise.kind == "predict":
        actual = outcome(scene)
        return next(k for k in exercise.outcomes if k != actual), actual
    if exercise.sets is None:
        right = compute_answer(scene, exercise.answer)
        return repr(right + 10 * exercise.tol + 1.0), repr(right)
    verdicts = [(str(v), judge(exercise, scene, str(v)).correct) for v in candidates(scene, exercise.sets)]
    right = next((v for v, ok in verdicts if ok), None)
    wrong = next((v for v, ok in verdicts if not ok), None)
    assert right is not None, f"{exercise.id}: no {exercise.sets} makes the run end {exercise.expect}"
    assert wrong is not None, f"{exercise.id}: every {exercise.sets} makes the run end {exercise.expect}"
    return wrong, right


async def respond(pilot, screen, panel: ExercisePanel, text: str) -> str:
    if panel.exercise.kind == "number":
        field = panel.query_one(Input)
        field.focus()
        await pilot.pause()
        await pilot.press(*text, "enter")
    else:
        options = panel.query_one(OptionList)
        options.focus()
        options.highlighted = next(
            i for i in range(options.option_count) if options.get_option_at_index(i).id == text
        )
        await pilot.pause()
        await pilot.press("enter")
    await pilot.pause()
    if panel.exercise.kind == "predict":
        screen.speed = 100_000.0  # the verdict waits for the run's end: play it fast
        screen.play()
        for _ in range(200):
            await pilot.pause(0.02)
            if screen.runner.done and not str(panel.query_one(".exercise-verdict").render()).startswith(
                "You"
            ):
                break
    screen.set_focus(None)
    return str(panel.query_one(".exercise-verdict").render())


async def unfold_hints(pilot, panel: ExercisePanel) -> None:
    """`h` once per hint and once more: after k presses the panel shows k of n, hints 1…k (k ≤ n) and no
    later one."""
    hints = panel.exercise.hints
    for k in range(1, len(hints) + 2):
        await pilot.press("h")
        await pilot.pause(0)  # the panel's request, then the screen's answer: no need to wait for idle
        shown = min(k, len(hints))
        label = str(panel.query_one(".exercise-hint", Button).label)
        assert label == f"hint ({shown}/{len(hints)})", f"{panel.exercise.id} after {k} presses: {label}"
        text = str(panel.query_one(".exercise-hints").render())
        unfolded = [i for i in range(1, len(hints) + 1) if f"hint {i}: " in text]
        assert unfolded == list(range(1, shown + 1)), f"{panel.exercise.id} after {k} presses: {text}"
        assert " ".join(hints[shown - 1].split()) in " ".join(text.split())


@pytest.mark.parametrize("lesson", COURSE.lessons, ids=[lesson.slug for lesson in COURSE.lessons])
async def test_every_page_and_exercise_of_the_lesson_at_80x24(lesson, store):
    app = GdtuiApp(COURSE, store)
    async with app.run_test(size=(80, 24)) as pilot:
        app.animation_level = "none"  # the walk asserts on state; the pilot would wait out every glide
        app.open_lesson(lesson.slug)
        await pilot.pause()
        screen = app.screen
        for index, page in enumerate(lesson.pages):
            assert screen.index == index
            await pilot.press("s")  # every page has a live scene that steps
            if page.scene is not None:
                assert screen.runner.k == 1 or screen.runner.done
            panels = list(screen.query(ExercisePanel))
            assert [p.exercise.id for p in panels] == [ex.id for ex in page.exercises]
            for panel in panels:
                wrong, right = responses(panel.exercise, page.scene)
                said = await respond(pilot, screen, panel, wrong)
                assert said.startswith("✗"), f"{lesson.slug} p{index + 1} {panel.exercise.id}: {said}"
                if panel.exercise.hints:  # `h` serves the first unsolved exercise with hints: this one
                    await unfold_hints(pilot, panel)
                said = await respond(pilot, screen, panel, right)
                assert said.startswith("✓"), f"{lesson.slug} p{index + 1} {panel.exercise.id}: {said}"
            await pilot.press("n")
        progress = store.lesson_progress(lesson.slug)
        assert progress.pages_seen == set(range(len(lesson.pages)))
        assert progress.solved == {(i, ex.id) for i, p in enumerate(lesson.pages) for ex in p.exercises}
        assert len(progress.solved) >= 2  # every lesson has at least two exercises
        assert progress.hints == {
            (i, ex.id): len(ex.hints) for i, p in enumerate(lesson.pages) for ex in p.exercises if ex.hints
        }
