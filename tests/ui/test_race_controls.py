"""A learner sets one run of the capstone race at 80×24: picks the run, gives it another optimizer and
rate through the controls, plays, and reads that run's new name and its step to the target."""

from pilot_helpers import play_to_the_end
from textual.widgets import Input, Select

from gdtui.course import load_course
from gdtui.course.exercises import compute_answer
from gdtui.course.schema import Answer
from gdtui.ui.app import GdtuiApp
from gdtui.ui.widgets.plots import LossPlot
from gdtui.ui.widgets.state import StatePanel


def value(screen, name: str) -> str:
    return str(screen.query_one(f"#ctl-{name}").value)


def shown(screen, name: str) -> str:
    """The text a list control shows for its value."""
    return str(screen.query_one(f"#ctl-{name}", Select).query_one("#label").render())


async def test_a_learner_sets_run_2_to_adam_at_0_2_plays_and_reads_its_target_step(store):
    app = GdtuiApp(load_course(None), store, "capstone")  # page 1: gd, momentum, nesterov, adam on the bowl
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert [row.id for row in screen.query(".control")] == [
            "row-run",
            "row-optimizer",
            "row-lr",
            "row-start",
            "row-speed",
        ]
        for row in screen.query(".control"):  # every row is on screen under the page text
            assert 0 < row.region.y < 23 and row.region.height == 1
        screen.query_one("#ctl-run", Select).focus()
        await pilot.press("enter", "down", "enter")  # the list, one down, chosen: run 2
        assert screen.runner.selected == 1
        assert (value(screen, "optimizer"), value(screen, "lr")) == ("momentum", "0.1")

        screen.query_one("#ctl-optimizer", Select).value = "rmsprop"
        await pilot.pause()
        assert value(screen, "lr") == "0.01"  # rmsprop's own rate: the scene's 0.1 was for momentum
        screen.query_one("#ctl-optimizer", Select).value = "adam"
        await pilot.pause()
        screen.query_one("#ctl-lr", Input).focus()  # as tab does: the old value is selected
        await pilot.pause()
        await pilot.press(*"0.2", "enter")
        await pilot.pause()
        assert value(screen, "lr") == "0.2" and value(screen, "run") == "2"
        assert shown(screen, "run") == "2 x adam"  # the run's marker in the plots and its new name

        names = [(s.optimizer.name, float(s.schedule.lr)) for s in screen.runner.steppers]
        assert names == [("gd", 0.18), ("adam", 0.2), ("nesterov", 0.1), ("adam", 0.5)]
        assert screen.query_one(".scene-plot").view.labels == ["gd", "adam", "nesterov", "adam"]
        assert screen.query_one(LossPlot).view.labels == ["gd", "adam", "nesterov", "adam"]

        screen.speed = 100_000.0
        screen.play()
        await play_to_the_end(pilot, screen, every=0.02)
        lines = str(screen.query_one(StatePanel).render()).splitlines()
        scene = screen.page.scene
        expected = [
            compute_answer(scene, Answer("target_step", run=1)),
            compute_answer(scene, Answer("target_step", run=2, changes={"optimizer": "adam", "lr": 0.2})),
            compute_answer(scene, Answer("target_step", run=3)),
            compute_answer(scene, Answer("target_step", run=4)),
        ]
        assert lines[1].startswith("x adam ") and lines[0].startswith("o gd ")
        for line, step in zip(lines, expected, strict=True):
            assert line.endswith(f"target at step {int(step)}")

        await pilot.press("r")  # a reset keeps the learner's run
        assert screen.runner.k == 0 and screen.runner.labels[1] == "adam"
        assert value(screen, "optimizer") == "adam" and value(screen, "lr") == "0.2"


async def test_plus_moves_the_selected_runs_rate_and_a_refused_optimizer_says_why(store):
    app = GdtuiApp(load_course(None), store, "capstone")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen
        screen.query_one("#ctl-optimizer", Select).value = "newton"  # run 1, the first in the list
        await pilot.pause()
        assert shown(screen, "run") == "1 o newton" and value(screen, "lr") == "1"
        screen.query_one("#ctl-run", Select).value = "4"
        await pilot.pause()
        await pilot.press("plus")
        assert value(screen, "lr") == "0.75"
        assert [float(s.schedule.lr) for s in screen.runner.steppers] == [1.0, 0.1, 0.1, 0.75]
        screen.query_one("#ctl-optimizer", Select).value = "sgd"  # the bowl has no data set to sample
        await pilot.pause()
        assert "data set" in str(screen.query_one("#notice").render())
        assert value(screen, "optimizer") == "adam" and screen.runner.labels[3] == "adam"
