"""The layered plot pipeline draws exactly what plotext draws.

Identity: after every frame, the composite (frame + static base + dynamic + static top, each layer
built by plotext separately and the dynamic one alone each frame) equals plotext's own single build of
one figure holding all the layers' signals, cell for cell (marker, colour, style, background), and its
ANSI text and Strips equal what textual-plotext would show for that figure. Reductions are checked
against hand-made inputs and against plotext rendering the unreduced series; layers written without
plotext's build (`direct_cells`) against plotext's build of the same signals.
"""

import importlib.metadata

import numpy as np
import plotext._utility as ut
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from plotext._matrix import matrix_class
from rich.style import Style
from rich.text import Text

from gdtui.engine import get_problem, run
from gdtui.ui.widgets._plot_layers import (
    PLOTEXT_VERSION,
    Axes,
    CellLayer,
    Signal,
    build_frame,
    build_layer,
    direct_cells,
    reference,
)
from gdtui.ui.widgets._plot_loss import LossView
from gdtui.ui.widgets._plot_param import ParamView
from gdtui.ui.widgets._plot_reduce import (
    clip_to_box,
    column_envelope,
    distinct,
    drop_repeats,
    nice_ticks,
    to_dots,
)
from gdtui.ui.widgets._plot_view import CURRENT_STYLE, SERIES_STYLES, cell_signal
from gdtui.ui.widgets.plots import row_strip

SIZES = [(30, 8), (38, 10), (80, 20), (150, 45)]
STEPS = [1, 2, 7, 30, 120, 481]
RACE = [("gd", 0.001), ("momentum", 0.0005), ("adam", 0.05), ("gd", 0.0025)]  # the last one diverges


def runs(problem, specs, steps=480):
    return [run(problem, opt, lr=lr, steps=steps) for opt, lr in specs]


def composite_matches_plotext(view) -> None:
    """The view's rows equal plotext's build of the same figure: cells, ANSI text and Strips."""
    axes, layers = view.layers()
    m, canvas = reference(axes, layers)
    h = axes.height
    for y, row in enumerate(view.rows):
        r = h - 1 - y
        assert row == (m.marker[r], m.fullground[r], m.style[r], m.background[r]), f"row {y} differs"
    mine = matrix_class()
    mine.set_size(axes.width, h)
    grids = ([list(row[i]) for row in view.rows[::-1]] for i in range(4))
    mine.marker, mine.fullground, mine.style, mine.background = grids
    assert mine.set_canvas() == canvas
    for y, line in enumerate(Text.from_ansi(canvas).split("\n")[:h]):
        styles = [Style()] * len(line.plain)
        for span in line.spans:
            for i in range(span.start, span.end):
                styles[i] = styles[i] + span.style
        strip = row_strip(view.rows[y])
        cells = [(ch, seg.style) for seg in strip for ch in seg.text]
        assert [c for c, _ in cells] == list(line.plain)
        assert [s or Style() for _, s in cells] == styles


def drive(view, frames: list, size) -> int:
    """Resize, then show each frame's data and check the composite after it; returns frames drawn."""
    view.resize(*size)
    drawn = 0
    for update in frames:
        update()
        changed = view.frame()
        drawn += bool(changed)
        if view.rows:
            composite_matches_plotext(view)
    return drawn


def test_the_pinned_plotext_is_installed():
    assert importlib.metadata.version("plotext") == PLOTEXT_VERSION


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_race_on_rosenbrock_composites_exactly(size):
    trajs = runs("rosenbrock", RACE)
    labels = ["gd", "momentum", "adam", "gd (too fast)"]
    pv, lv = ParamView(), LossView()
    pv.set_scene(get_problem("rosenbrock"), labels)
    lv.set_series(labels)
    assert drive(pv, [lambda k=k: pv.set_paths([t.theta[:k] for t in trajs]) for k in STEPS], size) > 1
    assert drive(lv, [lambda k=k: lv.set_losses([t.loss[:k] for t in trajs]) for k in STEPS], size) > 1


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_one_dimensional_problem_composites_exactly(size):
    trajs = runs("wavy", [("gd", 0.1), ("momentum", 0.05)])
    pv, lv = ParamView(), LossView()
    pv.set_scene(get_problem("wavy"), ["gd", "momentum"])
    lv.set_series(["gd", "momentum"])
    drive(pv, [lambda k=k: pv.set_paths([t.theta[:k] for t in trajs]) for k in STEPS], size)
    drive(lv, [lambda k=k: lv.set_losses([t.loss[:k] for t in trajs]) for k in STEPS], size)


