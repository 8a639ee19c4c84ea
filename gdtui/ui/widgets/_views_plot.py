"""The pipelines of the scene views other than the landscape (see `views`): `FitView`, `GradientCheckView`
and `BatchVarianceView`, each a `PlotView` (static layers cached, the dynamic layer rebuilt only when
what it draws changed, only changed rows refreshed).

  fit:             the data (x, y), a static scatter (*) over the lines; per run, the model at its current
                   θ across the x-range, ŷ = m·x + b (linear regression), ŷ = x + θ (secret number),
                   p = σ(w·x + b) (logistic), as a line marked every few cells with the run's marker.
  gradient-check:  at the first run's current θ, the relative error ‖g − ĝ‖ / max(‖g‖, ‖ĝ‖) of forward and
                   centered differences ĝ against h, log-log: truncation (∝ h, ∝ h²) falls with h until
                   round-off (∝ ε/h) rises, so each curve is a V.
  batch-variance:  at the first run's current θ, the variance of the mini-batch gradient against B (measured
                   over DRAWS fixed-seed batches: points; expected, ∝ (1/B)·(N − B)/(N − 1): a line), log y
                   when it spans over two decades (B = N, where it is 0, is then left out).

The two sampled views recompute only when θ changes, at most once every `min_interval` seconds, and in
pieces of about `budget` seconds a frame (a batch-variance computation is thousands of gradients); the
view stays dirty meanwhile, so the plot's timer comes back for the rest. The engine does the maths.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from ...engine import Problem, gradient_check
from ...engine.gradients import batch_gradient_variance, expected_batch_variance
from ._plot_layers import Axes, Signal
from ._plot_reduce import cell_values, clip_to_box, decade_ticks, drop_repeats, nice_step, nice_ticks, to_dots
from ._plot_view import (
    LEGEND_LINE,
    PlotView,
    as_paths,
    cell_signal,
    legend_signals,
    series_style,
    unique_cells,
)

DATA_MARKER = "*"
DATA_COLOR = "default"
H_STEPS = np.logspace(-14, 0, 57)  # step sizes h of the gradient check: four a decade
START_SPAN = 2.0  # a fit's y axis reaches at most this many data ranges beyond the data for a start
MAX_DECADES = 20  # a log axis shows at most this many decades
H_CHUNK = 8  # step sizes per piece of a gradient check's computation
DRAWS = 200  # mini-batches drawn per batch size
DRAW_CHUNK = 50  # draws per piece of a batch-variance computation
SEED = 0  # of the batch-variance Generator: the same θ always shows the same points
ZERO = 1e-12  # a variance below this fraction of the largest is 0 (not drawn on a log axis)
GRADIENT_LABELS = ("forward", "centered")
VARIANCE_LABELS = ("measured", "expected ∝ (1/B)·(N−B)/(N−1)")

Legend = list[tuple[str, str, str]]  # (label, colour, marker after the legend's line)


def predict(problem: Problem, theta: np.ndarray, x: np.ndarray) -> np.ndarray | None:
    """The model's prediction ŷ(x) at θ for each x: the engine's own `problem.predict`; None for a
    problem with no model to draw."""
    try:
        return np.asarray(problem.predict(theta, x), dtype=float)
    except (AttributeError, ValueError):
        return None


class SceneView(PlotView):
    """A problem and each run's θ history in (as `ParamView`), screen rows out; subclasses draw."""

    def __init__(self) -> None:
        super().__init__()
        self.problem: Problem | None = None
        self.run_labels: list[str] = []
        self.paths: list[np.ndarray] = []

    def set_scene(self, problem: Problem, labels: list[str]) -> None:
        self.problem = problem
        self.run_labels = list(labels)
        self.paths = []
        self._new_scene()
        self.invalidate()

    def set_paths(self, paths: list[np.ndarray]) -> None:
        self.paths = as_paths(paths, self.problem.dim if self.problem is not None else 1)
        self.dirty = True

    def current(self, i: int) -> np.ndarray | None:
        """Run i's current θ (its last point), or None when it has none or it is not finite."""
        if self.problem is None or i >= len(self.paths):
            return None
        path = self.paths[i]
        if path.ndim != 2 or len(path) == 0 or path.shape[1] != self.problem.dim:
            return None
        theta = path[-1]
        return theta.copy() if np.all(np.isfinite(theta)) else None

    #: The legend names the view's own series, not the runs: drawn whatever `show_legend` says.
    legend_always = False

    def _new_scene(self) -> None:
        """Forget what belongs to the previous scene."""

    def _legend(self) -> Legend:
        return []

    def _legend_on(self) -> bool:
        return self.show_legend or self.legend_always

    def _canvas_rows(self) -> int:
        return max(self.height - 3, 1)  # the frame takes two axis rows and a tick row

    def _legend_rows(self) -> int:
        """Rows to keep free of data at the top for the legend (none if that would squash the data)."""
        n = len(self._legend()) if self._legend_on() else 0
        return n if n and self._canvas_rows() >= 3 * n else 0

    def _headroom(self, lo: float, hi: float) -> float:
        """The top of a y axis whose data reach `hi`, leaving the legend's rows free."""
        n, hc = self._legend_rows(), self._canvas_rows()
        return hi + (hi - lo) * n / (hc - n) if n else hi

    def _legend_signals(self) -> list[Signal]:
        if not self._legend_on() or self.canvas is None:
            return []
        entries = self._legend()
        signals = legend_signals([e[0] for e in entries], self.axes, self.canvas)
        return [
            replace(s, color=color, marker=[LEGEND_LINE, marker])
            for s, (_, color, marker) in zip(signals, entries, strict=False)
        ]

    def _drawable(self) -> bool:
        return self.canvas is not None and self.canvas.width > 0 and self.canvas.height > 0

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distinct canvas cells (column, row) of the finite points inside the axes, braille-consistent."""
        (x0, x1), (y0, y1) = self.axes.xlim, self.axes.ylim
        inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)  # False for NaN
        cx = to_dots(x[inside], x0, x1, 2 * self.canvas.width) // 2
        cy = to_dots(y[inside], y0, y1, 4 * self.canvas.height) // 4
        return unique_cells(cx, cy)

    def _line(self, x: np.ndarray, y: np.ndarray, color: str) -> Signal | None:
        """The polyline through (x, y) cut to the axes (a NaN or infinite point breaks it)."""
        (x0, x1), (y0, y1) = self.axes.xlim, self.axes.ylim
        x, y = clip_to_box(x, y, (self.axes.xlim, self.axes.ylim))
        if not len(x):
            return None
        dx, dy = to_dots(x, x0, x1, 2 * self.canvas.width), to_dots(y, y0, y1, 4 * self.canvas.height)
        idx = drop_repeats(dx, dy)
        return Signal(x[idx].tolist(), y[idx].tolist(), marker="braille", color=color, lines=True)

    def _marks(self, x: np.ndarray, y: np.ndarray, marker: str, color: str) -> list[Signal]:
        cx, cy = self._cells(x, y)
        return [cell_signal(cx, cy, self.axes, self.canvas, marker, color)] if len(cx) else []


class FitView(SceneView):
    """The data, and each run's model at its current θ drawn through it."""

    def __init__(self) -> None:
        super().__init__()
        self._limits: tuple[tuple[float, float], tuple[float, float]] | None = None
        self._limits_key: tuple | None = None
        self.curves: list[tuple[np.ndarray, np.ndarray] | None] = []  # per run: the (x, ŷ) last drawn

    def _new_scene(self) -> None:
        self._limits, self._limits_key = None, None
        self.curves = []

    def _fit_limits(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """x: the data's range; y: the data's and the models' at the runs' starts (so a fit from far
        off starts in view; at most START_SPAN data ranges further), 8% margins. None: nothing to fit."""
        p = self.problem
        x = np.asarray(getattr(p, "x", np.empty(0)), dtype=float)
        y = np.asarray(getattr(p, "y", np.empty(0)), dtype=float)
        if p is None or not p.is_data or len(x) == 0 or len(x) != len(y) or not np.all(np.isfinite(x + y)):
            return None
        starts = [path[0] for path in self.paths if len(path) and np.all(np.isfinite(path[0]))]
        lo, hi = float(y.min()), float(y.max())
        span = max(hi - lo, 1e-9)
        for theta in starts or [np.asarray(p.start, dtype=float)]:
            with np.errstate(all="ignore"):
                start = predict(p, theta, x)
            if start is None:
                return None
            start = np.clip(start[np.isfinite(start)], lo - START_SPAN * span, hi + START_SPAN * span)
            lo, hi = min(lo, float(start.min(initial=lo))), max(hi, float(start.max(initial=hi)))
        return _padded(float(x.min()), float(x.max())), _padded(lo, hi)

    def _limits_now(self) -> tuple[tuple[float, float], tuple[float, float]] | None:
        """The limits for the current starts (computed again only when a run's start differs)."""
        key = tuple(path[0].tobytes() for path in self.paths if len(path))
        if key != self._limits_key:
            self._limits, self._limits_key = self._fit_limits(), key
        return self._limits

    def _legend(self) -> Legend:
        runs = [(label, *series_style(i)) for i, label in enumerate(self.run_labels)]
        return [*runs, ("data", DATA_COLOR, DATA_MARKER)] if self._limits else []

    def _static_axes(self) -> Axes:
        xlim, (ylo, yhi) = self._limits_now() or ((0.0, 1.0), (0.0, 1.0))
        ylim = (ylo, self._headroom(ylo, yhi))
        xticks = nice_ticks(*xlim, max(2, (self.width - 6) // 10))
        yticks = nice_ticks(*ylim, max(2, self._canvas_rows() // 2))
        return Axes(self.width, self.height, xlim, ylim, xticks, yticks)

    def _static_signals(self) -> tuple[list[Signal], list[Signal], list[Signal]]:
        if not self._limits or not self._drawable():
            return [], [], []
        x, y = np.asarray(self.problem.x, dtype=float), np.asarray(self.problem.y, dtype=float)
        cx, cy = self._cells(x, y)
        data = (
            [cell_signal(cx, cy, self.axes, self.canvas, DATA_MARKER, DATA_COLOR, "bold")] if len(cx) else []
        )
        return [], [], data + self._legend_signals()  # the data over the models' lines

    def _dynamic_signals(self) -> list[Signal]:
        if not self._limits or not self._drawable():
            return []
        x0, x1 = self.axes.xlim
        w = self.canvas.width
        xs = cell_values(np.arange(2 * w), x0, x1, 2 * w)  # one x per dot column
        gap = max(6, 3 * len(self.paths), w // 4)  # cells between a run's markers
        lines, marks = [], []
        self.curves = []
        for i in range(len(self.paths)):
            theta = self.current(i)
            with np.errstate(all="ignore"):
                ys = predict(self.problem, theta, xs) if theta is not None else None
            self.curves.append(None if ys is None else (xs, ys))
            if ys is None:
                continue
            color, marker = series_style(i)
            lines.append(self._curve(xs, ys, color))
            at = 2 * np.arange((i * gap) // max(len(self.paths), 1) + gap // 2, w, gap)
            marks += self._marks(xs[at], ys[at], marker, color)
        return lines + marks

    def _curve(self, xs: np.ndarray, ys: np.ndarray, color: str) -> Signal:
        """The graph of ŷ(x), one point per dot column: values far off the axes are pulled in to one axes'
        height beyond them (their dots fall off the canvas and are dropped; the steepness stays)."""
        (x0, x1), (y0, y1) = self.axes.xlim, self.axes.ylim
        span = y1 - y0
        ys = np.where(np.isfinite(ys), np.clip(ys, y0 - span, y1 + span), np.nan)
        dx, dy = to_dots(xs, x0, x1, 2 * self.canvas.width), to_dots(ys, y0, y1, 4 * self.canvas.height)
        idx = drop_repeats(dx, dy)
        return Signal(xs[idx].tolist(), ys[idx].tolist(), marker="braille", color=color, lines=True)


class SampledView(SceneView):
    """A view of a quantity computed at the first run's current θ (the start before any step).

    A computation starts when θ has moved, at most once every `min_interval` seconds, and runs in pieces:
    each frame spends at most about `budget` seconds on it (plus one piece), so a redraw never blocks the
    event loop for long; the view stays dirty until it is done, so the plot's timer comes back for the
    rest. Its results replace the ones on screen when it ends (`theta` says where those were computed).
    """

    min_interval = 0.25
    budget = 0.010
    legend_always = True

    def __init__(self) -> None:
        super().__init__()
        self.theta: np.ndarray | None = None  # where the data on screen were computed
        self._key: tuple | None = None  # what the last computation started from
        self._at = -math.inf  # when it started
        self._job: Iterator[None] | None = None

    def _new_scene(self) -> None:
        self.theta, self._key, self._at, self._job = None, None, -math.inf, None
        self._clear()

    def _target(self) -> np.ndarray | None:
        theta = self.current(0)
        if theta is None and self.problem is not None and not any(len(p) for p in self.paths):
            theta = np.asarray(self.problem.start, dtype=float)
        return theta

    def _refresh(self) -> None:
        """Start a computation if θ moved (and the last one is old enough), then work on it a while."""
        if self._job is None:
            theta = self._target()
            key = None if theta is None else (id(self.problem), theta.tobytes())
            if key == self._key:
                return
            now = time.monotonic()
            if now - self._at < self.min_interval:
                self.dirty = True  # too soon: the plot's timer comes back on its next tick
                return
            self._key, self._at = key, now
            if theta is None:
                self.theta = None
                self._clear()
                return
            self._job = self._work(theta.copy())
        deadline = time.perf_counter() + self.budget
        with np.errstate(all="ignore"):
            try:
                for _ in self._job:
                    if time.perf_counter() >= deadline:
                        self.dirty = True
                        return
            except (ArithmeticError, ValueError):  # a θ the maths cannot take: draw nothing
                self.theta = None
                self._clear()
        self._job = None

    def _clear(self) -> None:
        raise NotImplementedError

    def _work(self, theta: np.ndarray) -> Iterator[None]:
        """Compute at θ, yielding between pieces; publish the results (and `theta`) at the end."""
        raise NotImplementedError


class GradientCheckView(SampledView):
    """Relative error of forward and centered differences against h, log-log, at the current θ.

    `hs`, `forward` and `centered` are the last computed step sizes and errors (engine `gradient_check`)."""

    def __init__(self) -> None:
        super().__init__()
        self._range: tuple[float, float] | None = None  # log10 errors shown: only widens within a scene
        self._clear()

    def _new_scene(self) -> None:
        self._range = None
        super()._new_scene()

    def _clear(self) -> None:
        self.hs = H_STEPS
        self.forward = np.full(len(H_STEPS), np.nan)
        self.centered = np.full(len(H_STEPS), np.nan)

    def _work(self, theta: np.ndarray) -> Iterator[None]:
        errors = {}
        for method in GRADIENT_LABELS:
            parts = []
            for i in range(0, len(self.hs), H_CHUNK):
                parts.append(
                    np.asarray(gradient_check(self.problem, theta, self.hs[i : i + H_CHUNK], method))
                )
                yield
            errors[method] = np.concatenate(parts).astype(float)
        self.forward, self.centered, self.theta = errors["forward"], errors["centered"], theta

    def _legend(self) -> Legend:
        return [(label, *series_style(i)) for i, label in enumerate(GRADIENT_LABELS)]

    def _static_axes(self) -> Axes:
        self._refresh()
        values = _log10(np.concatenate([self.forward, self.centered]))
        values = values[np.isfinite(values)]
        if len(values):
            lo, hi = float(values.min()), float(values.max())
            if self._range is not None:
                lo, hi = min(lo, self._range[0]), max(hi, self._range[1])
            self._range = (max(lo, hi - MAX_DECADES), hi)
        lo, hi = self._range or (-16.0, 0.0)
        ylo = math.floor(lo)
        yhi = max(math.ceil(self._headroom(lo, hi)), ylo + 1)
        xs = np.log10(self.hs)
        xlim = (float(xs[0]), float(xs[-1]))
        xticks = decade_ticks(math.ceil(xlim[0]), math.floor(xlim[1]), max(2, (self.width - 6) // 8))
        yticks = decade_ticks(ylo, yhi, max(2, self._canvas_rows() // 2))
        return Axes(self.width, self.height, xlim, (float(ylo), float(yhi)), xticks, yticks)

    def _static_signals(self) -> tuple[list[Signal], list[Signal], list[Signal]]:
        return [], [], self._legend_signals()

    def _dynamic_signals(self) -> list[Signal]:
        if not self._drawable():
            return []
        x = np.log10(self.hs)
        lines, marks = [], []
        for i, errors in enumerate((self.forward, self.centered)):
            color, marker = series_style(i)
            y = np.clip(_log10(errors), *self.axes.ylim)  # NaN (error 0 or not finite) breaks the line
            line = self._line(x, y, color)
            if line is not None:
                lines.append(line)
            marks += self._marks(x, y, marker, color)
        return lines + marks


class BatchVarianceView(SampledView):
    """Variance of the mini-batch gradient against B = 1…N at the current θ: measured and expected.

    `batch_sizes`, `measured` and `expected` are the last computed values (engine
    `batch_gradient_variance` with a Generator seeded SEED, DRAWS draws; `expected_batch_variance`);
    `log_scale` says whether the y axis is log10, `drawn_sizes` which B have a measured point on screen."""

    def __init__(self) -> None:
        super().__init__()
        self.log_scale = False
        self._clear()

    def _clear(self) -> None:
        self.batch_sizes = np.zeros(0, dtype=int)
        self.measured = np.zeros(0)
        self.expected = np.zeros(0)
        self.drawn_sizes = np.zeros(0, dtype=int)  # the B whose measured variance is on screen

    def _work(self, theta: np.ndarray) -> Iterator[None]:
        """Per batch size, the mean of DRAWS draws in chunks of DRAW_CHUNK: the engine's draws from one
        Generator in order, so the same as one call for every size. With nothing on screen yet (a new
        scene), the expectation shows at once and the measurements when they are done."""
        p = self.problem
        if not p.is_data or p.n_examples < 1:
            self.theta = theta
            return
        sizes = np.arange(1, p.n_examples + 1)
        expected = np.asarray(expected_batch_variance(p, theta, sizes), dtype=float).reshape(-1)
        if self.theta is None:
            self.batch_sizes, self.measured, self.expected = sizes, np.full(len(sizes), np.nan), expected
        rng = np.random.default_rng(SEED)
        measured = np.empty(len(sizes))
        for i, b in enumerate(sizes.tolist()):
            total = 0.0
            for k in range(0, DRAWS, DRAW_CHUNK):
                draws = min(DRAW_CHUNK, DRAWS - k)
                total += draws * float(batch_gradient_variance(p, theta, [b], draws, rng)[0])
                yield
            measured[i] = total / DRAWS
        self.batch_sizes, self.measured, self.expected, self.theta = sizes, measured, expected, theta

    def _legend(self) -> Legend:
        return [(VARIANCE_LABELS[0], *series_style(0)), (VARIANCE_LABELS[1], series_style(1)[0], LEGEND_LINE)]

    def _plotted(self, values: np.ndarray) -> np.ndarray:
        """The values as drawn: log10 (NaN where 0) or as they are; NaN where not finite."""
        both = np.concatenate([self.measured, self.expected])
        top = np.max(both[np.isfinite(both)], initial=0.0)
        values = np.where(np.isfinite(values), values, np.nan)
        if not self.log_scale:
            return values
        return _log10(np.where(values > ZERO * top, values, np.nan))

    def _static_axes(self) -> Axes:
        self._refresh()
        both = np.concatenate([self.measured, self.expected])
        both = both[np.isfinite(both)]
        top = np.max(both, initial=0.0)
        positive = both[both > ZERO * top]
        self.log_scale = bool(len(positive) and both.min() >= 0 and positive.max() > 100 * positive.min())
        hc = self._canvas_rows()
        if self.log_scale:
            hi = math.log10(positive.max())
            lo = max(math.log10(positive.min()), hi - MAX_DECADES)
            ylo, yhi = math.floor(lo), math.ceil(self._headroom(lo, hi))
            ylim = (float(ylo), float(max(yhi, ylo + 1)))
            yticks = decade_ticks(int(ylim[0]), int(ylim[1]), max(2, hc // 2))
        else:
            lo, hi = (min(0.0, float(both.min())), float(both.max())) if len(both) else (0.0, 1.0)
            hi = hi if hi > lo else lo + 1.0
            step = nice_step(self._headroom(lo, hi) - lo, 4)
            ylim = (math.floor(lo / step) * step, math.ceil(self._headroom(lo, hi) / step) * step)
            yticks = nice_ticks(*ylim, max(2, hc // 2))
        p = self.problem
        n = max(p.n_examples if p is not None else 0, len(self.batch_sizes), 1)
        xlim = (0.5, n + 0.5)
        count = max(2, (self.width - 6) // 6)
        step = max(1, math.ceil(nice_step(n - 1, count))) if n > 1 else 1
        ticks = tuple(float(b) for b in range(step if step > 1 else 1, n + 1, step))
        xticks = (ticks, tuple(str(int(b)) for b in ticks))
        return Axes(self.width, self.height, xlim, ylim, xticks, yticks)

    def _static_signals(self) -> tuple[list[Signal], list[Signal], list[Signal]]:
        return [], [], self._legend_signals()

    def _dynamic_signals(self) -> list[Signal]:
        if not self._drawable() or not len(self.batch_sizes):
            return []
        b = self.batch_sizes.astype(float)
        color, marker = series_style(0)
        measured = self._plotted(self.measured)
        self.drawn_sizes = self.batch_sizes[np.isfinite(measured)]
        line = self._line(b, self._plotted(self.expected), series_style(1)[0])
        return ([line] if line is not None else []) + self._marks(b, measured, marker, color)


def _log10(values: np.ndarray) -> np.ndarray:
    """log10 of the positive finite values, NaN elsewhere."""
    values = np.asarray(values, dtype=float)
    ok = np.isfinite(values) & (values > 0)
    out = np.full(values.shape, np.nan)
    np.log10(values, out=out, where=ok)
    return out


def _padded(lo: float, hi: float, margin: float = 0.08) -> tuple[float, float]:
    pad = (hi - lo) * margin or max(abs(hi), 1.0) * 0.5
    return lo - pad, hi + pad
