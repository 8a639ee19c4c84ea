"""Built-in objectives: f(θ), ∇f(θ) and ∇²f(θ), vectorized over points of shape (..., d).

Every function takes θ with last axis d and returns f: (...), grad: (..., d), hessian: (..., d, d), so the
same code evaluates one point, a 200×200 plotting grid or 10,000 runs stepped together.

Data-fitting problems are means over a data set of examples; their `f`, `grad` and `hessian` take an
optional `batch` (an index array into the data set) and then average over those examples only, and they
also give per-example losses and gradients.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

import numpy as np

from .errors import UnknownNameError

Array = np.ndarray
_GRID_CHUNK = 100_000  # points × examples per chunk of a grid evaluation


def _stack(*parts: Array | float) -> Array:
    """Stack same-shaped components along a new last axis: (gx, gy) -> (..., 2)."""
    return np.stack(np.broadcast_arrays(*parts), axis=-1)


def _stack2x2(hxx: Array, hxy: Array, hyy: Array) -> Array:
    """A symmetric 2×2 Hessian (..., 2, 2) from its three distinct entries."""
    return np.stack([_stack(hxx, hxy), _stack(hxy, hyy)], axis=-2)


@dataclass(frozen=True, eq=False)
class Problem:
    """A named objective with a default start, a plotting box and its known minima.

    `box` is one (low, high) pair per dimension. `minima` lists the local minima inside the box that are
    known in closed form or polished to machine precision (empty where none exist, e.g. `saddle`).
    """

    name: str
    title: str
    formula: str
    dim: int
    start: tuple[float, ...]
    box: tuple[tuple[float, float], ...]
    minima: tuple[tuple[float, ...], ...] = ()
    notes: str = ""

    @property
    def is_data(self) -> bool:
        return False

    @property
    def n_examples(self) -> int:
        return 0

    def _check(self, theta: Array) -> Array:
        theta = np.asarray(theta, dtype=float)
        if theta.ndim == 0 or theta.shape[-1] != self.dim:
            raise ValueError(f"{self.name} takes points of dimension {self.dim}, got shape {theta.shape}")
        return theta

    def f(self, theta: Array, batch: Array | None = None) -> Array:
        raise NotImplementedError

    def grad(self, theta: Array, batch: Array | None = None) -> Array:
        raise NotImplementedError

    def hessian(self, theta: Array, batch: Array | None = None) -> Array:
        raise NotImplementedError

    def grid(self, n: int = 200) -> tuple[Array, Array, Array]:
        """f on an n×n grid over the box (2-D) or n points (1-D): returns (xs, ys, values), values[j, i]
        at (xs[i], ys[j]). Evaluated in chunks so a data set's (points × examples) temporaries stay in
        cache (the values are the same as one call)."""
        axes = [np.linspace(lo, hi, n) for lo, hi in self.box]
        if self.dim == 1:
            return axes[0], np.empty(0), self.f(axes[0][:, None])
        points = np.empty((n * n, 2))
        points[:, 0] = np.tile(axes[0], n)
        points[:, 1] = np.repeat(axes[1], n)
        step = max(1, _GRID_CHUNK // max(1, self.n_examples))
        if step >= len(points):
            return axes[0], axes[1], self.f(points).reshape(n, n)
        values = np.empty(n * n)
        for i in range(0, len(points), step):
            values[i : i + step] = self.f(points[i : i + step])
        return axes[0], axes[1], values.reshape(n, n)


class _ClosedForm(Problem):
    """A problem with no data set: `batch` must be None."""

    def _no_batch(self, batch: Array | None) -> None:
        if batch is not None:
            raise ValueError(f"{self.name} has no data set to sample a batch from")


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


@dataclass(frozen=True, eq=False)
class DataProblem(Problem):
    """A mean loss over a data set of (x, y) pairs with a model that is linear in θ: z = Φθ, where
    Φ (N, d) is the feature matrix built from x. `batch` selects the examples to average over."""

    x: Array = field(default_factory=lambda: np.empty(0))
    y: Array = field(default_factory=lambda: np.empty(0))
    features: Array = field(default_factory=lambda: np.empty((0, 0)))
    featurize: Callable[[Array], Array] | None = None  # x (n,) -> Φ (n, d), the map that built `features`

    @property
    def is_data(self) -> bool:
        return True

    def predict(self, theta: Array, x: Array) -> Array:
        """The model's output at inputs x (n,) for parameters θ (..., d): shape (..., n)."""
        if self.featurize is None:
            raise ValueError(f"{self.name} has no feature map to predict with")
        z = self._check(theta) @ self.featurize(np.asarray(x, dtype=float)).T
        return self._output(z, np.asarray(x, dtype=float))

    def _output(self, z: Array, x: Array) -> Array:
        return z

    @property
    def n_examples(self) -> int:
        return len(self.y)

    def _rows(self, batch: Array | None) -> tuple[Array, Array, Array]:
        """(Φ, x, y) restricted to the batch (all examples when batch is None)."""
        if batch is None:
            return self.features, self.x, self.y
        batch = np.asarray(batch)
        if batch.size == 0:
            raise ValueError(f"{self.name}: a batch needs at least one example")
        return self.features[batch], self.x[batch], self.y[batch]

    def example_losses(self, theta: Array) -> Array:
        """Per-example losses, shape (..., N)."""
        raise NotImplementedError

    def example_grads(self, theta: Array) -> Array:
        """Per-example gradients, shape (..., N, d); their mean over N is `grad`."""
        raise NotImplementedError


