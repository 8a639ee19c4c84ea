"""Pilot tests of the scene views (`FitPlot`, `GradientCheckPlot`, `BatchVariancePlot`) in a tiny app: they
draw their legends and data, follow θ, plot what the engine computes, and survive tiny sizes, diverged θ
and NO_COLOR."""

import numpy as np
import pytest
from rich.color import ColorType
from textual.app import App, ComposeResult

from gdtui.engine import get_problem, gradient_check, run
from gdtui.engine.gradients import batch_gradient_variance, expected_batch_variance
from gdtui.ui.widgets._views_plot import DRAWS, SEED
from gdtui.ui.widgets.views import VIEW_PLOTS, BatchVariancePlot, FitPlot, GradientCheckPlot

#: (app size, plot size): a lesson's plot area at 80×24, and a plot filling each terminal size.
SIZES = [((80, 24), (38, 9)), ((80, 24), None), ((160, 50), None)]
SIZE_IDS = ["38x9-plot", "80x24", "160x50"]
PLOTS = [FitPlot, GradientCheckPlot, BatchVariancePlot]
PLOT_IDS = ["fit", "gradient-check", "batch-variance"]


class ViewApp(App):
    def __init__(self, plot_class, plot_size=None):
        super().__init__()
        self.plot_class = plot_class
        self.plot_size = plot_size

    def compose(self) -> ComposeResult:
        yield self.plot_class(id="plot")

    def on_mount(self) -> None:
        if self.plot_size is not None:
            plot = self.query_one("#plot")
            plot.styles.width, plot.styles.height = self.plot_size

    @property
    def plot(self):
        return self.query_one("#plot")


def text(plot) -> str:
    return "\n".join(plot.render_line(y).text for y in range(plot.size.height))


def rows(plot) -> list[str]:
    return [plot.render_line(y).text for y in range(plot.size.height)]


async def settle(pilot, plot, ticks: int = 300) -> None:
    """Wait (at most `ticks` short pauses) until the plot has drawn all it was given: a sampled view
    computes in pieces over several redraws."""
    for _ in range(ticks):
        await pilot.pause(0.05)
        if not plot.view.dirty:
            return
    raise AssertionError("the plot still had work to do")


@pytest.fixture(scope="module")
def regression():
    return [
        run("linear-regression", "gd", lr=0.05, steps=60),
        run("linear-regression", "adam", lr=0.3, steps=60),
    ]


def test_every_scene_view_but_auto_has_a_plot():
    assert set(VIEW_PLOTS) == {"fit", "gradient-check", "batch-variance"}
    for cls in VIEW_PLOTS.values():
        plot = cls()
        assert plot.redraw_rate == 10 and plot.show_legend
        assert callable(plot.set_scene) and callable(plot.update_paths)


# -- fit ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("size", "plot_size"), SIZES, ids=SIZE_IDS)
async def test_fit_plot_draws_the_data_each_model_and_a_legend(regression, size, plot_size):
    app = ViewApp(FitPlot, plot_size)
    async with app.run_test(size=size) as pilot:
        app.plot.set_scene(get_problem("linear-regression"), ["gd", "adam"])
        app.plot.update_paths([t.theta[:20] for t in regression])
        await pilot.pause(0.3)
        shown = text(app.plot)
        for legend in ("─o gd", "─x adam", "─* data"):
            assert legend in shown
        assert shown.count("*") > 5  # the data points (20 of them, some sharing a cell at small sizes)
        assert "o" in shown.replace("─o gd", "") and "x" in shown.replace("─x adam", "")  # the runs' marks


