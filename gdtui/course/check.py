"""`gdtui check [DIR]`: load a course, collecting every issue, then run each scene headless as a learner
who touches nothing would: confirm each run's declared `expect` status (e.g. that a learning rate really
diverges), compute every exercise's answer, and ask the engine for what the scene's view and target show.

  auto             L finite somewhere on the problem's box, and the start inside the box (the landscape
                   never leaves it)
  fit              each run's model ŷ = problem.predict(θ, x) over the data at its start (finite) and end
  gradient-check   at the first run's start and end, the relative error of forward and centered differences
                   against h (engine `gradient_check`, h = 10⁻¹⁴ … 1): positive and finite for two h or
                   more (0 for every h is a stationary point: the log-log plot would be empty)
  batch-variance   at the first run's start and end, the expected variance of the mini-batch gradient for
                   B = 1 … N (engine `expected_batch_variance`): finite, and above 0 at B = 1 (0 means every
                   example has the same gradient: nothing to see)
  target           some run's loss reaches it (loss ≤ target at some step), and not already at the start
"""

from __future__ import annotations

import math
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from ..engine import (
    ConfigError,
    Problem,
    Trajectory,
    expected_batch_variance,
    get_problem,
    gradient_check,
    reached_at,
)
from .exercises import verify
from .loader import lesson_file, load_course
from .schema import Course, CourseError, CourseIssue, Scene

H_STEPS = tuple(10.0**-k for k in range(14, -1, -1))  # the gradient check's step sizes, a decade apart
GRID = 9  # points a side of the landscape's sample grid

Found = tuple[str, str] | None  # (field under the scene, what was expected), or None when all is well


def check_course(root: Path | str | None = None) -> list[CourseIssue]:
    """Every issue in the course at `root` (None: the bundled course); [] when it is clean."""
    return _check(root)[1]


def run_check(root: Path | str | None = None, out: TextIO = sys.stdout) -> int:
    """Print each issue as `file: field: what was expected`, then a summary line; 0 if clean, else 1."""
    course, issues = _check(root)
    for issue in issues:
        print(issue, file=out)
    count = _count(len(issues), "problem") if issues else "no problems"
    if course is None:
        print(f"the course did not load: {count}", file=out)
    else:
        pages = [page for lesson in course.lessons for page in lesson.pages]
        scenes = sum(page.scene is not None for page in pages)
        checked = ", ".join(
            [_count(len(course.lessons), "lesson"), _count(len(pages), "page"), _count(scenes, "scene")]
        )
        print(f"checked {checked}: {count}", file=out)
    return 1 if issues else 0


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _check(root: Path | str | None) -> tuple[Course | None, list[CourseIssue]]:
    try:
        course = load_course(root)
    except CourseError as exc:
        return None, exc.issues
    issues = []
    for lesson in course.lessons:
        file = lesson_file(course.root, lesson.slug)
        for i, page in enumerate(lesson.pages, 1):
            if page.scene is not None:
                issues += _run_scene(page.scene, file, f"page[{i}].scene")
            for j, exercise in enumerate(page.exercises, 1):
                problem = verify(exercise, page.scene)
                if problem is not None:
                    issues.append(CourseIssue(file, f"page[{i}].exercise[{j}].{problem[0]}", problem[1]))
    return course, issues


def _run_scene(scene: Scene, file: str, at: str) -> list[CourseIssue]:
    """Run the scene to the end, compare the statuses, then check its view and target on the runs."""
    try:
        steppers = [stepper.run() for stepper in scene.steppers()]
    except ConfigError as exc:
        return [CourseIssue(file, at, f"a scene the engine can run ({exc})")]
    race = len(scene.runs) > 1
    issues = []
    for i, (spec, stepper) in enumerate(zip(scene.runs, steppers, strict=True), 1):
        if spec.expect is not None and stepper.status != spec.expect:
            field = f"{at}.run[{i}].expect" if race else f"{at}.expect"
            ended = f"the run ended {stepper.status} after {stepper.k} steps"
            issues.append(CourseIssue(file, field, f"{spec.expect} ({ended})"))
    runs = [stepper.trajectory() for stepper in steppers]
    checks: list[tuple[str, str, Callable[[], Found]]] = [
        ("view", f"a {scene.view} view", lambda: VIEW_CHECKS[scene.view](get_problem(scene.problem), runs))
    ]
    if scene.target is not None:
        checks.append(("target", "a target", lambda: _target(scene, runs)))
    for field, what, check in checks:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # overflow far out is the view's to draw
                found = check()
        except Exception as exc:  # whatever the engine raises is reported, never a traceback
            found = (field, f"{what} the engine can compute ({type(exc).__name__}: {exc})")
        if found is not None:
            issues.append(CourseIssue(file, f"{at}.{found[0]}", found[1]))
    return issues