@pytest.mark.parametrize(
    ("problem", "lr"), [("bowl", 0.21), ("saddle", 0.1)], ids=["bowl-diverges", "saddle-negative-loss"]
)
@pytest.mark.parametrize("size", SIZES[1:3], ids=lambda s: f"{s[0]}x{s[1]}")
def test_diverging_runs_stay_on_the_box_and_composite_exactly(problem, lr, size):
    (traj,) = runs(problem, [("gd", lr)])
    assert traj.status == "diverged"
    pv, lv = ParamView(), LossView()
    pv.set_scene(get_problem(problem), ["gd"])
    lv.set_series(["gd"])
    drive(pv, [lambda k=k: pv.set_paths([traj.theta[:k]]) for k in (1, 40, 90, len(traj.loss))], size)
    drive(lv, [lambda k=k: lv.set_losses([traj.loss[:k]]) for k in (1, 40, 90, len(traj.loss))], size)
    assert pv.axes.xlim == get_problem(problem).box[0]


@pytest.mark.parametrize("view_kind", ["param", "loss"])
def test_runs_settle_piece_by_piece_and_still_composite_exactly(view_kind):
    trajs = runs("rosenbrock", RACE[:3])
    view = ParamView() if view_kind == "param" else LossView()
    if view_kind == "param":
        view.set_scene(get_problem("rosenbrock"), ["a", "b", "c"])
    else:
        view.set_series(["a", "b", "c"])
    view.resize(60, 16)
    pieces = 0
    for n, k in enumerate(range(1, 482, 3)):
        axes, before = view.axes, len(view.layers()[1][0]) if view.axes else 0
        if view_kind == "param":
            view.set_paths([t.theta[:k] for t in trajs])
        else:
            view.set_losses([t.loss[:k] for t in trajs])
        view.frame()
        settled = view.axes == axes and len(view.layers()[1][0]) > before
        pieces += settled
        if settled or n % 40 == 0:
            composite_matches_plotext(view)
    assert pieces >= 3


def test_a_reset_keeps_the_landscape_build_and_composites_exactly():
    (traj,) = runs("rosenbrock", [("gd", 0.001)])
    pv = ParamView()
    pv.set_scene(get_problem("rosenbrock"), ["gd"])
    drive(pv, [lambda: pv.set_paths([traj.theta])], (50, 14))
    landscape = pv._landscape
    pv.set_scene(get_problem("rosenbrock"), ["gd"])
    drive(pv, [lambda: pv.set_paths([traj.theta[:3]])], (50, 14))
    assert pv._landscape is landscape
    drive(pv, [lambda: pv.set_paths([traj.theta[:100] + 0.5])], (50, 14))  # replaced without a reset


def test_going_back_to_a_size_or_problem_reuses_its_landscape_and_composites_exactly():
    (traj,) = runs("rosenbrock", [("gd", 0.001)])
    pv = ParamView()
    pv.set_scene(get_problem("rosenbrock"), ["gd"])
    drive(pv, [lambda: pv.set_paths([traj.theta[:50]])], (50, 14))
    first = pv._landscape
    drive(pv, [lambda: pv.set_paths([traj.theta[:60]])], (64, 18))
    assert pv._landscape is not first
    pv.set_scene(get_problem("himmelblau"), ["gd"])
    drive(pv, [lambda: pv.set_paths([np.zeros((1, 2))])], (50, 14))
    pv.set_scene(get_problem("rosenbrock"), ["gd"])
    drive(pv, [lambda: pv.set_paths([traj.theta[:70]])], (50, 14))
    assert pv._landscape is first


