"""Instrumentation for benchmarks/app.py (a benchmark helper, never imported by gdtui).

- `WireDriver`: Textual's headless driver, except that the app believes a terminal is attached, so
  `App._display` does everything it does for a real one (render the compositor's update to ANSI with
  the app's console, write it); the written text is kept and counted, then dropped.
- `install()`: timestamps on `LivePlot.redraw`, `Screen._on_timer_update` (the screen's update: layout
  if needed, compositor, `_display`), `Screen._refresh_layout`, `App._display` and `LessonScreen._apply`
  into `LOG`, with the process CPU time at each end.
- `frames`, `redrawn_end`, `settled`: reading the log (frames; the write after both plots redrew; the
  log once the app has gone quiet).
- `make_app`: the app on the bundled course, with a fresh progress store.
- `NaiveApp`: the same app, whose lesson screens show textual-plotext `PlotextPlot` widgets instead of
  the layered plots: each redraw tick builds a fresh plotext figure from all the data; `render()` (in the
  screen update) builds it to ANSI and Textual re-renders the whole widget.
"""

from __future__ import annotations

import asyncio
import inspect
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from textual.app import App
from textual.drivers.headless_driver import HeadlessDriver
from textual.screen import Screen
from textual_plotext import PlotextPlot

from gdtui.course import load_course
from gdtui.ui import app as app_module
from gdtui.ui.app import GdtuiApp
from gdtui.ui.screens.lesson import LessonScreen
from gdtui.ui.widgets._plot_param import ParamView
from gdtui.ui.widgets.plots import CURRENT_STYLE, SERIES_STYLES, LivePlot, ParamPlot

clock = time.perf_counter


@dataclass
class Event:
    kind: str  # redraw, update, layout, display, apply
    obj: object
    t0: float
    t1: float
    cpu: float  # process CPU time at t1
    busy: float  # CPU time of this (the app's) thread from t0 to t1: wall time minus preemption
    nbytes: int = 0
    text: str = ""  # what a display wrote, when `LOG.keep_text`


class Log:
    def __init__(self) -> None:
        self.events: list[Event] = []
        self.written: list[str] = []
        self.keep_text = False

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
        t0, c0 = clock(), time.thread_time()
        try:
            return original(self, *args, **kwargs)
        finally:
            t1, busy = clock(), time.thread_time() - c0
            nbytes, text = 0, ""
            if kind == "display":
                text = "".join(LOG.written)
                nbytes = len(text.encode())
                LOG.written.clear()
            text = text if LOG.keep_text else ""
            LOG.events.append(Event(kind, self, t0, t1, time.process_time(), busy, nbytes, text))

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


# -- reading the log ----------------------------------------------------------------------------------------
def frames(log: list[Event], period: float) -> list[dict]:
    """Group the events into frames: the plots' redraws of one timer period + the updates that flush them
    (CPU seconds of the app's thread in each, so that other processes on the machine do not count)."""
    out, cur, flush = [], None, None
    for e in sorted(log, key=lambda e: e.t0):
        if e.kind == "redraw":
            if cur is not None and cur["flushed"] and e.t0 > cur["start"] + period / 2:
                out.append(cur)
                cur = None
            if cur is None:
                cur = {"start": e.t0, "plots": 0.0, "screen": 0.0, "bytes": 0, "end": 0.0}
            cur["plots"] += e.busy
            cur["flushed"], flush = False, None
        elif e.kind == "update" and cur is not None and not cur["flushed"]:
            cur["screen"] += e.busy
            cur["end"], cur["flushed"], flush = e.t1, True, e
        elif e.kind == "display" and flush is not None and flush.t0 <= e.t0 <= flush.t1:
            cur["bytes"] += e.nbytes
    if cur is not None and cur["flushed"]:
        out.append(cur)
    return out


def redrawn_end(log: list[Event], t0: float, plots) -> Event | None:
    """The first write after every plot has redrawn since t0 (None if one has not)."""
    redraws = [e for e in log if e.kind == "redraw" and e.t0 >= t0 and e.obj in plots]
    if {e.obj for e in redraws} != set(plots):
        return None
    last = max(e.t1 for e in redraws)
    return min((e for e in log if e.kind == "display" and e.t0 >= last), key=lambda e: e.t0, default=None)


async def settled(gap: float = 0.2, limit: float = 2.0) -> list[Event]:
    """Wait until nothing has been drawn for `gap` seconds (paused, the app then stays quiet)."""
    t0, seen, quiet_since = clock(), 0, clock()
    while clock() - quiet_since < gap and clock() - t0 < limit:
        await asyncio.sleep(0.01)
        if len(LOG.events) != seen:
            seen, quiet_since = len(LOG.events), clock()
    return LOG.take()


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
        t0, c0 = clock(), time.thread_time()
        self._key = key
        self.plt.clear_data()
        self._draw_param(view) if isinstance(self.source, ParamPlot) else self._draw_loss(view)
        self.refresh()
        LOG.events.append(Event("redraw", self, t0, clock(), time.process_time(), time.thread_time() - c0))

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
            plt.scatter(
                *_finite(x[-1:], y[-1:]), marker=marker, color=color, style=CURRENT_STYLE, label=label
            )


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

    def push_screen(self, screen, *args, **kwargs):
        if type(screen) is LessonScreen:
            screen = NaiveLessonScreen(screen.lesson, screen.index)
        return super().push_screen(screen, *args, **kwargs)


def make_app(cls: type[GdtuiApp], lesson: str, redraw_rate: float, data: Path) -> GdtuiApp:
    """An app on the bundled course with a fresh progress store under `data` (when the app keeps one)."""
    course = load_course()
    if "store" not in inspect.signature(GdtuiApp.__init__).parameters:
        return cls(course, lesson, redraw_rate=redraw_rate)
    from gdtui.store import Store

    return cls(course, Store.open(tempfile.mkdtemp(dir=data)), lesson, redraw_rate=redraw_rate)
