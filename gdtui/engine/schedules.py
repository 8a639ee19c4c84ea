"""Learning-rate schedules: the rate for a step from k, the number of steps already taken (k = 0 first).

  constant              α
  step:every=n,gamma=γ  α · γ^⌊k/n⌋
  time:beta=β           α / (1 + βk)      (the notes' "time-based decay")
  exp:beta=β            α · e^(−βk)

α may be an array (one rate per run in a sweep); the schedule broadcasts over it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from .errors import ConfigError, UnknownNameError


@dataclass(frozen=True)
class Schedule:
    """A function k -> learning rate, with the kind and parameters that define it."""

    kind: str
    lr: float | np.ndarray
    params: Mapping[str, float] = field(default_factory=dict)
    _rate: Callable[[int], float] = field(default=lambda k: 1.0, repr=False, compare=False)

    def __call__(self, k: int):
        return self.lr * self._rate(k)

    def rate(self, k: int) -> float:
        """The factor the base rate is multiplied by at step k (1 for `constant`)."""
        return self._rate(k)

    def spec(self) -> str:
        """The command-line form, e.g. `step:every=10,gamma=0.5`."""
        if not self.params:
            return self.kind
        return self.kind + ":" + ",".join(f"{k}={v:g}" for k, v in self.params.items())


def _check_positive(kind: str, name: str, value: float, *, integer: bool = False, below_one: bool = False):
    ok = math.isfinite(value) and value > 0 and (not integer or float(value).is_integer())
    if below_one:
        ok = ok and value <= 1
    if not ok:
        what = "a whole number ≥ 1" if integer else ("a number in (0, 1]" if below_one else "a number > 0")
        raise ConfigError(f"schedule {kind}: {name} must be {what}, got {value:g}")


def constant(lr):
    return Schedule("constant", lr)


def step(lr, every: float = 10, gamma: float = 0.5):
    _check_positive("step", "every", every, integer=True)
    _check_positive("step", "gamma", gamma, below_one=True)
    n = int(every)
    return Schedule("step", lr, {"every": n, "gamma": gamma}, lambda k: gamma ** (k // n))


def time(lr, beta: float = 0.1):
    _check_positive("time", "beta", beta)
    return Schedule("time", lr, {"beta": beta}, lambda k: 1.0 / (1.0 + beta * k))


def exp(lr, beta: float = 0.05):
    _check_positive("exp", "beta", beta)
    return Schedule("exp", lr, {"beta": beta}, lambda k: math.exp(-beta * k))


SCHEDULES: Mapping[str, Callable[..., Schedule]] = MappingProxyType(
    {"constant": constant, "step": step, "time": time, "exp": exp}
)


def schedule_params(kind: str) -> dict[str, float]:
    """The parameters a schedule kind takes, with their defaults."""
    return dict(make_schedule(kind, 1.0).params)


def parse_schedule(text: str) -> tuple[str, dict[str, float]]:
    """`KIND[:k=v,…]` -> (kind, {k: v}); raises ConfigError naming what is malformed."""
    kind, _, rest = text.partition(":")
    kind = kind.strip()
    if kind not in SCHEDULES:
        raise UnknownNameError("schedule", kind, SCHEDULES)
    params: dict[str, float] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, value = item.partition("=")
        if not eq:
            raise ConfigError(f"schedule {kind}: expected NAME=VALUE, got {item!r}")
        try:
            params[key.strip()] = float(value)
        except ValueError:
            raise ConfigError(f"schedule {kind}: {key.strip()} must be a number, got {value!r}") from None
    return kind, params


def make_schedule(kind: str, lr, **params: float) -> Schedule:
    """Build a schedule by kind; unknown parameters are named with the valid ones."""
    try:
        factory = SCHEDULES[kind]
    except KeyError:
        raise UnknownNameError("schedule", kind, SCHEDULES) from None
    valid = [n for n in factory.__code__.co_varnames[1 : factory.__code__.co_argcount]]
    for key in params:
        if key not in valid:
            raise ConfigError(
                f"schedule {kind} has no parameter {key!r}; it takes: {', '.join(valid) or 'none'}"
            )
    return factory(np.asarray(lr, dtype=float) if np.ndim(lr) else float(lr), **params)


__all__ = ["SCHEDULES", "Schedule", "make_schedule", "parse_schedule", "schedule_params"]
