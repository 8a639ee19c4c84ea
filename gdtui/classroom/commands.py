"""What `gdtui serve` and `gdtui classroom` do, given their parsed arguments (the parser is gdtui.cli)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys
from pathlib import Path

from ..engine import ConfigError
from .roster import (
    HOST_KEY,
    ROSTER,
    RosterError,
    hash_passphrase,
    init_class_dir,
    load_roster,
    read_host_key,
)


def serve_command(args: argparse.Namespace) -> int:
    if args.init is not None:
        try:
            made = init_class_dir(args.init)
        except OSError as e:
            raise ConfigError(f"cannot make the class folder {args.init}: {e.strerror or e}") from None
        for path in made:
            print(f"made {path}")
        if not made:
            print(f"{args.init} already holds {HOST_KEY} and {ROSTER}; nothing changed")
        print(
            f"Next: add students to {Path(args.init) / ROSTER}, then `gdtui serve --class-dir {args.init}`."
        )
        return 0
    if args.hash_passphrase:
        print(f"passphrase = {hash_passphrase(_read_passphrase())!r}".replace("'", '"'))
        return 0
    from .server import ServeError, serve

    class_dir: Path = args.class_dir
    if not 0 < args.redraw_rate <= 60:
        raise ConfigError(f"--redraw-rate must be between 0 and 60, got {args.redraw_rate:g}")
    lessons = getattr(args, "lessons", None)
    course = _course(lessons)  # a bad course stops the class before it starts, not in every session
    try:
        students = len(load_roster(class_dir).students)
        read_host_key(class_dir)
    except RosterError as e:
        raise ConfigError(str(e)) from None
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        logging.getLogger("gdtui.classroom").warning("listening on %s: reachable from the network", args.host)
    logging.getLogger("gdtui.classroom").info(
        "%d students on the roster; course %r, %g redraws a second", students, course.title, args.redraw_rate
    )
    try:
        asyncio.run(serve(class_dir, args.host, args.port, lessons=lessons, redraw_rate=args.redraw_rate))
    except ServeError as e:
        raise ConfigError(str(e)) from None
    return 0


def _course(lessons: Path | None):
    """The course the class plays (None: the built-in one); a ConfigError of one line if it is broken."""
    from ..course import CourseError, load_course

    try:
        return load_course(lessons)
    except CourseError as e:
        if lessons is None:
            where, check = "the built-in course", "gdtui check"
        else:
            where, check = f"the course in {lessons}", f"gdtui check {lessons}"
        if len(e.issues) == 1:
            raise ConfigError(f"{where}: {e.issues[0]}") from None
        raise ConfigError(f"{where} has {len(e.issues)} problems; `{check}` lists them") from None


def _read_passphrase() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Class passphrase: ")
        if getpass.getpass("Again: ") != first:
            raise ConfigError("the two passphrases differ")
    else:
        first = sys.stdin.readline().rstrip("\r\n")
    if len(first) < 8:
        raise ConfigError("a class passphrase needs at least 8 characters")
    return first


def classroom_command(args: argparse.Namespace) -> int:
    from ..store import Store, StoreError
    from .dashboard import DashboardApp, class_rows, write_csv

    class_dir: Path = args.dir
    course = _course(getattr(args, "lessons", None))
    try:
        load_roster(class_dir)
        store = Store.open(class_dir)
    except (RosterError, StoreError) as e:
        raise ConfigError(str(e)) from None
    try:
        if args.csv:
            write_csv(class_rows(class_dir, course, store), sys.stdout)
            return 0
        if not (sys.stdin.isatty() and sys.__stderr__.isatty()):
            raise ConfigError("the dashboard needs a terminal; use --csv for a table")
        DashboardApp(class_dir, course, store).run()
        return 0
    finally:
        store.close()