class LeastSquares(DataProblem):
    """Squared error of a model linear in θ: ŷ = Φθ + offset(x).
    L = mean (r²) with r = ŷ − y;  ∇L = (2/B) Φᵀ r;  H = (2/B) ΦᵀΦ."""

    def _residual(self, theta, batch):
        phi, x, y = self._rows(batch)
        r = self._check(theta) @ phi.T
        r += self._offset(x) - y
        return r, phi

    def _offset(self, x: Array) -> Array:
        return np.zeros_like(x)

    def _output(self, z: Array, x: Array) -> Array:
        """ŷ = Φθ + offset(x)."""
        return z + self._offset(x)

    def f(self, theta, batch=None):
        r, _ = self._residual(theta, batch)
        r *= r
        return r @ np.full(r.shape[-1], 1.0 / r.shape[-1])  # the mean, as one BLAS call

    def grad(self, theta, batch=None):
        r, phi = self._residual(theta, batch)
        return (2.0 / phi.shape[0]) * (r @ phi)

    def hessian(self, theta, batch=None):
        phi, _, _ = self._rows(batch)
        t = self._check(theta)
        h = (2.0 / phi.shape[0]) * (phi.T @ phi)
        return np.broadcast_to(h, t.shape[:-1] + h.shape).copy()

    def example_losses(self, theta):
        r, _ = self._residual(theta, None)
        return r * r

    def example_grads(self, theta):
        r, phi = self._residual(theta, None)
        return 2.0 * r[..., None] * phi


class SecretNumber(LeastSquares):
    """The secret-number game: ŷ = x + θ, so Φ = [1] and the offset is x."""

    def _offset(self, x):
        return x


