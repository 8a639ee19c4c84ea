"""Exercises: reading `[[page.exercise]]` tables, computing their answers with the engine, and judging a
learner's response. Numbers are never typed into a lesson file: a `number` exercise either names what to
read off a run of the page's scene (`answer = { of = "theta", step = 1, changes = { lr = 0.75 } }`) or
says which setting the learner's number is (`sets = "lr"`) and which status the run must then end with
(`expect = "diverged"`). A `predict` exercise offers outcomes keyed by status; the scene's run decides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..engine import ConfigError, reached_at
from .fields import Fields, choices, is_number, is_whole, join
from .schema import EXPECTATIONS, Answer, Exercise, RunChange, Scene

EXERCISE_KEYS = (
    "id",
    "kind",
    "prompt",
    "hints",
    "explain",
    "answer",
    "tol",
    "sets",
    "expect",
    "options",
    "correct",
    "outcomes",
)
KINDS = ("number", "choice", "predict")
ANSWER_KEYS = ("of", "step", "coord", "run", "changes")
READINGS = ("theta", "loss", "grad_norm", "lr", "steps", "diverged_at", "target_step")
CHANGES = ("lr", "start", "steps", "optimizer", "momentum", "batch_size", "schedule")
SETTABLE = ("lr", "momentum", "batch_size", "steps")


@dataclass(frozen=True)
class Verdict:
    correct: bool
    message: str


# -- running the scene --------------------------------------------------------------------------------
def scene_run(scene: Scene, changes: dict[str, Any] | None = None, run: int = 1):
    """The finished trajectory of run `run` (1-based) of the scene with `changes` applied. In a race,
    `optimizer` and `lr` change run `run` only (as the `run` control does); the rest change every run."""
    c = dict(changes or {})
    kwargs: dict[str, Any] = {}
    own = {key: c.pop(key) for key in ("optimizer", "lr") if key in c} if len(scene.runs) > 1 else {}
    if own:
        kwargs["runs"] = (None,) * (run - 1) + (RunChange(**own),)
    for key in ("lr", "optimizer", "batch_size", "schedule", "steps"):
        if key in c:
            kwargs[key] = c.pop(key)
    if "start" in c:
        kwargs["start"] = tuple(float(v) for v in c.pop("start"))
    if "momentum" in c:
        kwargs["hyper"] = {"momentum": c.pop("momentum")}
    if c:
        raise ConfigError(f"no such change: {', '.join(c)}")
    stepper = scene.steppers(**kwargs)[run - 1]
    return stepper.run().trajectory()


def compute_answer(scene: Scene, answer: Answer) -> float:
    """The number `answer` reads off the scene's run; ConfigError if it does not exist (e.g. the run never
    diverged, or asks for a step past its end)."""
    traj = scene_run(scene, dict(answer.changes), answer.run)
    if answer.of == "steps":
        return float(traj.steps)
    if answer.of == "target_step":
        if scene.target is None:
            raise ConfigError("the scene has no target")
        reached = reached_at(traj.loss, scene.target)
        if reached is None:
            raise ConfigError(f"the run never reached the target {scene.target:g} (it ended {traj.status})")
        return float(reached)
    if answer.of == "diverged_at":
        if traj.diverged_at is None:
            raise ConfigError(f"the run did not diverge (it ended {traj.status})")
        return float(traj.diverged_at)
    step = traj.steps if answer.step is None else answer.step
    if answer.of in ("theta", "loss"):
        if not -len(traj.loss) <= step <= traj.steps:
            raise ConfigError(f"the run has points 0 to {traj.steps}, not {step}")
        values = traj.loss if answer.of == "loss" else traj.theta[:, answer.coord - 1]
        return float(values[step])
    per_step = traj.grad_norm if answer.of == "grad_norm" else traj.lr
    if per_step is None:
        raise ConfigError(f"{traj.optimizer} has no {answer.of}")
    if not 1 <= step <= traj.steps:
        raise ConfigError(f"the run has steps 1 to {traj.steps}, not {step}")
    return float(per_step[step - 1])


def outcome(scene: Scene) -> str:
    """The status the scene's (first) run ends with: what a `predict` exercise asks for."""
    return scene_run(scene).status


