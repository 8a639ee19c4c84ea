"""Runs as results: statuses, divergence, tolerance, schedules, batches, seeds, the stepping form and sweeps."""

import math

import numpy as np
import pytest

from gdtui.engine import (
    OPTIMIZERS,
    PROBLEMS,
    ConfigError,
    Stepper,
    get_optimizer,
    make_schedule,
    parse_schedule,
    run,
    sweep,
)
from gdtui.engine.run import _Sampler


def test_lr_above_two_over_L_diverges_and_keeps_only_finite_points():
    # bowl: L = 10, so α = 0.3 multiplies y by 1 − 3 = −2 per step
    traj = run("bowl", "gd", lr=0.3, steps=500)
    assert traj.status == "diverged"
    assert traj.diverged_at == traj.steps
    assert abs(traj.loss[-1]) > 1e12 and np.all(np.abs(traj.loss[:-1]) <= 1e12)
    assert np.all(np.isfinite(traj.theta)) and np.all(np.isfinite(traj.loss))
    assert traj.theta[1:, 1] / traj.theta[:-1, 1] == pytest.approx(np.full(traj.steps, -2.0))


def test_a_non_finite_step_is_dropped_from_the_trajectory():
    # bowl from (−4, 1.5) with α = 1e200: θ₁ ≈ (4e200, −1.5e201) is finite but ½(x² + 10y²) overflows
    traj = run("bowl", "gd", lr=1e200, steps=5)
    assert traj.theta.tolist() == [[-4.0, 1.5]]
    assert traj.status == "diverged" and traj.diverged_at == 1
    assert len(traj.lr) == len(traj.grad_norm) == traj.steps == 0


def test_saddle_runs_off_to_minus_infinity_and_is_reported_diverged():
    traj = run("saddle", "gd", lr=0.1, steps=1000)
    assert traj.status == "diverged"
    assert traj.loss[-1] < -1e12


def test_tolerance_stops_a_converging_run():
    traj = run("secret-number", "gd", lr=0.1, steps=1000, tol=1e-6)
    assert traj.status == "converged"
    steps = np.abs(np.diff(traj.theta[:, 0]))
    assert steps[-1] < 1e-6 and np.all(steps[:-1] >= 1e-6)


def test_landing_exactly_on_the_minimum_converges_on_the_next_zero_step():
    traj = run("secret-number", "gd", lr=0.5, steps=10, tol=1e-12)
    assert traj.theta[:, 0].tolist() == [5.0, 2.0, 2.0]
    assert traj.status == "converged"


def test_tolerance_zero_runs_the_whole_budget():
    traj = run("secret-number", "gd", lr=0.5, steps=7)
    assert traj.status == "max_steps" and traj.steps == 7  # even though θ sat at 2 from step 1


def test_a_rejected_search_proposal_is_not_convergence():
    traj = run("rosenbrock", "random-local-search", lr=0.5, steps=200, tol=1e-3, seed=1)
    assert traj.status == "max_steps" and traj.steps == 200


def test_zero_steps_is_just_the_start():
    traj = run("rosenbrock", "adam", steps=0)
    assert traj.theta.tolist() == [[-1.5, 2.0]] and traj.status == "max_steps"


def test_a_start_whose_loss_overflows_is_diverged_at_step_zero():
    traj = run("rosenbrock", "gd", start=[1e200, 0.0])
    assert traj.status == "diverged" and traj.diverged_at == 0 and traj.steps == 0


def test_trajectory_arrays_are_frozen():
    traj = run("bowl", "gd", steps=3)
    with pytest.raises(ValueError, match="read-only"):
        traj.theta[0, 0] = 1.0


