"""Built-in objectives: f(θ), ∇f(θ) and ∇²f(θ), vectorized over points of shape (..., d). This module
holds the Problem base, the closed-form problems and the registry; the data-fitting problems are in
data_problems.py and the SVM slices in svm.py.

Every function takes θ with last axis d and returns f: (...), grad: (..., d), hessian: (..., d, d), so the
same code evaluates one point, a 200×200 plotting grid or 10,000 runs stepped together.

Data-fitting problems are means over a data set of examples; their `f`, `grad` and `hessian` take an
optional `batch` (an index array into the data set) and then average over those examples only, and they
also give per-example losses and gradients.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

import numpy as np

from .base import Problem, _ClosedForm, _stack, _stack2x2
from .data_problems import (
    LeastSquares,
    Logistic,
    SecretNumber,
    _least_squares_minimum,
    _line_features,
    _ones_feature,
    _regression_data,
    _speeding_tickets,
)
from .errors import UnknownNameError
from .svm import svm_problems


class TwoSquares(_ClosedForm):
    """L(θ) = (20 − 5θ)² + (41 − 12θ)²;  L′ = 338θ − 1184;  L″ = 338."""

    def f(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)[..., 0]
        return (20 - 5 * t) ** 2 + (41 - 12 * t) ** 2

    def grad(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)[..., 0]
        return (338 * t - 1184)[..., None]

    def hessian(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)[..., 0]
        return np.full((*t.shape, 1, 1), 338.0)


class Wavy(_ClosedForm):
    """L(θ) = sin 2θ · ln θ²  (L(0) = 0, its limit);
    L′ = 2 cos 2θ · ln θ² + 2 sin 2θ / θ;
    L″ = −4 sin 2θ · ln θ² + 8 cos 2θ / θ − 2 sin 2θ / θ².
    The slope is unbounded at θ = 0, so a run that lands there diverges.
    """

    def f(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)[..., 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.sin(2 * t) * np.log(t * t)
        return np.where(t == 0, 0.0, value)

    def grad(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)[..., 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            g = 2 * np.cos(2 * t) * np.log(t * t) + 2 * np.sin(2 * t) / t
        return np.where(t == 0, -np.inf, g)[..., None]

    def hessian(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)[..., 0]
        with np.errstate(divide="ignore", invalid="ignore"):
            s, c, lg = np.sin(2 * t), np.cos(2 * t), np.log(t * t)
            h = -4 * s * lg + 8 * c / t - 2 * s / (t * t)
        return np.where(t == 0, np.inf, h)[..., None, None]


class Bowl(_ClosedForm):
    """L = ½(x² + 10y²);  ∇L = (x, 10y);  H = diag(1, 10): condition number 10."""

    def f(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        return 0.5 * (t[..., 0] ** 2 + 10 * t[..., 1] ** 2)

    def grad(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        return t * np.array([1.0, 10.0])

    def hessian(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        return np.broadcast_to(np.diag([1.0, 10.0]), (*t.shape[:-1], 2, 2)).copy()


class Rosenbrock(_ClosedForm):
    """L = (1 − x)² + 100(y − x²)²;
    ∇L = (−2(1 − x) − 400x(y − x²), 200(y − x²));
    H = [[2 − 400(y − 3x²), −400x], [−400x, 200]]."""

    def f(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        x, y = t[..., 0], t[..., 1]
        return (1 - x) ** 2 + 100 * (y - x * x) ** 2

    def grad(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        x, y = t[..., 0], t[..., 1]
        r = y - x * x
        return _stack(-2 * (1 - x) - 400 * x * r, 200 * r)

    def hessian(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        x, y = t[..., 0], t[..., 1]
        return _stack2x2(2 - 400 * (y - 3 * x * x), -400 * x, np.full_like(x, 200.0))


class Himmelblau(_ClosedForm):
    """L = (x² + y − 11)² + (x + y² − 7)²; with a = x² + y − 11 and b = x + y² − 7:
    ∇L = (4xa + 2b, 2a + 4yb);  H = [[12x² + 4y − 42, 4(x + y)], [4(x + y), 4x + 12y² − 26]]."""

    def f(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        x, y = t[..., 0], t[..., 1]
        return (x * x + y - 11) ** 2 + (x + y * y - 7) ** 2

    def grad(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        x, y = t[..., 0], t[..., 1]
        a, b = x * x + y - 11, x + y * y - 7
        return _stack(4 * x * a + 2 * b, 2 * a + 4 * y * b)

    def hessian(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        x, y = t[..., 0], t[..., 1]
        return _stack2x2(12 * x * x + 4 * y - 42, 4 * (x + y), 4 * x + 12 * y * y - 26)


class Saddle(_ClosedForm):
    """L = x² − y²;  ∇L = (2x, −2y);  H = diag(2, −2). Unbounded below: a run that leaves y = 0 diverges."""

    def f(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        return t[..., 0] ** 2 - t[..., 1] ** 2

    def grad(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        return t * np.array([2.0, -2.0])

    def hessian(self, theta, batch=None):
        self._no_batch(batch)
        t = self._check(theta)
        return np.broadcast_to(np.diag([2.0, -2.0]), (*t.shape[:-1], 2, 2)).copy()


def _polish(problem: Problem, points: list[tuple[float, ...]], iterations: int = 30) -> tuple:
    """Newton-polish approximate minima to machine precision (θ ← θ − H⁻¹∇L), all points at once (this
    runs at import)."""
    theta = np.array(points, dtype=float).reshape(len(points), problem.dim)
    for _ in range(iterations):
        theta = theta - np.linalg.solve(problem.hessian(theta), problem.grad(theta)[..., None])[..., 0]
    return tuple(tuple(float(v) for v in p) for p in theta)


def _wavy_minima(problem: Problem) -> tuple:
    """Every local minimum of `wavy` inside its box: bracket sign changes of L′ on a fine grid, then
    polish with Newton."""
    ((lo, hi),) = problem.box
    ts = np.linspace(lo, hi, 20001)
    ts = ts[ts != 0]
    g = problem.grad(ts[:, None])[:, 0]
    a, b = ts[:-1], ts[1:]
    up = (g[:-1] < 0) & (g[1:] > 0) & (a * b > 0)
    return _polish(problem, [((x + y) / 2,) for x, y in zip(a[up].tolist(), b[up].tolist(), strict=True)])


def _build() -> dict[str, Problem]:

    problems: list[Problem] = []

    def secret(name, title, pairs, notes):
        x = np.array([p[0] for p in pairs], dtype=float)
        y = np.array([p[1] for p in pairs], dtype=float)
        return SecretNumber(
            name=name,
            title=title,
            formula="mean over the data of (x + θ − y)²",
            dim=1,
            start=(5.0,),
            box=((-2.0, 6.0),),
            minima=((float(np.mean(y - x)),),),
            notes=notes,
            x=x,
            y=y,
            features=np.ones((len(x), 1)),
            featurize=_ones_feature,
        )

    problems.append(
        secret(
            "secret-number",
            "The secret-number game",
            [(2, 4), (3, 5), (5, 7), (8, 10)],
            "Every pair says y = x + 2, so the loss is (θ − 2)² and reaches 0.",
        )
    )
    problems.append(
        secret(
            "noisy-secret-number",
            "The noisy secret-number game",
            [(2, 3), (3, 6), (5, 5), (8, 12)],
            "The pairs disagree; the best θ is their mean offset and some loss is left over.",
        )
    )
    problems.append(
        TwoSquares(
            name="two-squares",
            title="Two squares",
            formula="(20 − 5θ)² + (41 − 12θ)²",
            dim=1,
            start=(0.0,),
            box=((0.0, 7.0),),
            minima=((1184 / 338,),),
            notes="Setting L′ = 338θ − 1184 to zero gives θ = 1184/338.",
        )
    )
    wavy = Wavy(
        name="wavy",
        title="A wavy valley",
        formula="sin 2θ · ln θ²",
        dim=1,
        start=(-5.0,),
        box=((-6.0, 6.0),),
        notes="Several valleys: where gradient descent ends depends on where it starts.",
    )
    problems.append(_with_minima(wavy, _wavy_minima(wavy)))
    problems.append(
        Bowl(
            name="bowl",
            title="An ill-conditioned bowl",
            formula="½(x² + 10y²)",
            dim=2,
            start=(-4.0, 1.5),
            box=((-5.0, 5.0), (-2.0, 2.0)),
            minima=((0.0, 0.0),),
            notes="Curvature 1 along x and 10 along y: gradient descent zig-zags.",
        )
    )
    problems.append(
        Rosenbrock(
            name="rosenbrock",
            title="Rosenbrock's banana",
            formula="(1 − x)² + 100(y − x²)²",
            dim=2,
            start=(-1.5, 2.0),
            box=((-2.0, 2.0), (-1.0, 3.0)),
            minima=((1.0, 1.0),),
            notes="A long curved valley: easy to fall into, slow to follow.",
        )
    )
    himmelblau = Himmelblau(
        name="himmelblau",
        title="Himmelblau's function",
        formula="(x² + y − 11)² + (x + y² − 7)²",
        dim=2,
        start=(0.0, 0.0),
        box=((-5.0, 5.0), (-5.0, 5.0)),
        notes="Four minima, all with loss 0: the start decides which one you reach.",
    )
    problems.append(
        _with_minima(himmelblau, _polish(himmelblau, [(3.0, 2.0), (-2.8, 3.1), (-3.8, -3.3), (3.6, -1.8)]))
    )
    problems.append(
        Saddle(
            name="saddle",
            title="A saddle",
            formula="x² − y²",
            dim=2,
            start=(-2.0, 0.01),
            box=((-2.5, 2.5), (-2.5, 2.5)),
            notes="A stationary point at the origin that is not a minimum; no minimum at all.",
        )
    )
    rx, ry = _regression_data()
    phi = _line_features(rx)
    problems.append(
        LeastSquares(
            name="linear-regression",
            title="Fitting a line",
            formula="mean over the data of (m·x + b − y)²",
            dim=2,
            start=(-1.0, -1.0),
            box=((-2.0, 4.0), (-3.0, 6.0)),
            minima=_least_squares_minimum(phi, ry),
            notes="20 points near y = 1.5x + 2; θ = (m, b), the slope and the intercept.",
            x=rx,
            y=ry,
            features=phi,
            featurize=_line_features,
        )
    )
    sx, sy = _speeding_tickets()
    problems.append(
        Logistic(
            name="logistic",
            title="Speeding tickets",
            formula="mean cross-entropy of σ(w·speed + b)",
            dim=2,
            start=(0.0, 0.0),
            box=((-1.0, 3.0), (-100.0, 20.0)),
            minima=(),
            notes="The data are separable (no ticket up to 35, a ticket from 37), so the loss keeps "
            "falling as w grows along b ≈ −36w: there is no finite minimum.",
            x=sx,
            y=sy,
            features=_line_features(sx),
            featurize=_line_features,
        )
    )

    problems.extend(svm_problems())
    return {p.name: p for p in problems}


def _with_minima(problem: Problem, minima: tuple) -> Problem:
    return replace(problem, minima=minima)


PROBLEMS: Mapping[str, Problem] = MappingProxyType(_build())


def get_problem(name: str | Problem) -> Problem:
    """Look a problem up by its registry name (or pass a Problem through)."""
    if isinstance(name, Problem):
        return name
    try:
        return PROBLEMS[name]
    except KeyError:
        raise UnknownNameError("problem", name, PROBLEMS) from None


__all__ = ["PROBLEMS", "Problem", "get_problem"]
