"""The scene runner's changes in a race: with the `run` control the optimizer and lr change the selected
run only (and survive a reset); without it the lr is one ×scale of every run, as before.

The bowl is ½(x² + 10y²): one GD step takes x to (1 − α)x and y to (1 − 10α)y."""

import pytest

from gdtui.course import RunSpec, Scene
from gdtui.course.schema import RunChange
from gdtui.ui.runner import SceneRunner

RUNS = (
    RunSpec("gd", lr=0.1),
    RunSpec("momentum", lr=0.05, hyper={"momentum": 0.5}),
    RunSpec("adam", lr=0.5),
)


def race(controls=("run", "optimizer", "lr")) -> SceneRunner:
    return SceneRunner(
        Scene(problem="bowl", runs=RUNS, start=(2.0, 1.0), steps=50, target=1e-6, controls=controls)
    )


def settings(runner: SceneRunner) -> list[tuple[str, float, dict]]:
    return [(s.optimizer.name, float(s.schedule.lr), dict(s.optimizer.hyper)) for s in runner.steppers]


def test_a_changed_run_gets_its_optimizer_and_rate_and_the_other_runs_are_untouched():
    runner = race()
    before = settings(runner)
    runner.select(1)
    assert runner.change(optimizer="gd") is None
    assert runner.change(lr=0.05) is None
    after = settings(runner)
    assert after[1] == ("gd", 0.05, {})  # momentum's μ = 0.5 is gone with momentum
    assert after[0] == before[0] and after[2] == before[2]
    assert runner.changes.runs == (None, RunChange(optimizer="gd", lr=0.05))
    assert runner.labels == ["gd", "gd", "adam"]
    runner.step(1)
    assert [float(v) for v in runner.steppers[1].theta] == pytest.approx([1.9, 0.5])


def test_the_controls_show_the_selected_runs_optimizer_and_rate():
    runner = race()
    assert runner.control_values()["run"] == "1" and runner.control_values()["lr"] == "0.1"
    runner.select(2)
    values = runner.control_values()
    assert (values["run"], values["optimizer"], values["lr"]) == ("3", "adam", "0.5")
    assert runner.lr == 0.5


def test_plus_moves_only_the_selected_runs_rate_to_the_next_nice_value():
    runner = race()
    runner.select(2)
    assert runner.bump_lr(True) is None
    assert [rate for _, rate, _ in settings(runner)] == [0.1, 0.05, 0.75]
    assert runner.bump_lr(False) is None and runner.bump_lr(False) is None
    assert [rate for _, rate, _ in settings(runner)] == [0.1, 0.05, 0.3]
    assert runner.changes.lr_scale == 1.0


def test_a_run_switched_back_to_its_own_optimizer_gets_the_scenes_hyperparameters_back():
    runner = race()
    runner.select(1)
    runner.change(optimizer="nesterov")
    assert settings(runner)[1] == ("nesterov", 0.01, {"momentum": 0.9})  # nesterov's own rate and μ
    runner.change(optimizer="momentum")
    assert settings(runner)[1] == ("momentum", 0.05, {"momentum": 0.5})
    assert runner.labels == ["gd", "momentum", "adam"]


def test_a_refused_change_keeps_the_scene_and_says_why():
    runner = race()
    runner.select(1)
    runner.step(3)
    steppers, changes = runner.steppers, runner.changes
    reason = runner.change(optimizer="sgd")  # the bowl has no data set to sample
    assert reason is not None and "\n" not in reason and "data set" in reason
    assert runner.steppers is steppers and runner.changes == changes and runner.k == 3
    assert runner.change(lr=-1.0) is not None and runner.steppers is steppers


def test_reset_keeps_the_runs_changes_and_starts_every_run_again():
    runner = race()
    runner.select(2)
    runner.change(optimizer="newton")
    runner.step(5)
    runner.reset()
    assert runner.k == 0 and runner.labels == ["gd", "momentum", "newton"]
    runner.step(1)
    assert [float(v) for v in runner.steppers[2].theta] == pytest.approx([0.0, 0.0])  # Newton: one step


def test_selecting_a_run_does_not_restart_the_race():
    runner = race()
    runner.step(4)
    runner.select(2)
    assert runner.k == 4
    with pytest.raises(ValueError):
        runner.select(3)


def test_a_race_without_the_run_control_scales_every_rate_as_before():
    runner = race(controls=("lr",))
    assert runner.control_values()["lr"] == "×1"
    assert runner.bump_lr(True) is None
    assert [rate for _, rate, _ in settings(runner)] == pytest.approx([0.15, 0.075, 0.75])
    assert runner.control_values()["lr"] == "×1.5" and runner.changes.runs == ()