# -- what each view draws, computed by the engine at the points the learner first and last sees ----------
def _auto(problem: Problem, runs: Sequence[Trajectory]) -> Found:
    """The landscape: L over the box (a curve in 1-D, level curves in 2-D), the runs drawn inside it."""
    if problem.dim not in (1, 2):
        return None  # no landscape to draw
    values = problem.grid(GRID)[2].ravel()
    if not any(math.isfinite(v) for v in values.tolist()):
        return (
            "view",
            f"a problem whose loss the landscape can draw ({problem.name} is not finite on its box)",
        )
    start = runs[0].theta[0].tolist()
    if not all(lo <= v <= hi for v, (lo, hi) in zip(start, problem.box, strict=True)):
        box = " × ".join(f"[{lo:g}, {hi:g}]" for lo, hi in problem.box)
        return "start", f"a start inside {problem.name}'s plotting box {box} (got {_point(start)})"
    return None


def _fit(problem: Problem, runs: Sequence[Trajectory]) -> Found:
    """Each run's model through the data: ŷ(x) at its θ for the data's x."""
    x = problem.x
    for i, run in enumerate(runs, 1):
        for where, theta in (("start", run.theta[0]), ("end", run.theta[-1])):
            y = problem.predict(theta, x).ravel().tolist()
            who = f"run {i}'s" if len(runs) > 1 else "the run's"
            if len(y) != len(x):
                return (
                    "view",
                    f"one prediction per example for the fit view ({who} {where}: {len(y)} of {len(x)})",
                )
            if where == "start" and not all(math.isfinite(v) for v in y):
                return "start", f"a start where the fit view's model is finite (ŷ at {_point(theta)} is not)"
    return None


def _gradient_check(problem: Problem, runs: Sequence[Trajectory]) -> Found:
    """Relative error of forward and centered differences against h at the first run's θ."""
    for where, theta in (("start", runs[0].theta[0]), ("end", runs[0].theta[-1])):
        for method in ("forward", "centered"):
            errors = gradient_check(problem, theta, H_STEPS, method).ravel().tolist()
            if sum(math.isfinite(e) and e > 0 for e in errors) < 2:
                return (
                    "start" if where == "start" else "view",
                    f"a θ where the gradient check has errors to draw (at the run's {where} "
                    f"{_point(theta)} the {method} difference's relative error is finite and above 0 for "
                    "fewer than two h: a stationary point?)",
                )
    return None


def _batch_variance(problem: Problem, runs: Sequence[Trajectory]) -> Found:
    """Variance of the mini-batch gradient against B = 1 … N at the first run's θ."""
    sizes = list(range(1, problem.n_examples + 1))
    for where, theta in (("start", runs[0].theta[0]), ("end", runs[0].theta[-1])):
        variance = expected_batch_variance(problem, theta, sizes).tolist()
        if not all(math.isfinite(v) for v in variance):
            return "view", f"a finite mini-batch gradient variance (at the run's {where} {_point(theta)})"
        if not variance[0] > 0:
            return (
                "view",
                f"a scene whose mini-batch gradients vary (at the run's {where} {_point(theta)} every "
                f"example has the same gradient: the variance is {variance[0]:.6g} for every B)",
            )
    return None


VIEW_CHECKS: dict[str, Callable[[Problem, Sequence[Trajectory]], Found]] = {
    "auto": _auto,
    "fit": _fit,
    "gradient-check": _gradient_check,
    "batch-variance": _batch_variance,
}


def _target(scene: Scene, runs: Sequence[Trajectory]) -> Found:
    """The state panel says at which step each run's loss first was ≤ target: some run must get there."""
    target = scene.target
    starts = [float(run.loss[0]) for run in runs]
    if all(loss <= target for loss in starts):
        return "target", f"a loss below the start's (the runs start at loss {max(starts):.6g})"
    if all(reached_at(run.loss, target) is None for run in runs):
        lows = [float(run.loss.min()) for run in runs]
        best = min(range(len(runs)), key=lows.__getitem__)
        name = scene.runs[best].name
        return "target", f"a loss some run reaches (the lowest is {lows[best]:.6g}, by {name})"
    return None


def _point(theta) -> str:
    return "[" + ", ".join(f"{float(v):.6g}" for v in theta) + "]"
