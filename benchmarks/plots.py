"""Frame cost of the live plots: naive textual-plotext vs the layered pipeline. Run on demand:

    .venv/bin/python benchmarks/plots.py [--frames N]

Scene: Rosenbrock, momentum (lr 5e-4) for 480 steps, two steps a frame. Two plots per frame: the loss
(log scale: 12.5 → 0.09) and the level curves with the path, a legend and the current point.
  naive     a textual-plotext `Plot` per plot, rebuilt from all its data each frame: build() + Text.from_ansi
            (what `PlotextPlot.render` does; Textual then still has to cut that Text into lines);
  pipeline  `LossView`/`ParamView` + Strips for the rows that changed (what `LossPlot`/`ParamPlot` do).
Prints median and p90 ms a frame (both plots), the ratio, and the bytes a frame puts on the wire
(changed rows only vs every row), for plot areas cut from an 80×24 and a 160×50 screen and for plots
of those whole sizes.

Then full repaints (median / p90 ms): everything rebuilt, landscape included, plus Strips for every row,
  resize     both plots after a resize to a size not seen before, four runs 480 steps in (Rosenbrock);
  new scene  the parameter plot after `set_scene` with a problem not among the last few (2-D and 1-D
             problems in turn), a run two steps in.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from rich.color import ColorSystem
from rich.text import Text
from textual_plotext import Plot

from gdtui.engine import PROBLEMS, get_problem, run
from gdtui.ui.widgets._plot_loss import LossView
from gdtui.ui.widgets._plot_param import ParamView
from gdtui.ui.widgets.plots import row_strip

LABEL = "momentum"
RACE = [("gd", 0.001), ("momentum", 0.0005), ("adam", 0.05), ("gd", 0.0025)]  # the last one diverges


def ansi_bytes(strips) -> int:
    """Bytes of the strips as 16-colour ANSI, roughly what Textual writes for them."""
    out = 0
    for strip in strips:
        for seg in strip:
            text = seg.style.render(seg.text, color_system=ColorSystem.STANDARD) if seg.style else seg.text
            out += len(text.encode())
    return out


class Pipeline:
    """The widgets' redraw path without Textual: frame, then Strips for the changed rows."""

    def __init__(self, view, size):
        self.view, self.strips = view, []
        view.resize(*size)

    def frame(self) -> list:
        changed = self.view.frame()
        if len(self.strips) != len(self.view.rows):
            self.strips = [None] * len(self.view.rows)
            changed = range(len(self.view.rows))
        for y in changed:
            self.strips[y] = row_strip(self.view.rows[y])
        return [self.strips[y] for y in changed]


def naive_frame(loss_plt: Plot, param_plt: Plot, traj, k: int, contour) -> tuple[Text, Text]:
    loss_plt.clear_data()
    loss_plt.plot(traj.loss[:k].tolist(), marker="braille", color="blue+", label=LABEL)
    loss_plt.yscale("log")
    param_plt.clear_data()
    param_plt.xlim(-2, 2)
    param_plt.ylim(-1, 3)
    param_plt.scatter(contour.x, contour.y, marker="braille", color="gray")
    param_plt.plot(traj.theta[:k, 0].tolist(), traj.theta[:k, 1].tolist(), marker="braille", color="blue+")
    param_plt.scatter([traj.theta[k - 1, 0]], [traj.theta[k - 1, 1]], marker="o", color="blue+", label=LABEL)
    return Text.from_ansi(loss_plt.build()), Text.from_ansi(param_plt.build())


def measure(size, frames: int, traj) -> dict:
    problem = get_problem("rosenbrock")
    ks = np.linspace(1, len(traj.loss), frames).astype(int)
    # pipeline
    lv, pv = LossView(), ParamView()
    lv.set_series([LABEL])
    pv.set_scene(problem, [LABEL])
    loss, param = Pipeline(lv, size), Pipeline(pv, size)
    t = time.perf_counter()
    lv.set_losses([traj.loss[:1]])
    pv.set_paths([traj.theta[:1]])
    loss.frame(), param.frame()
    first = time.perf_counter() - t
    times, sent, full = [], [], []
    for k in ks[1:]:
        t = time.perf_counter()
        lv.set_losses([traj.loss[:k]])
        pv.set_paths([traj.theta[:k]])
        changed = loss.frame() + param.frame()
        times.append(time.perf_counter() - t)
        sent.append(ansi_bytes(changed))
        full.append(ansi_bytes(loss.strips) + ansi_bytes(param.strips))
    contour = pv.layers()[1][0][0]  # the level-curve dots the pipeline drew
    # naive
    loss_plt, param_plt = Plot(), Plot()
    for plt in (loss_plt, param_plt):
        plt.theme("clear")
        plt._set_size(*size)
    naive = []
    for k in ks[1:]:
        t = time.perf_counter()
        naive_frame(loss_plt, param_plt, traj, k, contour)
        naive.append(time.perf_counter() - t)
    return {"pipeline": times, "naive": naive, "first": first, "sent": sent, "full": full}