def test_a_path_leaving_and_reentering_the_box_composites_exactly():
    pv = ParamView()
    pv.set_scene(get_problem("bowl"), ["a", "b"])
    t = np.linspace(0, 6 * np.pi, 300)
    a = np.stack([7 * np.cos(t) * np.exp(-t / 10), 3 * np.sin(t)], axis=1)
    b = np.array([[0.0, 0.0], [1e13, -1e13], [np.inf, 0.0], [1.0, 1.0]])
    drive(pv, [lambda: pv.set_paths([a[:50], b[:2]]), lambda: pv.set_paths([a, b])], (60, 18))


@pytest.mark.parametrize("size", [(0, 0), (1, 5), (5, 1), (2, 2), (6, 3), (12, 4), (20, 6)], ids=str)
def test_tiny_sizes_draw_nothing_or_draw_exactly(size):
    trajs = runs("rosenbrock", RACE[:2], steps=50)
    pv, lv = ParamView(), LossView()
    pv.set_scene(get_problem("rosenbrock"), ["gd", "momentum"])
    lv.set_series(["gd", "momentum"])
    drive(pv, [lambda: pv.set_paths([t.theta for t in trajs])], size)
    drive(lv, [lambda: lv.set_losses([t.loss for t in trajs])], size)
    if min(size) <= 1:
        assert pv.rows == [] and lv.rows == []


def test_an_unchanged_reduced_input_skips_plotext():
    (traj,) = runs("rosenbrock", [("gd", 0.001)])
    pv = ParamView()
    pv.set_scene(get_problem("rosenbrock"), ["gd"])
    pv.resize(40, 12)
    pv.set_paths([traj.theta[:400]])
    assert pv.frame()
    pv.set_paths([traj.theta[:401]])  # a step far below one braille dot
    assert pv.frame() == []


def test_loss_limits_drawn_before_any_loss_do_not_stick():
    """A new series is drawn at once, empty; its first losses still get limits of their own."""
    losses = [np.linspace(0.7, 0.3, 8)]  # within the empty plot's limits, steps and all
    drawn_empty, fed_at_once = LossView(), LossView()
    for view in (drawn_empty, fed_at_once):
        view.set_series(["gd"])
    drive(drawn_empty, [lambda: None, lambda: drawn_empty.set_losses(losses)], (60, 16))
    drive(fed_at_once, [lambda: fed_at_once.set_losses(losses)], (60, 16))
    assert drawn_empty.axes == fed_at_once.axes and drawn_empty.rows == fed_at_once.rows


def test_a_settled_loss_curve_draws_the_dots_of_the_whole_curve():
    """Static part + dynamic tail of one run = plotext drawing the whole history as one signal."""
    (traj,) = runs("rosenbrock", [("momentum", 0.0005)])
    lv = LossView()
    lv.show_legend = False
    lv.set_series(["m"])
    lv.resize(70, 16)
    lv.set_losses([traj.loss])
    lv.frame()
    assert lv._split[0] > 0
    axes, (base, dyn, _) = lv.layers()
    k = np.arange(len(traj.loss), dtype=float)
    whole = Signal(
        k.tolist(), np.log10(traj.loss).tolist(), marker="braille", color=base[0].color, lines=True
    )
    split, _ = reference(axes, [base, dyn[:1]])
    single, _ = reference(axes, [[whole]])
    assert split.marker == single.marker and split.fullground == single.fullground


# -- reductions against hand-made inputs ---------------------------------------------------------------
def test_to_dots_is_plotexts_own_mapping():
    rng = np.random.default_rng(1)
    for lo, hi, bins in [(0.0, 1.0, 7), (-2.0, 3.0, 160), (0.0, 480.0, 300), (-17.0, 13.0, 89)]:
        v = np.r_[rng.uniform(lo - 1, hi + 1, 500), np.linspace(lo, hi, 2 * bins + 1)]
        assert to_dots(v, lo, hi, bins).tolist() == ut.get_matrix_data(v.tolist(), [lo, hi], bins)


