"""Exercises as a learner meets them: right and wrong answers, hints one at a time, predict-then-watch, a
learning rate judged by running it, and progress that is saved and comes back."""

from pathlib import Path

from pilot_helpers import play_to_the_end
from textual.widgets import Input, OptionList

from gdtui.course import load_course
from gdtui.store import Store
from gdtui.ui.app import GdtuiApp
from gdtui.ui.runner import Changes
from gdtui.ui.screens.home import HomeScreen
from gdtui.ui.widgets.exercise import ExercisePanel

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ui-course"


def panels(screen) -> list[ExercisePanel]:
    return list(screen.query(ExercisePanel))


def verdict(panel: ExercisePanel) -> str:
    return str(panel.query_one(".exercise-verdict").render())


def hints(panel: ExercisePanel) -> str:
    return str(panel.query_one(".exercise-hints").render())


async def answer(pilot, panel: ExercisePanel, text: str) -> None:
    panel.query_one(Input).focus()
    await pilot.pause()
    await pilot.press(*text, "enter")
    await pilot.pause()


async def test_a_number_answer_computed_by_the_engine_is_judged_and_saved(store):
    app = GdtuiApp(load_course(FIXTURE), store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        first, _ = panels(app.screen)
        assert "From θ = 5 with α = 0.1" in str(first.query_one(".exercise-prompt").render())
        await answer(pilot, first, "4.5")
        assert verdict(first).startswith("✗ Not quite (you said 4.5): too high.")
        assert "settings differ" not in verdict(first)  # the learner changed nothing
        assert not first.solved
        await answer(pilot, first, "4.4")  # 5 − 0.1 · (2·5 − 4)
        assert verdict(first).startswith("✓ Right: 4.4")
        assert first.solved and first.query_one(Input).disabled
        progress = store.lesson_progress("one-d")
        assert progress.solved == {(0, "first-step")} and progress.attempts == 2


async def test_a_choice_is_judged(store):
    app = GdtuiApp(load_course(FIXTURE), store, "one-d")
    async with app.run_test(size=(80, 40)) as pilot:
        _, choice = panels(app.screen)
        options = choice.query_one(OptionList)
        options.focus()
        await pilot.pause()
        await pilot.press("enter")  # the first option: wrong
        await pilot.pause()
        assert verdict(choice).startswith("✗")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert verdict(choice).startswith("✓") and choice.solved


async def test_h_unfolds_hints_one_at_a_time_and_counts_them(store):
    app = GdtuiApp(load_course(FIXTURE), store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        first = panels(app.screen)[0]
        assert hints(first) == ""
        await pilot.press("h")
        await pilot.pause()
        assert hints(first) == "hint 1: L′(θ) = 2θ − 4, so L′(5) = 6."
        await pilot.press("h")
        await pilot.pause()
        assert hints(first).splitlines()[1] == "hint 2: θ − α·L′(θ) = 5 − 0.1 · 6."
        await pilot.press("h")  # no third hint: nothing more unfolds
        await pilot.pause()
        assert len(hints(first).splitlines()) == 2
        assert store.lesson_progress("one-d").hints_used == 2


async def test_predict_commits_then_plays_and_reveals_when_the_run_ends(store):
    app = GdtuiApp(load_course(FIXTURE), store, "one-d")
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("n", "n")
        screen = app.screen
        predict = panels(screen)[0]
        screen.speed = 2.0  # slow enough to watch: the verdict waits for the run's end
        predict.query_one(OptionList).focus()
        await pilot.pause()
        await pilot.press("end", "enter")  # "fly off" (diverged), the last outcome listed
        await pilot.pause()
        assert "You predict: fly off. Watch" in verdict(predict)
        assert screen.playing and not screen.runner.done
        screen.speed = 1000.0
        screen.play()
        await play_to_the_end(pilot, screen, polls=100)
        assert screen.runner.steppers[0].status == "diverged"
        assert verdict(predict).startswith("✓ Right: fly off")


async def test_a_prediction_is_watched_at_the_pages_own_settings(store):
    """The learner lowers α until the run no longer flies off, then commits "fly off": the prediction is
    about the page's α = 1.5, so that is the run that plays (with a notice), and the verdict matches it."""
    app = GdtuiApp(load_course(FIXTURE), store, "one-d")
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("n", "n")
        screen = app.screen
        await pilot.press("minus", "minus", "minus", "minus")  # 1.5 → 1 → 0.75 → 0.5 → 0.3
        assert screen.runner.lr == 0.3
        predict = panels(screen)[0]
        predict.query_one(OptionList).focus()
        await pilot.pause()
        await pilot.press("end", "enter")  # "fly off"
        await pilot.pause()
        assert (
            str(screen.query_one("#notice").render())
            == "Playing the page's own settings for your prediction."
        )
        assert screen.runner.lr == 1.5  # and it plays (fast: it may have ended already)
        await play_to_the_end(pilot, screen)
        assert screen.runner.steppers[0].status == "diverged"
        assert verdict(predict).startswith("✓ Right: fly off")


async def test_a_wrong_answer_with_changed_settings_points_to_R_which_restores_them(store):
    app = GdtuiApp(load_course(FIXTURE), store, "one-d")
    async with app.run_test(size=(80, 40)) as pilot:
        screen = app.screen
        await pilot.press("plus")  # α 0.1 → 0.15: one step from 5 now lands on 5 − 0.15·6 = 4.1
        assert screen.runner.lr == 0.15
        first, choice = panels(screen)
        await answer(pilot, first, "4.1")  # what the changed scene shows, not the page's α = 0.1
        assert verdict(first) == (
            "✗ Not quite (you said 4.1): too low. Your settings differ from the page's: R restores them."
        )
        choice.query_one(OptionList).focus()
        await pilot.pause()
        await pilot.press("enter")  # a wrong option: a choice is about the page's scene too
        await pilot.pause()
        assert verdict(choice).endswith("R restores them.")
        screen.set_focus(None)
        await pilot.press("R")
        await pilot.pause()
        assert screen.runner.lr == 0.1 and screen.runner.changes == Changes()
        assert str(screen.query_one("#notice").render()) == "The page's own settings again."
        await answer(pilot, first, "4.5")
        assert verdict(first) == "✗ Not quite (you said 4.5): too high."
        await answer(pilot, first, "4.4")
        assert verdict(first).startswith("✓ Right: 4.4")


async def test_a_learning_rate_answer_is_judged_by_running_it(store):
    app = GdtuiApp(load_course(FIXTURE), store, "one-d")
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.press("n", "n")
        find = panels(app.screen)[1]
        await answer(pilot, find, "0.5")
        assert "ended max_steps after 100 steps. Wanted: diverged." in verdict(find)
        await answer(pilot, find, "1.2")
        assert verdict(find).startswith("✓ With lr = 1.2 the run ended diverged at step")


async def test_progress_is_saved_and_a_new_session_resumes_it(tmp_path):
    first = Store.open(tmp_path)
    app = GdtuiApp(load_course(FIXTURE), first, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        await answer(pilot, panels(app.screen)[0], "4.4")
        await pilot.press("n", "n")
    first.close()

    again = Store.open(tmp_path)
    app = GdtuiApp(load_course(FIXTURE), again)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        options = app.screen.query_one("#lessons", OptionList)
        assert options.highlighted == 0
        assert str(options.get_option_at_index(0).prompt).startswith(
            "◐ One dimension  3/3 pages · 1/4 exercises"
        )
        await pilot.press("enter")
        assert app.screen.index == 2  # back on the page the learner left
        await pilot.press("p", "p")
        await pilot.pause()
        assert verdict(panels(app.screen)[0]).startswith("✓ Solved earlier")
    again.close()


async def test_a_damaged_progress_file_is_announced_with_its_backup(tmp_path):
    (tmp_path / Store.FILENAME).write_bytes(b"not a database " * 100)
    store = Store.open(tmp_path)
    app = GdtuiApp(load_course(FIXTURE), store)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        backups = list(tmp_path.glob(Store.FILENAME + ".corrupt-*"))
        assert len(backups) == 1
        shown = [str(n.message) for n in app._notifications]
        assert shown == [store.notice] and backups[0].name in store.notice
    store.close()
