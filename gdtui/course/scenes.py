"""Reading a page's `[page.scene]` table into a `Scene`, resolving every name against the engine's
registries. A scene is either one run (`optimizer`, `lr`, `hyper`, `label`, `expect` in the scene table)
or a race (two or more `[[page.scene.run]]` tables, each with those keys)."""

from __future__ import annotations

from typing import Any

from ..engine import (
    OPTIMIZERS,
    PROBLEMS,
    ConfigError,
    Problem,
    get_optimizer,
    hyperparameters,
    make_schedule,
    parse_schedule,
)
from .fields import Fields, choices, is_number, join
from .schema import CONTROLS, EXPECTATIONS, VIEWS, RunSpec, Scene

RUN_KEYS = ("optimizer", "lr", "hyper", "label", "expect")
SCENE_KEYS = (
    "problem",
    *RUN_KEYS,
    "run",
    "start",
    "steps",
    "batch_size",
    "schedule",
    "seed",
    "tol",
    "controls",
    "speed",
    "view",
    "target",
)


def read_scene(f: Fields, raw: dict[str, Any], at: str) -> Scene | None:
    """The scene in `raw` (the table at field path `at`), or None after recording its issues."""
    before = f.count
    f.unknown(raw, SCENE_KEYS, at)
    name = f.choice(raw, "problem", at, PROBLEMS, required=True)
    problem = PROBLEMS[name] if name else None
    runs = _runs(f, raw, at)
    settings = {
        "start": _start(f, raw, at, problem),
        "steps": f.whole(raw, "steps", at, least=1),
        "batch_size": _batch_size(f, raw, at, problem),
        "schedule": _schedule(f, raw, at),
        "seed": f.whole(raw, "seed", at, least=0),
        "tol": f.number(raw, "tol", at, positive=False),
        "controls": _controls(f, raw, at, runs=None if runs is None else len(runs)),
        "speed": f.number(raw, "speed", at, positive=True),
        "view": _view(f, raw, at, problem),
        "target": _target(f, raw, at),
    }
    if f.count > before or problem is None or runs is None:
        return None
    scene = Scene(problem=problem.name, runs=runs, **{k: v for k, v in settings.items() if v is not None})
    try:
        scene.steppers()  # cross-field rules the engine owns (e.g. sgd needs a data set)
    except ConfigError as exc:
        f.add(at, f"settings the engine accepts ({exc})")
        return None
    return scene


def _runs(f: Fields, raw: dict[str, Any], at: str) -> tuple[RunSpec, ...] | None:
    if "run" not in raw:
        if "optimizer" not in raw:
            f.add(join(at, "optimizer"), choices(OPTIMIZERS) + " (or [[page.scene.run]] tables for a race)")
            return None
        spec = _run(f, raw, at)
        return None if spec is None else (spec,)
    for key in RUN_KEYS:
        if key in raw:
            f.add(join(at, key), "only in a single-run scene; in a race give it in each [[page.scene.run]]")
    tables = raw["run"]
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        f.add(join(at, "run"), "[[page.scene.run]] tables")
        return None
    if len(tables) < 2:
        f.add(
            join(at, "run"),
            "at least two [[page.scene.run]] tables (for one run, put `optimizer` in the scene)",
        )
    specs = []
    for i, table in enumerate(tables, 1):
        f.unknown(table, RUN_KEYS, f"{at}.run[{i}]")
        specs.append(_run(f, table, f"{at}.run[{i}]"))
    seen: dict[str, int] = {}
    for i, spec in enumerate(specs, 1):
        if spec is None:
            continue
        if spec.name in seen:
            f.add(
                f"{at}.run[{i}].label",
                f"a label unlike the other runs' (run[{seen[spec.name]}] is also {spec.name!r})",
            )
        seen.setdefault(spec.name, i)
    return None if None in specs or len(specs) < 2 else tuple(specs)


def _run(f: Fields, table: dict[str, Any], at: str) -> RunSpec | None:
    before = f.count
    name = f.choice(table, "optimizer", at, OPTIMIZERS, required=True)
    lr = f.number(table, "lr", at, positive=True)
    if name and lr is not None and not get_optimizer(name).uses_lr:
        f.add(join(at, "lr"), f"no lr ({name} takes no learning rate)")
    hyper = _hyper(f, table, at, name)
    label = f.string(table, "label", at)
    expect = f.choice(table, "expect", at, EXPECTATIONS)
    if f.count > before or name is None:
        return None
    return RunSpec(optimizer=name, lr=lr, hyper=hyper or {}, label=label, expect=expect)


