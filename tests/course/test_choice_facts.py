"""Choice exercises whose right option is an engine fact (which run of a race reaches the target first,
which ρ ends lowest, where a run stops, which h gives the smallest error, …) name the option the engine
says. A `choice` stores its answer as a plain index, so without this an engine change that flips the fact
would leave the lesson silently wrong. Each row finds its exercise by lesson and id (a missing id fails)
and works the answer out from the page's scene or the engine function the page shows, never from the
lesson's own `correct` or its explain text."""

import math
import re
import shutil
from dataclasses import replace

import numpy as np
import pytest

from gdtui.course import bundled_root, load_course
from gdtui.course.exercises import scene_run
from gdtui.engine import (
    expected_batch_variance,
    get_problem,
    gradient_check,
    make_schedule,
    parse_schedule,
)
from gdtui.engine.gradients import evaluations

COURSE = load_course()


# -- reading the course ----------------------------------------------------------------------------------
def find(course, slug: str, exercise_id: str):
    """(page, exercise) for the choice `exercise_id` of lesson `slug`; fails if it is missing or repeated."""
    hits = [(p, e) for p in course.lesson(slug).pages for e in p.exercises if e.id == exercise_id]
    assert hits, f"{slug}: no exercise {exercise_id!r} (renamed? update the table in this test)"
    assert len(hits) == 1, f"{slug}: exercise {exercise_id!r} is on {len(hits)} pages"
    page, exercise = hits[0]
    assert exercise.kind == "choice", f"{slug}/{exercise_id} is a {exercise.kind}, not a choice"
    return page, exercise


def option(exercise, text: str) -> int:
    """The 1-based number of the option that reads exactly `text`."""
    assert text in exercise.options, f"{exercise.id}: no option {text!r} among {exercise.options}"
    return exercise.options.index(text) + 1


