"""The Problem base: a named objective with f(θ), ∇f(θ) and ∇²f(θ) over points of shape (..., d), a start,
a plotting box and its known minima; and the base of problems with no data set."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Array = np.ndarray
_GRID_CHUNK = 100_000  # points × examples per chunk of a grid evaluation


def _stack(*parts: Array | float) -> Array:
    """Stack components along a new last axis: (gx, gy) -> (..., 2), as float. Written into one new array
    (several times cheaper than np.stack, which matters for a single point)."""
    out = np.empty((*_common_shape(parts), len(parts)))
    for i, part in enumerate(parts):
        out[..., i] = part
    return out


def _stack2x2(hxx: Array, hxy: Array, hyy: Array) -> Array:
    """A symmetric 2×2 Hessian (..., 2, 2) from its three distinct entries."""
    out = np.empty((*_common_shape((hxx, hxy, hyy)), 2, 2))
    out[..., 0, 0] = hxx
    out[..., 0, 1] = out[..., 1, 0] = hxy
    out[..., 1, 1] = hyy
    return out


def _common_shape(parts) -> tuple[int, ...]:
    shape = np.shape(parts[0])
    if any(np.shape(p) != shape for p in parts[1:]):
        shape = np.broadcast_shapes(*(np.shape(p) for p in parts))
    return shape


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
