"""The live side of a scene: the engine steppers for its runs plus the learner's changes to them.

No maths here: every number comes from the engine. A change (learning rate, optimizer, momentum, batch
size, schedule, start) rebuilds the steppers from the start point; a change the engine refuses leaves
the scene as it was and returns the engine's one-line reason.

In a race the learning rate is one ×scale of every run's own, unless the scene shows the `run` control:
then `optimizer` and `lr` change the selected run only (`Changes.runs`), every run keeping the shared
start, step budget and target.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field, replace

from ..course.schema import RunChange, Scene
from ..engine import ConfigError, Stepper, get_problem
from .widgets.state import num

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
    runs: tuple[RunChange | None, ...] = ()  # per run of a race with the `run` control

    def with_run(self, i: int, **kwargs) -> Changes:
        """These changes with run i's optimizer and/or lr replaced."""
        runs = list(self.runs) + [None] * (i + 1 - len(self.runs))
        runs[i] = replace(runs[i] or RunChange(), **kwargs)
        return replace(self, runs=tuple(runs))


@dataclass
class SceneRunner:
    scene: Scene
    changes: Changes = field(default_factory=Changes)
    selected: int = 0  # the run the optimizer and lr controls show and change (0: the first)

    def __post_init__(self) -> None:
        self.problem = get_problem(self.scene.problem)
        self.steppers: list[Stepper] = self._build(self.changes)

    # -- what the screen shows ------------------------------------------------------------------------
    @property
    def race(self) -> bool:
        return len(self.scene.runs) > 1

    @property
    def per_run(self) -> bool:
        """A race whose runs the learner sets one at a time (the scene shows the `run` control)."""
        return self.race and "run" in self.scene.controls

    @property
    def lr_scaled(self) -> bool:
        """The lr control is one ×scale of every run's rate (a race without the `run` control)."""
        return self.race and not self.per_run

    @property
    def labels(self) -> list[str]:
        """Each run's name: the scene's label, or the learner's optimizer for a run they changed."""
        names = [spec.name for spec in self.scene.runs]
        if self.changes.optimizer and not self.race:
            names[0] = self.changes.optimizer
        for i, (spec, own) in enumerate(zip(self.scene.runs, self.changes.runs, strict=False)):
            if own is not None and own.optimizer not in (None, spec.optimizer):
                names[i] = own.optimizer
        return names

    @property
    def lr(self) -> float | None:
        """The selected run's base learning rate (what the lr control shows)."""
        sched = self.steppers[self.selected].schedule
        return None if sched is None else float(sched.lr)

    def control_values(self) -> dict[str, str]:
        """What each control (but speed) shows for the current steppers."""
        first, chosen = self.steppers[0], self.steppers[self.selected]
        hyper = first.optimizer.hyper
        return {
            "run": str(self.selected + 1),
            "optimizer": chosen.optimizer.name,
            "lr": f"×{num(self.changes.lr_scale)}"
            if self.lr_scaled
            else (num(self.lr) if self.lr is not None else "—"),
            "momentum": num(hyper["momentum"]) if "momentum" in hyper else "—",
            "batch_size": str(first.batch_size) if first.batch_size is not None else "—",
            "schedule": first.schedule.spec() if first.schedule is not None else "constant",
            "start": ",".join(num(v) for v in first.start),
        }

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
    def select(self, run: int) -> None:
        """Show and change run `run` (0-based) with the optimizer and lr controls; the runs go on as
        they are."""
        if not 0 <= run < len(self.steppers):
            raise ValueError(f"run: expected 1 to {len(self.steppers)}, got {run + 1}")
        self.selected = run

    def change(self, **kwargs) -> str | None:
        """Apply changes and restart from the start point; on a refused change keep the old scene and
        return the reason. In a race with the `run` control, `optimizer` and `lr` go to the selected
        run only."""
        own = {k: kwargs.pop(k) for k in ("optimizer", "lr") if k in kwargs} if self.per_run else {}
        changes = replace(self.changes, **kwargs)
        if own:
            changes = changes.with_run(self.selected, **own)
        try:
            steppers = self._build(changes)
        except ConfigError as exc:
            return str(exc)
        self.changes, self.steppers = changes, steppers
        return None

    def bump_lr(self, up: bool) -> str | None:
        """`+`/`-`: the next nice learning rate of the run the controls show, or in a race without the
        `run` control the next nice ×scale of every run's rate."""
        if self.lr_scaled:
            return self.change(lr_scale=nice_step(self.changes.lr_scale, up))
        if self.lr is None:
            return f"{self.labels[self.selected]} takes no learning rate"
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
            runs=c.runs,
        )
