"""Analytic gradients and Hessians of every problem against centered differences, per-example gradients
of the data-fitting problems, and the finite-difference tools the "numeric vs analytic" lesson plots."""

import numpy as np
import pytest

from gdtui.engine import PROBLEMS, ConfigError, gradient_check, numeric_grad, numeric_hessian, relative_error
from gdtui.engine.base import _stack, _stack2x2
from gdtui.engine.gradients import evaluations


def sample_points(problem, n=25, seed=0):
    """Points spread over the box (and the default start and known minima); wavy avoids its pole at 0."""
    rng = np.random.default_rng(seed)
    box = np.array(problem.box)
    pts = box[:, 0] + (box[:, 1] - box[:, 0]) * rng.random((n, problem.dim))
    pts = np.vstack([pts, [problem.start], *([m] for m in problem.minima)])
    if problem.name == "wavy":
        pts = pts[np.abs(pts[:, 0]) > 0.3]
    return pts


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_analytic_gradient_matches_centered_differences(name):
    p = PROBLEMS[name]
    pts = sample_points(p)
    exact = p.grad(pts)
    scale = np.maximum(1.0, np.abs(pts))
    numeric = np.stack([numeric_grad(p.f, pt, h=1e-6 * s.max()) for pt, s in zip(pts, scale, strict=True)])
    err = np.linalg.norm(exact - numeric, axis=-1)
    tol = 1e-6 * np.maximum(1.0, np.linalg.norm(exact, axis=-1))
    assert np.all(err <= tol), f"{name}: worst {np.max(err / tol):.3g}× the tolerance"


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_analytic_hessian_matches_centered_differences_of_the_gradient(name):
    p = PROBLEMS[name]
    pts = sample_points(p)
    exact = p.hessian(pts)
    numeric = numeric_hessian(p.grad, pts, h=1e-6)
    assert exact.shape == (*pts.shape, p.dim)
    assert np.allclose(exact, np.swapaxes(exact, -1, -2), rtol=0, atol=0)  # symmetric, exactly
    err = np.abs(exact - numeric)
    assert np.all(err <= 1e-5 * np.maximum(1.0, np.abs(exact))), name


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_functions_keep_the_batch_shape_of_the_points(name):
    p = PROBLEMS[name]
    grid = np.zeros((3, 4, p.dim)) + np.array(p.start)
    assert p.f(grid).shape == (3, 4)
    assert p.grad(grid).shape == (3, 4, p.dim)
    assert p.hessian(grid).shape == (3, 4, p.dim, p.dim)
    assert p.f(grid)[2, 3] == p.f(np.array(p.start))


@pytest.mark.parametrize("name", list(PROBLEMS))
def test_known_minima_are_stationary_with_positive_curvature(name):
    p = PROBLEMS[name]
    for m in p.minima:
        m = np.array(m)
        assert np.linalg.norm(p.grad(m)) < 1e-9, name
        assert np.all(np.linalg.eigvalsh(p.hessian(m)) > 0), name
        lo, hi = np.array(p.box).T
        assert np.all((lo <= m) & (m <= hi)), name


def test_wavy_minima_are_every_valley_in_the_box():
    p = PROBLEMS["wavy"]
    ts = np.linspace(-6, 6, 120001)
    ts = ts[ts != 0]
    f = p.f(ts[:, None])
    local = ts[1:-1][(f[1:-1] < f[:-2]) & (f[1:-1] < f[2:])]
    assert [m[0] for m in p.minima] == pytest.approx(local.tolist(), abs=2e-4)
    assert len(p.minima) == 5


def test_wavy_at_its_pole_has_the_limit_value_and_an_infinite_slope():
    p = PROBLEMS["wavy"]
    assert p.f(np.array([0.0])) == 0.0
    assert p.grad(np.array([0.0]))[0] == -np.inf


DATA = [name for name, p in PROBLEMS.items() if p.is_data]


