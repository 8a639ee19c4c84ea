"""The runner's own loop for the searches (it draws each proposal with the optimizer's `propose`, weighs it
and keeps count itself, instead of calling `update`) against a run stepped by hand through the public
`update`, one step at a time: the same θ, losses, rates, states, statuses and random stream, bit for bit,
with the stepper advanced in chunks of any size."""

import itertools
import math

import numpy as np
import pytest

from gdtui.engine import PROBLEMS, Stepper, get_optimizer, get_problem, make_schedule, parse_schedule

SEARCHES = ("random-search", "random-local-search")


class _Cliff(type(PROBLEMS["bowl"])):
    """The bowl with a loss of −∞ for x > 3 (the first proposal kept there ends the run as diverged, and
    the point is dropped) and NaN for y < −1.5 (never lower, so never kept)."""

    def f(self, theta, batch=None):
        value = super().f(theta, batch)
        t = np.asarray(theta)
        return np.where(t[..., 1] < -1.5, np.nan, np.where(t[..., 0] > 3, -np.inf, value))[()]


_bowl = PROBLEMS["bowl"]
CLIFF = _Cliff(**{**{name: getattr(_bowl, name) for name in _bowl.__dataclass_fields__}, "name": "cliff"})


def by_hand(problem, optimizer, *, steps, seed, lr=None, schedule="constant", start=None):
    """The run as run.py's module docstring states it, with the optimizer's `update` called step by step:
    a zero step (a rejected proposal) keeps θ and L(θ); a step to a non-finite point ends the run as
    diverged without that point (or its state); |L| > 1e12 ends it after the point. Returns the points,
    losses, rates and states after each step, the status, diverged_at and the random stream's state."""
    p, opt = get_problem(problem), get_optimizer(optimizer)
    rng = np.random.default_rng(seed)
    kind, params = parse_schedule(schedule)
    sched = make_schedule(kind, opt.default_lr if lr is None else lr, **params) if opt.uses_lr else None
    low, high = np.array(p.box, dtype=float).T
    theta = np.array(p.start if start is None else start, dtype=float)
    loss = float(p.f(theta))
    state = opt.init(theta)
    thetas, losses, lrs, states = [theta], [loss], [], [state]
    status, diverged_at = "max_steps", None
    with np.errstate(all="ignore"):
        for k in range(steps):
            alpha = sched(k) if sched is not None else None
            given = {"loss_fn": p.f, "loss": loss, "rng": rng, "box": (low, high - low)}
            step, new_state = opt.update(None, state, theta, lr=alpha, **{n: given[n] for n in opt.needs})
            if step.any():
                new = theta + step
                new_loss = float(p.f(new))
                if not (math.isfinite(new_loss) and np.isfinite(new).all()):
                    status, diverged_at = "diverged", k + 1
                    break
                theta, loss = new, new_loss
            state = new_state
            thetas.append(theta)
            losses.append(loss)
            lrs.append(alpha)
            states.append(state)
            if abs(loss) > 1e12:
                status, diverged_at = "diverged", k + 1
                break
    return thetas, losses, lrs, states, status, diverged_at, rng.bit_generator.state


