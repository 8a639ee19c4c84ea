"""The controls a page declares: one labelled field each, all reachable with tab and typed exactly.

Attributes down, messages up: the screen sets each field's shown value with `show(...)` (and the runs the
`run` list offers with `offer(...)`), and a field the learner commits (enter, or a choice in a list) posts
`Controls.Changed(name, text)` for the screen to apply.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Label, Select

from ...engine import OPTIMIZERS, SCHEDULES, schedule_params
from ._plot_view import series_style

LABELS = {
    "run": "run to set",
    "optimizer": "optimizer",
    "lr": "learning rate",
    "momentum": "momentum μ",
    "batch_size": "batch size",
    "schedule": "schedule",
    "start": "start",
    "speed": "steps/second",
}
SPEEDS = (1, 2, 5, 10, 20, 50, 100)


def run_options(labels: list[str]) -> list[tuple[str, str]]:
    """The `run` list: one `1 o gd` entry per run (its number, its marker in the plots, its name)."""
    return [(f"{i + 1} {series_style(i)[1]} {label}", str(i + 1)) for i, label in enumerate(labels)]


def _schedule_choices() -> list[tuple[str, str]]:
    out = []
    for kind in SCHEDULES:
        params = ",".join(f"{k}={v:g}" for k, v in schedule_params(kind).items())
        spec = f"{kind}:{params}" if params else kind
        out.append((spec, spec))
    return out


class Controls(Vertical):
    """A column of `label [field]` rows for the controls in `names` (a subset of course CONTROLS)."""

    class Changed(Message):
        def __init__(self, name: str, value: str) -> None:
            super().__init__()
            self.name = name
            self.value = value

    def __init__(
        self,
        names: tuple[str, ...],
        values: dict[str, str],
        runs: list[tuple[str, str]] | None = None,
        **kwargs,
    ) -> None:
        """`runs`: the `run` list's entries (see `run_options`)."""
        super().__init__(**kwargs)
        self.names = names
        self._choices: dict[str, list[tuple[str, str]]] = {
            "run": list(runs or []),
            "optimizer": [(o, o) for o in OPTIMIZERS],
            "schedule": _schedule_choices(),
            "speed": [(str(s), str(s)) for s in SPEEDS],
        }
        self._shown = {name: values[name] for name in names}  # what the screen last displayed
        for name in names:
            self._add_choice(name, values[name])

    def compose(self) -> ComposeResult:
        for name in self.names:
            yield self._row(name)

    def _row(self, name: str) -> Horizontal:
        label = Label(LABELS[name], classes="control-label")
        return Horizontal(label, self._field(name), classes="control", id=f"row-{name}")

    async def set_controls(
        self, names: tuple[str, ...], values: dict[str, str], runs: list[tuple[str, str]] | None = None
    ) -> None:
        """Show the controls `names` (in that order) with `values`, keeping the rows this column already
        has: every new field is styled and laid out afresh, and most pages show the controls the page
        before them did. A reordering builds the column anew."""
        if runs is not None:
            self.offer(runs, values.get("run", "1"))
        kept = [name for name in self.names if name in names]
        if kept != [name for name in names if name in kept]:
            kept = []
        gone = [self.query_one(f"#row-{name}") for name in self.names if name not in kept]
        if gone:
            await self.remove_children(gone)
        self.names = names
        for name in names:
            if name in kept:
                self.show(name, values[name], force=True)  # a new page: a half-typed value goes too
                continue
            self._shown[name] = values[name]
            self._add_choice(name, values[name])
            later = [f"#row-{n}" for n in names[names.index(name) + 1 :] if n in kept]
            await self.mount(self._row(name), before=later[0] if later else None)

    def _field(self, name: str):
        value = self._shown[name]
        if name in self._choices:
            return Select(self._choices[name], value=value, allow_blank=False, compact=True, id=f"ctl-{name}")
        return Input(value, compact=True, id=f"ctl-{name}", select_on_focus=True)

    def _add_choice(self, name: str, value: str) -> bool:
        """Offer a value the list lacks (e.g. a scene's own schedule parameters); True if it was added."""
        choices = self._choices.get(name)
        if choices is None or value in (v for _, v in choices):
            return False
        choices.append((value, value))
        return True

    def offer(self, runs: list[tuple[str, str]], value: str) -> None:
        """The entries of the `run` list (a run's name changes with its optimizer), showing `value`."""
        if runs == self._choices["run"]:
            return
        self._choices["run"] = list(runs)
        self._shown["run"] = value
        fields = self.query("#ctl-run") if "run" in self.names else ()
        if fields:
            field = fields.first()
            with field.prevent(Select.Changed):
                field.set_options(runs)
                field.value = value
                field.mutate_reactive(Select.value)  # the shown entry's text may have changed, not its value

    def show(self, name: str, value: str, *, force: bool = False) -> None:
        """Display a value without posting Changed (attributes down); a field being typed in keeps its
        text unless `force`."""
        if name not in self.names:
            return
        self._shown[name] = value
        fields = self.query(f"#ctl-{name}")
        if not fields:  # not composed yet: it will start with the value it was built with
            return
        field = fields.first()
        if field.value == value:
            return
        if isinstance(field, Select):
            if self._add_choice(name, value):
                field.set_options(self._choices[name])
            with field.prevent(Select.Changed):
                field.value = value
        elif force or not field.has_focus:
            with field.prevent(Input.Changed):
                field.value = value

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.post_message(self.Changed(event.input.id.removeprefix("ctl-"), event.value.strip()))
        self.screen.set_focus(None)

    @on(Select.Changed)
    def _chosen(self, event: Select.Changed) -> None:
        """A choice the learner made: not a list settling on its first option as it mounts, nor the value
        the screen itself displayed."""
        event.stop()
        name = event.select.id.removeprefix("ctl-")
        if event.value is Select.NULL or name not in self._shown or str(event.value) == self._shown[name]:
            return
        self._shown[name] = str(event.value)
        self.post_message(self.Changed(name, str(event.value)))


def parse_control(name: str, text: str, *, race: bool = False) -> dict:
    """A typed control value -> the runner's change; ValueError with a one-line reason. In a race the
    learning rate is a scale for every run's own rate (×2 or 2)."""
    if name == "run":
        if not text.isdigit():
            raise ValueError(f"run: expected a run's number, got {text!r}")
        return {"run": int(text) - 1}
    if name == "lr" and race:
        return {"lr_scale": _positive(text.lstrip("×x"), "learning-rate scale")}
    if name == "optimizer":
        return {"optimizer": text}
    if name == "schedule":
        return {"schedule": text}
    if name == "start":
        try:
            return {"start": tuple(float(v) for v in text.replace(" ", "").strip("()").split(","))}
        except ValueError:
            raise ValueError(f"start: expected numbers separated by commas, got {text!r}") from None
    if name == "batch_size":
        if not text.isdigit():
            raise ValueError(f"batch size: expected a whole number, got {text!r}")
        return {"batch_size": int(text)}
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{name.replace('_', ' ')}: expected a number, got {text!r}") from None
    return {"lr": value} if name == "lr" else {"momentum": value}


def _positive(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{what}: expected a number, got {text!r}") from None
    if not value > 0:
        raise ValueError(f"{what}: expected a number > 0, got {text!r}")
    return value
