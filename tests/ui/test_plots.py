"""Pilot tests of the plot widgets in a tiny app: they draw legends, series and markers, refresh only the
rows that changed, redraw on their own timer, and survive tiny sizes, NO_COLOR and 16 colours."""

import numpy as np
import pytest
from rich.color import ColorType
from textual.app import App, ComposeResult
from textual.containers import Vertical

from gdtui.engine import get_problem, run
from gdtui.ui.widgets.plots import SERIES_STYLES, LossPlot, ParamPlot

LABELS = ["gd", "momentum", "adam"]
SPECS = [("gd", 0.001), ("momentum", 0.0005), ("adam", 0.05)]


class PlotsApp(App):
    CSS = "#plots { height: 1fr; } #pad { height: auto; }"

    def __init__(self, rows: int | None = None):
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="plots"):
            yield ParamPlot()
            yield LossPlot()

    def on_mount(self) -> None:
        if self.rows is not None:
            self.query_one(ParamPlot).styles.height = self.rows
            self.query_one(LossPlot).styles.height = self.rows


def lines(widget) -> list[str]:
    return [widget.render_line(y).text for y in range(widget.size.height)]


@pytest.fixture(scope="module")
def trajs():
    return [run("rosenbrock", opt, lr=lr, steps=300) for opt, lr in SPECS]


def feed(app, trajs, k):
    app.query_one(ParamPlot).update_paths([t.theta[:k] for t in trajs])
    app.query_one(LossPlot).update_losses([t.loss[:k] for t in trajs])


def start(app, trajs, k=60, problem="rosenbrock"):
    app.query_one(ParamPlot).set_scene(get_problem(problem), LABELS[: len(trajs)])
    app.query_one(LossPlot).set_series(LABELS[: len(trajs)])
    feed(app, trajs, k)


async def test_plots_draw_legends_markers_and_ticks(trajs):
    app = PlotsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        start(app, trajs)
        await pilot.pause(0.3)
        for plot in (app.query_one(ParamPlot), app.query_one(LossPlot)):
            text = "\n".join(lines(plot))
            for i, label in enumerate(LABELS):
                assert f"─{SERIES_STYLES[i][1]} {label}" in text
            assert "└" in text and "┘" in text
        assert "*" in "\n".join(lines(app.query_one(ParamPlot)))  # the minimum


async def test_only_rows_that_changed_are_refreshed(trajs, monkeypatch):
    app = PlotsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        start(app, trajs, k=150)
        await pilot.pause(0.3)
        plot = app.query_one(LossPlot)
        before = [list(plot.render_line(y)) for y in range(plot.size.height)]
        regions = []
        real_refresh = plot.refresh
        monkeypatch.setattr(plot, "refresh", lambda *r, **kw: (regions.extend(r), real_refresh(*r, **kw))[1])
        feed(app, trajs, 153)  # three more steps, same axes
        changed = plot.redraw()
        after = [list(plot.render_line(y)) for y in range(plot.size.height)]
        assert changed == [y for y in range(len(after)) if after[y] != before[y]]
        assert 0 < len(changed) <= 4
        assert sorted(r.y for r in regions) == changed and all(r.height == 1 for r in regions)
        assert plot.redraw() == []  # nothing new: plotext is not even asked


async def test_the_timer_redraws_at_the_set_rate_and_zero_pauses(trajs):
    app = PlotsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        start(app, trajs)
        plot = app.query_one(ParamPlot)
        await pilot.pause(0.3)
        plot.redraw_rate = 0
        frames = plot.frames
        feed(app, trajs, 250)
        await pilot.pause(0.3)
        assert plot.frames == frames
        plot.redraw_rate = 20
        await pilot.pause(0.3)
        assert plot.frames > frames and not plot.view.dirty


@pytest.mark.parametrize("rows", [0, 1, 2, 4], ids=lambda r: f"{r}-rows")
async def test_tiny_plots_render_without_errors(trajs, rows):
    app = PlotsApp(rows=rows)
    async with app.run_test(size=(40, 12)) as pilot:
        start(app, trajs)
        await pilot.pause(0.2)
        for plot in (app.query_one(ParamPlot), app.query_one(LossPlot)):
            assert all(len(line) == plot.size.width for line in lines(plot))


async def test_a_one_dimensional_scene_and_a_reset(trajs):
    app = PlotsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        wavy = [run("wavy", "gd", lr=0.1, steps=100)]
        start(app, wavy, k=100, problem="wavy")
        await pilot.pause(0.2)
        assert "o" in "\n".join(lines(app.query_one(ParamPlot)))
        start(app, trajs, k=1)  # a new scene replaces everything
        await pilot.pause(0.2)
        assert "─x momentum" in "\n".join(lines(app.query_one(LossPlot)))


async def test_colours_are_standard_on_the_default_background_and_no_color_tells_runs_apart(
    trajs, monkeypatch
):
    monkeypatch.setenv("NO_COLOR", "1")
    app = PlotsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        start(app, trajs, k=300)
        await pilot.pause(0.3)
        plot = app.query_one(ParamPlot)
        segments = [seg for y in range(plot.size.height) for seg in plot.render_line(y)]
        assert {seg.style.color.type for seg in segments if seg.style and seg.style.color} == {
            ColorType.STANDARD
        }
        assert not any(seg.style and seg.style.bgcolor for seg in segments)  # the terminal's own background
        text = "\n".join(lines(plot))
        assert all(marker in text for _, marker in SERIES_STYLES[:3])
        assert app.no_color


async def test_huge_and_negative_losses_do_not_break_the_loss_plot():
    app = PlotsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        plot = app.query_one(LossPlot)
        plot.set_series(["saddle", "zero", "huge"])
        plot.update_losses(
            [np.array([1.0, -5.0, -1e13]), np.array([3.0, 0.0]), np.array([1.0, 1e15, np.inf])]
        )
        await pilot.pause(0.2)
        assert "─x zero" in "\n".join(lines(plot))


async def test_a_new_scene_is_drawn_at_once_not_on_the_next_tick(trajs):
    app = PlotsApp()
    async with app.run_test(size=(80, 24)) as pilot:
        plots = (app.query_one(ParamPlot), app.query_one(LossPlot))
        for plot in plots:
            plot.redraw_rate = 0.2  # a tick every 5 s
        await pilot.pause(0.1)
        frames = [plot.frames for plot in plots]
        start(app, trajs, k=1)
        await pilot.pause(0.1)
        assert all(plot.frames > n and not plot.view.dirty for plot, n in zip(plots, frames, strict=True))
        assert "─o gd" in "\n".join(lines(plots[0]))
        for plot in plots:
            plot.redraw_rate = 0  # paused: a new scene waits too
        frames = [plot.frames for plot in plots]
        start(app, trajs[:2], k=1)
        await pilot.pause(0.1)
        assert [plot.frames for plot in plots] == frames
