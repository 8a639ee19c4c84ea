"""The parameter plot's pipeline: where each run's θ has been, over the problem's landscape.

1-D: the static base is L(θ) over the box (one point per dot column) with the minima marked (*); the
dynamic layer marks each run's iterates (θₖ, L(θₖ)). 2-D: the static base is level curves of L over the
box, traced at braille-dot resolution (a dot sits where the level band changes between it and its right
or upper neighbour; the levels are quantiles of L over the box, denser near the bottom), minima marked;
the dynamic layer draws each run's path, cut to the box, with a marker in every cell an iterate visits.
The current point of every run is its marker in reverse video. The view never leaves the box: a
diverging run simply runs off it. A run's history older than its last TAIL_KEEP steps is settled into
the static base in pieces of TAIL_MAX − TAIL_KEEP steps (a cell with an iterate shows its marker
whichever piece drew it), so a frame redraws only the recent tail.
"""

from __future__ import annotations

import itertools

import numpy as np

from ...engine import Problem
from ._plot_layers import Axes, Signal
from ._plot_reduce import cell_values, clip_to_box, distinct, drop_repeats, nice_ticks, to_dots
from ._plot_view import (
    CURRENT_STYLE,
    LANDSCAPE_COLOR,
    LANDSCAPES_KEPT,
    PlotView,
    as_paths,
    cell_signal,
    series_style,
    unique_cells,
)

MINIMUM_MARKER = "*"
TAIL_KEEP = 8  # steps of each run that stay in the dynamic layer when it settles
TAIL_MAX = 40  # steps the dynamic tail may grow to before it settles


