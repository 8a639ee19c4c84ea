"""Loading a course folder (course.toml, one folder per lesson with lesson.toml and Markdown pages) into
the frozen `Course` of schema.py. Every problem is collected, never just the first: `load_course` raises
one `CourseError` listing them all, each as `file: field: what was expected`, where `file` is relative to
the course folder's parent (`lessons/gradient-descent/lesson.toml`) and list items count from 1
(`page[2].scene.lr`, `lessons[1]`).

With a `cache` folder, a course that loaded cleanly is remembered there and read back while nothing it
depends on has changed (cache.py); the engine, which validation needs, is imported only when a course is
really loaded."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

from . import cache as course_cache
from .fields import Fields, join
from .schema import Course, CourseError, CourseIssue, Lesson, Page

COURSE_KEYS = ("title", "lessons")
LESSON_KEYS = ("title", "summary", "page")
PAGE_KEYS = ("title", "text", "scene", "exercise")
SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


def bundled_root() -> Path:
    """The course shipped with gdtui: the repository's `lessons/` folder, installed as `gdtui.lessons`."""
    try:
        manifest = resources.files("gdtui.lessons").joinpath("course.toml")
    except ModuleNotFoundError:  # a source tree whose install predates the course (or none at all)
        return Path(__file__).resolve().parents[2] / "lessons"
    return Path(str(manifest)).parent


def course_name(root: Path) -> str:
    """How issues name the course folder: its own name (`lessons`)."""
    return root.resolve().name or str(root)


def lesson_file(root: Path, slug: str) -> str:
    """The printed name of a lesson's lesson.toml."""
    return f"{course_name(root)}/{slug}/lesson.toml"


def load_course(root: Path | str | None = None, *, cache: Path | None = None) -> Course:
    """The course in `root` (None: the bundled course); raises CourseError listing every issue. With
    `cache` (a folder), a clean course is remembered there and read back while it is unchanged."""
    root = bundled_root() if root is None else Path(root)
    if cache is not None and (cached := course_cache.read(cache, root)) is not None:
        return cached
    issues: list[CourseIssue] = []
    course = _course(root, issues)
    if issues or course is None:
        raise CourseError(issues)
    if cache is not None:
        course_cache.write(cache, root, course)
    return course


def _course(root: Path, issues: list[CourseIssue]) -> Course | None:
    if not root.is_dir():
        issues.append(CourseIssue(str(root), "folder", "an existing course folder holding course.toml"))
        return None
    f = Fields(f"{course_name(root)}/course.toml", issues)
    data = f.read_toml(root / "course.toml")
    if data is None:
        return None
    f.unknown(data, COURSE_KEYS, "")
    title = f.string(data, "title", "", required=True)
    slugs = _manifest(f, data, root)
    lessons = [_lesson(root, slug, issues) for slug in slugs]
    if title is None or None in lessons or not slugs:
        return None
    return Course(title=title, lessons=tuple(lessons), root=root)


def _manifest(f: Fields, data: dict[str, Any], root: Path) -> list[str]:
    """The slugs of `lessons = [...]` whose folders hold a lesson.toml."""
    value = data.get("lessons")
    if not isinstance(value, list) or not value:
        missing = " (missing)" if "lessons" not in data else ""
        f.add("lessons", f"a list of lesson folder names, in order{missing}")
        return []
    slugs: list[str] = []
    for i, slug in enumerate(value, 1):
        field = f"lessons[{i}]"
        if not isinstance(slug, str) or not SLUG.fullmatch(slug):
            f.add(field, "a lesson folder name (letters, digits, - and _)")
        elif slug in value[: i - 1]:
            f.add(field, f"a lesson listed once ({slug} is lessons[{value.index(slug) + 1}])")
        elif not (root / slug / "lesson.toml").is_file():
            f.add(field, f"a lesson folder beside course.toml (missing: {slug}/lesson.toml)")
        else:
            slugs.append(slug)
    return slugs


def _lesson(root: Path, slug: str, issues: list[CourseIssue]) -> Lesson | None:
    folder = root / slug
    f = Fields(lesson_file(root, slug), issues)
    data = f.read_toml(folder / "lesson.toml")
    if data is None:
        return None
    before = f.count
    f.unknown(data, LESSON_KEYS, "")
    title = f.string(data, "title", "", required=True)
    summary = f.string(data, "summary", "", required=True, one_line=True)
    tables = data.get("page")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        f.add("page", "one or more [[page]] tables" + (" (missing)" if tables is None else ""))
        tables = []
    pages = [_page(f, table, f"page[{i}]", folder) for i, table in enumerate(tables, 1)]
    if f.count > before:
        return None
    return Lesson(slug=slug, title=title, summary=summary, pages=tuple(pages), path=folder)


def _page(f: Fields, table: dict[str, Any], at: str, folder: Path) -> Page | None:
    from .exercises import read_exercises  # these check names against the engine, which imports NumPy:
    from .scenes import read_scene  # imported only when a course is really loaded, not read from a cache

    before = f.count
    f.unknown(table, PAGE_KEYS, at)
    title = f.string(table, "title", at, required=True)
    source, text = _markdown(f, table, at, folder)
    raw_scene = f.table(table, "scene", at)
    scene = read_scene(f, raw_scene, join(at, "scene")) if raw_scene is not None else None
    exercises = ()
    if "exercise" in table and (scene is not None or raw_scene is None):
        exercises = read_exercises(f, table["exercise"], join(at, "exercise"), scene)
    if f.count > before:
        return None
    return Page(title=title, text=text, source=source, scene=scene, exercises=exercises)


def _markdown(f: Fields, table: dict[str, Any], at: str, folder: Path) -> tuple[Path | None, str | None]:
    """`text = "01-name.md"`: a Markdown file beside lesson.toml, read as UTF-8."""
    name = f.string(table, "text", at, required=True)
    if name is None:
        return None, None
    field = join(at, "text")
    if Path(name).name != name or not name.endswith(".md") or name.startswith("."):
        f.add(field, f"the name of a Markdown file beside lesson.toml, ending in .md (got {name!r})")
        return None, None
    path = folder / name
    try:
        return path, path.read_text(encoding="utf-8")
    except FileNotFoundError:
        f.add(field, f"a Markdown file beside lesson.toml (missing: {name})")
    except (OSError, UnicodeDecodeError) as exc:
        f.add(field, f"a readable UTF-8 Markdown file ({name}: {exc.__class__.__name__})")
    return None, None