# -- judging ------------------------------------------------------------------------------------------
def judge(exercise: Exercise, scene: Scene | None, response: str) -> Verdict:
    """Is `response` right? For choice and predict it is the chosen option's key (1-based index for a
    choice, a status for a predict)."""
    text = response.strip()
    if exercise.kind == "choice":
        right = text == str(exercise.correct)
        return Verdict(right, "Right." if right else "Not that one.")
    if exercise.kind == "predict":
        actual = outcome(scene)
        right = text == actual
        said = exercise.outcomes[actual]
        return Verdict(right, f"Right: {said}" if right else f"Not quite — watch: {said}")
    try:
        value = float(text)
    except ValueError:
        return Verdict(False, f"Type a number (got {text!r}).")
    if not math.isfinite(value):
        return Verdict(False, "Type a finite number.")
    if exercise.sets is not None:
        setting = int(value) if exercise.sets in ("batch_size", "steps") and value.is_integer() else value
        try:
            traj = scene_run(scene, {exercise.sets: setting})
        except ConfigError as exc:
            return Verdict(False, f"The engine refuses that: {exc}.")
        right = traj.status == exercise.expect
        where = f" at step {traj.diverged_at}" if traj.status == "diverged" else f" after {traj.steps} steps"
        return Verdict(
            right,
            f"With {exercise.sets} = {text} the run ended {traj.status}{where}."
            + ("" if right else f" Wanted: {exercise.expect}."),
        )
    expected = compute_answer(scene, exercise.answer)
    if abs(value - expected) <= exercise.tol:
        return Verdict(True, f"Right: {expected:.6g}.")
    return Verdict(False, f"Not quite (you said {text}): {'too high' if value > expected else 'too low'}.")


# -- checking (run by `gdtui check`, not on every load: each check runs the engine) ---------------------
def verify(exercise: Exercise, scene: Scene | None) -> tuple[str, str] | None:
    """(field, what was expected) if the engine cannot answer the exercise from its scene, else None."""
    if exercise.kind == "number" and exercise.answer is not None:
        try:
            compute_answer(scene, exercise.answer)
        except (ConfigError, IndexError) as exc:
            return "answer", f"something the engine can read off the scene ({exc})"
    if exercise.kind == "predict":
        actual = outcome(scene)
        if actual not in exercise.outcomes:
            return "outcomes", f"an outcome for what the scene really does ({actual})"
    return None


# -- reading ------------------------------------------------------------------------------------------
def read_exercises(f: Fields, raw: Any, at: str, scene: Scene | None) -> tuple[Exercise, ...]:
    """The `[[page.exercise]]` tables at `at`; issues are recorded on `f`."""
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        f.add(at, "one or more [[page.exercise]] tables")
        return ()
    out: list[Exercise] = []
    for i, table in enumerate(raw, 1):
        ex = _exercise(f, table, f"{at}[{i}]", scene)
        if ex is not None:
            if ex.id in (e.id for e in out):
                f.add(f"{at}[{i}].id", f"an id not used by another exercise on this page ({ex.id})")
            out.append(ex)
    return tuple(out)


