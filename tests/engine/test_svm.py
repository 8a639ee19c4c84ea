"""The multiclass SVM behind `svm-slice` and `svm-plane`: the hinge loss at hand-computed points, the
slices against a direct loop over examples and classes, and the shape of a piecewise-linear convex loss."""

from itertools import combinations

import numpy as np
import pytest

from gdtui.engine import PROBLEMS, SVMSlice, multiclass_hinge_loss, run
from gdtui.engine.svm import svm_data

SLICE, PLANE = PROBLEMS["svm-slice"], PROBLEMS["svm-plane"]


def loop_hinge(w, x, y, delta=1.0):
    """L(W) written out as the definition: a plain loop over examples and wrong classes."""
    total = 0.0
    for xn, yn in zip(x, y, strict=True):
        correct = float(np.dot(w[yn], xn))
        for j in range(len(w)):
            if j != yn:
                total += max(0.0, float(np.dot(w[j], xn)) - correct + delta)
    return total / len(y)


def test_hinge_loss_at_hand_computed_points():
    x = np.array([[1.0, 0.0], [0.0, 2.0]])
    y = np.array([0, 2])
    w = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    # example 0: scores (1, 0, 0.5), true 0: max(0, 0 − 1 + 1) + max(0, 0.5 − 1 + 1) = 0 + 0.5
    # example 1: scores (0, 2, 1), true 2:   max(0, 0 − 1 + 1) + max(0, 2 − 1 + 1)   = 0 + 2
    assert multiclass_hinge_loss(w, x, y) == pytest.approx((0.5 + 2.0) / 2, abs=1e-15)
    # W = 0: every margin is Δ, so the loss is (C − 1)Δ, the "loss at initialisation" sanity check
    assert multiclass_hinge_loss(np.zeros((3, 2)), x, y) == 2.0
    assert multiclass_hinge_loss(np.zeros((3, 2)), x, y, delta=0.5) == 1.0
    stacked = np.stack([w, np.zeros((3, 2))])
    assert multiclass_hinge_loss(stacked, x, y).tolist() == [1.25, 2.0]


def test_a_one_margin_slice_is_a_hinge_with_the_stated_kink_convention():
    # one example, two classes, x = (1, 1); moving w₁ by a·(1, 0) gives the margin a + 1: f(a) = max(0, a + 1)
    p = SVMSlice(
        name="hinge",
        title="",
        formula="",
        dim=1,
        start=(0.0,),
        box=((-3.0, 3.0),),
        x=np.array([[1.0, 1.0]]),
        y=np.array([0]),
        w0=np.zeros((2, 2)),
        directions=np.array([[[0.0, 0.0], [1.0, 0.0]]]),
    )
    a = np.array([[-2.0], [-1.0], [-0.5], [2.0]])
    assert p.f(a).tolist() == [0.0, 0.0, 0.5, 3.0]
    assert p.grad(a)[:, 0].tolist() == [0.0, 0.0, 1.0, 1.0]  # at the kink a = −1 the term is inactive
    assert p.kinks().tolist() == [-1.0]
    assert p.slice_minimum() == (-3.0, 0.0)  # flat at 0 left of the kink: the first candidate is kept
    assert np.array_equal(p.hessian(a), np.zeros((4, 1, 1)))


def test_the_data_are_seeded_and_sized_as_documented():
    x, y, w0, directions = svm_data()
    again = svm_data(231)
    assert all(np.array_equal(a, b) for a, b in zip((x, y, w0, directions), again, strict=True))
    assert x.shape == (24, 3) and np.all(x[:, 2] == 1.0)
    assert np.bincount(y).tolist() == [8, 8, 8]
    assert w0.shape == (3, 3) and directions.shape == (2, 3, 3)
    assert np.array_equal(SLICE.x, x) and np.array_equal(PLANE.directions, directions)
    assert np.array_equal(SLICE.directions[0], PLANE.directions[0])


def test_the_slice_is_the_loss_along_one_direction():
    a = np.linspace(-3, 3, 61)
    direct = [loop_hinge(SLICE.w0 + t * SLICE.directions[0], SLICE.x, SLICE.y) for t in a]
    assert SLICE.f(a[:, None]) == pytest.approx(direct, rel=1e-13)
    weights = SLICE.weights(a[:, None])
    assert multiclass_hinge_loss(weights, SLICE.x, SLICE.y) == pytest.approx(direct, rel=1e-13)


