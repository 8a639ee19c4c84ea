"""What a course is once loaded: plain frozen data, built by `loader.py` from TOML + Markdown and checked
by `check.py`. The engine owns the maths; a scene only names what to run.

On disk (the full format is in lessons/README.md):

    COURSE/course.toml              title, and `lessons = [slug, …]` in order
    COURSE/SLUG/lesson.toml         title, summary, and [[page]] tables (title, text = "file.md", [page.scene])
    COURSE/SLUG/*.md                the pages' prose
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..engine import Stepper


#: Controls a scene may show (the controls bar lists a scene's in the order it gives them). `run` is for a
#: race: it picks the run whose optimizer and learning rate the `optimizer` and `lr` controls change.
CONTROLS = ("run", "optimizer", "lr", "momentum", "batch_size", "schedule", "start", "speed")
#: Run statuses a scene may expect (checked headless by `gdtui check`).
EXPECTATIONS = ("converged", "max_steps", "diverged")
#: What the scene's upper plot shows: `auto` (the loss over θ: L(θ) for 1-D, level curves for 2-D), `fit`
#: (a data-fitting problem's data with the current model drawn through it), `gradient-check` (relative
#: error of forward and centered differences against h at the current θ), `batch-variance` (variance of
#: the mini-batch gradient against B at the current θ, beside 1/B).
VIEWS = ("auto", "fit", "gradient-check", "batch-variance")


@dataclass(frozen=True)
class RunSpec:
    """One optimizer in a scene; several make a race. `expect` is the status `gdtui check` confirms."""

    optimizer: str
    lr: float | None = None
    hyper: Mapping[str, float] = field(default_factory=dict)
    label: str | None = None
    expect: str | None = None

    @property
    def name(self) -> str:
        return self.label or self.optimizer


@dataclass(frozen=True)
class RunChange:
    """The learner's own choice for one run of a race (the `run` control): its optimizer and learning
    rate; None keeps the scene's. A run given another optimizer drops the scene's rate and
    hyperparameters for it (they were chosen for the scene's optimizer) and takes that optimizer's own."""

    optimizer: str | None = None
    lr: float | None = None


@dataclass(frozen=True)
class Scene:
    """A live experiment: a problem, one or more runs from a shared start, and the controls shown.
    `speed` is steps per second while playing."""

    problem: str
    runs: tuple[RunSpec, ...]
    start: tuple[float, ...] | None = None
    steps: int = 200
    batch_size: int | None = None
    schedule: str = "constant"
    seed: int = 0
    tol: float = 0.0
    controls: tuple[str, ...] = ()
    speed: float = 10.0
    view: str = "auto"
    target: float | None = None  # a loss to reach: the state panel says at which step each run got there

    def steppers(
        self,
        *,
        start=None,
        lr: float | None = None,
        lr_scale: float = 1.0,
        optimizer: str | None = None,
        hyper: Mapping[str, float] | None = None,
        batch_size: int | None = None,
        schedule: str | None = None,
        steps: int | None = None,
        runs: Sequence[RunChange | None] = (),
    ) -> list[Stepper]:
        """One engine Stepper per run, with the learner's overrides applied on top of the scene's values.
        `optimizer` and `lr` replace the first run's optimizer and learning rate (single-run scenes);
        `runs[i]` replaces run i's (a race with the `run` control); `lr_scale` scales every other run's
        learning rate (or the optimizer's default where the scene gives none). Every run keeps the
        scene's start, step budget and target: the race stays fair."""
        from ..engine import ConfigError, Stepper, get_optimizer  # NumPy loads when a scene first runs

        if len(runs) > len(self.runs):
            raise ConfigError(f"the scene has {len(self.runs)} runs, not {len(runs)}")
        out = []
        for i, spec in enumerate(self.runs):
            own_change = runs[i] if i < len(runs) and runs[i] is not None else None
            if own_change is not None:
                name, new_lr = own_change.optimizer or spec.optimizer, own_change.lr
            else:
                name = optimizer if optimizer is not None and i == 0 else spec.optimizer
                new_lr = lr if i == 0 else None
            merged = {**spec.hyper, **(hyper or {})} if name == spec.optimizer else dict(hyper or {})
            own = spec.lr if name == spec.optimizer else None
            rate = new_lr if new_lr is not None else _scaled_lr(name, own, lr_scale)
            out.append(
                Stepper(
                    self.problem,
                    name,
                    lr=rate if get_optimizer(name).uses_lr else None,
                    steps=self.steps if steps is None else steps,
                    start=self.start if start is None else start,
                    schedule=self.schedule if schedule is None else schedule,
                    batch_size=self.batch_size if batch_size is None else batch_size,
                    seed=self.seed,
                    tol=self.tol,
                    hyper={k: v for k, v in merged.items() if k in _hyper_names(name)},
                )
            )
        return out


def _hyper_names(optimizer: str) -> set[str]:
    from ..engine import hyperparameters

    return set(hyperparameters(optimizer))


def _scaled_lr(optimizer: str, lr: float | None, scale: float) -> float | None:
    from ..engine import get_optimizer

    base = lr if lr is not None else get_optimizer(optimizer).default_lr
    return base if base is None or scale == 1.0 else base * scale


@dataclass(frozen=True)
class Answer:
    """What a number exercise reads off a run of the page's scene: `of` theta, loss, grad_norm, lr, steps
    or diverged_at; at point `step` (0 is the start, negative counts from the end; default the last);
    θ coordinate `coord` and race run `run` (both from 1); with `changes` applied to the scene first."""

    of: str
    step: int | None = None
    coord: int = 1
    run: int = 1
    changes: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Exercise:
    """A question on a page. `number`: an `answer` the engine computes (within `tol`), or the learner's
    number `sets` a setting and the run must end `expect`. `choice`: `options` and the `correct` one
    (from 1). `predict`: `outcomes` keyed by status; the scene's run decides. Hints unfold one at a time."""

    id: str
    kind: str
    prompt: str
    hints: tuple[str, ...] = ()
    explain: str = ""
    answer: Answer | None = None
    tol: float = 1e-6
    sets: str | None = None
    expect: str | None = None
    options: tuple[str, ...] = ()
    correct: int | None = None
    outcomes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    title: str
    text: str
    source: Path
    scene: Scene | None = None
    exercises: tuple[Exercise, ...] = ()


@dataclass(frozen=True)
class Lesson:
    slug: str
    title: str
    summary: str
    pages: tuple[Page, ...]
    path: Path


@dataclass(frozen=True)
class Course:
    title: str
    lessons: tuple[Lesson, ...]
    root: Path

    def lesson(self, slug: str) -> Lesson:
        for lesson in self.lessons:
            if lesson.slug == slug:
                return lesson
        raise KeyError(slug)


@dataclass(frozen=True)
class CourseIssue:
    """One problem found in a course: printed as `file: field: what was expected`."""

    file: str
    field: str
    expected: str

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.expected}"


class CourseError(Exception):
    """A course that cannot be loaded; `issues` lists every problem found."""

    def __init__(self, issues: list[CourseIssue]):
        self.issues = list(issues)
        super().__init__("\n".join(str(i) for i in self.issues))