def test_drop_repeats_keeps_one_point_per_dot_run_and_single_breaks():
    dx = np.array([0, 0, 1, 1, 1, np.nan, np.nan, 2, 2, 0, np.nan])
    dy = np.array([5, 5, 5, 5, 6, np.nan, np.nan, 1, 1, 5, np.nan])
    assert drop_repeats(dx, dy).tolist() == [0, 2, 4, 5, 7, 9]
    assert drop_repeats(np.array([np.nan, 1.0]), np.array([np.nan, 1.0])).tolist() == [1]


def test_column_envelope_keeps_first_min_max_last_of_each_column():
    dx = np.array([0, 0, 0, 0, 0, 1, 2, 2, 2])
    dy = np.array([5, 9, 1, 7, 6, 3, 4, 4, 8])
    # column 0: first 0, min 2 (dy 1), max 1 (dy 9), last 4; column 1: 5; column 2: first 6, max/last 8
    assert column_envelope(dx, dy).tolist() == [0, 1, 2, 4, 5, 6, 8]


def test_distinct_sorts_and_deduplicates_dense_sparse_and_negative_keys():
    assert distinct(np.array([3, 1, 3, 0, 1])).tolist() == [0, 1, 3]
    assert distinct(np.array([10**9, 5, 10**9])).tolist() == [5, 10**9]  # sparse: sorted, not a table
    assert distinct(np.array([-2, 4, -2])).tolist() == [-2, 4]
    assert distinct(np.array([], dtype=np.int64)).tolist() == []


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-50, 10**6), max_size=300), st.integers(0, 5000))
def test_distinct_is_the_set_of_its_keys_in_order(keys, dense_top):
    for values in (keys, [k % (dense_top + 1) for k in keys]):  # as drawn, and squeezed dense
        out = distinct(np.array(values, dtype=np.int64))
        assert out.tolist() == sorted(set(values))


def test_one_point_per_column_would_not_be_identical_but_the_envelope_is():
    axes = Axes(
        40, 10, (0.0, 4000.0), (0.0, 1.0), ((0, 2000, 4000), ("0", "2e3", "4e3")), ((0, 1), ("0", "1"))
    )
    k = np.arange(4001.0)
    y = 0.5 + 0.4 * np.sin(k * 0.7) * np.exp(-k / 1500)
    canvas = build_frame(axes)[1]
    dx, dy = to_dots(k, 0, 4000, 2 * canvas.width), to_dots(y, 0, 1, 4 * canvas.height)
    keep = column_envelope(dx, dy)
    one = np.r_[np.flatnonzero(np.diff(dx)), len(k) - 1]

    def draw(idx):
        return reference(axes, [[Signal(k[idx].tolist(), y[idx].tolist(), lines=True)]])[0].marker

    assert len(keep) <= 4 * 2 * canvas.width < len(k) / 10
    assert draw(keep) == draw(np.arange(len(k)))
    assert draw(one) != draw(np.arange(len(k)))


def test_clip_to_box_cuts_segments_at_the_box_and_breaks_between_pieces():
    x, y = clip_to_box(
        np.array([0.0, 2.0, 3.0, 0.5, 0.5]), np.array([0.0, 0.0, 0.0, 0.5, 0.9]), ((-1, 1), (-1, 1))
    )
    assert x.tolist()[:2] == [0.0, 1.0] and np.isnan(x[2])
    assert x.tolist()[3:] == [1.0, 0.5, 0.5] and y.tolist()[3:] == pytest.approx([0.4, 0.5, 0.9])
    x, y = clip_to_box(np.array([0.0, 1e300, -1e300]), np.array([0.0, 0.0, 1e300]), ((-1, 1), (-1, 1)))
    assert np.all(np.isnan(x) | (np.abs(x) <= 1))
    x, _ = clip_to_box(np.array([0.5, 0.2]), np.array([0.5, 0.1]), ((-1, 1), (-1, 1)))
    assert x.tolist() == [0.5, 0.2]