def _hyper(f: Fields, table: dict[str, Any], at: str, optimizer: str | None) -> dict[str, float] | None:
    """`hyper = {momentum = 0.9}`: names the optimizer takes, values in the engine's ranges."""
    raw = f.table(table, "hyper", at)
    if raw is None or optimizer is None:
        return None
    valid = hyperparameters(optimizer)
    out = {}
    for key, value in raw.items():
        field = join(at, f"hyper.{key}")
        if key not in valid:
            f.add(field, f"no such hyperparameter; {optimizer} takes: {', '.join(valid) or 'none'}")
        elif not is_number(value):
            f.add(field, "a number")
        else:
            try:
                get_optimizer(optimizer, **{key: value})
            except ConfigError as exc:
                f.add(field, str(exc))
                continue
            out[key] = float(value)
    return out


def _start(f: Fields, raw: dict[str, Any], at: str, problem: Problem | None) -> tuple[float, ...] | None:
    if "start" not in raw:
        return None
    value = raw["start"]
    ok = isinstance(value, list) and all(is_number(v) for v in value)
    if problem is not None and not (ok and len(value) == problem.dim):
        form = "[θ]" if problem.dim == 1 else "[" + ", ".join("xyzw"[: problem.dim]) + "]"
        s = "s" * (problem.dim > 1)
        f.add(join(at, "start"), f"a list of {problem.dim} number{s} ({form}) for {problem.name}")
        return None
    if not ok:
        f.add(join(at, "start"), "a list of numbers")
        return None
    return tuple(float(v) for v in value)


def _batch_size(f: Fields, raw: dict[str, Any], at: str, problem: Problem | None) -> int | None:
    size = f.whole(raw, "batch_size", at, least=1)
    if size is None or problem is None:
        return size
    if not problem.is_data:
        data = ", ".join(name for name, p in PROBLEMS.items() if p.is_data)
        f.add(join(at, "batch_size"), f"no batch_size ({problem.name} has no data set; these do: {data})")
        return None
    if size > problem.n_examples:
        n = problem.n_examples
        f.add(join(at, "batch_size"), f"a whole number from 1 to {n} ({problem.name} has {n} examples)")
        return None
    return size


def _schedule(f: Fields, raw: dict[str, Any], at: str) -> str | None:
    """`KIND[:k=v,…]` as `gdtui trace --schedule` takes it, checked by the engine."""
    text = f.string(raw, "schedule", at)
    if text is None:
        return None
    try:
        kind, params = parse_schedule(text)
        make_schedule(kind, 1.0, **params)
    except ConfigError as exc:
        f.add(join(at, "schedule"), f"a schedule such as step:every=10,gamma=0.5 ({exc})")
        return None
    return text


def _controls(f: Fields, raw: dict[str, Any], at: str, *, runs: int | None) -> tuple[str, ...] | None:
    """The `controls` list; `runs` is how many runs the scene has (None if they did not load)."""
    if "controls" not in raw:
        return None
    value = raw["controls"]
    if not isinstance(value, list):
        f.add(join(at, "controls"), f"a list of controls, each {choices(CONTROLS)}")
        return None
    before = f.count
    for i, name in enumerate(value, 1):
        field = join(at, f"controls[{i}]")
        if name not in CONTROLS:
            f.add(field, choices(CONTROLS))
        elif name in value[: i - 1]:
            f.add(field, "each control once")
        elif (runs or 0) > 1 and name == "optimizer" and "run" not in value:
            f.add(
                field,
                "a control a race can use (optimizer swaps the optimizer of a single-run scene; "
                "in a race, add the run control to pick which run it changes)",
            )
        elif name == "run" and runs == 1:
            f.add(field, "a control this scene can use (run picks one run of a race; this scene has one run)")
        elif name == "run" and "optimizer" not in value and "lr" not in value:
            f.add(field, "optimizer or lr beside it (run picks the run whose optimizer and lr they change)")
    return None if f.count > before else tuple(value)


def _view(f: Fields, raw: dict[str, Any], at: str, problem: Problem | None) -> str | None:
    view = f.choice(raw, "view", at, VIEWS)
    if view in ("fit", "batch-variance") and problem is not None and not problem.is_data:
        f.add(
            join(at, "view"), f"a data-fitting problem for the {view} view ({problem.name} has no data set)"
        )
        return None
    return view


def _target(f: Fields, raw: dict[str, Any], at: str) -> float | None:
    if "target" not in raw:
        return None
    value = raw["target"]
    if not is_number(value):
        f.add(join(at, "target"), "a loss to reach (a number)")
        return None
    return float(value)
