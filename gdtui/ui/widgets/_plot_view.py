"""What the two plot widgets share, minus Textual: series styles, the legend, and `PlotView`, which turns
"the data changed" into "these screen rows changed" through the layered plotext pipeline."""

from __future__ import annotations

import numpy as np

from ._plot_layers import Axes, Canvas, Composite, Layer, Row, Signal, build_frame, build_layer
from ._plot_reduce import cell_values, distinct

#: Per-run (colour, marker): named ANSI colours that keep their meaning in 16 colours, and distinct ASCII
#: markers, so series stay apart under NO_COLOR too.
SERIES_STYLES: tuple[tuple[str, str], ...] = (
    ("blue+", "o"),
    ("red+", "x"),
    ("green", "+"),
    ("magenta+", "#"),
    ("orange", "@"),
    ("cyan", "%"),
    ("gray+", "&"),
    ("red", "$"),
)
CURRENT_STYLE = "bold inverted"  # the current point of each run: reversed video shows without colour too
LANDSCAPE_COLOR = "gray"  # level curves: quiet, so the paths stand out
LEGEND_LINE = "─"
LANDSCAPES_KEPT = 4  # landscape builds a view keeps (sizes, problems), so going back to one is free


def series_style(i: int) -> tuple[str, str]:
    """(colour, marker) of run i."""
    return SERIES_STYLES[i % len(SERIES_STYLES)]


def legend_signals(labels: list[str], axes: Axes, canvas: Canvas) -> list[Signal]:
    """One labelled signal per run for plotext's legend (top left of the canvas: "─o label").

    plotext shows a signal's first markers in its legend and needs a drawn point to take the colour
    from; each signal is two points on the canvas's top-left cell, which the legend then covers. Labels
    are cut to fit, and no legend is drawn when the runs outnumber the canvas rows.
    """
    room = canvas.width - 5  # plotext draws the legend when width ≥ 3 + len(" label ")
    if not labels or canvas.height < len(labels) or room < 1:
        return []
    x, y = axes.xlim[0], axes.ylim[1]
    out = []
    for i, label in enumerate(labels):
        color, marker = series_style(i)
        text = " ".join(str(label).split()) or f"run {i + 1}"
        out.append(Signal([x, x], [y, y], marker=[LEGEND_LINE, marker], color=color, label=text[:room]))
    return out


def cell_signal(
    cx, cy, axes: Axes, canvas: Canvas, marker: str, color: str, style: str = "default"
) -> Signal:
    """A marker in each given cell (column, row from the bottom of the canvas)."""
    xs = cell_values(np.asarray(cx), *axes.xlim, canvas.width)
    ys = cell_values(np.asarray(cy), *axes.ylim, canvas.height)
    return Signal(xs.tolist(), ys.tolist(), marker=marker, color=color, style=style)


def as_paths(paths: list[np.ndarray], dim: int) -> list[np.ndarray]:
    """Each run's θ history as a float array (k+1, dim); an empty history becomes (0, dim)."""
    arrays = (np.asarray(p, dtype=float) for p in paths)
    return [a.reshape(len(a), -1) if a.size else np.zeros((0, dim)) for a in arrays]


