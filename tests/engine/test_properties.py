"""Invariants checked with hypothesis over many generated inputs."""

import numpy as np
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gdtui.engine import OPTIMIZERS, PROBLEMS, STATUSES, get_optimizer, make_schedule, run
from gdtui.engine.data_problems import LeastSquares
from gdtui.engine.run import _Sampler

finite = st.floats(-10, 10, allow_nan=False, allow_infinity=False)
vectors = arrays(np.float64, 2, elements=finite)
FIRST_ORDER = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]


def quadratic(phi: np.ndarray, y: np.ndarray) -> LeastSquares:
    """A least-squares problem mean((Φθ − y)²): convex, with Hessian 2ΦᵀΦ/N."""
    return LeastSquares(
        name="random-quadratic",
        title="",
        formula="",
        dim=2,
        start=(0.0, 0.0),
        box=((-10.0, 10.0), (-10.0, 10.0)),
        x=np.zeros(len(y)),
        y=y,
        features=phi,
    )


well_posed = st.tuples(
    arrays(np.float64, (6, 2), elements=st.floats(-3, 3, allow_nan=False)),
    arrays(np.float64, 6, elements=st.floats(-5, 5, allow_nan=False)),
).filter(lambda a: np.linalg.svd(a[0], compute_uv=False).min() > 0.1 and np.linalg.cond(a[0]) < 1e3)


@settings(max_examples=60, deadline=None)
@given(name=st.sampled_from(list(OPTIMIZERS)), theta=vectors, g=vectors, lr=st.floats(1e-3, 1.0))
def test_updates_never_mutate_their_inputs(name, theta, g, lr):
    opt = get_optimizer(name)
    state = opt.init(theta)
    kwargs = {
        "hessian": np.eye(2),
        "loss_fn": PROBLEMS["bowl"].f,
        "loss": 1.0,
        "rng": np.random.default_rng(0),
        "box": np.array([[-1.0, 1.0], [-1.0, 1.0]]),
    }
    needs = {k: v for k, v in kwargs.items() if k in opt.needs}
    _, state = opt.update(g, state, theta, lr=lr, **needs)  # a non-zero state
    before = (theta.copy(), g.copy(), [np.copy(s) for s in state])
    with np.errstate(all="ignore"):
        opt.update(g, state, theta, lr=lr, **needs)
    assert np.array_equal(theta, before[0]) and np.array_equal(g, before[1])
    assert all(np.array_equal(a, b) for a, b in zip(state, before[2], strict=True))


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(list(PROBLEMS)), theta=vectors)
def test_problems_never_mutate_the_point(name, theta):
    p = PROBLEMS[name]
    point = theta[: p.dim].copy()
    assume(p.name != "wavy" or point[0] != 0)
    with np.errstate(all="ignore"):
        for fn in (p.f, p.grad, p.hessian):
            fn(point)
    assert np.array_equal(point, theta[: p.dim])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(data=well_posed, start=vectors, fraction=st.floats(0.01, 0.99))
def test_gd_decreases_a_convex_quadratic_when_lr_is_below_two_over_L(data, start, fraction):
    p = quadratic(*data)
    L = np.linalg.eigvalsh(p.hessian(start)).max()
    traj = run(p, "gd", lr=fraction * 2 / L, steps=50, start=start)
    assert traj.status == "max_steps"
    assert np.all(np.diff(traj.loss) <= 1e-12 * np.maximum(1.0, traj.loss[:-1]))


@settings(max_examples=40, deadline=None)
@given(lr=st.floats(0.21, 2.0), start=vectors)
def test_lr_above_two_over_L_diverges_on_the_bowl(lr, start):
    assume(abs(start[1]) > 1e-3)  # the stiff direction (curvature L = 10) must be excited
    traj = run("bowl", "gd", lr=lr, steps=3000, start=start)
    assert traj.status == "diverged"


@settings(max_examples=40, deadline=None)
@given(data=well_posed, start=vectors)
def test_newton_solves_any_convex_quadratic_in_one_step(data, start):
    p = quadratic(*data)
    solution, *_ = np.linalg.lstsq(p.features, p.y, rcond=None)
    traj = run(p, "newton", steps=1, start=start)
    assert np.allclose(traj.theta[1], solution, rtol=1e-8, atol=1e-8)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from([n for n, p in PROBLEMS.items() if p.is_data]),
    optimizer=st.sampled_from(FIRST_ORDER),
    lr=st.floats(1e-4, 0.05),
    seed=st.integers(0, 2**32),
)
def test_mini_batch_of_all_examples_equals_the_full_batch(name, optimizer, lr, seed):
    n = PROBLEMS[name].n_examples
    full = run(name, optimizer, lr=lr, steps=15)
    sampled = run(name, optimizer, lr=lr, steps=15, batch_size=n, seed=seed)
    assert np.array_equal(full.theta, sampled.theta)


@settings(max_examples=80, deadline=None)
@given(
    name=st.sampled_from(list(PROBLEMS)),
    optimizer=st.sampled_from(list(OPTIMIZERS)),
    log_lr=st.floats(-4, 1.5),
    seed=st.integers(0, 1000),
    unit=st.tuples(st.floats(0, 1), st.floats(0, 1)),
)
def test_every_trajectory_is_finite_consistent_and_ends_with_a_status(name, optimizer, log_lr, seed, unit):
    p = PROBLEMS[name]
    assume(optimizer != "sgd" or p.is_data)
    box = np.array(p.box)
    start = box[:, 0] + (box[:, 1] - box[:, 0]) * np.array(unit[: p.dim])
    lr = None if optimizer == "random-search" else 10.0**log_lr
    traj = run(p, optimizer, lr=lr, steps=60, start=start, seed=seed)
    assert traj.status in STATUSES
    assert np.all(np.isfinite(traj.theta)) and np.all(np.isfinite(traj.loss))
    assert traj.theta.shape == (traj.steps + 1, p.dim) and traj.loss.shape == (traj.steps + 1,)
    with np.errstate(all="ignore"):
        assert np.allclose(
            traj.loss, p.f(traj.theta), rtol=1e-12, atol=0
        )  # BLAS may round a stack differently
    if traj.status == "diverged":
        assert traj.diverged_at in (traj.steps, traj.steps + 1)
    else:
        assert traj.steps == 60 and np.all(np.abs(traj.loss) <= 1e12)


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["constant", "step", "time", "exp"]),
    lr=st.floats(1e-6, 10),
    k=st.integers(0, 10_000),
)
def test_schedules_never_rise_and_stay_positive(kind, lr, k):
    sched = make_schedule(kind, lr)
    assert sched(0) == lr
    assert 0 <= sched(k + 1) <= sched(k) <= lr


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 50), size=st.integers(1, 50), seed=st.integers(0, 2**32))
def test_every_epoch_of_mini_batches_partitions_the_data(n, size, seed):
    size = min(size, n)
    sampler = _Sampler(n, size, np.random.default_rng(seed))
    per_epoch = -(-n // size)
    for _ in range(2):
        seen = np.concatenate([sampler() for _ in range(per_epoch)])
        assert sorted(seen.tolist()) == list(range(n))
