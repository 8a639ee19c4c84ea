"""The `gdtui` command: parses arguments and wires the pieces together; it holds no logic of its own.

Bad input exits 2 with one line on stderr naming what is wrong and what is valid, never a traceback.

Start-up time matters (a class of students log in at once): the engine, which imports NumPy, is loaded only
by the commands that run it, and a course that validated cleanly is read back from a cache (see
gdtui.course.cache), so the home screen appears without NumPy.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__

USAGE_ERROR = 2


class UsageError(Exception):
    """Bad input or a missing prerequisite: printed as `gdtui: error: …`, exit 2 (as the engine's
    ConfigError is)."""


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (`gdtui trace: error: …`, exit status 2) and an epilog that may be
    computed only when help is shown (`epilog_factory`)."""

    def __init__(self, *args, epilog_factory=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._epilog_factory = epilog_factory

    def error(self, message: str):  # type: ignore[override]
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")

    def format_help(self) -> str:
        if self._epilog_factory is not None:
            self.epilog, self._epilog_factory = self._epilog_factory(), None
        return super().format_help()


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def _port(text: str) -> int:
    port = _whole(text)
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to 65535 (0: any free one), got {text!r}")
    return port


def _point(text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got {text!r}") from None


def _assignment(text: str) -> tuple[str, float]:
    name, eq, value = text.partition("=")
    if not eq or not name.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    try:
        return name.strip(), float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{name.strip()} must be a number, got {value!r}") from None


_NUMBERS = re.compile(r"^-[\d.]")


def _join_negative_values(argv: Sequence[str]) -> list[str]:
    """Let `--start -1.5,2` mean `--start=-1.5,2` (argparse would read `-1.5,2` as an option)."""
    out: list[str] = []
    it = iter(argv)
    for token in it:
        out.append(token)
        if token == "--start" and (value := next(it, None)) is not None:
            if _NUMBERS.match(value):
                out[-1] = f"{token}={value}"
            else:
                out.append(value)
    return out


def _trace_epilog() -> str:
    from .engine import OPTIMIZERS, PROBLEMS, SCHEDULES, hyperparameters, schedule_params
    from .engine.optimizers import get_optimizer

    lines = ["problems:"]
    for name, p in PROBLEMS.items():
        lines.append(f"  {name:<22}{p.formula}  (start {','.join(f'{v:g}' for v in p.start)})")
    lines.append("")
    lines.append("optimizers (default --lr; hyperparameters for --set NAME=VALUE):")
    for name in OPTIMIZERS:
        opt = get_optimizer(name)
        lr = f"lr={opt.default_lr:g}" if opt.uses_lr else "no lr"
        hyper = ", ".join(f"{k}={v:g}" for k, v in hyperparameters(name).items())
        extra = "  batch size 1" if opt.default_batch_size else ""
        lines.append(f"  {name:<22}{lr:<10}{hyper}{extra}".rstrip())
    lines.append("")
    lines.append("schedules (--schedule KIND[:k=v,…]; k counts steps already taken, from 0):")
    forms = {"constant": "α", "step": "α·γ^⌊k/n⌋", "time": "α/(1+βk)", "exp": "α·e^(−βk)"}
    for kind in SCHEDULES:
        params = ",".join(f"{k}={v:g}" for k, v in schedule_params(kind).items())
        lines.append(f"  {kind + (':' + params if params else ''):<28}{forms[kind]}")
    lines.append("")
    lines.append("status: converged (a step moved θ less than --tol), max_steps, or diverged (a non-finite")
    lines.append("value or |loss| > 1e12; the trace keeps the finite points). Exit 0 for any finished run.")
    return "\n".join(lines)


def _course_and_data_options(parser: argparse.ArgumentParser, lessons_help: str, **defaults) -> None:
    """`--lessons DIR` and `--data-dir DIR`, on the top level and on commands that use them."""
    parser.add_argument("--lessons", metavar="DIR", type=Path, help=lessons_help, **defaults)
    parser.add_argument(
        "--data-dir",
        metavar="DIR",
        type=Path,
        **defaults,
        help="where progress is saved (default: $GDTUI_DATA_DIR, else your data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="gdtui",
        description="A terminal tutor for how machine-learning models are optimized. With no command, "
        "opens the course.",
        epilog="Keys in the app: ? lists them all. `gdtui COMMAND --help` explains each command.",
    )
    parser.add_argument("--version", action="version", version=f"gdtui {__version__}")
    parser.add_argument("--lesson", metavar="SLUG", help="open this lesson directly")
    _course_and_data_options(parser, "play the course in DIR instead of the built-in one")
    parser.add_argument(
        "--redraw-rate", metavar="N", type=_number, default=10.0, help="plot redraws per second (default 10)"
    )
    parser.add_argument("--learner", metavar="NAME", help=argparse.SUPPRESS)  # set by `gdtui serve`
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = sub.add_parser(
        "check",
        help="validate a course and run every scene headless",
        description="Validate a course folder: every file, field and name, and every scene run headless to "
        "confirm its declared expectations. Prints `file: field: what was expected` per problem; exit 1 "
        "if there are any.",
    )
    check.add_argument(
        "dir", metavar="DIR", nargs="?", type=Path, help="the course folder (default: built-in)"
    )
    check.set_defaults(handler=_check)
    progress = sub.add_parser(
        "progress",
        help="print your progress (or clear it with --reset)",
        description="Print the progress saved for the course: pages seen, exercises solved, hints used.",
    )
    # given after the command too; SUPPRESS keeps a value given before it
    _course_and_data_options(
        progress, "the course the progress belongs to (default: built-in)", default=argparse.SUPPRESS
    )
    progress.add_argument("--reset", action="store_true", help="clear all progress, after confirmation")
    progress.add_argument("--yes", action="store_true", help="with --reset: do not ask")
    progress.set_defaults(handler=_progress)
    trace = sub.add_parser(
        "trace",
        help="run an optimizer on a problem headless and print the trajectory",
        description="Run one optimizer on one problem and print every step as JSON or CSV.",
        epilog_factory=_trace_epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    trace.add_argument("problem", metavar="PROBLEM", help="a built-in problem (listed below)")
    trace.add_argument("optimizer", metavar="OPTIMIZER", help="an optimizer (listed below)")
    trace.add_argument("--lr", type=_number, metavar="A", help="learning rate α (default: per optimizer)")
    trace.add_argument("--steps", type=_whole, default=100, metavar="N", help="step budget (default 100)")
    trace.add_argument("--start", type=_point, metavar="X[,Y…]", help="start point (default: per problem)")
    trace.add_argument(
        "--set",
        type=_assignment,
        action="append",
        default=[],
        metavar="NAME=VALUE",
        dest="hyper",
        help="a hyperparameter: momentum, rho, beta1, beta2, eps",
    )
    trace.add_argument(
        "--batch-size",
        type=_whole,
        metavar="B",
        help="mini-batch size on data-fitting problems (sgd: 1; others: all examples)",
    )
    trace.add_argument("--seed", type=_whole, default=0, metavar="S", help="random seed (default 0)")
    trace.add_argument(
        "--schedule",
        default="constant",
        metavar="KIND[:k=v,…]",
        help="learning-rate schedule (default constant)",
    )
    trace.add_argument(
        "--tol",
        type=_number,
        default=0.0,
        metavar="T",
        help="stop once a step moves θ by less than T (default 0: never)",
    )
    trace.add_argument(
        "--format", choices=("json", "csv"), default="json", help="output format (default json)"
    )
    trace.set_defaults(handler=_trace)
    _add_classroom_commands(sub)
    return parser


def _add_classroom_commands(sub) -> None:
    serve = sub.add_parser(
        "serve",
        help="serve the course to a class over SSH",
        description="Serve the course over SSH: each student on the class roster runs `ssh -p PORT NAME@HOST` "
        "and gets their own gdtui, saving progress to the class store. Nothing else is served.",
    )
    where = serve.add_mutually_exclusive_group(required=True)
    where.add_argument("--class-dir", metavar="DIR", type=Path, help="the class folder to serve")
    where.add_argument(
        "--init", metavar="DIR", type=Path, help="make a class folder: host key and an example roster.toml"
    )
    where.add_argument(
        "--hash-passphrase",
        action="store_true",
        help="read a class passphrase and print the roster line holding its salted hash",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1; 0.0.0.0 for all)"
    )
    serve.add_argument("--port", type=_port, default=2222, help="port to listen on (default 2222)")
    serve.add_argument(
        "--lessons",
        metavar="DIR",
        type=Path,
        default=argparse.SUPPRESS,  # keeps a `gdtui --lessons DIR serve …` given before the command
        help="serve the course in DIR instead of the built-in one (checked before the server starts)",
    )
    serve.add_argument(
        "--redraw-rate",
        metavar="N",
        type=_number,
        default=5.0,
        help="plot redraws per second in each student's app (default 5: a class shares the CPU)",
    )
    serve.set_defaults(handler=_serve)
    classroom = sub.add_parser(
        "classroom",
        help="the teacher's dashboard for a class folder",
        description="Every student on the roster: connected or not, current lesson, lessons and exercises "
        "completed, hints used and last activity, updated live.",
    )
    classroom.add_argument("dir", metavar="DIR", type=Path, help="the class folder")
    classroom.add_argument("--csv", action="store_true", help="print the table as CSV and exit")
    classroom.add_argument(
        "--lessons",
        metavar="DIR",
        type=Path,
        default=argparse.SUPPRESS,
        help="the course the class is served (`gdtui serve --lessons DIR`; default: built-in)",
    )
    classroom.set_defaults(handler=_classroom)


def _trace(args: argparse.Namespace) -> int:
    from .engine import run

    traj = run(
        args.problem,
        args.optimizer,
        lr=args.lr,
        steps=args.steps,
        start=args.start,
        schedule=args.schedule,
        batch_size=args.batch_size,
        seed=args.seed,
        tol=args.tol,
        hyper=dict(args.hyper),
    )
    if args.format == "json":
        sys.stdout.write(json.dumps(traj.to_dict()) + "\n")
    else:
        _write_csv(traj)
    return 0


def _write_csv(traj) -> None:
    """One row per point: step, θ's coordinates, loss, then the lr and gradient norm of the step that
    reached it (empty on the start row)."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    dim = traj.theta.shape[1]
    writer.writerow(["step", *(f"theta_{i + 1}" for i in range(dim)), "loss", "lr", "grad_norm"])
    for k in range(traj.steps + 1):
        lr = repr(float(traj.lr[k - 1])) if k and traj.lr is not None else ""
        gn = repr(float(traj.grad_norm[k - 1])) if k and traj.grad_norm is not None else ""
        writer.writerow([k, *(repr(float(v)) for v in traj.theta[k]), repr(float(traj.loss[k])), lr, gn])


def _check(args: argparse.Namespace) -> int:
    from .course.check import run_check

    return run_check(args.dir)


def _serve(args: argparse.Namespace) -> int:
    from .classroom.commands import serve_command

    return serve_command(args)


def _classroom(args: argparse.Namespace) -> int:
    from .classroom.commands import classroom_command

    return classroom_command(args)


def _open_store(args: argparse.Namespace):
    from .store import Store, StoreError, data_dir

    try:
        return Store.open(data_dir(args.data_dir), **({"learner": args.learner} if args.learner else {}))
    except StoreError as exc:
        raise UsageError(str(exc)) from None


def _load(args: argparse.Namespace):
    from .course import CourseError, load_course
    from .store import cache_dir

    try:
        return load_course(args.lessons, cache=cache_dir())
    except CourseError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        raise UsageError(f"the course has {len(exc.issues)} problem(s); `gdtui check` lists them") from None


def _progress(args: argparse.Namespace) -> int:
    """Print progress, or clear it after confirmation."""
    from .store import format_report

    store = _open_store(args)
    try:
        if store.notice:
            print(store.notice, file=sys.stderr)
        if args.reset:
            # a class store keeps every student's progress: only this learner's is cleared
            others = [name for name in store.learners() if name != store.learner]
            what = f"{store.learner}'s progress" if others else "all progress"
            if not args.yes:
                if not sys.stdin.isatty():
                    raise UsageError(
                        "--reset asks before clearing progress; add --yes to clear without asking"
                    )
                answer = input(f"Clear {what} saved in {store.path}? [y/N] ")
                if answer.strip().lower() not in ("y", "yes"):
                    print("Nothing cleared.")
                    return 1
            store.reset()
            print(
                f"{store.learner}'s progress cleared ({store.path})."
                if others
                else f"Progress cleared ({store.path})."
            )
            return 0
        course = _load(args)
        titles = {
            lesson.slug: (lesson.title, len(lesson.pages), sum(len(p.exercises) for p in lesson.pages))
            for lesson in course.lessons
        }
        print(format_report(store.summary(), titles))
        return 0
    finally:
        store.close()


def _app(args: argparse.Namespace) -> int:
    """Open the course in the terminal (arguments checked first, then that there is a terminal).

    Python's cycle collector is off until the first screen is up (the app turns it back on): start-up
    allocates a great deal and frees little, and the collector would scan it all again and again."""
    gc.disable()
    try:
        return _open_course(args)
    finally:
        gc.enable()


def _open_course(args: argparse.Namespace) -> int:
    if not (args.redraw_rate > 0 and args.redraw_rate <= 60):
        raise UsageError(f"--redraw-rate must be between 0 and 60, got {args.redraw_rate:g}")
    course = _load(args)
    slugs = [lesson.slug for lesson in course.lessons]
    if args.lesson is not None and args.lesson not in slugs:
        raise UsageError(f"unknown lesson {args.lesson!r}; choose one of: {', '.join(slugs)}")
    if not (sys.stdin.isatty() and sys.__stderr__.isatty()):  # Textual reads stdin and draws on stderr
        raise UsageError("the course needs a terminal; for headless runs use `gdtui trace`")
    store = _open_store(args)
    from .ui.app import GdtuiApp

    try:
        GdtuiApp(course, store, args.lesson, redraw_rate=args.redraw_rate).run()
    finally:
        store.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(_join_negative_values(sys.argv[1:] if argv is None else argv))
    prog = "gdtui" if args.command is None else f"gdtui {args.command}"
    try:
        return _app(args) if args.command is None else args.handler(args)
    except BrokenPipeError:  # `gdtui trace … | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from .engine import ConfigError  # loads the engine, but only on the way out with an error

        if not isinstance(exc, UsageError | ConfigError):
            raise
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return USAGE_ERROR


if __name__ == "__main__":
    sys.exit(main())