def numbers_in(text: str) -> list[float]:
    return [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", text.replace("−", "-"))]


_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")


def power_of_ten(text: str) -> float:
    """'10⁻⁶' -> 1e-06."""
    assert text.startswith("10"), text
    return 10.0 ** int(text[2:].translate(_SUPERSCRIPT))


# -- reading the engine ----------------------------------------------------------------------------------
def every_run(scene, changes=None) -> list:
    return [scene_run(scene, changes, i) for i in range(1, len(scene.runs) + 1)]


def reached_at(traj, target: float) -> float:
    """The first step at which the run's loss is at or below `target` (as the state panel reports it);
    infinity if it never gets there."""
    hits = np.flatnonzero(traj.loss <= target)
    return float(hits[0]) if hits.size else math.inf


def only(found: list, what: str):
    assert len(found) == 1, f"expected exactly one {what}, the engine gives {found}"
    return found[0]


def by_run(score, *, pick=min, names=None):
    """A race fact: the run whose score(scene, finished trajectory) is the least (or `pick=max`: the
    greatest), as the option that names it (`names` maps a run's label to its option's text where they
    differ). A tie, or no run with a finite score, fails: the question would have no single answer."""

    def fact(scene, exercise):
        scores = {
            spec.name: score(scene, traj) for spec, traj in zip(scene.runs, every_run(scene), strict=True)
        }
        best = pick(scores.values())
        assert math.isfinite(best), f"no run gets there: {scores}"
        winner = only([name for name, s in scores.items() if s == best], f"run with score {best} in {scores}")
        return option(exercise, (names or {}).get(winner, winner))

    return fact


def first_to_target(names=None):
    return by_run(lambda scene, traj: reached_at(traj, scene.target), names=names)


def last_to_target():
    return by_run(lambda scene, traj: reached_at(traj, scene.target), pick=max)


def lowest_final_loss():
    return by_run(lambda scene, traj: float(traj.loss[-1]))


def kind_of_point(problem, theta) -> str:
    """'minimum', 'maximum' or 'saddle' by the Hessian's eigenvalues at a flat point θ."""
    eig = np.linalg.eigvalsh(problem.hessian(np.asarray(theta)))
    assert np.linalg.norm(problem.grad(np.asarray(theta))) < 1e-3, f"θ = {theta} is not a flat point"
    return "minimum" if np.all(eig > 0) else "maximum" if np.all(eig < 0) else "saddle"


def nearest_minimum(problem, theta) -> tuple[float, ...]:
    return min(problem.minima, key=lambda m: float(np.linalg.norm(np.subtract(m, theta))))


# -- the facts, one per exercise -------------------------------------------------------------------------
def sgd_second_epoch(scene, exercise):
    """α = 0.5 on one pair's (θ − offset)² lands exactly on that pair's offset y − x: the landing points
    are the visiting order. Same order again, each offset once in a new order, or repeats?"""
    traj = scene_run(scene)
    problem = get_problem(scene.problem)
    offsets = np.sort(problem.y - problem.x)
    first, second = traj.theta[1:5, 0], traj.theta[5:9, 0]
    assert np.allclose(np.sort(first), offsets), f"the first epoch lands on {first}, not each of {offsets}"
    if np.allclose(first, second):
        return 1
    return 2 if np.allclose(np.sort(second), offsets) else 3


def sgd_cheaper(scene, exercise):
    """GD after 10 steps and SGD after 200 have used the same number of example gradients."""
    gd, sgd = every_run(scene)
    n = get_problem(scene.problem).n_examples
    assert 10 * n == 200 * (scene.batch_size or 1), "the two runs do not use the same number of gradients"
    a, b = float(gd.loss[10]), float(sgd.loss[200])
    return 3 if math.isclose(a, b, rel_tol=1e-12) else (1 if a < b else 2)


def epoch_length(scene, exercise):
    n = get_problem(scene.problem).n_examples
    assert n % 5 == 0
    return option(exercise, str(n // 5))


def start_of(scene):
    problem = get_problem(scene.problem)
    return np.array(scene.start if scene.start is not None else problem.start)


def zero_variance(scene, exercise):
    sizes = [int(numbers_in(text)[0]) for text in exercise.options]  # "B = 20" -> 20
    variance = expected_batch_variance(get_problem(scene.problem), start_of(scene), sizes)
    return only([i + 1 for i, v in enumerate(variance) if v == 0.0], "batch size with variance 0")


def variance_one_to_four(scene, exercise):
    v1, v4 = expected_batch_variance(get_problem(scene.problem), start_of(scene), [1, 4])
    ratio = v4 / v1
    values = [1 / 2, 1 / 4, (1 / 4) * (16 / 19), 4.0]  # what the four options say, in order
    return only(
        [i + 1 for i, v in enumerate(values) if math.isclose(ratio, v, rel_tol=1e-9)], f"ratio {ratio}"
    )


def centered_more_accurate(scene, exercise):
    problem, hs = get_problem(scene.problem), np.logspace(-6, -2, 9)
    forward = gradient_check(problem, start_of(scene), hs, "forward")
    centered = gradient_check(problem, start_of(scene), hs, "centered")
    wins = int(np.sum(centered < forward)) - int(np.sum(forward < centered))
    return option(exercise, "centered" if wins > 0 else "forward" if wins < 0 else "they are the same")


def evaluations_formula(scene, exercise):
    formulas = {"d + 1": lambda d: d + 1, "2d": lambda d: 2 * d, "d²": lambda d: d * d}
    dims = (3, 5, 10)
    right = [text for text, f in formulas.items() if all(f(d) == evaluations(d, "centered") for d in dims)]
    return option(exercise, only(right, "formula for the centered difference's evaluations"))


def best_h(scene, exercise):
    hs = [power_of_ten(text) for text in exercise.options]
    errors = gradient_check(get_problem(scene.problem), start_of(scene), hs, "centered")
    return int(np.argmin(errors)) + 1


def million_parameters(scene, exercise):
    total = evaluations(10**6, "forward") * 1000
    sizes = {"about a thousand": 1e3, "about a million": 1e6, "about a billion": 1e9}
    return option(exercise, min(sizes, key=lambda text: abs(math.log10(total) - math.log10(sizes[text]))))


def smallest_rate_at_step_50(scene, exercise):
    rates = []
    for text in exercise.options:  # each option is a schedule as the lesson file writes one
        kind, params = parse_schedule(text)
        rates.append(make_schedule(kind, 0.3, **params)(49))  # step 50 comes after k = 49 steps
    return only([i + 1 for i, r in enumerate(rates) if r == min(rates)], f"smallest rate in {rates}")


def gd_on_the_ridge(scene, exercise):
    on_ridge = scene_run(scene, {"start": (-2.0, 0.0)}, run=1)
    if on_ridge.status != "diverged":
        assert np.allclose(on_ridge.theta[-1], 0.0, atol=1e-6), f"GD ends at {on_ridge.theta[-1]}"
        return 2
    off_ridge = scene_run(scene, run=1)
    return 1 if on_ridge.diverged_at > off_ridge.diverged_at else 3


def adam_without_correction(scene, exercise):
    stepper = scene.steppers()[0]
    stepper.step()
    state = stepper.state
    raw = np.abs(state.m) / np.sqrt(state.s)
    corrected = np.abs(state.m_hat) / np.sqrt(state.s_hat)
    ratio = raw / corrected
    assert np.allclose(ratio, ratio[0]), f"the ratio differs between coordinates: {ratio}"
    choices = [0.1, 1.0, math.sqrt(10)]  # 10 times smaller, the same, about 3.16 times larger
    return min(range(3), key=lambda i: abs(math.log(ratio[0] / choices[i]))) + 1


def gd_one_step(scene, exercise):
    """Which α takes GD to where Newton lands in one step (the bottom of this parabola)?"""
    bottom = scene_run(scene).theta[-1]
    curvature = float(get_problem(scene.problem).hessian(start_of(scene))[0, 0])
    assert f"1/{curvature:g}" in exercise.options[1], exercise.options
    alphas = {1: 1.0, 2: 1.0 / curvature, 3: curvature}
    lands = [
        i
        for i, a in alphas.items()
        if np.allclose(scene_run(scene, {"optimizer": "gd", "lr": a, "steps": 1}).theta[1], bottom, atol=1e-9)
    ]
    return only(lands, "α that lands on the bottom") if lands else 4  # option 4: "No α can"


def newton_rate_in_y(scene, exercise):
    """Newton's first y-step divided by −g_y: the learning rate it uses along y."""
    newton = scene_run(scene, run=[spec.optimizer for spec in scene.runs].index("newton") + 1)
    g = get_problem(scene.problem).grad(newton.theta[0])
    alpha = (newton.theta[0, 1] - newton.theta[1, 1]) / g[1]
    values = [numbers_in(text)[0] for text in exercise.options]
    return only([i + 1 for i, v in enumerate(values) if math.isclose(alpha, v, rel_tol=1e-9)], f"α = {alpha}")


def newton_on_himmelblau(scene, exercise):
    """The prompt's experiment, on the saddle page: Newton on Himmelblau from (0, 0)."""
    traj = scene_run(replace(scene, problem="himmelblau", start=(0.0, 0.0)))
    assert traj.status == "converged", traj.status
    kind = kind_of_point(get_problem("himmelblau"), traj.theta[-1])
    return {"minimum": 1, "maximum": 2}[kind]


def run_of(scene, optimizer: str, lr: float):
    """The scene's run of `optimizer` (a race that has one, at rate `lr`), else the scene's single run
    switched to it at `lr`, as the learner's optimizer and lr controls do."""
    names = [spec.optimizer for spec in scene.runs]
    if len(names) > 1 and optimizer in names:
        i = only([i for i, n in enumerate(names) if n == optimizer], f"{optimizer} run") + 1
        traj = scene_run(scene, run=i)
        assert math.isclose(traj.settings["lr"], lr), (
            f"{optimizer} runs at α = {traj.settings['lr']}, not {lr}"
        )
        return traj
    return scene_run(scene, {"optimizer": optimizer, "lr": lr})


def himmelblau_stop(optimizer: str, lr: float, near_text_option: int):
    """Where a capstone run on Himmelblau ends: (3, 2), another minimum (whose coordinates, if an option
    gives them, must be right), or a point with loss above 100."""

    def fact(scene, exercise):
        problem = get_problem(scene.problem)
        traj = run_of(scene, optimizer, lr)
        end = traj.theta[-1]
        if traj.loss[-1] > 100:
            return 3
        near = nearest_minimum(problem, end)
        assert np.allclose(end, near, atol=0.01), f"stops at {end}, near no minimum"
        if np.allclose(near, (3.0, 2.0), atol=1e-6):
            return 1
        said = numbers_in(exercise.options[near_text_option - 1])
        if said:
            assert np.allclose(said, near, atol=0.01), f"the option says {said}, the run stops near {near}"
        return 2

    return fact


def newton_at_capstone(scene, exercise):
    problem = get_problem(scene.problem)
    traj = run_of(scene, "newton", 1.0)
    end = traj.theta[-1]
    kind = kind_of_point(problem, end)
    if kind == "minimum":
        return 1 if np.allclose(end, (3.0, 2.0), atol=1e-3) else 2
    assert kind == "maximum" and traj.loss[-1] > 100, (kind, traj.loss[-1])
    return 3


def convex_loss(scene, exercise):
    """Option 1 is the noisy game's loss, option 2 the wavy one: which has L″ ≥ 0 all over its box?"""

    def same_loss(name, formula):
        grid = np.linspace(*get_problem(name).box[0], 101)[:, None]
        grid = grid[grid[:, 0] != 0.0]
        return np.allclose(get_problem(name).f(grid), formula(grid[:, 0]))

    assert same_loss("noisy-secret-number", lambda t: (t - 2) ** 2 + 2.5)
    assert same_loss("wavy", lambda t: np.sin(2 * t) * np.log(t**2))

    def convex(name):
        problem = get_problem(name)
        grid = np.linspace(*problem.box[0], 400)[:, None]
        grid = grid[np.abs(grid[:, 0]) > 1e-3]
        return bool(np.all(problem.hessian(grid)[..., 0, 0] >= -1e-12))

    flags = (convex("noisy-secret-number"), convex("wavy"))
    return {(True, False): 1, (False, True): 2, (True, True): 3}[flags]


#: Race labels whose options say more: run label -> option text.
SEARCH_NAMES = {"random": "random search", "local": "random local search", "slope": "gradient descent"}
MU_NAMES = {"μ = 0.5": "momentum, μ = 0.5", "μ = 0.9": "momentum, μ = 0.9"}

FACTS = [
    ("strategies", "winner", first_to_target(SEARCH_NAMES)),
    ("loss", "convex-which", convex_loss),
    ("gradients", "more-accurate", centered_more_accurate),
    ("gradients", "cost-per-gradient", evaluations_formula),
    ("gradients", "best-h", best_h),
    ("gradients", "million", million_parameters),
    ("sgd", "epoch", sgd_second_epoch),
    ("sgd", "cheaper", sgd_cheaper),
    ("mini-batch", "epoch-length", epoch_length),
    ("mini-batch", "zero-variance", zero_variance),
    ("mini-batch", "four-times", variance_one_to_four),
    ("momentum", "best-mu", first_to_target(MU_NAMES)),
    ("momentum", "on-the-ridge", gd_on_the_ridge),
    ("momentum", "banana-first", first_to_target()),
    ("schedules", "exp-faster", smallest_rate_at_step_50),
    ("adaptive-race", "rho-best", lowest_final_loss()),
    ("adaptive-race", "no-correction", adam_without_correction),
    ("newton", "gd-one-step", gd_one_step),
    ("newton", "newton-rate-y", newton_rate_in_y),
    ("newton", "himmelblau-max", newton_on_himmelblau),
    ("capstone", "bowl-first", first_to_target()),
    ("capstone", "bowl-last", last_to_target()),
    ("capstone", "valley-first", first_to_target()),
    ("capstone", "line-first", first_to_target()),
    ("capstone", "momentum-valley", himmelblau_stop("momentum", 0.01, 2)),
    ("capstone", "newton-here", newton_at_capstone),
]


def engine_says(course, slug: str, exercise_id: str, fact) -> tuple[int, int]:
    """(the lesson's `correct`, the option the engine picks)."""
    page, exercise = find(course, slug, exercise_id)
    return exercise.correct, fact(page.scene, exercise)


@pytest.mark.parametrize(("slug", "exercise_id", "fact"), FACTS, ids=[f"{s}/{e}" for s, e, _ in FACTS])
def test_choice_names_the_option_the_engine_computes(slug, exercise_id, fact):
    correct, computed = engine_says(COURSE, slug, exercise_id, fact)
    _, exercise = find(COURSE, slug, exercise_id)
    assert correct == computed, (
        f"{slug}/{exercise_id}: the lesson says option {correct} ({exercise.options[correct - 1]!r}), "
        f"the engine says option {computed} ({exercise.options[computed - 1]!r})"
    )


def test_a_flipped_correct_is_caught(tmp_path):
    """The table really judges the lesson file: flip rho-best's `correct` in a copy of the course and the
    engine's answer no longer agrees with it."""
    root = tmp_path / "lessons"
    shutil.copytree(bundled_root(), root)
    toml = root / "adaptive-race" / "lesson.toml"
    text = toml.read_text()
    block = text.index('id = "rho-best"')
    end = text.index("\n\n", block)
    flipped = re.sub(r"correct = (\d)", lambda m: f"correct = {int(m.group(1)) % 3 + 1}", text[block:end])
    toml.write_text(text[:block] + flipped + text[end:])
    fact = dict(((s, e), f) for s, e, f in FACTS)[("adaptive-race", "rho-best")]
    correct, computed = engine_says(load_course(root), "adaptive-race", "rho-best", fact)
    assert correct != computed
    assert computed == engine_says(COURSE, "adaptive-race", "rho-best", fact)[1]
