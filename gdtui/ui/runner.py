"""The live side of a scene: the engine steppers for its runs plus the learner's changes to them.

No maths here: every number comes from the engine. A change (learning rate, optimizer, momentum, batch
size, schedule, start) rebuilds the steppers from the start point; a change the engine refuses leaves
the scene as it was and returns the engine's one-line reason.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field, replace

from ..course.schema import Scene
from ..engine import ConfigError, Stepper, get_problem

#: The values `+` and `-` move between in each decade: 1, 1.5, 2, 3, 5, 7.5 × 10ᵏ.
_NICE = (1.0, 1.5, 2.0, 3.0, 5.0, 7.5)


def nice_step(value: float, up: bool) -> float:
    """The next "nice" learning rate above (or below) value, e.g. 0.1 → 0.15 → 0.2 → 0.3 → 0.5 → 0.75 → 1."""
    decade = math.floor(math.log10(value))
    ladder = [round(m * 10.0**d, 12) for d in (decade - 1, decade, decade + 1) for m in _NICE]
    if up:
        return ladder[bisect.bisect_right(ladder, value * (1 + 1e-9))]
    return ladder[bisect.bisect_left(ladder, value * (1 - 1e-9)) - 1]


@dataclass(frozen=True)
class Changes:
    """What the learner has changed; None means the scene's own value."""

    lr: float | None = None
    lr_scale: float = 1.0
    optimizer: str | None = None
    momentum: float | None = None
    batch_size: int | None = None
    schedule: str | None = None
    start: tuple[float, ...] | None = None


@dataclass
class SceneRunner:
    scene: Scene
    changes: Changes = field(default_factory=Changes)

    def __post_init__(self) -> None:
        self.problem = get_problem(self.scene.problem)
        self.steppers: list[Stepper] = self._build(self.changes)

    # -- what the screen shows ------------------------------------------------------------------------
    @property
    def race(self) -> bool:
        return len(self.scene.runs) > 1

    @property
    def labels(self) -> list[str]:
        names = [spec.name for spec in self.scene.runs]
        if self.changes.optimizer and not self.race:
            names[0] = self.changes.optimizer
        return names

    @property
    def lr(self) -> float | None:
        """The first run's base learning rate (what the lr control shows)."""
        sched = self.steppers[0].schedule
        return None if sched is None else float(sched.lr)

    @property
    def done(self) -> bool:
        return all(s.done for s in self.steppers)

    @property
    def k(self) -> int:
        return max(s.k for s in self.steppers)

    # -- stepping -------------------------------------------------------------------------------------
    def step(self, n: int = 1) -> int:
        """Advance every unfinished run by up to n steps; returns how many steps were taken in all."""
        before = sum(s.k for s in self.steppers)
        for s in self.steppers:
            s.run(n)
        return sum(s.k for s in self.steppers) - before

    def reset(self) -> None:
        for s in self.steppers:
            s.reset()

    # -- changes --------------------------------------------------------------------------------------
    def change(self, **kwargs) -> str | None:
        """Apply changes and restart from the start point; on a refused change keep the old scene and
        return the reason."""
        changes = replace(self.changes, **kwargs)
        try:
            steppers = self._build(changes)
        except ConfigError as exc:
            return str(exc)
        self.changes, self.steppers = changes, steppers
        return None

    def bump_lr(self, up: bool) -> str | None:
        """`+`/`-`: the next nice learning rate (single run) or scale every run's rate (race)."""
        if self.race:
            return self.change(lr_scale=nice_step(self.changes.lr_scale, up))
        if self.lr is None:
            return f"{self.labels[0]} takes no learning rate"
        return self.change(lr=nice_step(self.lr, up))

    def _build(self, c: Changes) -> list[Stepper]:
        hyper = {"momentum": c.momentum} if c.momentum is not None else None
        return self.scene.steppers(
            start=c.start,
            lr=c.lr,
            lr_scale=c.lr_scale,
            optimizer=c.optimizer,
            hyper=hyper,
            batch_size=c.batch_size,
            schedule=c.schedule,
        )