def test_the_plane_is_the_loss_across_two_directions():
    ab = np.random.default_rng(1).uniform(-3, 3, (40, 2))
    w1, w2 = PLANE.directions
    direct = [loop_hinge(PLANE.w0 + a * w1 + b * w2, PLANE.x, PLANE.y) for a, b in ab]
    assert PLANE.f(ab) == pytest.approx(direct, rel=1e-13)


def test_the_plane_at_b_zero_is_the_slice():
    a = np.linspace(-3, 3, 121)
    on_axis = np.column_stack([a, np.zeros_like(a)])
    assert np.array_equal(PLANE.f(on_axis), SLICE.f(a[:, None]))
    assert np.array_equal(PLANE.grad(on_axis)[:, 0], SLICE.grad(a[:, None])[:, 0])


def test_the_slice_is_convex_and_piecewise_linear():
    a = np.linspace(-3, 3, 401)
    f = SLICE.f(a[:, None])
    i, j = np.triu_indices(len(a), k=1)
    mid = SLICE.f(((a[i] + a[j]) / 2)[:, None])
    assert np.all(mid <= (f[i] + f[j]) / 2 + 1e-12)  # midpoint convexity over every pair of grid points
    slopes = SLICE.grad(a[:, None])[:, 0]
    assert np.all(np.diff(slopes) >= 0)  # the slope only ever increases
    assert np.array_equal(SLICE.hessian(a[:, None]), np.zeros((len(a), 1, 1)))


def test_the_plane_is_convex():
    rng = np.random.default_rng(2)
    p, q = rng.uniform(-3, 3, (2, 2000, 2))
    assert np.all(PLANE.f((p + q) / 2) <= (PLANE.f(p) + PLANE.f(q)) / 2 + 1e-12)


def test_the_slice_minimum_is_a_kink_where_the_slope_changes_sign():
    a_min, f_min = SLICE.slice_minimum()
    kinks = SLICE.kinks()
    assert a_min in kinks.tolist()
    h = 1e-7
    assert SLICE.grad(np.array([a_min - h]))[0] < 0 < SLICE.grad(np.array([a_min + h]))[0]
    fine = SLICE.f(np.linspace(-3, 3, 60001)[:, None])
    assert f_min <= fine.min() + 1e-12
    assert SLICE.minima == () and PLANE.minima == ()  # no zero gradient anywhere: see the notes


def test_the_data_are_not_separable_so_the_loss_never_reaches_zero():
    # A point of class c inside a triangle of class-c′ points: the region a linear classifier gives c′ is
    # convex, so no W classifies them all correctly, and at least one hinge term is ≥ Δ > 0 for every W.
    pts, y = SLICE.x[:, :2], SLICE.y

    def inside(p, a, b, c):
        s = [(v - u)[0] * (p - u)[1] - (v - u)[1] * (p - u)[0] for u, v in ((a, b), (b, c), (c, a))]
        return all(v > 0 for v in s) or all(v < 0 for v in s)

    witnesses = [
        (n, c)
        for n in range(len(y))
        for c in set(y.tolist()) - {int(y[n])}
        if any(inside(pts[n], *pts[list(t)]) for t in combinations(np.flatnonzero(y == c), 3))
    ]
    assert witnesses
    grid = PLANE.grid(120)[2]
    assert grid.min() > 1.0 and SLICE.slice_minimum()[1] > 1.0


def test_newton_meets_a_singular_hessian_and_diverges():
    assert run("svm-slice", "newton", steps=5).status == "diverged"
    assert run("svm-plane", "newton", steps=5).status == "diverged"


def test_gradient_descent_settles_at_the_kink():
    a_min, _ = SLICE.slice_minimum()
    traj = run("svm-slice", "gd", lr=0.01, steps=400)
    assert traj.status == "max_steps"
    # a constant slope between kinks: gd walks down, then rattles within one step of the bottom kink
    biggest_step = 0.01 * np.max(np.abs(SLICE.grad(np.linspace(-3, 3, 601)[:, None])))
    assert np.all(np.abs(traj.theta[-50:, 0] - a_min) <= biggest_step)


def direct_f(p: SVMSlice, theta):
    """f as the formula reads, all hinge terms of every point at once: the reference for the fast path."""
    return np.maximum(p.margins(theta), 0.0).sum(axis=-1) / len(p.y)