CASES = [
    ("random-search", "rosenbrock", {"seed": 0}),
    ("random-search", "himmelblau", {"seed": 3}),
    ("random-search", "wavy", {"seed": 1}),  # 1-D
    ("random-search", "linear-regression", {"seed": 2}),  # a data set
    ("random-search", "saddle", {"seed": 4, "start": [40.0, 0.5]}),  # starts far outside the box
    ("random-local-search", "rosenbrock", {"seed": 0, "lr": 0.01}),
    ("random-local-search", "rosenbrock", {"seed": 5, "lr": 0.5}),
    ("random-local-search", "two-squares", {"seed": 1, "lr": 0.3}),  # 1-D
    ("random-local-search", "logistic", {"seed": 2, "lr": 0.05}),  # a data set
    ("random-local-search", "svm-plane", {"seed": 6, "lr": 0.2, "schedule": "step:every=7,gamma=0.5"}),
    ("random-local-search", "himmelblau", {"seed": 7, "lr": 2.0, "schedule": "time:beta=0.3"}),
    # 1-D proposals θ ± α: the minimum at 2 is between them, so some proposals tie with L(θ) (not lower)
    ("random-local-search", "secret-number", {"seed": 0, "lr": 2.0}),
    ("random-local-search", "bowl", {"seed": 2, "lr": 1e-20, "start": [1.0, 1.0]}),  # θ + αu rounds to θ
]
# Runs that diverge: a kept point beyond the limit (the saddle is unbounded below), a loss of −∞.
DIVERGING = [
    ("random-local-search", "saddle", {"seed": 2, "lr": 1e5}),
    ("random-local-search", CLIFF, {"seed": 0, "lr": 2.0}),
    ("random-search", CLIFF, {"seed": 1}),
]


def _same(a, b) -> bool:
    """Bit for bit (−0.0 is not 0.0)."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and a.tobytes() == b.tobytes()


@pytest.mark.parametrize(("optimizer", "problem", "settings"), CASES + DIVERGING)
@pytest.mark.parametrize("sizes", [(1,), (1, 2, 7, 1, 30), (1000,)])
def test_the_search_loop_equals_the_update_stepped_by_hand(optimizer, problem, settings, sizes):
    assert get_optimizer(optimizer).propose is not None  # so the runner takes its own loop
    thetas, losses, lrs, states, status, diverged_at, rng_state = by_hand(
        problem, optimizer, steps=300, **settings
    )
    end = diverged_at or 300
    live = Stepper(problem, optimizer, steps=300, **settings)
    k = 0
    for size in itertools.cycle(sizes):  # after every chunk: where the run is, its history and its state
        live.run(size)
        k = min(k + size, end)
        n = min(k, len(thetas) - 1)  # points after the start so far (a dropped diverging point is not one)
        assert live.k == k and live.done == (k == end)
        assert _same(live.history()[0], thetas[: n + 1]) and _same(live.history()[1], losses[: n + 1])
        assert _same(live.theta, thetas[n]) and _same(live.loss, losses[n])
        assert live.state == states[n] and live.lr == (lrs[n - 1] if n else None) and live.grad is None
        if live.done:
            break
    traj = live.trajectory()
    assert traj.status == status and traj.diverged_at == diverged_at
    assert _same(traj.theta, thetas) and _same(traj.loss, losses)
    assert traj.lr is None if optimizer == "random-search" else _same(traj.lr, lrs)
    assert live.rng.bit_generator.state == rng_state  # the same draws, no more and no fewer
    live.reset()
    again = live.run().trajectory()
    assert _same(again.theta, thetas) and _same(again.loss, losses) and live.state == states[-1]


@pytest.mark.parametrize(("optimizer", "problem", "settings"), CASES + DIVERGING)
def test_the_cases_cover_kept_and_rejected_proposals_and_both_kinds_of_divergence(
    optimizer, problem, settings
):
    thetas, _, _, states, status, diverged_at, _ = by_hand(problem, optimizer, steps=300, **settings)
    moved = [a.tobytes() != b.tobytes() for a, b in itertools.pairwise(thetas)]
    assert not all(moved)  # rejected proposals, and kept ones unless every proposal is θ itself
    assert any(moved) != (settings.get("lr") == 1e-20)
    assert states[-1] == (len(thetas) - 1, sum(moved))  # (tried, accepted)
    diverges = (optimizer, problem, settings) in DIVERGING
    assert (status == "diverged") == diverges
    if diverges:  # the point beyond the limit is kept; the one with a loss of −∞ is dropped
        assert diverged_at == len(thetas) - 1 + (problem is CLIFF)
