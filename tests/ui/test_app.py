"""Pilot tests: the app driven by keys as a learner drives it, asserting on its state."""

import gc
import weakref
from pathlib import Path

import numpy as np
import pytest
from textual.widgets import Input, OptionList, Select

from gdtui.course import load_course
from gdtui.engine import run
from gdtui.ui import app as app_module
from gdtui.ui.app import GdtuiApp
from gdtui.ui.screens.help import HelpScreen
from gdtui.ui.screens.home import HomeScreen
from gdtui.ui.screens.lesson import LessonScreen
from gdtui.ui.screens.small import TooSmallScreen
from gdtui.ui.widgets.state import StatePanel

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ui-course"


def make_app(store, lesson=None, course_dir=FIXTURE):
    return GdtuiApp(load_course(course_dir), store, lesson)


def state_text(screen) -> str:
    return str(screen.query_one(StatePanel).render())


async def test_home_lists_every_lesson_with_its_progress(store):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, HomeScreen)
        options = app.screen.query_one("#lessons", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert prompts[0].startswith("○ One dimension  0/3 pages · 0/4 exercises")
        assert prompts[1].startswith("○ A race  0/1 pages")
        await pilot.press("enter")
        assert isinstance(app.screen, LessonScreen) and app.screen.lesson.slug == "one-d"
        await pilot.press("n", "escape")
        assert isinstance(app.screen, HomeScreen)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert prompts[0].startswith("◐ One dimension  2/3 pages · 0/4 exercises")


async def test_down_and_enter_open_the_second_lesson(store):
    app = make_app(store)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")
        assert app.screen.lesson.slug == "race"


async def test_paging_with_n_and_p_and_the_last_page_says_so(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        assert screen.index == 0
        await pilot.press("p")
        assert screen.index == 0
        await pilot.press("n")
        assert screen.index == 1 and screen.runner is None  # a words-only page
        assert screen.query_one("#lesson-body").has_class("no-scene")
        await pilot.press("n")
        assert screen.index == 2 and screen.runner is not None
        await pilot.press("n")
        assert screen.index == 2
        assert "Last page" in str(screen.query_one("#notice").render())
        await pilot.press("p", "p")
        assert screen.index == 0


async def test_stepping_matches_the_engines_trace_for_the_same_settings(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "s", "s")
        stepper = app.screen.runner.steppers[0]
        expected = run("secret-number", "gd", lr=0.1, steps=40, start=[5.0])
        assert stepper.k == 3
        assert np.array_equal(stepper.theta, expected.theta[3])
        assert app.screen.query_one(StatePanel).title == "step 3/40"


async def test_space_plays_and_pauses(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        await pilot.press("space")
        assert screen.playing
        await pilot.pause(0.4)
        await pilot.press("space")
        assert not screen.playing
        k = screen.runner.k
        assert k > 0
        await pilot.pause(0.2)
        assert screen.runner.k == k


async def test_at_30_redraws_a_second_the_plots_follow_every_frame_the_numbers_ten_times_a_second(store):
    app = GdtuiApp(load_course(FIXTURE), store, "race", redraw_rate=30.0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.speed = 60.0  # two steps a frame
        panel, loss_plot = screen.query_one(StatePanel), screen.query_one("#loss-plot")
        shown, frames = [], []
        real_show, real_redraw = panel.show, loss_plot.redraw
        panel.show = lambda *a, **k: (shown.append(screen.runner.k), real_show(*a, **k))[1]
        loss_plot.redraw = lambda: (frames.append(screen.runner.k), real_redraw())[1]
        await pilot.press("space")
        await pilot.pause(1.0)
        await pilot.press("space")
        k = screen.runner.k
        assert k >= 20 and len(frames) >= 10  # ~60 steps and ~30 frames, with slack for a loaded machine
        assert len(shown) <= len(frames) // 2 + 2  # every third frame (30/s → 10/s), plus the pause
        assert shown[-1] == k and panel.title.startswith(f"step {k}/")  # paused: the numbers are now


async def test_a_tick_that_stands_for_missed_slots_is_one_frame_that_takes_all_their_steps(store):
    """After a stall the frame clock ticks once for every slot that passed (gdtui/ui/frame_clock.py): one
    frame, with the steps of all of them, so the animation keeps its pace."""
    app = make_app(store, "one-d")  # 10 redraws a second
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.speed = 10.0  # one step a slot
        screen.playing = True  # ticks by hand below; the clock itself is not started
        frames = []
        plot = screen.query_one("#loss-plot")
        real = plot.redraw_if_dirty
        plot.redraw_if_dirty = lambda: (frames.append(screen.runner.k), real())[1]
        screen._frame(1)
        screen._frame(3)  # a tick after a stall of two more intervals
        assert frames == [1, 4]
        screen.playing = False
        await pilot.pause()


async def test_playing_to_the_end_stops_and_shows_the_status(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        app.screen.speed = 1000.0
        await pilot.press("space")
        for _ in range(40):
            await pilot.pause(0.05)
            if app.screen.runner.done:
                break
        assert app.screen.runner.done and not app.screen.playing
        assert "finished 40 steps" in state_text(app.screen)


async def test_reset_returns_to_the_start_point(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "s", "r")
        stepper = app.screen.runner.steppers[0]
        assert stepper.k == 0 and stepper.theta.tolist() == [5.0]


async def test_plus_and_minus_move_the_learning_rate_and_restart(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        runner = app.screen.runner
        await pilot.press("s", "s")
        await pilot.press("plus")
        runner = app.screen.runner
        assert runner.lr == 0.15 and runner.k == 0
        await pilot.press("minus", "minus")
        assert app.screen.runner.lr == 0.075


async def test_a_typed_learning_rate_that_diverges_says_diverged_and_the_app_keeps_running(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#ctl-lr", Input).focus()  # as tab does: the old value is selected
        await pilot.pause()
        await pilot.press(*"1.5", "enter")  # distance to 2 doubles each step: 9·4ᵏ passes 1e12 by k = 20
        assert screen.runner.lr == 1.5
        screen.speed = 1000.0
        await pilot.press("space")
        for _ in range(60):
            await pilot.pause(0.05)
            if screen.runner.done:
                break
        assert screen.runner.steppers[0].status == "diverged"
        assert "DIVERGED at step" in state_text(screen)
        await pilot.press("n")
        assert screen.index == 1  # still answering keys


async def test_a_bad_typed_value_is_refused_with_one_line_and_nothing_changes(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#ctl-momentum", Input).focus()
        await pilot.pause()
        await pilot.press(*"abc", "enter")
        assert str(screen.query_one("#notice").render()) == "momentum: expected a number, got 'abc'"
        screen.query_one("#ctl-batch_size", Input).focus()
        await pilot.pause()
        await pilot.press("9", "enter")
        assert "batch size must be between 1 and 4" in str(screen.query_one("#notice").render())
        assert screen.runner.steppers[0].batch_size == 4


async def test_choosing_another_optimizer_restarts_with_it(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        select = screen.query_one("#ctl-optimizer", Select)
        select.value = "momentum"
        await pilot.pause()
        assert screen.runner.steppers[0].optimizer.name == "momentum"
        await pilot.press("s")
        assert "v " in state_text(screen)  # the velocity shows in the state panel


async def test_a_race_steps_every_run_and_lists_them(store):
    app = make_app(store, "race")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s", "s")
        runner = app.screen.runner
        assert [s.k for s in runner.steppers] == [2, 2, 2, 2]
        text = state_text(app.screen)
        for label in ("gd", "momentum", "rmsprop", "adam"):
            assert label in text
        assert app.screen.query_one(StatePanel).title == "step 2/300 · target loss 6"
        for stepper, (name, lr) in zip(
            runner.steppers,
            [("gd", 0.001), ("momentum", 0.001), ("rmsprop", 0.01), ("adam", 0.05)],
            strict=True,
        ):
            assert np.array_equal(stepper.theta, run("rosenbrock", name, lr=lr, steps=2).theta[-1])


async def test_escape_from_a_lesson_opened_at_start_reaches_the_home_screen(store):
    app = make_app(store, "race")
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, LessonScreen) and app.screen.lesson.slug == "race"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert len(app.screen_stack) == 2  # Textual's default screen, then home: nothing left behind
        options = app.screen.query_one("#lessons", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert [p.split("  ")[0] for p in prompts] == ["○ One dimension", "✓ A race"]
        assert options.highlighted == 1  # on the lesson just left
        await pilot.press("up", "enter")
        assert isinstance(app.screen, LessonScreen) and app.screen.lesson.slug == "one-d"
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen) and len(app.screen_stack) == 2
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape", "q")
    assert app.return_code == 0


async def test_help_lists_every_key_and_closes(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one("#help-text").render())
        for key in ("escape", "space", "s ", "r ", "n ", "p ", "+", "-", "?", "q "):
            assert key in text, key
        await pilot.press("escape")
        assert isinstance(app.screen, LessonScreen)


async def test_a_small_terminal_asks_to_be_enlarged_and_recovers(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.resize_terminal(70, 20)
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)
        assert "Please enlarge the terminal" in str(app.screen.query_one("#too-small-text").render())
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert isinstance(app.screen, LessonScreen)


async def test_starting_too_small_shows_the_notice(store):
    app = make_app(store)
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, TooSmallScreen)


async def test_q_quits(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
    assert app.return_code == 0


@pytest.mark.parametrize("size", [(80, 24), (160, 50)], ids=["80x24", "160x50"])
async def test_every_page_of_the_built_in_course_opens(store, size):
    app = GdtuiApp(load_course(None), store)
    async with app.run_test(size=size) as pilot:
        for lesson in app.course.lessons:
            app.open_lesson(lesson.slug)
            await pilot.pause()
            for _ in lesson.pages:
                await pilot.press("s")
                await pilot.press("n")
            assert app.screen.index == len(lesson.pages) - 1
            await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_a_typed_start_point_restarts_there(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#ctl-start", Input).focus()
        await pilot.pause()
        await pilot.press(*"-1", "enter")
        await pilot.press("s")
        stepper = screen.runner.steppers[0]
        assert stepper.history()[0][0].tolist() == [-1.0]
        assert stepper.theta.tolist() == [-1.0 - 0.1 * 2 * (-1.0 - 2.0)]  # θ − α·2(θ − 2)


async def test_a_typed_momentum_and_a_chosen_schedule_reach_the_engine(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#ctl-optimizer", Select).value = "momentum"
        await pilot.pause()
        screen.query_one("#ctl-momentum", Input).focus()
        await pilot.pause()
        await pilot.press(*"0.5", "enter")
        screen.query_one("#ctl-schedule", Select).value = "step:every=10,gamma=0.5"
        await pilot.pause()
        await pilot.press(*"s" * 12)
        stepper = screen.runner.steppers[0]
        assert stepper.optimizer.hyper == {"momentum": 0.5}
        # a new optimizer starts from its own default rate (momentum: 0.01) unless one was typed
        assert stepper.schedule.kind == "step" and stepper.lr == 0.005  # 0.01 · 0.5^⌊11/10⌋
        expected = run(
            "secret-number",
            "momentum",
            lr=0.01,
            steps=40,
            start=[5.0],
            hyper={"momentum": 0.5},
            schedule="step:every=10,gamma=0.5",
        )
        assert np.array_equal(stepper.theta, expected.theta[12])


async def test_choosing_a_speed_changes_how_fast_it_plays(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#ctl-speed", Select).value = "100"
        await pilot.pause()
        assert screen.speed == 100.0
        await pilot.press("space")
        await pilot.pause(0.3)
        await pilot.press("space")
        assert screen.runner.k >= 10  # 100 steps a second for 0.3 s, with slack for a slow machine


async def test_escape_in_a_control_leaves_the_control_not_the_lesson(store):
    app = make_app(store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#ctl-lr", Input).focus()
        await pilot.pause()
        await pilot.press("escape")
        assert app.screen is screen and not isinstance(app.focused, Input)
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_a_race_with_a_target_reports_the_step_each_run_reached_it(store):
    app = make_app(store, "race")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"s" * 25)
        lines = state_text(app.screen).splitlines()
        for stepper, line in zip(app.screen.runner.steppers, lines, strict=True):
            losses = stepper.history()[1]
            first = next(k for k, loss in enumerate(losses) if loss <= 6.0)  # the engine's own losses
            assert line.endswith(f"target at step {first}")


async def test_an_app_started_with_the_collector_paused_resumes_it_once_it_is_up(store, monkeypatch):
    monkeypatch.setattr(app_module, "COLLECT_AFTER", 0.05)
    gc.disable()  # as `gdtui` starts the app (cli.py)
    try:
        app = make_app(store)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause(0.3)
            assert gc.isenabled() and gc.get_freeze_count() > 0
            assert isinstance(app.screen, HomeScreen)
    finally:
        gc.enable()
        gc.unfreeze()


async def test_a_page_left_is_freed_with_the_lines_it_drew_a_moment_later(store, monkeypatch):
    """Its widgets form cycles (parent and child refer to each other), and Textual's styles cache kept the
    last 1024 widgets' drawn lines alive; the app collects a page once the learner has left it."""
    monkeypatch.setattr(app_module, "COLLECT_LEFT_AFTER", 1.0)  # room for a loaded machine's "not yet"
    app = make_app(store, "one-d")
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            gc.disable()  # no automatic collection: only the app's own may free the page
            old = list(app.screen.query("#page-text *"))  # the first page's Markdown blocks, and their parts
            assert old and all(block._styles_cache._cache for block in old)  # drawn: their lines are kept
            gone = [weakref.ref(block) for block in old] + [weakref.ref(b._styles_cache) for b in old]
            del old
            await pilot.press("n")
            await pilot.pause(0.1)
            assert app.screen.index == 1 and any(ref() for ref in gone)  # not yet
            await pilot.pause(1.5)
            assert [ref() for ref in gone] == [None] * len(gone)
    finally:
        gc.enable()


async def test_a_lesson_left_is_freed_a_moment_later(store, monkeypatch):
    monkeypatch.setattr(app_module, "COLLECT_LEFT_AFTER", 0.3)
    app = make_app(store)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            gc.disable()  # no automatic collection: only the app's own may free the lesson
            await pilot.press("enter")
            await pilot.pause(0.8)  # past the collection of the first page's arrival
            screen = weakref.ref(app.screen)
            assert isinstance(screen(), LessonScreen)
            await pilot.press("escape")
            await pilot.pause(0.8)
            assert isinstance(app.screen, HomeScreen) and screen() is None
    finally:
        gc.enable()
