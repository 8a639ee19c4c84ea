"""Optimizers as pairs of pure functions: `init(θ) -> state` and `update(g, state, θ, *, lr, ...) -> (step,
state)`; the caller applies θ ← θ + step. Nothing here mutates its inputs.

Conventions (DESIGN.md): t counts steps from 1, g is the mean gradient over the batch, α the learning rate
of this step; every state starts at zero. All arrays broadcast over leading run axes, so one call steps
many runs at once; α and the hyperparameters may be arrays of shape (..., 1) for sweeps.

What an update needs beyond (g, state, θ, lr) it names in `needs` and receives by keyword:
  hessian — ∇²L(θ) (..., d, d);  loss_fn — L itself;  loss — L(θ);  rng — a numpy Generator;
  box — the problem's plotting box as (low, width) arrays of shape (d,).
An optimizer that wants the gradient somewhere other than θ gives `lookahead(θ, state) -> point`.

First-order optimizers also give `inplace(shape) -> InPlace`: the same update for many runs stepped together
(a sweep), computed with in-place NumPy operations into buffers made once for θ's shape, so updating
10,000 runs allocates nothing. It performs the same floating-point operations on the same operands as
`update`, so its results are identical bit for bit (tests/engine/test_inplace_updates.py checks each one);
the price is that it overwrites the arrays of the state it is given (see `InPlace`).

The searches also give `propose(rng, box, shape) -> draw`: the proposal their update weighs, for a runner
that weighs it and keeps count itself, one run at a time (see `Draw`).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np

from .errors import ConfigError, UnknownNameError

Array = np.ndarray


class GDState(NamedTuple):
    """Plain gradient descent keeps no state."""


class MomentumState(NamedTuple):
    velocity: Array


class NesterovState(NamedTuple):
    velocity: Array


class AdaGradState(NamedTuple):
    G: Array


class RMSPropState(NamedTuple):
    S: Array


class AdamState(NamedTuple):
    t: int  # steps taken; runs stepped together share it
    m: Array
    s: Array
    m_hat: Array
    s_hat: Array


class SearchState(NamedTuple):
    """How many proposals were tried and how many were kept (a lower loss)."""

    tried: int
    accepted: int


class InPlace(NamedTuple):
    """An optimizer's update for runs of one shape, in place. `update(g, state, θ, *, neg_lr) -> (step,
    state)` takes −α of θ's full shape (the update rules all start from −α, so passing it saves a
    negation per step; and no broadcasting: a (R, 1) operand against (R, d) is many times slower). It
    returns a step that lives in the kernel's own buffer until the next call, and updates the arrays of
    `state` in place, so each of them must be a separate array owned by the caller (`owned_state` makes
    them so). `lookahead(θ, state)`, when given, is the optimizer's look-ahead point in a reused buffer."""

    update: Callable[..., tuple[Array, Any]]
    lookahead: Callable[[Array, Any], Array] | None = None


# A search's draw: its `propose(rng, box, shape)` gives `draw(θ, α) -> θ′`, the next proposal for runs of
# θ's shape, from `rng` (and the plotting box, `box` = (low, width)). The search's `update` is
# `_keep_if_lower` of exactly this draw, so a runner that draws, weighs and counts the proposals itself
# (run.py's search loop: no update call, new state or zero step for a rejected proposal) gets the same
# results bit for bit.
Draw = Callable[[Array, Any], Array]


def owned_state(state: Any) -> Any:
    """A copy of a state NamedTuple with every array field a separate, writable array (init may share one
    zero array between fields), for an `InPlace` update to work on."""
    return type(state)(*(v.copy() if isinstance(v, np.ndarray) else v for v in state))


@dataclass(frozen=True)
class Optimizer:
    """An optimizer bound to its hyperparameters (`hyper`, every value in use)."""

    name: str
    init: Callable[[Array], Any]
    update: Callable[..., tuple[Array, Any]]
    hyper: Mapping[str, Any] = field(default_factory=dict)
    needs: frozenset[str] = frozenset()
    lookahead: Callable[[Array, Any], Array] | None = None
    default_lr: float | None = 0.1
    default_batch_size: int | None = None
    uses_grad: bool = True
    search: bool = False  # zero-order: proposes points and keeps the better one
    inplace: Callable[[tuple[int, ...]], InPlace] | None = None  # the update in place, for sweeps
    propose: Callable[..., Draw] | None = None  # a search's draw, for one run at a time (see `Draw`)

    @property
    def uses_lr(self) -> bool:
        return self.default_lr is not None

    @property
    def takes_batch(self) -> bool:
        """First-order methods average g over a batch; second-order and searches use the whole data set."""
        return self.uses_grad and "hessian" not in self.needs


def _zeros(theta: Array) -> Array:
    return np.zeros_like(np.asarray(theta, dtype=float))


def gd() -> Optimizer:
    """θ ← θ − α g (full batch)."""

    def update(g, state, theta, *, lr):
        return -lr * g, state

    return Optimizer("gd", lambda theta: GDState(), update, default_lr=0.1, inplace=_gd_inplace)


def _gd_inplace(shape) -> InPlace:
    step = np.empty(shape)

    def update(g, state, theta, *, neg_lr):
        return np.multiply(neg_lr, g, out=step), state

    return InPlace(update)


def sgd() -> Optimizer:
    """θ ← θ − α g with g the mean over a batch of examples (1 unless a batch size is given), reshuffled
    every epoch."""
    return Optimizer(
        "sgd", lambda theta: GDState(), gd().update, default_lr=0.1, default_batch_size=1, inplace=_gd_inplace
    )


def _velocity_update(mu, state_type):
    """v ← μ v − α g;  step = v."""

    def update(g, state, theta, *, lr):
        v = mu * state.velocity - lr * g
        return v, state_type(v)

    return update


def _velocity_inplace(mu, lookahead: bool):
    """`_velocity_update` in place (and the look-ahead point θ + μ v, for Nesterov)."""

    def inplace(shape) -> InPlace:
        tmp, point = np.empty(shape), np.empty(shape) if lookahead else None

        def update(g, state, theta, *, neg_lr):  # μv − αg = μv + (−α)g: negation is exact
            v = state.velocity
            v *= mu
            v += np.multiply(neg_lr, g, out=tmp)
            return v, state

        def ahead(theta, state):
            np.multiply(mu, state.velocity, out=point)
            return np.add(theta, point, out=point)

        return InPlace(update, ahead if lookahead else None)

    return inplace


def momentum(momentum: float = 0.9) -> Optimizer:
    """v ← μ v − α g;  θ ← θ + v."""
    return Optimizer(
        "momentum",
        lambda theta: MomentumState(_zeros(theta)),
        _velocity_update(momentum, MomentumState),
        {"momentum": momentum},
        default_lr=0.01,
        inplace=_velocity_inplace(momentum, lookahead=False),
    )


def nesterov(momentum: float = 0.9) -> Optimizer:
    """v ← μ v − α ∇L(θ + μ v);  θ ← θ + v. The gradient is taken at the look-ahead point θ + μ v."""
    mu = momentum
    return Optimizer(
        "nesterov",
        lambda theta: NesterovState(_zeros(theta)),
        _velocity_update(mu, NesterovState),
        {"momentum": momentum},
        lookahead=lambda theta, state: theta + mu * state.velocity,
        default_lr=0.01,
        inplace=_velocity_inplace(mu, lookahead=True),
    )


def adagrad(eps: float = 1e-10) -> Optimizer:
    """G ← G + g²;  θ ← θ − α g / (√G + ε)."""

    def update(g, state, theta, *, lr):
        G = state.G + g * g
        return -lr * g / (np.sqrt(G) + eps), AdaGradState(G)

    def inplace(shape) -> InPlace:
        tmp, step = np.empty(shape), np.empty(shape)

        def update_into(g, state, theta, *, neg_lr):
            G = state.G
            G += np.multiply(g, g, out=tmp)
            return _scaled_step(neg_lr, g, G, eps, step, tmp), state

        return InPlace(update_into)

    return Optimizer(
        "adagrad",
        lambda theta: AdaGradState(_zeros(theta)),
        update,
        {"eps": eps},
        default_lr=0.5,
        inplace=inplace,
    )


def _scaled_step(neg_lr, g, G, eps, step, tmp):
    """step = (−α) g / (√G + ε) into `step`, in the order the pure update computes it (`tmp` is
    overwritten)."""
    np.multiply(neg_lr, g, out=step)
    np.sqrt(G, out=tmp)
    tmp += eps
    step /= tmp
    return step


def rmsprop(rho: float = 0.9, eps: float = 1e-8) -> Optimizer:
    """S ← ρ S + (1 − ρ) g²;  θ ← θ − α g / (√S + ε)."""

    def update(g, state, theta, *, lr):
        S = rho * state.S + (1 - rho) * (g * g)
        return -lr * g / (np.sqrt(S) + eps), RMSPropState(S)

    def inplace(shape) -> InPlace:
        tmp, step = np.empty(shape), np.empty(shape)

        def update_into(g, state, theta, *, neg_lr):
            S = state.S
            S *= rho
            np.multiply(g, g, out=tmp)
            S += np.multiply(1 - rho, tmp, out=tmp)
            return _scaled_step(neg_lr, g, S, eps, step, tmp), state

        return InPlace(update_into)

    return Optimizer(
        "rmsprop",
        lambda theta: RMSPropState(_zeros(theta)),
        update,
        {"rho": rho, "eps": eps},
        default_lr=0.01,
        inplace=inplace,
    )


def adam(beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> Optimizer:
    """m ← β₁m + (1−β₁)g;  s ← β₂s + (1−β₂)g²;  m̂ = m/(1−β₁ᵗ);  ŝ = s/(1−β₂ᵗ);  θ ← θ − α m̂/(√ŝ + ε)."""

    def init(theta):
        z = _zeros(theta)
        return AdamState(0, z, z, z, z)

    def update(g, state, theta, *, lr):
        t = state.t + 1
        m = beta1 * state.m + (1 - beta1) * g
        s = beta2 * state.s + (1 - beta2) * (g * g)
        m_hat = m / (1 - beta1**t)
        s_hat = s / (1 - beta2**t)
        return -lr * m_hat / (np.sqrt(s_hat) + eps), AdamState(t, m, s, m_hat, s_hat)

    def inplace(shape) -> InPlace:
        tmp, step = np.empty(shape), np.empty(shape)

        def update_into(g, state, theta, *, neg_lr):
            t, m, s, m_hat, s_hat = state
            t += 1
            m *= beta1
            m += np.multiply(1 - beta1, g, out=tmp)
            s *= beta2
            np.multiply(g, g, out=tmp)
            s += np.multiply(1 - beta2, tmp, out=tmp)
            np.divide(m, 1 - beta1**t, out=m_hat)
            np.divide(s, 1 - beta2**t, out=s_hat)
            return _scaled_step(neg_lr, m_hat, s_hat, eps, step, tmp), AdamState(t, m, s, m_hat, s_hat)

        return InPlace(update_into)

    return Optimizer(
        "adam",
        init,
        update,
        {"beta1": beta1, "beta2": beta2, "eps": eps},
        default_lr=0.1,
        inplace=inplace,
    )


def newton() -> Optimizer:
    """θ ← θ − α H⁻¹g, by solving H Δ = g (never inverting H). A singular Hessian gives a non-finite step,
    which ends the run as diverged."""

    def update(g, state, theta, *, lr, hessian):
        return -lr * _solve(hessian, g), state

    return Optimizer("newton", lambda theta: GDState(), update, needs=frozenset({"hessian"}), default_lr=1.0)


def _solve(h: Array, g: Array) -> Array:
    """Solve H x = g over leading axes; a singular H gives NaN for that point instead of an exception."""
    try:
        return np.linalg.solve(h, g[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.full(np.broadcast_shapes(h.shape[:-1], g.shape), np.nan)
        for idx in np.ndindex(out.shape[:-1]):
            with contextlib.suppress(np.linalg.LinAlgError):
                out[idx] = np.linalg.solve(h[idx], g[idx])
        return out


def _keep_if_lower(theta, proposal, state, loss_fn, loss):
    """step = θ′ − θ where L(θ′) < L(θ), else 0."""
    better = loss_fn(proposal) < loss
    if better.ndim == 0:  # one run: plain Python is several times faster than np.where (and int(better))
        if better:
            return proposal - theta, SearchState(state.tried + 1, state.accepted + 1)
        return np.zeros(theta.shape), SearchState(state.tried + 1, state.accepted)
    step = np.where(better[..., None], proposal - theta, 0.0)
    return step, SearchState(state.tried + 1, state.accepted + better)


def _uniform_draw(rng, box, shape) -> Draw:
    """θ′ = low + width · U, U uniform in [0, 1)^d: a point anywhere in the box (θ and α unused)."""
    low, width = box
    uniform = rng.random

    def draw(theta, lr):
        return low + width * uniform(shape)

    return draw


def _direction_draw(rng, box, shape) -> Draw:
    """θ′ = θ + α·u/‖u‖, u standard normal: a step of length α in a uniformly random direction."""
    normal = rng.standard_normal
    if len(shape) == 1:

        def draw(theta, lr):
            u = normal(shape)
            # ‖u‖ = √(u·u), as np.linalg.norm computes it for a vector, without its checks and dispatch
            return theta + lr * (u / math.sqrt(u.dot(u)))

    else:

        def draw(theta, lr):
            u = normal(shape)
            return theta + lr * (u / np.linalg.norm(u, axis=-1, keepdims=True))

    return draw


def random_search() -> Optimizer:
    """Draw θ′ uniformly in the plotting box; keep it if its loss is lower."""

    def update(g, state, theta, *, lr, loss_fn, loss, rng, box):
        proposal = _uniform_draw(rng, box, theta.shape)(theta, lr)
        return _keep_if_lower(theta, proposal, state, loss_fn, loss)

    return Optimizer(
        "random-search",
        _search_init,
        update,
        needs=frozenset({"loss_fn", "loss", "rng", "box"}),
        default_lr=None,
        uses_grad=False,
        search=True,
        propose=_uniform_draw,
    )


def random_local_search() -> Optimizer:
    """θ′ = θ + α·u with u a uniformly random unit direction; keep it if its loss is lower."""

    def update(g, state, theta, *, lr, loss_fn, loss, rng):
        proposal = _direction_draw(rng, None, theta.shape)(theta, lr)
        return _keep_if_lower(theta, proposal, state, loss_fn, loss)

    return Optimizer(
        "random-local-search",
        _search_init,
        update,
        needs=frozenset({"loss_fn", "loss", "rng"}),
        default_lr=0.5,
        uses_grad=False,
        search=True,
        propose=_direction_draw,
    )


def _search_init(theta):
    runs = np.shape(theta)[:-1]
    return SearchState(0, np.zeros(runs, dtype=int) if runs else 0)


# Hyperparameter ranges: name -> (low, high, low inclusive?) with the upper bound exclusive.
_RANGES = {
    "momentum": (0.0, 1.0, True),
    "rho": (0.0, 1.0, True),
    "beta1": (0.0, 1.0, True),
    "beta2": (0.0, 1.0, True),
    "eps": (0.0, float("inf"), False),
}

OPTIMIZERS: Mapping[str, Callable[..., Optimizer]] = MappingProxyType(
    {
        "gd": gd,
        "sgd": sgd,
        "momentum": momentum,
        "nesterov": nesterov,
        "adagrad": adagrad,
        "rmsprop": rmsprop,
        "adam": adam,
        "newton": newton,
        "random-search": random_search,
        "random-local-search": random_local_search,
    }
)


def hyperparameters(name: str) -> dict[str, float]:
    """The hyperparameters an optimizer takes, with their defaults."""
    return dict(get_optimizer(name).hyper)


def get_optimizer(name: str | Optimizer, **hyper: float) -> Optimizer:
    """Build an optimizer by registry name with hyperparameters checked by name and range."""
    if isinstance(name, Optimizer):
        if hyper:
            raise ConfigError("hyperparameters go with an optimizer name, not a built optimizer")
        return name
    try:
        factory = OPTIMIZERS[name]
    except KeyError:
        raise UnknownNameError("optimizer", name, OPTIMIZERS) from None
    valid = factory().hyper
    for key, value in hyper.items():
        if key not in valid:
            choices = ", ".join(valid) if valid else "none"
            raise ConfigError(f"{name} has no hyperparameter {key!r}; it takes: {choices}")
        low, high, closed = _RANGES[key]
        v = np.asarray(value, dtype=float)
        if not (np.all(np.isfinite(v)) and np.all(v >= low if closed else v > low) and np.all(v < high)):
            lo = "[" if closed else "("
            raise ConfigError(f"{key} must be in {lo}{low:g}, {high:g}), got {value}")
    return factory(**hyper)


__all__ = [
    "OPTIMIZERS",
    "AdaGradState",
    "AdamState",
    "GDState",
    "InPlace",
    "MomentumState",
    "NesterovState",
    "Optimizer",
    "RMSPropState",
    "SearchState",
    "get_optimizer",
    "hyperparameters",
    "owned_state",
]