def test_nice_ticks_are_round_and_inside():
    assert nice_ticks(-2, 2, 5) == ((-2.0, -1.0, 0.0, 1.0, 2.0), ("-2", "-1", "0", "1", "2"))
    assert nice_ticks(0, 480, 4)[0] == (0.0, 200.0, 400.0)


# -- direct cell writes against plotext's build ---------------------------------------------------------
def layer_cells(layer) -> dict:
    return {r: sorted(cells) for r, cells in layer.cells().items()}


def random_signals(rng, axes, n_signals: int) -> list[Signal]:
    """Braille polylines and scatters (breaks, points off the canvas, repeats, zero-length segments) and
    one-cell marker scatters, in random colours and styles."""
    (x0, x1), (y0, y1) = axes.xlim, axes.ylim
    out = []
    for _ in range(n_signals):
        n = int(rng.integers(1, 60))
        x = rng.uniform(x0 - 0.3 * (x1 - x0), x1 + 0.3 * (x1 - x0), n)
        y = rng.uniform(y0 - 0.3 * (y1 - y0), y1 + 0.3 * (y1 - y0), n)
        x[rng.random(n) < 0.1] = np.nan
        y[rng.random(n) < 0.05] = np.nan
        if n > 3:
            x[2], y[2] = x[1], y[1]  # a zero-length segment
        color = ["gray", "blue+", "red", "default"][int(rng.integers(4))]
        style = ["default", "bold", "bold inverted"][int(rng.integers(3))]
        kind = int(rng.integers(3))
        if kind < 2:
            out.append(
                Signal(x.tolist(), y.tolist(), marker="braille", color=color, style=style, lines=kind == 0)
            )
        else:
            cx = np.unique(rng.integers(-2, 40, n))  # distinct cells, some off the canvas
            cells_x = x0 + cx / 30 * (x1 - x0)
            out.append(Signal(cells_x.tolist(), y[: len(cx)].tolist(), marker="o", color=color, style=style))
    return out


@pytest.mark.parametrize("seed", range(12))
def test_direct_cells_are_plotexts_build(seed):
    rng = np.random.default_rng(seed)
    width, height = int(rng.integers(12, 90)), int(rng.integers(6, 30))
    lo = rng.uniform(-5, 5, 2)
    axes = Axes(width, height, (lo[0], lo[0] + 3.0), (lo[1], lo[1] + 7.5), ((), ()), ((), ()))
    _, canvas = build_frame(axes)
    signals = random_signals(rng, axes, int(rng.integers(1, 6)))
    direct = build_layer(axes, canvas, signals)
    assert isinstance(direct, CellLayer)
    assert layer_cells(direct) == layer_cells(build_layer(axes, canvas, signals, direct=False))


def test_the_level_curves_and_long_paths_are_written_directly_and_exactly():
    trajs = runs("rosenbrock", RACE)
    pv = ParamView()
    pv.set_scene(get_problem("rosenbrock"), ["a", "b", "c", "d"])
    pv.resize(150, 45)
    pv.set_paths([t.theta for t in trajs])
    pv.frame()
    axes, (base, dyn, _) = pv.layers()
    for signals in (base[:1], base, dyn):
        direct = build_layer(axes, pv.canvas, signals)
        assert isinstance(direct, CellLayer)
        assert layer_cells(direct) == layer_cells(build_layer(axes, pv.canvas, signals, direct=False))


def test_what_plotext_orders_or_groups_itself_is_left_to_plotext():
    axes = Axes(40, 12, (0.0, 1.0), (0.0, 1.0), ((), ()), ((), ()))
    _, canvas = build_frame(axes)
    two_markers_one_cell = Signal([0.5, 0.5], [0.5, 0.5], marker=["o", "x"])
    for signal in (
        two_markers_one_cell,
        Signal([0.1, 0.9], [0.1, 0.9], marker="o", lines=True),
        Signal([0.1], [0.1], marker="braille", label="a run"),
        Signal([0.1], [0.1], marker="hd"),
    ):
        assert direct_cells(axes, canvas, [signal]) is None
    same_marker_twice = Signal([0.5, 0.5], [0.5, 0.5], marker="o")
    assert layer_cells(direct_cells(axes, canvas, [same_marker_twice])) == layer_cells(
        build_layer(axes, canvas, [same_marker_twice], direct=False)
    )


