"""The course: lesson files (TOML + Markdown) loaded into frozen data, and `gdtui check`.

from gdtui.course import load_course
course = load_course()          # the bundled course; load_course(DIR) for another
"""

from .loader import bundled_root, load_course
from .schema import CONTROLS, EXPECTATIONS, Course, CourseError, CourseIssue, Lesson, Page, RunSpec, Scene

__all__ = [
    "CONTROLS",
    "EXPECTATIONS",
    "Course",
    "CourseError",
    "CourseIssue",
    "Lesson",
    "Page",
    "RunSpec",
    "Scene",
    "bundled_root",
    "load_course",
]
