"""Sweeps: R runs stepped together equal the R separate runs bit for bit, whatever the optimizer, schedule,
batch or stopping rule; history written in place, and sweeps that keep only the final point."""

import importlib
import math

import numpy as np
import pytest

from gdtui.engine import OPTIMIZERS, PROBLEMS, ConfigError, Stepper, get_optimizer, make_schedule, run, sweep

LRS = np.array([1e-4, 1e-3, 1e-2, 0.05, 0.2])


def assert_runs_match(swept, singles, exact=True):
    """Run i of the sweep is the single run i up to the step where it stopped, then stays put. θ is the
    same bit for bit (`exact`; on a data set, a batch's matrix products may round differently from one
    point's). The loss may differ by an ulp: for one point NumPy computes `x ** 2` with C's pow, which
    is not always the correctly rounded x·x that the array square gives."""
    for i, single in enumerate(singles):
        stop = int(swept.stopped_at[i])
        assert stop == single.steps, i
        if exact:
            assert np.array_equal(swept.theta[: stop + 1, i], single.theta), i
        else:
            assert np.allclose(swept.theta[: stop + 1, i], single.theta, rtol=1e-13, atol=1e-15), i
        np.testing.assert_array_max_ulp(swept.loss[: stop + 1, i], single.loss, maxulp=1 if exact else 64)
        assert np.all(swept.theta[stop:, i] == swept.theta[stop, i])  # an ended run stays put
        assert np.all(swept.loss[stop:, i] == swept.loss[stop, i])
        assert swept.status[i] == single.status, i


# Every optimizer with a learning rate but sgd (it needs a data set) and the local search (a sweep draws one
# proposal per run from a shared stream, so its runs are not the single runs).
@pytest.mark.parametrize(
    "optimizer", [o for o in OPTIMIZERS if get_optimizer(o).uses_lr and o[0] not in "sr"]
)
@pytest.mark.parametrize("problem", ["rosenbrock", "himmelblau", "bowl", "wavy"])
def test_a_sweep_of_learning_rates_is_the_separate_runs_bit_for_bit(problem, optimizer):
    settings = {"steps": 60, "tol": 1e-9, "schedule": "step:every=9,gamma=0.7"}
    swept = sweep(problem, optimizer, lr=LRS, **settings)
    assert_runs_match(swept, [run(problem, optimizer, lr=lr, **settings) for lr in LRS])


def test_a_sweep_of_start_points_is_the_separate_runs_for_newton():
    starts = np.random.default_rng(3).uniform(-4, 4, (6, 2))
    swept = sweep("himmelblau", "newton", start=starts, steps=40)
    assert_runs_match(swept, [run("himmelblau", "newton", start=s, steps=40) for s in starts])


@pytest.mark.parametrize("optimizer", ["random-search", "random-local-search"])
def test_each_run_of_a_search_sweep_only_ever_moves_to_a_lower_loss(optimizer):
    starts = np.random.default_rng(3).uniform(-4, 4, (6, 2))
    live = Stepper("himmelblau", optimizer, start=starts, steps=60, seed=11).run()
    swept = live.sweep_result()
    assert swept.theta.shape == (61, 6, 2) and set(swept.status) == {"max_steps"}
    assert np.all(np.diff(swept.loss, axis=0) <= 0)
    moves = np.any(np.diff(swept.theta, axis=0) != 0, axis=-1).sum(axis=0)
    assert moves.tolist() == live.state.accepted.tolist() and live.state.tried == 60
    assert np.array_equal(swept.loss, PROBLEMS["himmelblau"].f(swept.theta))


@pytest.mark.parametrize("schedule", ["constant", "step:every=5,gamma=0.5", "time:beta=0.3", "exp:beta=0.1"])
@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_mini_batch_sweeps_with_schedules_are_the_separate_runs(optimizer, schedule):
    settings = {"steps": 45, "batch_size": 4, "seed": 5, "schedule": schedule}
    lrs = np.array([1e-3, 1e-2, 3e-2])
    swept = sweep("linear-regression", optimizer, lr=lrs, **settings)
    assert_runs_match(
        swept, [run("linear-regression", optimizer, lr=lr, **settings) for lr in lrs], exact=False
    )


def test_hyperparameters_apply_to_every_run_of_a_sweep():
    hyper = {"beta1": 0.5, "beta2": 0.9, "eps": 1e-4}
    swept = sweep("rosenbrock", "adam", lr=LRS, steps=50, hyper=hyper)
    assert_runs_match(swept, [run("rosenbrock", "adam", lr=lr, steps=50, hyper=hyper) for lr in LRS])
    assert swept.settings["hyperparameters"] == hyper


@pytest.mark.parametrize("optimizer", ["gd", "nesterov", "adam", "newton", "random-local-search"])
def test_a_sweep_without_history_ends_where_the_full_sweep_ends(optimizer):
    settings = {"steps": 80, "tol": 1e-7} if optimizer != "random-local-search" else {"steps": 80}
    lr = None if optimizer == "newton" else np.array([1e-3, 1e-2, 0.1, 0.3, 1.5])
    starts = np.random.default_rng(1).uniform(-2, 2, (5, 2))
    full = sweep("bowl", optimizer, lr=lr, start=starts, **settings)
    final = sweep("bowl", optimizer, lr=lr, start=starts, history=False, **settings)
    assert final.theta.shape == (1, 5, 2) and final.loss.shape == (1, 5)
    assert np.array_equal(final.final_theta, full.final_theta) and np.array_equal(
        final.final_loss, full.loss[-1]
    )
    assert np.array_equal(final.status, full.status) and np.array_equal(final.stopped_at, full.stopped_at)
    assert final.settings == full.settings


