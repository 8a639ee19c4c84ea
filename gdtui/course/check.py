"""`gdtui check [DIR]`: load a course, collecting every issue, then run each scene headless and confirm
each run's declared `expect` status (e.g. that a learning rate really diverges)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from ..engine import ConfigError
from .exercises import verify
from .loader import lesson_file, load_course
from .schema import Course, CourseError, CourseIssue, Scene


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
    """Run the scene to the end as a learner who touches nothing would, and compare the statuses."""
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
    return issues
