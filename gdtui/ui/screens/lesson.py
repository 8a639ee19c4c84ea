"""A lesson page: its Markdown beside its live scene (parameter plot, loss curve, state, controls).

One frame clock at the app's redraw rate drives a playing scene: each frame the engine takes the steps
the scene's speed owes it (its steps a second do not depend on the redraw rate), then the state panel and
both plots are brought up to date together, so a frame is one screen update. Changing a control restarts
the scene from its start point. A run that diverges says so and the app keeps going.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, Markdown, Select, Static

from ...course.schema import Lesson, Page
from ..frame_clock import FrameClock
from ..runner import SceneRunner
from ..widgets._direct import StillLines
from ..widgets.controls import Controls, parse_control, run_options
from ..widgets.footer import KeyFooter
from ..widgets.plots import LivePlot, LossPlot, ParamPlot, series_style
from ..widgets.state import StatePanel
from ._exercises import ExercisesMixin


def view_class(view: str):
    """The widget that draws a scene's `view` (see course VIEWS) where the parameter plot goes."""
    if view == "auto":
        return ParamPlot
    from ..widgets import views

    return {
        "fit": views.FitPlot,
        "gradient-check": views.GradientCheckPlot,
        "batch-variance": views.BatchVariancePlot,
    }[view]


class _StillRow(StillLines, Horizontal):
    """A row whose own lines (its background) are kept between the frames of the live plots inside it."""


class _StillColumn(StillLines, Vertical):
    """A column whose own lines are kept between frames (see `StillLines`)."""


class _StillText(StillLines, Static):
    """A line of text kept between frames until it is updated (see `StillLines`)."""


#: The state panel's numbers change at most this many times a second while playing.
STATE_HZ = 10.0

#: A parameter plot at least this tall shows a legend for a race.
LEGEND_MIN_ROWS = 16