@pytest.mark.parametrize(
    ("spec", "rates"),
    [
        ("constant", [1.0, 1.0, 1.0, 1.0, 1.0]),
        ("step:every=2,gamma=0.5", [1.0, 1.0, 0.5, 0.5, 0.25]),
        ("time:beta=1", [1.0, 1 / 2, 1 / 3, 1 / 4, 1 / 5]),
        ("exp:beta=0.5", [math.exp(-0.5 * k) for k in range(5)]),
    ],
    ids=["constant", "step", "time", "exp"],
)
def test_schedules_give_the_rate_for_k_steps_taken(spec, rates):
    kind, params = parse_schedule(spec)
    sched = make_schedule(kind, 1.0, **params)
    assert [sched(k) for k in range(5)] == pytest.approx(rates, rel=1e-15)
    traj = run("secret-number", "gd", lr=0.1, steps=5, schedule=spec)
    assert traj.lr.tolist() == pytest.approx([0.1 * r for r in rates], rel=1e-15)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("warp", "unknown schedule 'warp'; choose one of: constant, step, time, exp"),
        ("step:evry=2", "schedule step has no parameter 'evry'; it takes: every, gamma"),
        ("step:every", "schedule step: expected NAME=VALUE, got 'every'"),
        ("step:every=x", "schedule step: every must be a number, got 'x'"),
        ("step:every=2.5", "schedule step: every must be a whole number ≥ 1, got 2.5"),
        ("step:gamma=2", "schedule step: gamma must be a number in (0, 1], got 2"),
        ("time:beta=-1", "schedule time: beta must be a number > 0, got -1"),
    ],
    ids=["unknown", "misspelt", "no-value", "not-a-number", "fraction", "gamma-above-one", "negative"],
)
def test_bad_schedules_are_named(spec, message):
    with pytest.raises(ConfigError) as err:
        run("secret-number", "gd", schedule=spec)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"problem": "nope"}, "unknown problem 'nope'; choose one of: secret-number,"),
        ({"optimizer": "nope"}, "unknown optimizer 'nope'; choose one of: gd, sgd,"),
        ({"start": [1.0]}, "rosenbrock takes a start point of 2 coordinates, got 1"),
        ({"start": [np.nan, 1.0]}, "the start point must be finite"),
        ({"steps": -1}, "steps must be a whole number ≥ 0, got -1"),
        ({"steps": 2.5}, "steps must be a whole number ≥ 0, got 2.5"),
        ({"lr": 0.0}, "the learning rate must be a number > 0, got 0.0"),
        ({"lr": np.inf}, "the learning rate must be a number > 0, got inf"),
        ({"tol": -1}, "tol must be a number ≥ 0, got -1"),
        ({"seed": -3}, "seed must be a whole number ≥ 0, got -3"),
        ({"batch_size": 2}, "rosenbrock has no data set, so it takes no batch size"),
        ({"optimizer": "sgd"}, "sgd samples examples from a data set; choose one of: secret-number,"),
        ({"optimizer": "random-search", "lr": 0.1}, "random-search takes no learning rate"),
    ],
    ids=lambda v: "" if isinstance(v, str) else "-".join(f"{k}={v}" for k, v in v.items()),
)
def test_bad_settings_raise_one_line_naming_what_is_valid(kwargs, message):
    args = {"problem": "rosenbrock", "optimizer": "gd", **kwargs}
    with pytest.raises(ConfigError) as err:
        run(args.pop("problem"), args.pop("optimizer"), **args)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("optimizer", "batch", "message"),
    [
        ("gd", 0, "batch size must be between 1 and 4 (secret-number has 4 examples), got 0"),
        ("sgd", 5, "batch size must be between 1 and 4 (secret-number has 4 examples), got 5"),
        ("newton", 2, "newton uses the whole data set, so it takes no batch size"),
        ("random-search", 2, "random-search uses the whole data set, so it takes no batch size"),
    ],
)
def test_batch_sizes_are_checked(optimizer, batch, message):
    with pytest.raises(ConfigError) as err:
        run("secret-number", optimizer, batch_size=batch)
    assert str(err.value) == message


@pytest.mark.parametrize("name", [n for n, p in PROBLEMS.items() if p.is_data])
@pytest.mark.parametrize("optimizer", ["gd", "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"])
def test_mini_batch_with_all_examples_is_the_full_batch_trajectory(name, optimizer):
    n = PROBLEMS[name].n_examples
    full = run(name, "gd" if optimizer == "sgd" else optimizer, lr=0.01, steps=30, seed=4)
    sampled = run(name, optimizer, lr=0.01, steps=30, batch_size=n, seed=4)
    assert np.array_equal(sampled.theta, full.theta)
    assert sampled.settings["batch_size"] == full.settings["batch_size"] == n