def repaint_resize(size, repeats: int, trajs) -> list[float]:
    """Both plots, each time resized to a new size (w − i, h): the landscape is never cached."""
    labels = [f"{opt} {lr}" for opt, lr in RACE]
    lv, pv = LossView(), ParamView()
    lv.set_series(labels)
    pv.set_scene(get_problem("rosenbrock"), labels)
    lv.set_losses([t.loss for t in trajs])
    pv.set_paths([t.theta for t in trajs])
    plots = [Pipeline(lv, size), Pipeline(pv, size)]
    plots[0].frame(), plots[1].frame()
    times = []
    for i in range(1, repeats + 1):
        t = time.perf_counter()
        for plot in plots:
            plot.view.resize(size[0] - i, size[1])
            plot.strips = []  # a resize: every row becomes a new Strip
            plot.frame()
        times.append(time.perf_counter() - t)
    return times


def repaint_scene(size, repeats: int) -> list[float]:
    """The parameter plot after set_scene with the next of all problems in turn (more than it keeps)."""
    names = list(PROBLEMS)
    trajs = {n: run(n, "gd", lr=0.01, steps=2) for n in names}
    pv = ParamView()
    plot = Pipeline(pv, size)
    times = []
    for i in range(repeats + len(names)):
        name = names[i % len(names)]
        t = time.perf_counter()
        pv.set_scene(get_problem(name), [LABEL])
        pv.set_paths([trajs[name].theta])
        plot.frame()
        if i >= len(names):  # the first round warms up
            times.append(time.perf_counter() - t)
    return times


def ms(values, q) -> float:
    return 1000 * float(np.quantile(values, q))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--frames", type=int, default=160)
    parser.add_argument("--repaints", type=int, default=15)
    args = parser.parse_args()
    traj = run("rosenbrock", "momentum", lr=0.0005, steps=480)
    cases = [
        ("80×24 screen, plot 38×10", (38, 10)),
        ("160×50 screen, plot 86×22", (86, 22)),
        ("plot 80×24", (80, 24)),
        ("plot 160×50", (160, 50)),
    ]
    print(
        f"{'two plots a frame':28} {'naive med/p90 ms':>17} {'pipeline med/p90 ms':>20} {'ratio':>6}"
        f" {'1st frame':>9} {'bytes sent/full':>16}"
    )
    for name, size in cases:
        r = measure(size, args.frames, traj)
        naive, pipe = r["naive"], r["pipeline"]
        print(
            f"{name:28} {ms(naive, 0.5):8.1f} /{ms(naive, 0.9):6.1f}   {ms(pipe, 0.5):9.2f} /{ms(pipe, 0.9):6.2f}"
            f"  {statistics.median(naive) / statistics.median(pipe):5.0f}× {1000 * r['first']:7.1f}ms"
            f" {statistics.median(r['sent']):7.0f} /{statistics.median(r['full']):6.0f}"
        )
    race = [run("rosenbrock", opt, lr=lr, steps=480) for opt, lr in RACE]
    print(f"\n{'full repaint':28} {'resize, 2 plots':>17} {'new scene, param':>20}")
    for name, size in [*cases, ("plot 150×40", (150, 40))]:
        a, b = repaint_resize(size, args.repaints, race), repaint_scene(size, args.repaints)
        print(f"{name:28} {ms(a, 0.5):8.1f} /{ms(a, 0.9):6.1f}   {ms(b, 0.5):9.1f} /{ms(b, 0.9):6.1f}")


if __name__ == "__main__":
    main()