class Logistic(DataProblem):
    """Logistic regression, p = σ(wx + b), mean cross-entropy:
    L = mean(log(1 + eᶻ) − y z) with z = Φθ;  ∇L = (1/B) Φᵀ(p − y);  H = (1/B) Φᵀ diag(p(1 − p)) Φ."""

    def _output(self, z: Array, x: Array) -> Array:
        """p = σ(Φθ), the probability of a ticket."""
        return _sigmoid(z)

    def _z(self, theta, batch):
        phi, _, y = self._rows(batch)
        return self._check(theta) @ phi.T, phi, y

    def f(self, theta, batch=None):
        z, _, y = self._z(theta, batch)
        out = _softplus(z)
        z *= y
        out -= z
        return out @ np.full(out.shape[-1], 1.0 / out.shape[-1])  # the mean, as one BLAS call

    def grad(self, theta, batch=None):
        z, phi, y = self._z(theta, batch)
        return ((_sigmoid(z) - y) @ phi) / phi.shape[0]

    def hessian(self, theta, batch=None):
        z, phi, _ = self._z(theta, batch)
        p = _sigmoid(z)
        w = p * (1 - p)
        return np.einsum("...n,ni,nj->...ij", w, phi, phi) / phi.shape[0]

    def example_losses(self, theta):
        z, _, y = self._z(theta, None)
        return np.logaddexp(0.0, z) - y * z

    def example_grads(self, theta):
        z, phi, y = self._z(theta, None)
        return (_sigmoid(z) - y)[..., None] * phi


def _softplus(z: Array) -> Array:
    """log(1 + eᶻ) = max(z, 0) + log1p(e^(−|z|)), without overflow (the formula numpy's logaddexp uses,
    done in place)."""
    out = np.abs(z)
    np.negative(out, out=out)
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(z, 0.0)
    return out


def _sigmoid(z: Array) -> Array:
    """σ(z) = 1 / (1 + e⁻ᶻ), computed without overflow for large |z|."""
    return np.exp(-np.logaddexp(0.0, -z))


def _polish(problem: Problem, points: list[tuple[float, ...]], iterations: int = 30) -> tuple:
    """Newton-polish approximate minima to machine precision (θ ← θ − H⁻¹∇L)."""
    out = []
    for p in points:
        theta = np.array(p, dtype=float)
        for _ in range(iterations):
            theta = theta - np.linalg.solve(problem.hessian(theta), problem.grad(theta))
        out.append(tuple(float(v) for v in theta))
    return tuple(out)


def _wavy_minima(problem: Problem) -> tuple:
    """Every local minimum of `wavy` inside its box: bracket sign changes of L′ on a fine grid, then
    polish with Newton."""
    ((lo, hi),) = problem.box
    ts = np.linspace(lo, hi, 20001)
    ts = ts[ts != 0]
    g = problem.grad(ts[:, None])[:, 0]
    found = [
        ((a + b) / 2,)
        for a, b, ga, gb in zip(ts[:-1], ts[1:], g[:-1], g[1:], strict=True)
        if ga < 0 < gb and a * b > 0
    ]
    return _polish(problem, found)


def _speeding_tickets() -> tuple[Array, Array]:
    speeds = np.array([30.0, 33.0, 35.0, 37.0, 39.0])
    ticket = np.array([0.0, 0.0, 0.0, 1.0, 1.0])
    return speeds, ticket


def _regression_data() -> tuple[Array, Array]:
    """20 points from y = 1.5x + 2 plus Gaussian noise (σ = 0.5), x uniform in [0, 4]; seed 282."""
    rng = np.random.default_rng(282)
    x = np.sort(rng.uniform(0.0, 4.0, 20))
    y = 1.5 * x + 2.0 + rng.normal(0.0, 0.5, 20)
    return x, y


def _ones_feature(x: Array) -> Array:
    return np.ones((len(x), 1))


def _line_features(x: Array) -> Array:
    return np.stack([x, np.ones_like(x)], axis=-1)


def _least_squares_minimum(phi: Array, target: Array) -> tuple[tuple[float, ...], ...]:
    sol, *_ = np.linalg.lstsq(phi, target, rcond=None)
    return (tuple(float(v) for v in sol),)


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
    from .svm import svm_problems  # here, not at the top: svm.py subclasses this module's _ClosedForm

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


__all__ = ["PROBLEMS", "DataProblem", "Problem", "get_problem"]
