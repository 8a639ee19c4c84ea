"""The scene views that take the parameter plot's place (course `Scene.view`): `FitPlot` ("fit"),
`GradientCheckPlot` ("gradient-check") and `BatchVariancePlot` ("batch-variance").

Each has `ParamPlot`'s interface, so a screen swaps them freely: `set_scene(problem, labels)` on a new
scene or a reset, `update_paths(paths)` (each run's θ history so far; cheap, marks the plot dirty),
`redraw_rate` and `show_legend`. They draw through the same layered plotext pipeline (`LivePlot`,
`_views_plot`), with markers as well as colours so they read under NO_COLOR and in 16 colours. The last
computed data are on `plot.view` (`curves`; `hs`, `forward`, `centered`; `batch_sizes`, `measured`,
`expected`).
"""

from __future__ import annotations

import numpy as np

from ...engine import Problem
from ._views_plot import BatchVarianceView, FitView, GradientCheckView, SceneView
from .plots import LivePlot

__all__ = ["VIEW_PLOTS", "BatchVariancePlot", "FitPlot", "GradientCheckPlot"]


class ScenePlot(LivePlot):
    """A `LivePlot` around a `SceneView`, with `ParamPlot`'s `set_scene` and `update_paths`."""

    view: SceneView

    def __init__(
        self,
        view: SceneView,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ):
        super().__init__(view, name=name, id=id, classes=classes)

    def set_scene(self, problem: Problem, labels: list[str]) -> None:
        """A new scene (or a reset): the problem, and one label per run. Drawn at once."""
        self.view.set_scene(problem, labels)
        self.redraw_soon()

    def update_paths(self, paths: list[np.ndarray]) -> None:
        """Each run's θ history so far, shape (k + 1, d). Cheap: marks the plot dirty."""
        self.view.set_paths(paths)


class FitPlot(ScenePlot):
    """A data-fitting problem's data (*) and, for each run, its model at the current θ drawn across the
    data's x-range: ŷ = m·x + b, ŷ = x + θ (secret number) or p = σ(w·x + b) (logistic)."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(FitView(), name=name, id=id, classes=classes)


class GradientCheckPlot(ScenePlot):
    """At the first run's current θ: the relative error of forward (o) and centered (x) differences
    against the analytic gradient, for h from 10⁻¹⁴ to 1, log-log. Its legend names the two methods, not
    the runs, so it is drawn whatever `show_legend` says."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(GradientCheckView(), name=name, id=id, classes=classes)


class BatchVariancePlot(ScenePlot):
    """At the first run's current θ: the variance of the mini-batch gradient against B = 1…N, measured
    (o, fixed-seed draws) and expected (line, ∝ (1/B)·(N − B)/(N − 1)). Its legend names the two series,
    not the runs, so it is drawn whatever `show_legend` says."""

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(BatchVarianceView(), name=name, id=id, classes=classes)


#: The widget of each course view other than "auto" (the landscape: `plots.ParamPlot`).
VIEW_PLOTS: dict[str, type[ScenePlot]] = {
    "fit": FitPlot,
    "gradient-check": GradientCheckPlot,
    "batch-variance": BatchVariancePlot,
}
