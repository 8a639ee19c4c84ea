"""Numeric gradients by finite differences, and the gradient check that compares them with the analytic
gradient.

  forward:   ∂L/∂θᵢ ≈ (L(θ + h eᵢ) − L(θ)) / h            error O(h) from truncation, d + 1 evaluations
  centered:  ∂L/∂θᵢ ≈ (L(θ + h eᵢ) − L(θ − h eᵢ)) / 2h    error O(h²) from truncation, 2d evaluations
Round-off adds an error of about ε·|L|/h, so the total error is smallest at a middle h.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .errors import ConfigError, UnknownNameError

METHODS = ("forward", "centered")


def evaluations(dim: int, method: str = "centered") -> int:
    """How many loss evaluations one numeric gradient of a d-dimensional θ costs."""
    _check_method(method)
    return dim + 1 if method == "forward" else 2 * dim


def numeric_grad(
    f: Callable[[np.ndarray], np.ndarray], theta, h: float = 1e-5, method: str = "centered"
) -> np.ndarray:
    """Finite-difference gradient of f at θ (..., d), vectorized over leading axes."""
    _check_method(method)
    if not (np.isfinite(h) and h > 0):
        raise ConfigError(f"the step h must be a number > 0, got {h}")
    theta = np.asarray(theta, dtype=float)
    steps = h * np.eye(theta.shape[-1])
    plus = f(theta[..., None, :] + steps)
    if method == "forward":
        return (plus - np.asarray(f(theta))[..., None]) / h
    return (plus - f(theta[..., None, :] - steps)) / (2 * h)


def numeric_hessian(grad: Callable[[np.ndarray], np.ndarray], theta, h: float = 1e-5) -> np.ndarray:
    """Centered differences of the analytic gradient: H[..., i, :] ≈ (∇L(θ + h eᵢ) − ∇L(θ − h eᵢ)) / 2h."""
    theta = np.asarray(theta, dtype=float)
    steps = h * np.eye(theta.shape[-1])
    return (grad(theta[..., None, :] + steps) - grad(theta[..., None, :] - steps)) / (2 * h)


def relative_error(a, b) -> np.ndarray:
    """‖a − b‖ / max(‖a‖, ‖b‖) over the last axis; 0 where both are 0."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    num = np.linalg.norm(a - b, axis=-1)
    den = np.maximum(np.linalg.norm(a, axis=-1), np.linalg.norm(b, axis=-1))
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def gradient_check(problem, theta, hs=1e-5, method: str = "centered") -> np.ndarray:
    """Relative error between the analytic gradient of `problem` at θ and its numeric gradient for each
    step size in `hs` (a number or a sequence, e.g. np.logspace(-12, 0, 49) to plot error against h)."""
    theta = np.asarray(theta, dtype=float)
    exact = problem.grad(theta)
    errors = [relative_error(exact, numeric_grad(problem.f, theta, float(h), method)) for h in np.ravel(hs)]
    return np.reshape(np.array(errors), np.shape(hs) + np.shape(exact)[:-1])


def batch_gradient_variance(problem, theta, batch_sizes, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Measured: for each batch size B, the mean over `draws` random mini-batches of ‖g_B − g‖², where
    g_B = problem.grad(θ, batch) is the gradient SGD would step with and g = problem.grad(θ) the full-batch
    gradient at the point θ (d,). A batch is B distinct examples, drawn as the engine's sampler draws the
    first batch of an epoch (a fresh permutation of the examples, cut after B, sorted), so a batch of all
    N examples is the full batch and measures exactly 0. For one batch size, `draws` = k gives the mean of
    k calls with `draws` = 1 on the same generator. Returns shape (len(batch_sizes),)."""
    n, sizes, theta = _variance_args(problem, theta, batch_sizes)
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise ConfigError(f"draws must be a whole number ≥ 1, got {draws!r}")
    full = problem.grad(theta)
    out = np.empty(len(sizes))
    for i, b in enumerate(sizes):
        total = 0.0
        for _ in range(draws):
            dev = problem.grad(theta, np.sort(rng.permutation(n)[:b])) - full
            total += float(dev @ dev)
        out[i] = total / draws
    return out


def expected_batch_variance(problem, theta, batch_sizes) -> np.ndarray:
    """Exact: E‖g_B − g‖² for a batch of B distinct examples drawn uniformly (without replacement) from N,
        (1/B)·(N − B)/(N − 1)·σ²,   σ² = (1/N) Σᵢ ‖gᵢ − g‖²,
    from the per-example gradients gᵢ at θ (d,). It is 0 at B = N and σ² at B = 1. Returns shape
    (len(batch_sizes),)."""
    n, sizes, theta = _variance_args(problem, theta, batch_sizes)
    per = problem.example_grads(theta)  # (N, d)
    dev = per - per.mean(axis=0)
    sigma2 = float(np.mean(np.sum(dev * dev, axis=-1)))
    b = np.asarray(sizes, dtype=float)
    finite = (n - b) / (n - 1) if n > 1 else np.zeros_like(b)  # the finite-population correction
    return sigma2 * finite / b


def _variance_args(problem, theta, batch_sizes) -> tuple[int, list[int], np.ndarray]:
    if not getattr(problem, "is_data", False):
        raise ConfigError(f"{problem.name} has no data set to sample a batch from")
    n = problem.n_examples
    theta = np.asarray(theta, dtype=float)
    if theta.shape != (problem.dim,):
        raise ConfigError(f"{problem.name}: one point of dimension {problem.dim} expected, got {theta.shape}")
    sizes = [int(b) for b in np.ravel(batch_sizes)]
    bad = [b for b, raw in zip(sizes, np.ravel(batch_sizes), strict=True) if b != raw or not 1 <= b <= n]
    if bad:
        raise ConfigError(f"batch sizes must be whole numbers from 1 to {n}, got {bad[0]}")
    return n, sizes, theta


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise UnknownNameError("difference method", method, METHODS)


__all__ = [
    "METHODS",
    "batch_gradient_variance",
    "evaluations",
    "expected_batch_variance",
    "gradient_check",
    "numeric_grad",
    "numeric_hessian",
    "relative_error",
]