def unique_cells(cx: np.ndarray, cy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (column, row) pairs (non-negative integers), sorted: plotext draws one marker per cell
    whatever the repeats."""
    if len(cx) == 0:
        return cx, cy
    rows = int(cy.max()) + 1  # cells are non-negative: one key per pair, in (column, row) order
    keys = distinct(cx.astype(np.int64) * rows + cy.astype(np.int64))
    return (keys // rows).astype(cx.dtype), (keys % rows).astype(cy.dtype)


class PlotView:
    """A plot's pipeline state: size, cached static layers, the last dynamic input, the composite rows.

    Subclasses say what the static layers hold (`_static_axes`, `_static_signals`), what moves
    (`_dynamic_signals`) and what has stopped moving (`_settle`: appended to the static base, built on
    its own); `frame()` rebuilds only what changed and returns the screen rows that changed.
    """

    show_legend = True

    def __init__(self) -> None:
        self.width = self.height = 0
        self.labels: list[str] = []
        self.composite = Composite()
        self.axes: Axes | None = None
        self.canvas: Canvas | None = None
        self.dirty = True
        self._frame_layer: Layer | None = None
        self._static: tuple[list[Signal], list[Signal]] | None = None  # base, top
        self._static_stale = True
        self._landscape: tuple | None = None  # (axes and signals, their layer): kept across resets
        self._landscapes: dict[tuple, tuple] = {}  # the last few `_landscape`s by key, oldest first
        self._dyn: list[Signal] = []
        self._dyn_key: tuple | None = None

    @property
    def rows(self) -> list[Row]:
        """Screen rows, top first: (markers, colours, styles, backgrounds), one entry per cell."""
        return self.composite.rows

    def resize(self, width: int, height: int) -> None:
        if (width, height) != (self.width, self.height):
            self.width, self.height = width, height
            self.invalidate()

    def invalidate(self) -> None:
        """The static layers must be rebuilt (a new scene or new labels)."""
        self._static_stale = True
        self.dirty = True

    def frame(self) -> list[int]:
        """Bring the rows up to date; returns the screen rows whose cells changed (none: skip the paint)."""
        self.dirty = False
        if self.width < 2 or self.height < 2:
            self.composite = Composite()
            self.axes = self.canvas = self._frame_layer = None
            self._dyn_key = None
            return []
        axes = self._static_axes()
        if axes != self.axes or self._frame_layer is None:
            self.axes = axes
            self._frame_layer, self.canvas = build_frame(axes)
            self._static_stale = True
        static = more = None
        if self._static_stale or not self._static_current():
            land, base, top = self._static_signals()
            top = top + (legend_signals(self.labels, axes, self.canvas) if self.show_legend else [])
            self._static = (land + base, top)
            key = (axes, tuple(s.key() for s in land))
            if self._landscape is None or self._landscape[0] != key:
                kept = self._landscapes.pop(key, None)
                self._landscape = kept or (key, build_layer(axes, self.canvas, land))
                self._landscapes[key] = self._landscape
                while len(self._landscapes) > LANDSCAPES_KEPT:
                    del self._landscapes[next(iter(self._landscapes))]
            static = (
                self._frame_layer,
                [self._landscape[1], build_layer(axes, self.canvas, base)],
                build_layer(axes, self.canvas, top),
            )
            self._static_stale = False
        else:
            settled = self._settle()
            if settled:
                self._static[0].extend(settled)
                more = build_layer(axes, self.canvas, settled)
        dyn = self._dynamic_signals()
        key = tuple(s.key() for s in dyn)
        if static is None and more is None and key == self._dyn_key:
            return []
        self._dyn, self._dyn_key = dyn, key
        return self.composite.update(build_layer(axes, self.canvas, dyn), static, more)

    def layers(self) -> tuple[Axes, list[list[Signal]]]:
        """The figure on screen: axes and the signals of each layer (base, dynamic, top) in drawing order."""
        return self.axes, [self._static[0], self._dyn, self._static[1]]

    # -- for subclasses --------------------------------------------------------------------------------
    def _static_axes(self) -> Axes:
        raise NotImplementedError

    def _static_signals(self) -> tuple[list[Signal], list[Signal], list[Signal]]:
        """(landscape, base, top) signals for the current axes and canvas. The landscape is the part
        of the base that a reset keeps (its build is reused while its signals are unchanged); the
        legend is added to the top."""
        raise NotImplementedError

    def _static_current(self) -> bool:
        """False when the static layers, though their axes still hold, must be rebuilt anyway."""
        return True

    def _settle(self) -> list[Signal]:
        """Signals to append to the static base now (parts of the runs that stopped moving)."""
        return []

    def _dynamic_signals(self) -> list[Signal]:
        raise NotImplementedError