def random_svm(n_examples: int, n_classes: int, dim: int, seed: int) -> SVMSlice:
    rng = np.random.default_rng(seed)
    return SVMSlice(
        name="random-svm",
        title="",
        formula="",
        dim=dim,
        start=(0.0,) * dim,
        box=((-3.0, 3.0),) * dim,
        x=np.column_stack([rng.normal(0, 1, (n_examples, 2)), np.ones(n_examples)]),
        y=rng.integers(0, n_classes, n_examples),
        w0=rng.normal(0, 1, (n_classes, 3)),
        directions=rng.normal(0, 1, (dim, n_classes, 3)),
    )


@pytest.mark.parametrize(
    ("n_examples", "n_classes", "dim"),
    [(2, 3, 2), (7, 2, 1), (7, 3, 2), (24, 3, 2), (70, 3, 2), (150, 3, 3), (65, 2, 2)],
    ids=["4 terms", "7 terms", "14 terms", "48 terms", "140 terms", "300 terms", "65 terms"],
)
def test_many_points_give_the_direct_formula_bit_for_bit(n_examples, n_classes, dim):
    # Below 8 hinge terms NumPy sums them one by one, up to 128 in eight interleaved partial sums, above
    # that in halves: the fast path must reproduce each order exactly.
    p = random_svm(n_examples, n_classes, dim, seed=n_examples)
    points = np.random.default_rng(0).uniform(-4, 4, (3000, dim))
    assert np.array_equal(p.f(points), direct_f(p, points))


def test_the_plane_on_a_plotting_grid_is_the_direct_formula_and_each_point_alone():
    xs, ys, values = PLANE.grid(200)
    mesh = np.stack(np.meshgrid(xs, ys), axis=-1)
    assert values.shape == (200, 200) and np.array_equal(values, direct_f(PLANE, mesh))
    assert np.array_equal(PLANE.f(mesh), values)
    rng = np.random.default_rng(4)
    for j, i in rng.integers(0, 200, (20, 2)):
        assert PLANE.f(mesh[j, i]) == values[j, i]  # a point alone: the direct formula on one point
    line = SLICE.f(np.linspace(-3, 3, 5000)[:, None])
    assert np.array_equal(line, direct_f(SLICE, np.linspace(-3, 3, 5000)[:, None]))


def test_the_fast_path_keeps_non_finite_points_non_finite():
    points = np.random.default_rng(5).uniform(-3, 3, (500, 2))
    points[[3, 40, 41]] = [[np.inf, 0.0], [np.nan, 1.0], [0.0, -np.inf]]
    with np.errstate(invalid="ignore"):
        fast, direct = PLANE.f(points), direct_f(PLANE, points)
    assert np.array_equal(fast, direct, equal_nan=True)
    assert not np.isfinite(fast[[3, 40, 41]]).any() and np.isfinite(np.delete(fast, [3, 40, 41])).all()


@pytest.mark.parametrize(
    "mesh",
    [
        "xy 200×200",
        "ij 150×90",
        "xy 301×250 (several chunks)",
        "one row",
        "one column",
        "constant",
        "scattered",
    ],
)
def test_points_of_any_batch_shape_give_the_direct_formula_bit_for_bit(mesh):
    a, b = np.linspace(-3, 3, 200), np.linspace(-2.5, 3, 200)
    points = {
        "xy 200×200": lambda: np.stack(np.meshgrid(a, b), axis=-1),
        "ij 150×90": lambda: np.stack(np.meshgrid(a[:150], b[:90], indexing="ij"), axis=-1),
        "xy 301×250 (several chunks)": lambda: np.stack(
            np.meshgrid(np.linspace(-4, 4, 301), b[:250]), axis=-1
        ),
        "one row": lambda: np.stack(np.meshgrid(a, b[:1]), axis=-1),
        "one column": lambda: np.stack(np.meshgrid(a[:1], b), axis=-1),
        "constant": lambda: np.full((30, 40, 2), 0.7),
        "scattered": lambda: np.random.default_rng(6).uniform(-3, 3, (60, 70, 2)),
    }[mesh]()
    fast = PLANE.f(points)
    assert fast.shape == points.shape[:-1] and np.array_equal(fast, direct_f(PLANE, points))
