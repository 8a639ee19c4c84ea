"""The live plots: `LossPlot` (loss against step) and `ParamPlot` (θ over the landscape), drawn by plotext.

Attributes down: the screen calls `set_series`/`update_losses` and `set_scene`/`update_paths` as often as
the engine steps; those only store the data and mark the plot dirty. A timer (`redraw_rate` a second)
redraws a dirty plot through the layered pipeline (`_plot_layers`); a screen that keeps its own frame
clock turns `clocked` off and calls `redraw_if_dirty` itself, so the plots and the rest of a frame go
out in one screen update. Only the dynamic layer is rebuilt, it is composited over the cached static
layers, and only the rows whose cells changed become new Strips (Line API, no ANSI round trip) and are
refreshed. A new scene or series (a key that restarts the runs) is drawn right after the message that
set it, not on the next tick, so its effect shows at once.
Colours are named ANSI colours on the terminal's own background; markers and reverse video keep runs
apart under NO_COLOR.
"""

from __future__ import annotations

import numpy as np
from plotext._dict import color_codes
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.reactive import var
from textual.strip import Strip
from textual.timer import Timer

from ...engine import Problem
from ._direct import DirectLines
from ._plot_layers import Row
from ._plot_loss import LossView
from ._plot_param import ParamView
from ._plot_view import CURRENT_STYLE, SERIES_STYLES, PlotView, series_style

__all__ = ["CURRENT_STYLE", "SERIES_STYLES", "LivePlot", "LossPlot", "ParamPlot", "row_strip", "series_style"]

_STYLE_FLAGS = {
    "bold": "bold",
    "dim": "dim",
    "italic": "italic",
    "underline": "underline",
    "double-underline": "underline2",
    "strike": "strike",
    "inverted": "reverse",
    "flash": "blink",
}
_styles: dict[tuple, Style] = {}


def _color(c) -> Color | None:
    """A plotext colour as Rich would decode plotext's own ANSI for it (names → the 16 standard colours)."""
    if c == "default" or c is None:
        return None
    if isinstance(c, str):
        return Color.from_ansi(color_codes[c.strip()])
    if isinstance(c, int):
        return Color.from_ansi(c)
    return Color.from_rgb(*c)


def cell_style(fg, style: str, bg) -> Style:
    """The Rich style of a plotext cell (cached: a plot uses a handful)."""
    key = (
        fg if isinstance(fg, str | int) else tuple(fg),
        style,
        bg if isinstance(bg, str | int) else tuple(bg),
    )
    cached = _styles.get(key)
    if cached is None:
        flags = {_STYLE_FLAGS[w]: True for w in str(style).split() if w in _STYLE_FLAGS}
        cached = _styles[key] = Style(color=_color(fg), bgcolor=_color(bg), **flags)
    return cached


def row_strip(row: Row) -> Strip:
    """One screen row of plotext cells as a Strip: a Segment per run of equally styled cells."""
    markers, fgs, styles, bgs = row
    segments = []
    start = 0
    n = len(markers)
    for i in range(1, n + 1):
        if i == n or fgs[i] != fgs[start] or styles[i] != styles[start] or bgs[i] != bgs[start]:
            segments.append(
                Segment("".join(markers[start:i]), cell_style(fgs[start], styles[start], bgs[start]))
            )
            start = i
    return Strip(segments, n)


class LivePlot(DirectLines):
    """A Line-API widget around a `PlotView`, redrawn on its own timer."""

    DEFAULT_CSS = """
    LivePlot {
        width: 1fr;
        height: 1fr;
    }
    """

    redraw_rate: var[float] = var(10.0)  # redraws a second; 0 pauses
    """Redraws per second while the data changes (the classroom may lower it)."""
    clocked: var[bool] = var(True)
    """Redraw on the plot's own timer; off when the screen's frame clock calls `redraw_if_dirty`."""

    def __init__(
        self, view: PlotView, *, name: str | None = None, id: str | None = None, classes: str | None = None
    ):
        super().__init__(name=name, id=id, classes=classes)
        self.view = view
        self._strips: list[Strip] = []
        self._timer: Timer | None = None
        self.refreshed_rows: list[int] = []  # rows sent by the last redraw that changed anything
        self.frames = 0  # redraws that changed something

    @property
    def show_legend(self) -> bool:
        return self.view.show_legend

    @show_legend.setter
    def show_legend(self, value: bool) -> None:
        self.view.show_legend = bool(value)
        self.view.invalidate()

    def on_mount(self) -> None:
        self._restart_timer()

    def watch_redraw_rate(self) -> None:
        if self.is_mounted:
            self._restart_timer()

    def watch_clocked(self) -> None:
        if self.is_mounted:
            self._restart_timer()

    def _restart_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if self.redraw_rate > 0 and self.clocked:
            self._timer = self.set_interval(1 / self.redraw_rate, self.redraw_if_dirty)

    def redraw_if_dirty(self) -> None:
        """A frame, if the data changed since the last one (unless paused: `redraw_rate` 0)."""
        if self.view.dirty and self.redraw_rate > 0:
            self.redraw()

    def redraw_soon(self) -> None:
        """Redraw once the current message is handled (unless paused: `redraw_rate` 0)."""
        if self.is_mounted and self.redraw_rate > 0:
            self.call_later(self.redraw_if_dirty)

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> list[int]:
        """Draw a frame now; returns the rows that changed (and were refreshed)."""
        width, height = self.size
        self.view.resize(width, height)
        changed = self.view.frame()
        rows = self.view.rows
        if len(self._strips) != len(rows):
            self._strips = [Strip.blank(width, self.visual_style.rich_style)] * len(rows)
            changed = list(range(len(rows)))
            self.refresh()
        for y in changed:
            self._strips[y] = row_strip(rows[y])
        if changed:
            self.refresh(*(Region(0, y, width, 1) for y in changed))
        if changed:
            self.refreshed_rows = changed
            self.frames += 1
        return changed

    def render_line(self, y: int) -> Strip:
        if 0 <= y < len(self._strips) and self._strips[y].cell_length == self.size.width:
            return self._strips[y]
        return Strip.blank(self.size.width, self.visual_style.rich_style)


class LossPlot(LivePlot):
    """Loss against step for every run: log scale when positive and spanning over two decades."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(LossView(), name=name, id=id, classes=classes)

    def set_series(self, labels: list[str]) -> None:
        """A new scene or a reset: one series per run, `labels` for the legend. Drawn at once."""
        self.view.set_series(labels)
        self.redraw_soon()

    def update_losses(self, losses: list[np.ndarray]) -> None:
        """The full loss history so far of every run (k + 1 values each). Cheap: marks the plot dirty."""
        self.view.set_losses(losses)


class ParamPlot(LivePlot):
    """Each run's θ over the problem's landscape: L(θ) in 1-D, level curves in 2-D, over `problem.box`."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(ParamView(), name=name, id=id, classes=classes)

    def set_scene(self, problem: Problem, labels: list[str]) -> None:
        """A new scene: the landscape is drawn once (per size), runs labelled for the legend. Drawn at once."""
        self.view.set_scene(problem, labels)
        self.redraw_soon()

    def update_paths(self, paths: list[np.ndarray]) -> None:
        """Each run's θ history so far, shape (k + 1, d). Cheap: marks the plot dirty."""
        self.view.set_paths(paths)