@pytest.mark.parametrize(
    ("problem", "model"),
    [
        ("linear-regression", lambda t, x: t[0] * x + t[1]),
        ("secret-number", lambda t, x: x + t[0]),
        ("logistic", lambda t, x: 1 / (1 + np.exp(-(t[0] * x + t[1])))),
    ],
    ids=["line", "secret-number", "sigmoid"],
)
async def test_fit_plot_draws_the_model_at_the_current_theta_and_follows_it(problem, model):
    traj = run(problem, "gd", lr=0.01 if problem == "logistic" else 0.05, steps=40)
    app = ViewApp(FitPlot)
    async with app.run_test(size=(80, 24)) as pilot:
        app.plot.set_scene(get_problem(problem), ["gd"])
        app.plot.update_paths([traj.theta[:1]])
        await pilot.pause(0.2)
        before = rows(app.plot)
        app.plot.update_paths([traj.theta[:40]])
        await pilot.pause(0.3)
        xs, ys = app.plot.view.curves[0]
        np.testing.assert_allclose(ys, model(traj.theta[39], xs), rtol=1e-9, atol=1e-12)
        assert xs.min() <= get_problem(problem).x.min() and xs.max() >= get_problem(problem).x.max()
        assert rows(app.plot) != before


# -- gradient check -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("size", "plot_size"), SIZES, ids=SIZE_IDS)
async def test_gradient_check_plots_the_engines_errors_a_v_over_h(size, plot_size):
    problem = get_problem("rosenbrock")
    theta = run(problem, "gd", lr=0.001, steps=10).theta
    app = ViewApp(GradientCheckPlot, plot_size)
    async with app.run_test(size=size) as pilot:
        app.plot.set_scene(problem, ["gd"])
        app.plot.update_paths([theta])
        await settle(pilot, app.plot)
        view = app.plot.view
        np.testing.assert_array_equal(view.theta, theta[-1])
        assert 50 <= len(view.hs) <= 70 and view.hs[0] == pytest.approx(1e-14) and view.hs[-1] == 1
        for method, errors in (("forward", view.forward), ("centered", view.centered)):
            np.testing.assert_array_equal(errors, gradient_check(problem, theta[-1], view.hs, method))
            best = int(np.argmin(errors))
            assert 0 < best < len(errors) - 1  # truncation error meets round-off inside the range
            assert errors[0] > 100 * errors[best] and errors[-1] > 100 * errors[best]
        shown = text(app.plot)
        assert "─o forward" in shown and "─x centered" in shown
        assert shown.count("o") > 10 and shown.count("x") > 10
        assert "1e-" in shown  # decade tick labels


async def test_gradient_check_follows_theta_but_not_faster_than_it_may():
    problem = get_problem("rosenbrock")
    theta = run(problem, "gd", lr=0.001, steps=30).theta
    app = ViewApp(GradientCheckPlot)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.plot.view
        view.min_interval = 0.0
        app.plot.set_scene(problem, ["gd"])
        await settle(pilot, app.plot)
        np.testing.assert_array_equal(view.theta, problem.start)  # before any step: the start
        app.plot.update_paths([theta[:20]])
        await settle(pilot, app.plot)
        np.testing.assert_array_equal(view.theta, theta[19])
        view.min_interval = 1e9  # the next change waits, and the plot stays dirty until it is done
        app.plot.update_paths([theta])
        app.plot.redraw()
        np.testing.assert_array_equal(view.theta, theta[19])
        assert view.dirty
        view.min_interval = 0.0
        await settle(pilot, app.plot)
        np.testing.assert_array_equal(view.theta, theta[-1])