def _exercise(f: Fields, t: dict[str, Any], at: str, scene: Scene | None) -> Exercise | None:
    before = f.count
    f.unknown(t, EXERCISE_KEYS, at)
    ex_id = f.string(t, "id", at, required=True, one_line=True)
    kind = f.choice(t, "kind", at, KINDS, required=True)
    prompt = f.string(t, "prompt", at, required=True)
    hints = _strings(f, t, "hints", at)
    explain = f.string(t, "explain", at) or ""
    fields: dict[str, Any] = {}
    if kind in ("number", "predict") and scene is None:
        f.add(join(at, "kind"), f"a page with a [page.scene] (a {kind} exercise is worked out from it)")
    elif kind == "number":
        fields = _number_fields(f, t, at, scene)
    elif kind == "choice":
        options = _strings(f, t, "options", at, required=True)
        correct = t.get("correct")
        if not (is_whole(correct) and 1 <= correct <= max(1, len(options))):
            f.add(join(at, "correct"), f"the number of the right option, 1 to {len(options)}")
        fields = {"options": options, "correct": correct}
    elif kind == "predict":
        fields = {"outcomes": _outcomes(f, t, at, scene)}
    if f.count > before:
        return None
    return Exercise(id=ex_id, kind=kind, prompt=prompt, hints=hints, explain=explain, **fields)


def _number_fields(f: Fields, t: dict[str, Any], at: str, scene: Scene) -> dict[str, Any]:
    tol = t.get("tol", 1e-6)
    if not (is_number(tol) and tol >= 0):
        f.add(join(at, "tol"), "a number ≥ 0 (how far an answer may be from the engine's)")
    if "sets" in t:
        sets = f.choice(t, "sets", at, SETTABLE, required=True)
        expect = f.choice(t, "expect", at, EXPECTATIONS, required=True)
        if "answer" in t:
            f.add(join(at, "answer"), "no answer with `sets` (the run's status judges the learner's number)")
        return {"sets": sets, "expect": expect}
    answer = _answer(f, t, at, scene)
    return {"answer": answer, "tol": float(tol) if is_number(tol) else 1e-6}


def _answer(f: Fields, t: dict[str, Any], at: str, scene: Scene) -> Answer | None:
    raw = f.table(t, "answer", at)
    field = join(at, "answer")
    if raw is None:
        if "answer" not in t:
            f.add(field, 'a table saying what to read off the scene, e.g. { of = "theta", step = 1 }')
        return None
    f.unknown(raw, ANSWER_KEYS, field)
    of = f.choice(raw, "of", field, READINGS, required=True)
    ints = {}
    for key, least in (("step", None), ("coord", 1), ("run", 1)):
        value = raw.get(key)
        if value is not None and not (is_whole(value) and (least is None or value >= least)):
            f.add(join(field, key), "a whole number" + (f" ≥ {least}" if least else ""))
        ints[key] = value
    changes = raw.get("changes", {})
    if not isinstance(changes, dict) or any(k not in CHANGES for k in changes):
        f.add(join(field, "changes"), f"a table of scene changes; keys among: {choices(CHANGES)}")
        changes = {}
    if ints["run"] is not None and is_whole(ints["run"]) and ints["run"] > len(scene.runs):
        f.add(join(field, "run"), f"a run of the scene, 1 to {len(scene.runs)}")
    if of is None:
        return None
    return Answer(of=of, step=ints["step"], coord=ints["coord"] or 1, run=ints["run"] or 1, changes=changes)


def _outcomes(f: Fields, t: dict[str, Any], at: str, scene: Scene) -> dict[str, str]:
    raw = f.table(t, "outcomes", at)
    field = join(at, "outcomes")
    if raw is None:
        if "outcomes" not in t:
            f.add(field, f"a table of what the learner may predict, keyed by status: {choices(EXPECTATIONS)}")
        return {}
    f.unknown(raw, EXPECTATIONS, field)
    out = {k: v for k, v in raw.items() if k in EXPECTATIONS and isinstance(v, str) and v.strip()}
    if len(out) < 2:
        f.add(field, "at least two outcomes to choose between, each a line of text")
    return out


def _strings(f: Fields, t: dict[str, Any], key: str, at: str, *, required: bool = False) -> tuple[str, ...]:
    value = t.get(key)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        f.add(join(at, key), "a list of non-empty strings" + (" (missing)" if value is None else ""))
        return ()
    return tuple(value)