def test_sgd_visits_every_example_once_per_epoch():
    # noisy-secret-number: example i has gradient 2(θ − cᵢ) with offsets c = y − x = 1, 3, 0, 4, so the
    # example behind each SGD step is recovered from θ and the step: c = θ − g/2 with g = −Δθ/α.
    alpha = 0.05
    traj = run("noisy-secret-number", "sgd", lr=alpha, steps=40, seed=11)
    theta = traj.theta[:, 0]
    used = np.rint(theta[:-1] + np.diff(theta) / (2 * alpha)).astype(int)
    epochs = used.reshape(10, 4)
    assert all(sorted(e) == [0, 1, 3, 4] for e in epochs)
    assert len({tuple(e) for e in epochs}) > 1  # reshuffled, not one fixed order


def test_sampler_partitions_the_data_every_epoch_with_a_short_last_batch():
    sampler = _Sampler(10, 4, np.random.default_rng(0))
    for _ in range(3):
        batches = [sampler() for _ in range(3)]
        assert [len(b) for b in batches] == [4, 4, 2]
        assert sorted(np.concatenate(batches).tolist()) == list(range(10))
        assert all(np.all(np.diff(b) > 0) for b in batches)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum"])
def test_a_seed_reproduces_a_stochastic_run_bit_for_bit(optimizer):
    a = run("linear-regression", optimizer, lr=0.01, batch_size=3, steps=50, seed=7)
    b = run("linear-regression", optimizer, lr=0.01, batch_size=3, steps=50, seed=7)
    c = run("linear-regression", optimizer, lr=0.01, batch_size=3, steps=50, seed=8)
    assert np.array_equal(a.theta, b.theta) and np.array_equal(a.loss, b.loss)
    assert not np.array_equal(a.theta, c.theta)


@pytest.mark.parametrize("optimizer", ["random-search", "random-local-search"])
def test_a_seed_reproduces_a_search(optimizer):
    a, b = (run("himmelblau", optimizer, steps=100, seed=2) for _ in range(2))
    assert np.array_equal(a.theta, b.theta)
    assert not np.array_equal(a.theta, run("himmelblau", optimizer, steps=100, seed=3).theta)