class LessonScreen(ExercisesMixin, Screen):
    BINDINGS = [
        Binding("escape", "back", "Back", tooltip="back to the lessons"),
        Binding("space", "play", "Play", tooltip="play or pause the scene"),
        Binding("s", "step", "Step", tooltip="take one step"),
        Binding("r", "reset", "Reset", tooltip="back to the start point (changes stay)"),
        Binding("n", "next_page", "Next", tooltip="next page"),
        Binding("p", "prev_page", "Prev", tooltip="previous page"),
        Binding("plus,equals_sign", "lr_up", "lr", key_display="+", tooltip="raise the learning rate"),
        Binding("minus", "lr_down", "lr", key_display="-", tooltip="lower the learning rate"),
        Binding("h", "hint", "Hint", tooltip="the next hint of an exercise on this page"),
        Binding(
            "R",
            "restore",
            "Page settings",
            show=False,
            tooltip="the page's own settings again",
        ),
    ]

    def __init__(self, lesson: Lesson, page: int = 0) -> None:
        super().__init__()
        self.lesson = lesson
        self.index = page
        self.runner: SceneRunner | None = None
        self.playing = False
        self.speed = 10.0
        self._owed = 0.0  # fractional steps carried between frames
        self._clock: FrameClock | None = None  # runs while playing
        self._live: list[LivePlot] | None = None  # see `_plots`
        self._state_stale = False  # the runs stepped since the state panel last showed them
        self._state_wait = 0  # frames until the state panel may change again

    @property
    def page(self) -> Page:
        return self.lesson.pages[self.index]

    def compose(self) -> ComposeResult:
        yield _StillText(id="page-title")
        with _StillRow(id="lesson-body"):
            with _StillColumn(id="reading"):
                with VerticalScroll(id="page-scroll"):
                    yield Markdown(id="page-text")
                yield Vertical(id="controls-slot")
                yield Static(id="notice")
            with _StillColumn(id="scene"):
                yield ParamPlot(id="plot-auto", classes="scene-plot")
                yield LossPlot(id="loss-plot")
                yield StatePanel(id="state")
        yield KeyFooter()

    async def on_mount(self) -> None:
        for plot in self._plots():
            self._drive(plot)
        self._clock = FrameClock(self, self.app.redraw_rate, self._frame)
        self._state_panel = self.query_one(StatePanel)
        await self.show_page(self.index)

    def on_unmount(self) -> None:
        self.app.collect_soon()  # this screen's widgets

    # -- pages ----------------------------------------------------------------------------------------
    async def show_page(self, index: int) -> None:
        self.app.collect_soon()  # the last page's blocks, exercises and controls
        self.index = index
        page = self.page
        self.app.store.page_seen(self.lesson.slug, index)
        self.query_one("#page-title", Static).update(
            f"[b]{self.lesson.title}[/b]  ·  {index + 1}/{len(self.lesson.pages)}  {page.title}"
        )
        self.query_one("#page-text", Markdown).update(page.text)
        self.query_one("#page-scroll").scroll_home(animate=False)
        self._notice("")
        self.pause()
        self.mount_exercises(page)
        scene = page.scene
        self.query_one("#lesson-body").set_class(scene is None, "no-scene")
        slot = self.query_one("#controls-slot")
        if scene is None or not scene.controls:
            await slot.remove_children()
        if scene is None:
            self.runner = None
            return
        self.runner = SceneRunner(scene)
        self.speed = scene.speed
        await self._ensure_view(scene.view)
        self._scene_changed()
        if scene.controls:
            controls, shown = slot.query(Controls), (self._control_values(), run_options(self.runner.labels))
            if controls:  # the rows this page shares with the last one stay (see Controls.set_controls)
                await controls.first().set_controls(scene.controls, *shown)
            else:
                slot.mount(Controls(scene.controls, *shown))

    async def _ensure_view(self, view: str) -> None:
        """Put the widget for the scene's view where the parameter plot goes (awaited, so exactly one
        plot is ever in place)."""
        current = self.query_one(".scene-plot")
        wanted = view_class(view)
        if type(current) is wanted:
            return
        replacement = self._drive(wanted(id=f"plot-{view}", classes="scene-plot"))
        await current.remove()
        await self.query_one("#scene").mount(replacement, before=0)
        self._live = None

    def _drive(self, plot: LivePlot) -> LivePlot:
        """A plot drawn at the app's redraw rate by this screen's frame clock (at once when paused)."""
        plot.redraw_rate = self.app.redraw_rate
        plot.clocked = False
        return plot

    def _plots(self) -> list[LivePlot]:
        """The scene plot and the loss plot (looked up once, again after `_ensure_view` replaces the scene
        plot: a frame needs them every time)."""
        if self._live is None:
            self._live = [self.query_one(".scene-plot", LivePlot), self.query_one(LossPlot)]
        return self._live

    def _scene_changed(self) -> None:
        """New steppers (page, control or reset): redraw everything from the start point."""
        runner = self.runner
        scene_plot, loss_plot = self._plots()
        scene_plot.set_scene(runner.problem, runner.labels)
        loss_plot.set_series(runner.labels)
        self._show_controls()
        self._show_progress()
        self._place_legends()

    def on_resize(self) -> None:
        self.call_after_refresh(self._place_legends)

    def _place_legends(self) -> None:
        """The state panel lists every run with its marker, so it is the legend; the parameter plot adds
        one for a race only when it is tall enough not to hide the start, and the loss plot never does
        (its legend would sit on the first, highest losses)."""
        if self.runner is None:
            return
        param, loss = self.query_one(".scene-plot"), self.query_one(LossPlot)
        want = self.runner.race and param.size.height >= LEGEND_MIN_ROWS
        if param.show_legend != want:
            param.show_legend = want
        if loss.show_legend:
            loss.show_legend = False

    def _show_controls(self) -> None:
        if self.runner is None or not self.query(Controls):
            return
        controls = self.query_one(Controls)
        values = self._control_values()
        controls.offer(run_options(self.runner.labels), values["run"])
        for name, value in values.items():
            controls.show(name, value)

    def _control_values(self) -> dict[str, str]:
        """What each control shows for the current steppers."""
        return {**self.runner.control_values(), "speed": str(int(self.speed))}

    def _show_progress(self, state: bool = True) -> None:
        """The state panel (unless not `state`) and the plots' data for where the runs are now; the plots
        redraw on the next frame while playing, at once otherwise."""
        runner = self.runner
        if runner is None:
            return
        labels = runner.labels
        markers = [series_style(i)[1] for i in range(len(labels))]
        histories = [s.history() for s in runner.steppers]
        losses = [h[1] for h in histories]
        if state:
            self._state_panel.show(runner.steppers, labels, markers, runner.scene.target, losses)
        self._state_stale = not state
        scene_plot, loss_plot = self._plots()
        scene_plot.update_paths([h[0] for h in histories])
        loss_plot.update_losses(losses)
        if not self.playing:
            scene_plot.redraw_soon()
            loss_plot.redraw_soon()

    # -- the frame clock ------------------------------------------------------------------------------
    def _frame(self, slots: int = 1) -> None:
        """One frame while playing: the steps the speed owes since the last frame (`slots` frame times:
        more than one after a stall, see FrameClock), then one update of the state panel and both plots
        (skipped when no step was taken and nothing else changed)."""
        if self.runner is None or not self.playing:
            return
        self._owed += slots * self.speed / self.app.redraw_rate
        steps, self._owed = int(self._owed), self._owed - int(self._owed)
        self._state_wait -= 1
        if steps:
            self.runner.step(steps)
        # the numbers change at most STATE_HZ times a second (faster is unreadable); the plots every frame
        state = (steps or self._state_stale) and (self._state_wait <= 0 or self.runner.done)
        if steps or state:
            self._show_progress(state=bool(state))
        if state:
            self._state_wait = round(self.app.redraw_rate / STATE_HZ)
        if self.runner.done:
            self.pause()
            self.reveal_pending()
        for plot in self._plots():
            plot.redraw_if_dirty()

    def play(self) -> None:
        if self.runner is None:
            return
        if self.runner.done:
            self.runner.reset()
            self._scene_changed()
        self.playing = True
        self._owed = 0.0
        if self._clock is not None:
            self._clock.start()

    def pause(self) -> None:
        self.playing = False
        if self._clock is not None:
            self._clock.stop()
        if self._state_stale:  # paused between two state updates: show where the runs stopped
            self._show_progress()

    # -- actions --------------------------------------------------------------------------------------
    def action_play(self) -> None:
        self.pause() if self.playing else self.play()

    def action_step(self) -> None:
        if self.runner is not None:
            self.pause()
            self.runner.step(1)
            self._show_progress()
            if self.runner.done:
                self.reveal_pending()

    def action_reset(self) -> None:
        if self.runner is not None:
            self.pause()
            self.runner.reset()
            self._scene_changed()

    def action_restore(self, notice: str = "The page's own settings again.") -> None:
        """`R`: the scene as the page sets it up (every control change undone), from its start."""
        if self.runner is not None:
            self.pause()
            self.runner = SceneRunner(self.runner.scene)
            self.speed = self.runner.scene.speed
            self._scene_changed()
            self._notice(notice)

    async def action_next_page(self) -> None:
        if self.index + 1 < len(self.lesson.pages):
            await self.show_page(self.index + 1)
        else:
            self._notice("Last page: escape goes back to the lessons.")

    async def action_prev_page(self) -> None:
        if self.index > 0:
            await self.show_page(self.index - 1)

    def action_lr_up(self) -> None:
        self._apply(lambda r: r.bump_lr(True))

    def action_lr_down(self) -> None:
        self._apply(lambda r: r.bump_lr(False))

    def action_back(self) -> None:
        if isinstance(self.focused, (Input, Select)):
            self.set_focus(None)
            return
        self.pause()
        self.app.pop_screen()

    # -- controls -------------------------------------------------------------------------------------
    @on(Controls.Changed)
    def _control(self, event: Controls.Changed) -> None:
        name, text = event.name, event.value
        if name == "speed":
            self.speed = float(text)
            if self.playing:
                self.play()
            return
        try:
            change = parse_control(name, text, race=self.runner is not None and self.runner.lr_scaled)
        except ValueError as exc:
            self._notice(str(exc))
            self._show_controls()
            return
        if "run" in change:  # which run the optimizer and lr controls show: the runs go on
            self.runner.select(change["run"])
            self._show_controls()
            return
        self._apply(lambda r: r.change(**change))

    def _apply(self, change) -> None:
        if self.runner is None:
            return
        was_playing = self.playing
        self.pause()
        error = change(self.runner)
        self._notice(error or "")
        self._scene_changed()
        if was_playing and error is None:
            self.play()

    def _notice(self, text: str) -> None:
        self.query_one("#notice", Static).update(text)
