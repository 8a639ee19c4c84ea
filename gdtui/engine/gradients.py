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


def _check_method(method: str) -> None:
    if method not in METHODS:
        raise UnknownNameError("difference method", method, METHODS)


__all__ = ["METHODS", "evaluations", "gradient_check", "numeric_grad", "numeric_hessian", "relative_error"]
