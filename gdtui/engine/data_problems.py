"""Data-fitting problems: a mean loss over a data set of (x, y) pairs with a model linear in θ, so SGD
and mini-batch can sample examples. Each gives per-example losses and gradients and `predict(θ, x)`.

  secret-number family  ŷ = x + θ                 squared error
  linear-regression     ŷ = m·x + b               squared error
  logistic              p = σ(w·x + b)            cross-entropy
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .base import Array, Problem


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
        """Many points (a plotting grid) go in chunks of about _CHUNK_ELEMENTS points × examples, so the
        temporaries of exp and log1p stay in cache and small enough for malloc to reuse (a single call
        on 40,000 points spends more time in page faults than in arithmetic); the values are those of
        one call."""
        t = self._check(theta)
        points = t.reshape(-1, self.dim)
        examples = self.n_examples if batch is None else np.size(batch)
        size = max(1, _CHUNK_ELEMENTS // max(1, examples))
        if len(points) <= size:
            return self._mean_loss(t, batch)
        out = np.empty(len(points))
        for i in range(0, len(points), size):
            out[i : i + size] = self._mean_loss(points[i : i + size], batch)
        return out.reshape(t.shape[:-1])

    def _mean_loss(self, theta, batch):
        """mean(log(1 + eᶻ) − y z) over the batch. With y ∈ {0, 1}, log(1 + eᶻ) − y z = log(1 + e^q) for
        q = (1 − 2y) z, so nothing cancels (q = ±z exactly: the sign goes into the features), and the logs
        of all examples are taken as one:
          Σ log(1 + e^qₙ) = Σ max(qₙ, 0) + log1p(D),  D = Π(1 + eₙ) − 1,  eₙ = e^(−|qₙ|) ∈ (0, 1],
        D built example by example as D ← D + eₙ(1 + D) (every term ≥ 0, nothing overflows): one log1p
        per point instead of one per example, log1p being most of the cost on a plotting grid.
        Elementwise only (no BLAS), so a point gives the same bits alone or among many."""
        phi, _, y = self._rows(batch)
        phi = phi * (1.0 - 2.0 * y)[:, None]
        t = self._check(theta)
        points = t.reshape(-1, self.dim)
        q = np.multiply.outer(phi[:, 0], points[:, 0])  # (B, P): one row per example
        for k in range(1, self.dim):
            q += np.multiply.outer(phi[:, k], points[:, k])
        e = np.abs(q)
        np.negative(e, out=e)
        np.exp(e, out=e)
        total = e[0].copy()  # D
        for row in e[1:]:
            row *= total + 1.0
            total += row
        np.log1p(total, out=total)
        np.maximum(q, 0.0, out=q)
        for row in q:
            total += row
        total /= len(y)
        return total.reshape(t.shape[:-1])

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
        return np.logaddexp(0.0, (1.0 - 2.0 * y) * z)  # log(1 + eᶻ) − y z without cancelling (see f)

    def example_grads(self, theta):
        z, phi, y = self._z(theta, None)
        return (_sigmoid(z) - y)[..., None] * phi


_CHUNK_ELEMENTS = 20_000  # points × examples per chunk of Logistic.f on many points


def _sigmoid(z: Array) -> Array:
    """σ(z) = 1 / (1 + e⁻ᶻ), computed without overflow for large |z|."""
    return np.exp(-np.logaddexp(0.0, -z))


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
