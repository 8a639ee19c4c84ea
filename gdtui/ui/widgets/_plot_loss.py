"""The loss plot's pipeline: loss against step for each run, log10 when no loss is negative and the
positive ones span more than two decades (zeros then sit on the axis floor); linear otherwise, e.g. for
a saddle's negative loss.

Axis limits snap (steps to 1, 2 or 5 × 10ᵏ, log losses to whole decades, linear ones to round steps) and,
once there are losses, only ever widen, so the static layers are rebuilt rarely. Each run's history
splits at a "settled" point j: points 0…j sit in the static base, points j…k are redrawn each frame;
when the tail grows past TAIL_MAX dot columns, j moves on and the points between are built once and
painted onto the base. Every split is the first point of an even dot column whose predecessor lies in
the dot column just before, so the one dot of segment (j−1, j) in j's cell is j itself: the pieces draw
exactly the dots the whole history draws. Markers (every few cells, and the current point in reverse
video) tell the runs apart without colour.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from ._plot_layers import Axes, Signal
from ._plot_reduce import (
    column_envelope,
    decade_ticks,
    distinct,
    drop_repeats,
    nice_ceiling,
    nice_step,
    nice_ticks,
    to_dots,
)
from ._plot_view import CURRENT_STYLE, PlotView, cell_signal, series_style

MAX_DECADES = 15  # a log axis shows at most this many decades; lower losses sit on its floor
TAIL_KEEP = 8  # dot columns left in the dynamic tail when it is settled
TAIL_MAX = 32  # dot columns the tail may grow to before the settled part catches up


def settle_index(xd: np.ndarray, keep: int = TAIL_KEEP) -> int:
    """The latest split point j at least `keep` dot columns behind the last point (0 if none)."""
    if len(xd) < 3:
        return 0
    j = np.flatnonzero((xd[1:] == xd[:-1] + 1) & (xd[1:] % 2 == 0)) + 1
    j = j[xd[j] <= xd[-1] - keep]
    return int(j[-1]) if len(j) else 0


class LossView(PlotView):
    """Loss histories in, screen rows out (see `PlotView`)."""

    def __init__(self) -> None:
        super().__init__()
        self.losses: list[np.ndarray] = []
        self._limits: tuple | None = None  # (scale, xmax, ylo, yhi, provisional)
        self._split: list[int] = []  # per run: points up to here are in the static base
        self._anchors: list[tuple | None] = []  # per run: (step, value) at the split, to spot a new history
        self._version = 0
        self._cache: tuple | None = None

    def set_series(self, labels: list[str]) -> None:
        self.labels = list(labels)
        self.losses = [np.zeros(0) for _ in self.labels]
        self._version += 1
        self._limits = None
        self.invalidate()

    def set_losses(self, losses: list[np.ndarray]) -> None:
        self.losses = [np.asarray(v, dtype=float).reshape(-1) for v in losses]
        self._version += 1
        self.dirty = True

    # -- axes -----------------------------------------------------------------------------------------
    def _static_axes(self) -> Axes:
        finite = [v[np.isfinite(v)] for v in self.losses]
        values = np.concatenate(finite) if finite else np.zeros(0)
        positive = values[values > 0]
        log = len(positive) > 0 and values.min() >= 0 and positive.max() > 100 * positive.min()
        values = positive if log else values
        steps = max([len(v) - 1 for v in self.losses] + [1])
        hc = max(self.height - 3, 1)  # canvas rows: the frame takes two axis rows and a tick row
        n = len(self.labels) if self.show_legend and hc >= 3 * len(self.labels) else 0
        scale = "log" if log else "linear"
        if len(values):
            lo, hi = (np.log10(values.min()), np.log10(values.max())) if log else (values.min(), values.max())
            lo = max(lo, hi - MAX_DECADES) if log else lo
            top = hi + (hi - lo) * n / (hc - n) if n else hi  # headroom: the legend sits over no data
        else:
            lo, top = 0.0, 1.0
        old = self._limits
        if old is None or old[4] or old[0] != scale or steps > old[1] or lo < old[2] or top > old[3]:
            if log:
                ylo, yhi = math.floor(lo), math.ceil(top)
                yhi = yhi if yhi > ylo else ylo + 1
            else:
                ylo, yhi = _linear_limits(float(lo), float(top))
            empty = len(values) == 0  # limits with no data are provisional: the first losses set their own
            self._limits = (scale, nice_ceiling(max(steps, 10)), float(ylo), float(yhi), empty)
        scale, xmax, ylo, yhi, _ = self._limits
        xticks = nice_ticks(0, xmax, max(2, (self.width - 6) // 10))
        yn = max(2, hc // 2)
        yticks = decade_ticks(int(ylo), int(yhi), yn) if scale == "log" else nice_ticks(ylo, yhi, yn)
        return Axes(self.width, self.height, (0.0, xmax), (ylo, yhi), xticks, yticks)

    # -- series ---------------------------------------------------------------------------------------
    def _plotted(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
        """Per run: steps, plotted values (log10 or raw, floored at the axis), and their dots."""
        key = (self._version, self.axes, self.canvas)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        (x0, x1), (y0, y1) = self.axes.xlim, self.axes.ylim
        # all runs through each NumPy step at once, then cut apart (views): one run's cost for a race
        lengths = np.array([len(v) for v in self.losses], dtype=np.int64)
        values = np.concatenate(self.losses) if self.losses else np.zeros(0)
        finite = np.isfinite(values)
        k = (np.arange(len(values)) - np.repeat(np.cumsum(lengths) - lengths, lengths))[finite].astype(float)
        y = values[finite]
        if self._limits[0] == "log":
            with np.errstate(divide="ignore"):
                y = np.log10(y)  # a zero loss sits on the axis floor
        y = np.clip(y, y0, y1)
        xd, yd = to_dots(k, x0, x1, 2 * self.canvas.width), to_dots(y, y0, y1, 4 * self.canvas.height)
        cuts = np.concatenate([[0], np.cumsum(finite)])[np.concatenate([[0], np.cumsum(lengths)])]
        out = [(k[a:b], y[a:b], xd[a:b], yd[a:b]) for a, b in itertools.pairwise(cuts)]
        self._cache = (key, out)
        return out

    def _static_current(self) -> bool:
        """False when a history was replaced under the settled part (a reset without `set_series`)."""
        if len(self._split) != len(self.losses):
            return False
        for (k, y, _, _), j, anchor in zip(self._plotted(), self._split, self._anchors, strict=True):
            if j and (len(k) <= j or (k[j], y[j]) != anchor):
                return False
        return True

    def _static_signals(self) -> tuple[list[Signal], list[Signal], list[Signal]]:
        self._split = [0] * len(self.losses)
        self._anchors = [None] * len(self.losses)
        return [], self._settle(force=True), []

    def _settle(self, force: bool = False) -> list[Signal]:
        """Move each run's split forward once its tail is over TAIL_MAX dot columns long (or now, when
        `force`d): the points between the old and new split go to the static base."""
        out = []
        for i, (k, y, xd, yd) in enumerate(self._plotted()):
            j = self._split[i]
            if len(k) == 0 or (not force and xd[-1] - xd[j] <= TAIL_MAX):
                continue
            new = settle_index(xd)
            if new > j:
                out.append(self._line(i, k[j : new + 1], y[j : new + 1], xd[j : new + 1], yd[j : new + 1]))
                self._split[i], self._anchors[i] = new, (k[new], y[new])
        return out

    def _tail_lines(self, plotted) -> dict[int, Signal]:
        """`_line` of every run's unsettled tail (runs with points), reduced for all runs at once."""
        tails = [(i, j) for i, ((k, *_), j) in enumerate(zip(plotted, self._split, strict=False)) if len(k)]
        if not tails:
            return {}
        parts = [[plotted[i][f][j:] for i, j in tails] for f in range(4)]
        k, y, xd, yd = (np.concatenate(p) for p in parts)
        lengths = np.array([len(p) for p in parts[0]])
        bounds = np.concatenate([[0], np.cumsum(lengths)])
        idx = _envelope_runs(xd, yd, bounds[:-1])
        cuts = np.searchsorted(idx, bounds)
        out = {}
        for r, (i, _) in enumerate(tails):
            sel = idx[cuts[r] : cuts[r + 1]]
            color = series_style(i)[0]
            out[i] = Signal(k[sel].tolist(), y[sel].tolist(), marker="braille", color=color, lines=True)
        return out

    def _line(self, i: int, k, y, xd, yd) -> Signal:
        idx = column_envelope(xd, yd)
        idx = idx[drop_repeats(xd[idx], yd[idx])]
        return Signal(
            k[idx].tolist(), y[idx].tolist(), marker="braille", color=series_style(i)[0], lines=True
        )

    def _dynamic_signals(self) -> list[Signal]:
        lines, marks, current = [], [], []
        gap = max(6, 3 * len(self.labels), self.canvas.width // 4)  # cells between a run's markers
        plotted = self._plotted()
        tails = self._tail_lines(plotted)
        for i, (k, _, xd, yd) in enumerate(plotted):
            if len(k) == 0:
                continue
            color, marker = series_style(i)
            lines.append(tails[i])
            cx, cy = xd // 2, yd // 4
            cols = np.arange((i * gap) // max(len(self.labels), 1), cx[-1], gap)
            first = np.searchsorted(cx, cols)
            first = first[(first < len(cx)) & (cx[np.minimum(first, len(cx) - 1)] == cols)]
            if len(first):
                marks.append(cell_signal(cx[first], cy[first], self.axes, self.canvas, marker, color))
            current.append(
                cell_signal(cx[-1:], cy[-1:], self.axes, self.canvas, marker, color, CURRENT_STYLE)
            )
        return lines + marks + current


def _envelope_runs(xd: np.ndarray, yd: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """`column_envelope` then `drop_repeats` (no breaks: losses here are finite) of each run of a
    concatenation, runs beginning at `starts`, in one pass: indices into the concatenation, in order."""
    n = len(xd)
    new_column = np.ones(n, dtype=bool)
    new_column[1:] = xd[1:] != xd[:-1]
    new_column[starts] = True  # a column never spans two runs
    first = np.flatnonzero(new_column)
    last = np.append(first[1:], n) - 1
    group = np.repeat(np.arange(len(first)), np.diff(np.append(first, n)))
    order = np.lexsort((yd, group))  # by column, then height; stable, so ties keep the earliest
    env = distinct(np.concatenate([first, last, order[first], order[last]]))
    keep = np.ones(len(env), dtype=bool)
    keep[1:] = (xd[env][1:] != xd[env][:-1]) | (yd[env][1:] != yd[env][:-1])
    keep[np.searchsorted(env, starts)] = True  # each run's first point stays
    return env[keep]


def _linear_limits(lo: float, hi: float) -> tuple[float, float]:
    """[lo, hi] widened to multiples of a round step (about four steps)."""
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        pad = abs(hi) * 0.5 or 1.0
        lo, hi = lo - pad, hi + pad
    step = nice_step(hi - lo, 4)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step
