"""Problems over many points at once (a plotting grid, a sweep): evaluating in chunks, as logistic's f and
Problem.grid do, gives exactly the values of smaller calls."""

import numpy as np
import pytest

from gdtui.engine import PROBLEMS
from gdtui.engine.data_problems import _CHUNK_ELEMENTS


def points_in_box(p, n, seed=0):
    lo, hi = np.array(p.box).T
    return lo + (hi - lo) * np.random.default_rng(seed).random((n, p.dim))


@pytest.mark.parametrize("name", [n for n, p in PROBLEMS.items() if p.is_data])
def test_f_on_many_points_equals_f_on_small_slices(name):
    p = PROBLEMS[name]
    points = points_in_box(p, 40_000)
    assert len(points) * p.n_examples > 4 * _CHUNK_ELEMENTS  # logistic takes several chunks here
    slices = np.concatenate([p.f(points[i : i + 500]) for i in range(0, len(points), 500)])
    assert np.array_equal(p.f(points), slices)
    grid = points.reshape(200, 200, p.dim)
    assert p.f(grid).shape == (200, 200) and np.array_equal(p.f(grid).ravel(), slices)


def test_logistic_f_on_a_batch_of_examples_is_the_mean_over_that_batch():
    """Against the definition, mean(log(1 + eᶻ) − y z), in extended precision: in doubles the definition
    itself loses up to ~1e-11 of the small losses to cancellation (log(1 + eᶻ) ≈ z when y = 1)."""
    p = PROBLEMS["logistic"]
    points = points_in_box(p, 9_000, seed=1)
    batch = np.array([0, 3])
    z = points.astype(np.longdouble) @ p.features[batch].T.astype(np.longdouble)
    expected = (np.logaddexp(np.longdouble(0), z) - p.y[batch] * z).mean(axis=-1)
    assert np.allclose(p.f(points, batch), expected.astype(float), rtol=1e-13, atol=0)
    slices = np.concatenate([p.f(points[i : i + 700], batch) for i in range(0, len(points), 700)])
    assert np.array_equal(p.f(points, batch), slices)


def test_grid_values_are_f_on_the_mesh():
    for name, p in PROBLEMS.items():
        xs, ys, values = p.grid(120)
        if p.dim == 1:
            assert np.array_equal(values, p.f(xs[:, None]))
        else:
            assert np.array_equal(values, p.f(np.stack(np.meshgrid(xs, ys), axis=-1))), name
