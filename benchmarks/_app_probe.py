"""Instrumentation for benchmarks/app.py (a benchmark helper, never imported by gdtui).

- `WireDriver`: Textual's headless driver, except that the app believes a terminal is attached, so
  `App._display` does everything it does for a real one (render the compositor's update to ANSI with
  the app's console, write it); the written text is kept and counted, then dropped.
- `install()`: timestamps on `LivePlot.redraw`, `Screen._on_timer_update` (the screen's update: layout
  if needed, compositor, `_display`), `Screen._refresh_layout`, `App._display` and `LessonScreen._apply`
  into `LOG`, with the process CPU time at each end.
- `NaiveApp`: the same app, whose lesson screens show textual-plotext `PlotextPlot` widgets instead of
  the layered plots: each redraw tick builds a fresh plotext figure from all the data; `render()` (in the
  screen update) builds it to ANSI and Textual re-renders the whole widget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from textual.app import App
from textual.drivers.headless_driver import HeadlessDriver
from textual.screen import Screen
from textual_plotext import PlotextPlot

from gdtui.ui import app as app_module
from gdtui.ui.app import GdtuiApp
from gdtui.ui.screens.lesson import LessonScreen
from gdtui.ui.widgets._plot_param import ParamView
from gdtui.ui.widgets.plots import CURRENT_STYLE, LivePlot, ParamPlot, SERIES_STYLES

clock = time.perf_counter


@dataclass
class Event:
    kind: str  # redraw, update, layout, display, apply
    obj: object
    t0: float
    t1: float
    cpu: float  # process CPU time at t1
    nbytes: int = 0


class Log:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.written: list[str] = []

    def take(self) -> list[Event]:
        events, self.events = self.events, []
        return events


LOG = Log()


class WireDriver(HeadlessDriver):
    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        LOG.written.append(data)


def wire(app: App) -> None:
    """Call inside `run_test`: from now on every screen update is encoded and written."""
    app._driver.__class__ = WireDriver


def _record(cls: type, name: str, kind: str) -> None:
    original = getattr(cls, name)

    def timed(self, *args, **kwargs):
        t0 = clock()
        try:
            return original(self, *args, **kwargs)
        finally:
            t1 = clock()
            nbytes = 0
            if kind == "display":
                nbytes = sum(len(s.encode()) for s in LOG.written)
                LOG.written.clear()
            LOG.events.append(Event(kind, self, t0, t1, time.process_time(), nbytes))

    timed.__wrapped__ = original
    setattr(cls, name, timed)


def install() -> None:
    """Patch the classes (once per process, before any app runs)."""
    if getattr(LivePlot.redraw, "__wrapped__", None):
        return
    _record(LivePlot, "redraw", "redraw")
    _record(Screen, "_on_timer_update", "update")
    _record(Screen, "_refresh_layout", "layout")
    _record(App, "_display", "display")
    _record(LessonScreen, "_apply", "apply")


# -- the naive textual-plotext version -----------------------------------------------------------------
def _finite(x: np.ndarray, y: np.ndarray) -> tuple[list, list]:
    ok = np.isfinite(x) & np.isfinite(y)
    return x[ok].tolist(), y[ok].tolist()


class NaivePlot(PlotextPlot):
    """Shows what `source` (the screen's own plot, hidden and fed as usual) would show, the naive way."""

    def __init__(self, source: LivePlot) -> None:
        super().__init__(id=f"naive-{source.id}")
        self.source = source
        self.theme = "clear"  # the layered plots' colours: the terminal's own background
        self.styles.height = "3fr" if isinstance(source, ParamPlot) else "2fr"
        self._key: tuple | None = None
        self._landscape: tuple | None = None  # (problem, size) -> signals: computed once, like a contour

    def on_mount(self) -> None:
        self.set_interval(1 / self.app.redraw_rate, self.tick)

    def on_resize(self) -> None:
        self._key = None
        self.tick()

    def tick(self) -> None:
        view = self.source.view
        data = view.paths if isinstance(self.source, ParamPlot) else view.losses
        key = (id(data), tuple(view.labels), self.size)
        if key == self._key or not self.size.width:
            return
        t0 = clock()
        self._key = key
        self.plt.clear_data()
        self._draw_param(view) if isinstance(self.source, ParamPlot) else self._draw_loss(view)
        self.refresh()
        LOG.events.append(Event("redraw", self, t0, clock(), time.process_time()))

    def _draw_loss(self, view) -> None:
        plt, losses = self.plt, view.losses
        values = np.concatenate([v[np.isfinite(v)] for v in losses]) if losses else np.zeros(0)
        log = len(values) and values.min() > 0 and values.max() > 100 * values.min()
        for i, (label, loss) in enumerate(zip(view.labels, losses, strict=True)):
            color, marker = SERIES_STYLES[i % len(SERIES_STYLES)]
            steps = np.arange(len(loss), dtype=float)
            plt.plot(*_finite(steps, loss), marker="braille", color=color, label=label)
            plt.scatter(*_finite(steps[-1:], loss[-1:]), marker=marker, color=color, style=CURRENT_STYLE)
        plt.yscale("log" if log else "linear")

    def _draw_param(self, view: ParamView) -> None:
        plt, p = self.plt, view.problem
        if p is None or p.dim not in (1, 2):
            return
        if self._landscape is None or self._landscape[0] != (id(p), self.size):
            scratch = ParamView()
            scratch.set_scene(p, [])
            scratch.resize(*self.size)
            scratch.frame()
            axes, (base, _, _) = scratch.layers()
            self._landscape = ((id(p), self.size), axes, base)
        _, axes, base = self._landscape
        plt.xlim(*axes.xlim)
        plt.ylim(*axes.ylim)
        for s in base:
            draw = plt.plot if s.lines else plt.scatter
            draw(s.x, s.y, marker=s.marker, color=s.color, style=s.style)
        for i, (label, path) in enumerate(zip(view.labels, view.paths, strict=True)):
            if not len(path):
                continue
            color, marker = SERIES_STYLES[i % len(SERIES_STYLES)]
            x = path[:, 0]
            y = path[:, 1] if p.dim == 2 else np.asarray(p.f(path), dtype=float).reshape(-1)
            if p.dim == 2:
                plt.plot(*_finite(x, y), marker="braille", color=color)
            plt.scatter(*_finite(x, y), marker=marker, color=color)
            plt.scatter(*_finite(x[-1:], y[-1:]), marker=marker, color=color, style=CURRENT_STYLE, label=label)


class NaiveLessonScreen(LessonScreen):
    def compose(self):
        for widget in super().compose():
            if isinstance(widget, LivePlot):
                widget.display = False
                widget.redraw = list  # the hidden plot still receives the data but never draws
                yield NaivePlot(widget)
            yield widget


class NaiveApp(GdtuiApp):
    CSS_PATH = Path(app_module.__file__).with_name(GdtuiApp.CSS_PATH)  # relative to gdtui's module

    def open_lesson(self, slug: str, page: int = 0) -> None:
        self.push_screen(NaiveLessonScreen(self.course.lesson(slug), page))