def test_a_sweep_with_diverging_runs_and_no_history_keeps_their_last_finite_point():
    swept = sweep("bowl", "gd", lr=[0.05, 0.19, 0.25], steps=400, history=False)
    single = run("bowl", "gd", lr=0.25, steps=400)
    assert swept.status.tolist() == ["max_steps", "max_steps", "diverged"]
    assert np.array_equal(swept.final_theta[2], single.theta[-1]) and swept.final_loss[2] == single.loss[-1]


def test_history_false_is_for_sweeps_only():
    with pytest.raises(ConfigError, match="history=False is for sweeps"):
        Stepper("bowl", "gd", history=False)


def test_final_values_of_a_full_sweep_are_its_last_row():
    swept = sweep("bowl", "momentum", lr=LRS, steps=20)
    assert swept.final_theta.shape == (5, 2) and np.array_equal(swept.final_theta, swept.theta[-1])
    assert np.array_equal(swept.final_loss, swept.loss[-1])


def test_sweep_results_are_read_only():
    for history in (True, False):
        swept = sweep("bowl", "adam", lr=LRS, steps=10, history=history)
        for a in (swept.theta, swept.loss, swept.status, swept.stopped_at):
            with pytest.raises(ValueError, match="read-only"):
                a[...] = 0


def test_stepping_a_sweep_in_pieces_equals_one_call_and_earlier_results_stay_put():
    whole = sweep("rosenbrock", "rmsprop", lr=LRS, steps=30, schedule="exp:beta=0.05")
    live = Stepper("rosenbrock", "rmsprop", lr=LRS, steps=30, schedule="exp:beta=0.05")
    live.run(7)
    early = live.sweep_result()
    history = live.history()
    assert early.theta.shape == (8, 5, 2) and np.array_equal(early.theta, whole.theta[:8])
    live.run(5)
    live.step()
    assert live.k == 13 and np.array_equal(early.theta, whole.theta[:8])  # not overwritten by later steps
    assert np.array_equal(history[0], whole.theta[:8]) and np.array_equal(history[1], whole.loss[:8])
    live.run()
    result = live.sweep_result()
    assert np.array_equal(result.theta, whole.theta) and np.array_equal(result.loss, whole.loss)
    assert np.array_equal(live.lr, LRS[:, None] * math.exp(-0.05 * 29))  # α of the last step, per run


def test_a_reset_sweep_starts_over_in_fresh_arrays():
    live = Stepper("bowl", "adam", lr=LRS, steps=15)
    first = live.run().sweep_result()
    live.reset()
    assert live.k == 0 and np.array_equal(live.theta, np.broadcast_to(PROBLEMS["bowl"].start, (5, 2)))
    assert np.array_equal(live.state.m, np.zeros((5, 2)))
    second = live.run().sweep_result()
    assert np.array_equal(first.theta, second.theta) and first.theta is not second.theta


def test_a_sweep_without_history_steps_in_pieces_like_one_call():
    whole = sweep("himmelblau", "nesterov", lr=LRS / 10, steps=25, history=False)
    live = Stepper("himmelblau", "nesterov", lr=LRS / 10, steps=25, history=False)
    for _ in range(25):
        live.step()
        theta, loss = live.history()
        assert (
            theta.shape == (1, 5, 2)
            and np.array_equal(theta[0], live.theta)
            and np.array_equal(loss[0], live.loss)
        )
    assert np.array_equal(live.sweep_result().theta, whole.theta)


def test_the_sweep_exposes_the_state_and_gradient_of_the_last_step():
    live = Stepper("bowl", "momentum", lr=LRS, steps=3)
    live.run()
    singles = [Stepper("bowl", "momentum", lr=lr, steps=3).run() for lr in LRS]
    assert np.array_equal(live.state.velocity, np.array([s.state.velocity for s in singles]))
    assert np.array_equal(live.grad, np.array([s.grad for s in singles]))


def test_an_empty_sweep_ends_at_once():
    swept = sweep("bowl", "gd", lr=[], steps=5)
    assert swept.theta.shape[1:] == (0, 2) and swept.status.size == 0


def test_schedule_rate_is_the_factor_on_the_base_rate():
    sched = make_schedule("step", np.array([[0.1], [0.2]]), every=3, gamma=0.5)
    for k in range(10):
        assert np.array_equal(sched(k), sched.lr * sched.rate(k))
    assert make_schedule("constant", 0.3).rate(7) == 1.0


def test_a_long_sweep_grows_its_history_and_earlier_results_keep_their_arrays(monkeypatch):
    run_module = importlib.import_module("gdtui.engine.run")  # (the package's `run` is the function)
    monkeypatch.setattr(run_module, "_HISTORY_BYTES", 3 * 8 * (5 * 2 + 5))  # room for 3 rows at first
    live = Stepper("rosenbrock", "momentum", lr=LRS / 100, steps=40)
    assert len(live._theta_rows) == 3
    live.run(2)
    early = live.sweep_result()
    live.run()
    assert len(live._theta_rows) == 41  # 3 → 6 → 12 → 24 → 41, the budget
    monkeypatch.undo()
    whole = sweep("rosenbrock", "momentum", lr=LRS / 100, steps=40)
    assert np.array_equal(live.sweep_result().theta, whole.theta)
    assert np.array_equal(live.sweep_result().loss, whole.loss)
    assert np.array_equal(early.theta, whole.theta[:3]) and np.array_equal(early.loss, whole.loss[:3])