class ParamView(PlotView):
    """A problem and θ histories in, screen rows out (see `PlotView`)."""

    def __init__(self) -> None:
        super().__init__()
        self.problem: Problem | None = None
        self.paths: list[np.ndarray] = []
        self._ylim_1d: tuple[float, float] = (0.0, 1.0)
        self._split: list[int] = []  # per run: points up to here are in the static base
        self._anchors: list[np.ndarray | None] = []  # per run: θ at the split, to spot a new history
        self._land_signals: dict[tuple, list[Signal]] = {}  # (problem, axes, canvas) -> signals, oldest first

    def set_scene(self, problem: Problem, labels: list[str]) -> None:
        self.problem = problem
        self.labels = list(labels)
        self.paths = []
        if problem is not None and problem.dim == 1:
            self._ylim_1d = _curve_limits(problem)
        self.invalidate()

    def set_paths(self, paths: list[np.ndarray]) -> None:
        self.paths = as_paths(paths, self.problem.dim if self.problem is not None else 1)
        self.dirty = True

    # -- static ---------------------------------------------------------------------------------------
    def _static_axes(self) -> Axes:
        p = self.problem
        if p is None or p.dim not in (1, 2):
            xlim, ylim = (0.0, 1.0), (0.0, 1.0)
        else:
            xlim = tuple(map(float, p.box[0]))
            ylim = tuple(map(float, p.box[1])) if p.dim == 2 else self._ylim_1d
        xticks = nice_ticks(*xlim, max(2, (self.width - 6) // 10))
        yticks = nice_ticks(*ylim, max(2, (self.height - 3) // 2))
        return Axes(self.width, self.height, xlim, ylim, xticks, yticks)

    def _static_signals(self) -> tuple[list[Signal], list[Signal], list[Signal]]:
        self._split = [0] * len(self.paths)
        self._anchors = [None] * len(self.paths)
        if not self._drawable():
            return [], [], []
        return self._landscape_signals(), self._settle(force=True), []

    def _landscape_signals(self) -> list[Signal]:
        """L over the box (1-D) or its level curves (2-D), then the minima; kept per problem and size."""
        p, key = self.problem, (self.problem, self.axes, self.canvas)
        land = self._land_signals.pop(key, None)
        if land is None:
            land = (self._curve() if p.dim == 1 else self._level_curves()) + self._minima()
        self._land_signals[key] = land
        while len(self._land_signals) > LANDSCAPES_KEPT:
            del self._land_signals[next(iter(self._land_signals))]
        return land

    def _drawable(self) -> bool:
        p = self.problem
        return p is not None and p.dim in (1, 2) and self.canvas.width > 0 and self.canvas.height > 0

    def _static_current(self) -> bool:
        """False when a path was replaced under its settled part (a reset without `set_scene`)."""
        if len(self._split) != len(self.paths):
            return False
        for path, j, anchor in zip(self.paths, self._split, self._anchors, strict=True):
            if j and (len(path) <= j or not np.array_equal(path[j], anchor)):
                return False
        return True

    def _settle(self, force: bool = False) -> list[Signal]:
        """Each run whose tail is over TAIL_MAX steps (or any, when `force`d) settles all but TAIL_KEEP."""
        if not self._drawable():
            return []
        pieces = []
        for i, path in enumerate(self.paths):
            j, new = self._split[i], len(path) - 1 - TAIL_KEEP
            if new > j and (force or new - j >= TAIL_MAX - TAIL_KEEP) and self._valid(path):
                pieces.append((i, path[j : new + 1]))
                self._split[i], self._anchors[i] = new, path[new].copy()
        return [s for one in self._runs_signals(pieces, current=False) for kind in one for s in kind]

    def _curve(self) -> list[Signal]:
        (x0, x1), (y0, y1) = self.axes.xlim, self.axes.ylim
        xs = cell_values(np.arange(2 * self.canvas.width), x0, x1, 2 * self.canvas.width)
        with np.errstate(all="ignore"):
            ys = np.asarray(self.problem.f(xs[:, None]), dtype=float)
        span = y1 - y0
        ys = np.where(np.isfinite(ys), np.clip(ys, y0 - span, y1 + span), np.nan)
        return [Signal(xs.tolist(), ys.tolist(), marker="braille", color="default", lines=True)]

    def _level_curves(self) -> list[Signal]:
        (x0, x1), (y0, y1) = self.axes.xlim, self.axes.ylim
        nx, ny = 2 * self.canvas.width, 4 * self.canvas.height
        xs, ys = cell_values(np.arange(nx), x0, x1, nx), cell_values(np.arange(ny), y0, y1, ny)
        with np.errstate(all="ignore"):
            z = np.asarray(self.problem.f(np.stack(np.meshgrid(xs, ys), axis=-1)), dtype=float)
        finite = np.isfinite(z)
        if finite.sum() < 2:
            return []
        band = np.where(
            finite, np.searchsorted(_levels(z[finite], int(np.clip(self.canvas.height // 2, 5, 9))), z), -1
        )
        edge = np.zeros_like(finite)
        edge[:, :-1] |= (band[:, :-1] != band[:, 1:]) & (band[:, :-1] >= 0) & (band[:, 1:] >= 0)
        edge[:-1, :] |= (band[:-1, :] != band[1:, :]) & (band[:-1, :] >= 0) & (band[1:, :] >= 0)
        iy, ix = np.nonzero(edge)
        return [Signal(xs[ix].tolist(), ys[iy].tolist(), marker="braille", color=LANDSCAPE_COLOR)]

    def _minima(self) -> list[Signal]:
        p = self.problem
        pts = np.asarray(p.minima, dtype=float).reshape(-1, p.dim)
        if p.dim == 1:
            with np.errstate(all="ignore"):
                pts = np.stack([pts[:, 0], np.asarray(p.f(pts), dtype=float).reshape(-1)], axis=1)
        cx, cy = self._cells(pts[:, 0], pts[:, 1])
        return (
            [cell_signal(cx, cy, self.axes, self.canvas, MINIMUM_MARKER, "default", "bold")]
            if len(cx)
            else []
        )

    def _cells(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distinct canvas cells (column, row) of the points inside the axes; braille-consistent."""
        (x0, x1), (y0, y1) = self.axes.xlim, self.axes.ylim
        inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
        cx = to_dots(x[inside], x0, x1, 2 * self.canvas.width) // 2
        cy = to_dots(y[inside], y0, y1, 4 * self.canvas.height) // 4
        return unique_cells(cx, cy)

    # -- dynamic ---------------------------------------------------------------------------------------
    def _dynamic_signals(self) -> list[Signal]:
        """Every run's recent tail: all path lines, then all iterate cells, then all current points."""
        if not self._drawable():
            return []
        tails = [(i, p[j:]) for i, (p, j) in enumerate(zip(self.paths, self._split, strict=True))]
        per_run = self._runs_signals(tails, current=True)
        return [s for kind in range(3) for one in per_run for s in one[kind]]

    def _runs_signals(
        self, runs: list[tuple[int, np.ndarray]], current: bool
    ) -> list[tuple[list, list, list]]:
        """For each valid (run index, points), in order: its signals of three kinds, which a frame draws in
        this order across all runs: its path line (2-D), its iterates' cells, and (if `current`) its last
        point in reverse video. Every NumPy step runs once over all the runs together, so a race's frame
        costs about what one run's does."""
        runs = [(i, p) for i, p in runs if self._valid(p)]
        if not runs:
            return []
        lengths = np.array([len(p) for _, p in runs])
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        pts = np.concatenate([p for _, p in runs])
        if self.problem.dim == 1:
            with np.errstate(all="ignore"):
                x, y = pts[:, 0], np.asarray(self.problem.f(pts), dtype=float).reshape(-1)
        else:
            x, y = pts[:, 0], pts[:, 1]
        (x0, x1), (y0, y1) = self.axes.xlim, self.axes.ylim
        w, h = self.canvas.width, self.canvas.height
        inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
        dx, dy = to_dots(x, x0, x1, 2 * w), to_dots(y, y0, y1, 4 * h)
        lines = self._path_lines(runs, bounds, x, y, dx, dy, inside) if self.problem.dim == 2 else []
        # each run's distinct cells, in (column, row) order as `unique_cells` gives them
        run = np.repeat(np.arange(len(runs)), lengths)
        ends = bounds[1:] - 1
        marks = self._run_cells(run[inside], dx[inside] // 2, dy[inside] // 4, len(runs), w, h)
        last = self._run_cells(
            np.arange(len(runs))[inside[ends]],
            dx[ends][inside[ends]] // 2,
            dy[ends][inside[ends]] // 4,
            len(runs),
            w,
            h,
        )
        out = []
        for r, (i, _) in enumerate(runs):
            color, marker = series_style(i)
            line = [lines[r]] if lines else []
            mark = [cell_signal(*marks[r], self.axes, self.canvas, marker, color)] if len(marks[r][0]) else []
            now = (
                [cell_signal(*last[r], self.axes, self.canvas, marker, color, CURRENT_STYLE)]
                if current and len(last[r][0])
                else []
            )
            out.append((line, mark, now))
        return out

    def _path_lines(self, runs, bounds, x, y, dx, dy, inside) -> list[Signal]:
        """`_path_line` of every run; a run wholly inside the box needs no clipping, and those runs drop
        their repeated dots in one pass."""
        out = []
        whole = [bool(inside[a:b].all()) for a, b in itertools.pairwise(bounds)]
        keep = np.ones(len(x), dtype=bool)
        keep[1:] = (dx[1:] != dx[:-1]) | (dy[1:] != dy[:-1])
        keep[bounds[:-1]] = True  # a run's first point is always kept
        for r, (i, _) in enumerate(runs):
            a, b = bounds[r], bounds[r + 1]
            color = series_style(i)[0]
            if not whole[r]:
                out.append(self._path_line(x[a:b], y[a:b], color))
                continue
            idx = a + np.flatnonzero(keep[a:b])
            out.append(Signal(x[idx].tolist(), y[idx].tolist(), marker="braille", color=color, lines=True))
        return out

    @staticmethod
    def _run_cells(run, cx, cy, count: int, w: int, h: int) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per run (0…count−1): its distinct cells (column, row), sorted by column then row."""
        keys = distinct((run.astype(np.int64) * w + cx.astype(np.int64)) * h + cy.astype(np.int64))
        cuts = np.searchsorted(keys, np.arange(count + 1) * w * h)
        out = []
        for r in range(count):
            k = keys[cuts[r] : cuts[r + 1]] - r * w * h
            out.append(((k // h).astype(float), (k % h).astype(float)))
        return out

    def _valid(self, path: np.ndarray) -> bool:
        return path.ndim == 2 and path.shape[1] == self.problem.dim and len(path) > 0

    def _path_line(self, x: np.ndarray, y: np.ndarray, color: str) -> Signal:
        (x0, x1), (y0, y1) = self.axes.xlim, self.axes.ylim
        x, y = clip_to_box(x, y, (self.axes.xlim, self.axes.ylim))
        dx, dy = to_dots(x, x0, x1, 2 * self.canvas.width), to_dots(y, y0, y1, 4 * self.canvas.height)
        idx = drop_repeats(dx, dy)
        return Signal(x[idx].tolist(), y[idx].tolist(), marker="braille", color=color, lines=True)


def _curve_limits(problem: Problem) -> tuple[float, float]:
    """y limits for a 1-D problem: the range of L over its box, 5% margin each side."""
    xs = np.linspace(*problem.box[0], 1001)
    with np.errstate(all="ignore"):
        ys = np.asarray(problem.f(xs[:, None]), dtype=float)
    ys = ys[np.isfinite(ys)]
    if len(ys) == 0:
        return 0.0, 1.0
    lo, hi = float(ys.min()), float(ys.max())
    pad = (hi - lo) * 0.05 or max(abs(hi), 1.0) * 0.5
    return lo - pad, hi + pad


def _levels(z: np.ndarray, count: int) -> np.ndarray:
    """Contour levels: geometric steps above the minimum (rings tighten towards it, as on a log-scaled
    contour plot), from 1/300 of the range up to its top."""
    lo, hi = float(z.min()), float(z.max())
    if not hi > lo:
        return np.array([hi])
    return lo + np.geomspace((hi - lo) / 300, hi - lo, count + 1)[:-1]