def test_settings_record_every_value_used_defaults_included():
    s = run("linear-regression", "adam", steps=3).settings
    assert s == {
        "lr": 0.1,
        "hyperparameters": {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
        "steps": 3,
        "start": [-1.0, -1.0],
        "batch_size": 20,
        "seed": 0,
        "schedule": {"kind": "constant"},
        "tol": 0.0,
    }
    assert run("bowl", "momentum", schedule="step", steps=1).settings["schedule"] == {
        "kind": "step",
        "every": 10,
        "gamma": 0.5,
    }


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_stepping_one_at_a_time_equals_running_to_the_end(optimizer):
    problem = "linear-regression"
    lr = None if optimizer == "random-search" else 0.01
    whole = run(problem, optimizer, lr=lr, steps=25, seed=5)
    live = Stepper(problem, optimizer, lr=lr, steps=25, seed=5)
    seen = [live.theta.copy()]
    while live.step():
        seen.append(live.theta.copy())
    assert live.done and not live.step()
    assert np.array_equal(np.array(seen), whole.theta)
    live.reset()
    assert live.k == 0 and np.array_equal(live.theta, whole.theta[0])
    assert np.array_equal(live.run().trajectory().theta, whole.theta)


def test_the_stepper_exposes_the_optimizer_state_for_the_ui():
    live = Stepper("bowl", "momentum", lr=0.05)
    live.step()
    g = PROBLEMS["bowl"].grad(np.array([-4.0, 1.5]))
    assert live.state.velocity.tolist() == pytest.approx((-0.05 * g).tolist())
    assert live.grad.tolist() == g.tolist() and live.lr == 0.05 and live.k == 1
    assert live.loss == pytest.approx(PROBLEMS["bowl"].f(live.theta))


def test_run_for_a_number_of_steps_then_continue():
    live = Stepper("rosenbrock", "adam", steps=100)
    live.run(10)
    assert live.k == 10 and live.status is None
    live.run()
    assert live.k == 100 and live.status == "max_steps"


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam", "newton"])
def test_a_sweep_of_learning_rates_equals_the_separate_runs(optimizer):
    lrs = np.array([1e-4, 3e-4, 1e-3, 2e-3])
    swept = sweep("rosenbrock", optimizer, lr=lrs, steps=40)
    assert swept.theta.shape == (41, 4, 2) and swept.loss.shape == (41, 4)
    for i, lr in enumerate(lrs):
        single = run("rosenbrock", optimizer, lr=lr, steps=40)
        assert np.allclose(swept.theta[:, i], single.theta, rtol=1e-13, atol=0)


def test_a_sweep_freezes_runs_that_diverge_and_continues_the_rest():
    swept = sweep("bowl", "gd", lr=[0.05, 0.19, 0.25], steps=400)
    assert swept.status.tolist() == ["max_steps", "max_steps", "diverged"]
    stop = int(swept.stopped_at[2])
    assert 0 < stop < 400 and np.all(swept.theta[stop:, 2] == swept.theta[stop, 2])
    assert np.all(np.isfinite(swept.theta)) and np.all(np.isfinite(swept.loss))
    single = run("bowl", "gd", lr=0.25, steps=400)
    assert single.diverged_at == stop and np.array_equal(single.theta[-1], swept.theta[-1, 2])


def test_a_sweep_of_start_points_with_tolerance_converges_each_run():
    starts = np.array([[4.0, 1.0], [-3.0, -1.5], [0.5, 0.2]])
    swept = sweep("bowl", "gd", start=starts, lr=0.1, steps=1000, tol=1e-10)
    assert swept.status.tolist() == ["converged"] * 3
    assert np.allclose(swept.theta[-1], 0.0, atol=1e-8)


def test_a_sweep_needs_several_runs():
    with pytest.raises(ConfigError, match="a sweep needs several"):
        sweep("bowl", "gd", lr=0.1)
    with pytest.raises(ConfigError, match="3 learning rates do not match 2 start points"):
        sweep("bowl", "gd", lr=[0.1, 0.2, 0.3], start=np.zeros((2, 2)))


def test_optimizer_objects_can_be_passed_in():
    traj = run("bowl", get_optimizer("momentum", momentum=0.5), lr=0.1, steps=2)
    assert traj.settings["hyperparameters"] == {"momentum": 0.5}


@pytest.mark.parametrize("optimizer", ["random-search", "random-local-search"])
def test_a_search_evaluates_the_loss_once_per_step_and_records_the_loss_of_each_point(optimizer):
    # The runner reuses the loss the search computed for a proposal it kept, instead of evaluating the
    # kept point again; every recorded loss is still exactly L at its point.
    bowl = PROBLEMS["bowl"]
    calls = []

    class CountingBowl(type(bowl)):
        def f(self, theta, batch=None):
            calls.append(1)
            return super().f(theta, batch)

    counting = CountingBowl(**{name: getattr(bowl, name) for name in bowl.__dataclass_fields__})
    settings = {"steps": 300, "seed": 2, **({"lr": 0.5} if optimizer == "random-local-search" else {})}
    traj = run(counting, optimizer, **settings)
    kept = int(np.sum(np.diff(traj.loss) != 0))
    assert kept > 5 and len(calls) == 1 + 300  # the start, then one proposal per step
    assert traj.loss.tolist() == [float(bowl.f(t)) for t in traj.theta]
    again = run("bowl", optimizer, **settings)
    assert np.array_equal(again.theta, traj.theta) and np.array_equal(again.loss, traj.loss)


@pytest.mark.parametrize(("optimizer", "lr"), [("adam", 0.05), ("random-local-search", 0.1), ("gd", 0.0025)])
def test_a_live_runs_history_asked_every_few_steps_is_the_whole_run_so_far(optimizer, lr):
    """The live screen asks for the history every frame and gets it extended, not rebuilt: it must still be
    exactly the frozen run's θ and loss up to k, across a reset, and not writable by the caller."""
    whole = run("rosenbrock", optimizer, lr=lr, steps=300, seed=3)
    live = Stepper("rosenbrock", optimizer, lr=lr, steps=300, seed=3)
    for _ in range(2):  # the second pass after a reset
        theta, loss = live.history()
        assert theta.shape == (1, 2) and np.array_equal(loss, whole.loss[:1])
        while not live.done:
            live.run(7)
            theta, loss = live.history()
            k = live.k
            assert np.array_equal(loss, whole.loss[: k + 1])
            assert np.array_equal(theta, whole.theta[: len(loss)])
            assert live.history()[1] is loss  # nothing new: the same arrays
            with pytest.raises(ValueError):
                loss[0] = 0.0
        live.reset()