def signal_fields(signals) -> list[tuple]:
    def exact(values) -> list:  # NaN (a break) compares equal to NaN here
        return [None if v != v else v for v in values]

    return [(exact(s.x), exact(s.y), s.marker, s.color, s.style, s.lines, s.label) for s in signals]


def one_run_signals(pv: ParamView, i: int, path: np.ndarray) -> tuple[list, list, list]:
    """One run's dynamic signals worked out on their own, point by point as a single run draws them: its
    clipped path line (2-D), a marker in each distinct cell it visits, its last point in reverse video."""
    if len(path) == 0:
        return [], [], []
    color, marker = SERIES_STYLES[i % len(SERIES_STYLES)]
    if pv.problem.dim == 1:
        with np.errstate(all="ignore"):
            x, y = path[:, 0], np.asarray(pv.problem.f(path), dtype=float).reshape(-1)
        lines = []
    else:
        x, y = path[:, 0], path[:, 1]
        lines = [pv._path_line(x, y, color)]
    cx, cy = pv._cells(x, y)
    marks = [cell_signal(cx, cy, pv.axes, pv.canvas, marker, color)] if len(cx) else []
    cx, cy = pv._cells(x[-1:], y[-1:])
    last = [cell_signal(cx, cy, pv.axes, pv.canvas, marker, color, CURRENT_STYLE)] if len(cx) else []
    return lines, marks, last


@pytest.mark.parametrize(
    ("problem", "specs"),
    [
        ("rosenbrock", RACE),  # the last run diverges off the box: its line is clipped
        ("wavy", [("gd", 0.1), ("momentum", 0.05), ("gd", 0.5)]),
        ("bowl", [("gd", 0.21), ("momentum", 0.05)]),
    ],
)
@pytest.mark.parametrize("size", SIZES[:3], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_frame_of_many_runs_draws_what_each_run_draws_on_its_own(problem, specs, size):
    """The dynamic layer is built for all runs at once; it must be each run's own signals, in order:
    every path line, then every run's iterate cells, then every current point."""
    trajs = runs(problem, specs, steps=120)
    pv = ParamView()
    pv.set_scene(get_problem(problem), [f"run {i}" for i in range(len(trajs))])
    pv.resize(*size)
    for k in (1, 2, 9, 35, 121):
        pv.set_paths([t.theta[:k] for t in trajs])
        pv.frame()
        per_run = [
            one_run_signals(pv, i, p[j:]) for i, (p, j) in enumerate(zip(pv.paths, pv._split, strict=True))
        ]
        expected = [s for kind in range(3) for one in per_run for s in one[kind]]
        assert signal_fields(pv._dynamic_signals()) == signal_fields(expected)


@pytest.mark.parametrize("problem", ["rosenbrock", "saddle"])  # log scale with a divergence; linear, negative
@pytest.mark.parametrize("size", SIZES[:3], ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_loss_frame_of_many_runs_draws_each_runs_own_tail(problem, size):
    trajs = runs(problem, RACE if problem == "rosenbrock" else [("gd", 0.1), ("momentum", 0.05)], steps=300)
    lv = LossView()
    lv.set_series([f"run {i}" for i in range(len(trajs))])
    lv.resize(*size)
    for k in (1, 2, 3, 40, 150, 301):
        lv.set_losses([t.loss[:k] for t in trajs])
        lv.frame()
        lines = [s for s in lv._dynamic_signals() if s.lines]
        expected = [
            lv._line(i, kk[j:], y[j:], xd[j:], yd[j:])
            for i, ((kk, y, xd, yd), j) in enumerate(zip(lv._plotted(), lv._split, strict=True))
            if len(kk)
        ]
        assert signal_fields(lines) == signal_fields(expected)