# -- batch variance -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("size", "plot_size"), SIZES, ids=SIZE_IDS)
async def test_batch_variance_falls_with_b_and_reaches_zero_at_n(size, plot_size):
    problem = get_problem("linear-regression")
    start = np.array([problem.start])
    app = ViewApp(BatchVariancePlot, plot_size)
    async with app.run_test(size=size) as pilot:
        app.plot.set_scene(problem, ["gd"])
        app.plot.update_paths([start])
        await settle(pilot, app.plot)
        view = app.plot.view
        n = problem.n_examples
        np.testing.assert_array_equal(view.batch_sizes, np.arange(1, n + 1))
        measured, expected = view.measured, view.expected
        np.testing.assert_allclose(
            measured,
            batch_gradient_variance(problem, start[0], view.batch_sizes, DRAWS, np.random.default_rng(SEED)),
        )
        np.testing.assert_allclose(expected, expected_batch_variance(problem, start[0], view.batch_sizes))
        assert measured[-1] <= 1e-12 * measured[0] and expected[-1] <= 1e-12 * expected[0]
        assert measured[0] > measured[n // 2] > measured[-2] > measured[-1]
        assert np.corrcoef(view.batch_sizes[:-1], np.log(measured[:-1]))[0, 1] < -0.95
        assert view.log_scale  # it spans decades, so B = N (variance 0) has no point
        assert n not in view.drawn_sizes and len(view.drawn_sizes) == n - 1
        shown = text(app.plot)
        assert "─o measured" in shown and "── expected" in shown
        assert shown.count("o") > 5


async def test_batch_variance_is_linear_when_it_does_not_span_decades():
    problem = get_problem("secret-number")  # every example agrees: the variance is 0 for every B
    app = ViewApp(BatchVariancePlot)
    async with app.run_test(size=(80, 24)) as pilot:
        app.plot.set_scene(problem, ["gd"])
        app.plot.update_paths([np.array([[3.0]])])
        await settle(pilot, app.plot)
        view = app.plot.view
        assert not view.log_scale and len(view.drawn_sizes) == problem.n_examples
        assert "o" in text(app.plot).replace("─o measured", "")


# -- robustness ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("plot_class", PLOTS, ids=PLOT_IDS)
@pytest.mark.parametrize(
    "plot_size", [(0, 0), (1, 1), (2, 2), (6, 3), (14, 5)], ids=lambda s: f"{s[0]}x{s[1]}"
)
async def test_tiny_plots_render_without_errors(plot_class, plot_size, regression):
    app = ViewApp(plot_class, plot_size)
    async with app.run_test(size=(40, 12)) as pilot:
        app.plot.set_scene(get_problem("linear-regression"), ["gd", "adam"])
        app.plot.update_paths([t.theta for t in regression])
        await pilot.pause(0.2)
        assert all(len(line) == app.plot.size.width for line in rows(app.plot))


@pytest.mark.parametrize("plot_class", PLOTS, ids=PLOT_IDS)
@pytest.mark.parametrize("problem", ["linear-regression", "logistic", "secret-number", "rosenbrock"])
async def test_diverged_theta_and_other_problems_do_not_break_a_view(plot_class, problem):
    p = get_problem(problem)
    d = p.dim
    huge = np.array([np.full(d, 1.0), np.full(d, 1e150), np.full(d, -1e300)])
    bad = np.array([np.full(d, 1.0), np.full(d, np.inf)])
    app = ViewApp(plot_class)
    async with app.run_test(size=(160, 50)) as pilot:
        plot = app.plot
        plot.view.min_interval = 0.0
        plot.set_scene(p, ["huge", "bad", "empty"])
        for paths in ([huge, bad, np.zeros((0, d))], [huge[:2], np.full((3, d), np.nan)], [huge]):
            plot.update_paths(paths)
            plot.redraw()
            await pilot.pause(0.05)
        assert all(len(line) == 160 for line in rows(plot))


@pytest.mark.parametrize("plot_class", PLOTS, ids=PLOT_IDS)
async def test_no_color_keeps_standard_colours_and_markers(plot_class, regression, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = ViewApp(plot_class)
    async with app.run_test(size=(80, 24)) as pilot:
        app.plot.set_scene(get_problem("linear-regression"), ["gd", "adam"])
        app.plot.update_paths([t.theta[:30] for t in regression])
        await settle(pilot, app.plot)
        segments = [seg for y in range(app.plot.size.height) for seg in app.plot.render_line(y)]
        colours = {seg.style.color.type for seg in segments if seg.style and seg.style.color}
        assert colours <= {ColorType.STANDARD}
        assert not any(seg.style and seg.style.bgcolor for seg in segments)
        assert app.no_color
        shown = text(app.plot)
        assert "o" in shown and ("x" in shown or plot_class is BatchVariancePlot)


async def test_show_legend_hides_the_fit_legend_only():
    app = ViewApp(FitPlot)
    async with app.run_test(size=(80, 24)) as pilot:
        app.plot.set_scene(get_problem("linear-regression"), ["gd"])
        app.plot.show_legend = False
        await pilot.pause(0.2)
        assert "─* data" not in text(app.plot)
        app.plot.show_legend = True
        await pilot.pause(0.2)
        assert "─* data" in text(app.plot)