@pytest.mark.parametrize("name", DATA)
def test_per_example_gradients_average_to_the_gradient_and_match_their_own_losses(name):
    p = PROBLEMS[name]
    pts = sample_points(p, n=6)
    per = p.example_grads(pts)
    assert per.shape == (len(pts), p.n_examples, p.dim)
    assert np.allclose(per.mean(axis=1), p.grad(pts), rtol=1e-12, atol=1e-12)
    assert np.allclose(p.example_losses(pts).mean(axis=1), p.f(pts), rtol=1e-12, atol=0)
    for i in range(p.n_examples):
        numeric = numeric_grad(lambda t, i=i: p.example_losses(t)[..., i], pts, h=1e-6)
        assert np.allclose(per[:, i], numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", DATA)
def test_a_batch_averages_only_its_examples(name):
    p = PROBLEMS[name]
    pt = np.array(p.start) + 0.3
    batch = np.array([0, 2])
    assert np.allclose(p.grad(pt, batch), p.example_grads(pt)[batch].mean(axis=0), rtol=1e-13)
    assert np.allclose(p.f(pt, batch), p.example_losses(pt)[batch].mean(), rtol=1e-13)
    assert np.allclose(p.hessian(pt, np.arange(p.n_examples)), p.hessian(pt), rtol=1e-13)


def test_closed_form_problems_refuse_a_batch():
    with pytest.raises(ValueError, match="has no data set"):
        PROBLEMS["rosenbrock"].grad(np.zeros(2), np.array([0]))


def test_wrong_dimension_is_refused():
    with pytest.raises(ValueError, match="rosenbrock takes points of dimension 2"):
        PROBLEMS["rosenbrock"].f(np.zeros(3))


def test_forward_error_shrinks_like_h_and_centered_like_h_squared():
    p = PROBLEMS["rosenbrock"]
    theta = np.array([-1.2, 1.0])
    fwd = gradient_check(p, theta, [1e-2, 1e-3], method="forward")
    ctr = gradient_check(p, theta, [1e-2, 1e-3], method="centered")
    assert fwd[0] / fwd[1] == pytest.approx(10, rel=0.1)
    assert ctr[0] / ctr[1] == pytest.approx(100, rel=0.1)
    assert np.all(ctr < fwd)


def test_error_against_h_is_a_valley_where_truncation_meets_round_off():
    p = PROBLEMS["wavy"]
    hs = np.logspace(-14, -1, 27)
    err = gradient_check(p, np.array([-5.0]), hs, method="forward")
    best = int(np.argmin(err))
    assert 0 < best < len(hs) - 1
    assert err[0] > 100 * err[best] and err[-1] > 100 * err[best]
    assert 1e-10 < hs[best] < 1e-5  # near √ε ≈ 1.5e-8 for forward differences
    assert err.shape == hs.shape


def test_numeric_gradient_does_not_touch_its_input():
    theta = np.array([0.5, -0.25])
    before = theta.copy()
    numeric_grad(PROBLEMS["himmelblau"].f, theta)
    assert np.array_equal(theta, before)


def test_evaluations_count_forward_and_centered_differences():
    assert evaluations(2, "forward") == 3
    assert evaluations(2, "centered") == 4
    assert evaluations(1_000_000, "centered") == 2_000_000


def test_relative_error_is_zero_for_equal_and_one_for_opposite_vectors():
    assert relative_error([3.0, 4.0], [3.0, 4.0]) == 0.0
    assert relative_error([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert relative_error([1.0, 0.0], [-1.0, 0.0]) == 2.0


@pytest.mark.parametrize("bad", [0.0, -1e-3, float("nan")])
def test_a_step_h_must_be_positive(bad):
    with pytest.raises(ConfigError, match="the step h must be a number > 0"):
        numeric_grad(PROBLEMS["bowl"].f, np.zeros(2), h=bad)


@pytest.mark.parametrize("name", ["secret-number", "noisy-secret-number", "linear-regression"])
def test_predictions_at_the_data_give_back_the_squared_error_loss(name):
    p = PROBLEMS[name]
    pts = sample_points(p, n=5)
    residuals = p.predict(pts, p.x) - p.y
    assert np.allclose(np.mean(residuals**2, axis=-1), p.f(pts), rtol=1e-12)


def test_logistic_predictions_are_ticket_probabilities_that_give_back_the_cross_entropy():
    p = PROBLEMS["logistic"]
    pts = np.array([[0.0, 0.0], [0.5, -17.0], [1.0, -36.0], [0.2, -5.0]])  # σ not saturated at the data
    prob = p.predict(pts, p.x)
    assert np.all((prob > 0) & (prob < 1))
    cross_entropy = -np.mean(p.y * np.log(prob) + (1 - p.y) * np.log1p(-prob), axis=-1)
    assert np.allclose(cross_entropy, p.f(pts), rtol=1e-9)
    assert p.predict(np.array([1.0, -36.0]), np.array([36.0]))[0] == 0.5  # σ(0)


def test_components_stack_along_a_new_last_axis_broadcasting_constants():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert _stack(x, 5).tolist() == [[[1.0, 5.0], [2.0, 5.0]], [[3.0, 5.0], [4.0, 5.0]]]
    assert _stack(np.float64(1.5), np.float64(-2.0)).tolist() == [1.5, -2.0]  # one point
    h = _stack2x2(x, -x, 7)
    assert h.shape == (2, 2, 2, 2) and h.dtype == float
    assert h[1, 0].tolist() == [[3.0, -3.0], [-3.0, 7.0]]
