"""The state panel: where each run is and why it moved — step, θ, loss, ‖g‖, α and the optimizer's own
state (v, G, S, m, s, m̂, ŝ). Statuses are words, not colours alone."""

from __future__ import annotations

import numpy as np
from rich.segment import Segment
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from ...engine import Stepper

#: How each optimizer-state field is written on screen.
STATE_NAMES = {
    "velocity": "v",
    "G": "G",
    "S": "S",
    "m": "m",
    "s": "s",
    "m_hat": "m̂",
    "s_hat": "ŝ",
    "t": "t",
    "tried": "tried",
    "accepted": "kept",
}


def num(x: float) -> str:
    """A number in at most ~9 characters: 4 significant digits."""
    return f"{x:.4g}" if np.isfinite(x) else str(x)


def vec(v) -> str:
    a = np.ravel(np.asarray(v, dtype=float))
    return num(a[0]) if a.size == 1 else "(" + ", ".join(num(x) for x in a) + ")"


def status_text(s: Stepper) -> Text:
    if s.status == "diverged":
        return Text(f"DIVERGED at step {s.diverged_at}", style="bold red")
    if s.status == "converged":
        return Text(f"converged at step {s.k}", style="bold green")
    if s.status == "max_steps":
        return Text(f"finished {s.k} steps", style="bold")
    return Text("running" if s.k else "ready", style="dim")


class StatePanel(Widget):
    """Shows one run in detail, or a race as one line per run, under a rule that carries its title
    ("step k/n").

    It changes every frame while a scene plays, so it draws all its lines itself (Line API), the rule
    included: the text is cut into Strips once per change and width, without Textual's general content
    pipeline or its border-title machinery, and only the lines that changed are refreshed."""

    COMPONENT_CLASSES = {"state--rule"}

    DEFAULT_CSS = """
    StatePanel {
        height: auto;
    }
    StatePanel > .state--rule {
        color: $primary;
    }
    """

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None):
        super().__init__(name=name, id=id, classes=classes)
        self.title = ""  # on the rule
        self._text = Text()
        self._lines: int | None = None  # newlines in the text shown
        self._strips: tuple[int, list[Strip]] | None = None  # (width, the rule and the text's lines)

    def render(self) -> Text:
        """The panel's text (what it shows, under the rule)."""
        return self._text

    def show(
        self,
        steppers: list[Stepper],
        labels: list[str],
        markers: list[str],
        target: float | None = None,
        losses: list[np.ndarray] | None = None,
    ) -> None:
        """`losses` (each run's history) is needed with a `target`; the screen already has it."""
        title = f"step {max(s.k for s in steppers)}/{steppers[0].max_steps}"
        title += f" · target loss {num(target)}" if target is not None else ""
        self.update(title, self.render_runs(steppers, labels, markers, target, losses))

    def update(self, title: str, text: Text) -> None:
        """Show `text` under a rule titled `title`: the screen is laid out again only when the number of
        lines can change, and only the lines that changed are repainted."""
        lines = text.plain.count("\n")
        old = self._strips
        self.title, self._text, self._strips = title, text, None
        if lines != self._lines or old is None or not self.is_mounted:
            self._lines = lines
            self.refresh(layout=True)
            return
        new = self._wrapped(old[0])
        if len(new) != len(old[1]):
            self.refresh(layout=True)
            return
        changed = [
            Region(0, y, old[0], 1) for y, (a, b) in enumerate(zip(old[1], new, strict=True)) if a != b
        ]
        if changed:
            self.refresh(*changed)

    def _rule(self, width: int) -> Strip:
        """The top rule, ─title──────, as wide as the panel, all in the rule's colour."""
        rule = self.visual_style.rich_style + self.get_component_rich_style("state--rule", partial=True)
        title = self.title[: max(0, width - 2)]
        line = Segment("─" + title + "─" * max(0, width - 1 - len(title)), rule)
        return Strip([line]).crop_extend(0, width, rule)

    def _wrapped(self, width: int) -> list[Strip]:
        """The rule and the text's lines at `width` (with a cell of padding each side, long lines wrapped);
        cached until the text or the width changes."""
        if self._strips is None or self._strips[0] != width:
            console, base = self.app.console, self.visual_style.rich_style
            inner = max(1, width - 2)
            pad = Segment(" ", base)
            strips = [self._rule(width)]
            for line in self._text.split("\n", allow_blank=True):
                style = base + console.get_style(line.style) if line.style else base
                for part in line.wrap(console, inner) if line.cell_len > inner else [line]:
                    body = Strip(list(part.render(console)), part.cell_len).apply_style(style)
                    body = body.crop_extend(0, inner, base)
                    strips.append(Strip([pad, *body, pad], inner + 2).crop(0, width))
            self._strips = (width, strips)
        return self._strips[1]

    def get_content_height(self, container, viewport, width: int) -> int:
        return len(self._wrapped(width))

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width
        lines = self._wrapped(width)
        return lines[y] if 0 <= y < len(lines) else Strip.blank(width, self.visual_style.rich_style)

    @staticmethod
    def render_runs(
        steppers: list[Stepper],
        labels: list[str],
        markers: list[str],
        target: float | None = None,
        losses: list[np.ndarray] | None = None,
    ) -> Text:
        if len(steppers) == 1 and target is None:
            return _detail(steppers[0])
        width = max(len(label) for label in labels)
        out = Text()
        for i, (s, label, marker) in enumerate(zip(steppers, labels, markers, strict=True)):
            if i:
                out.append("\n")
            out.append(f"{marker} {label:<{width}} ", style="bold")
            out.append(f"loss {num(s.loss):<9} ")
            reached = reached_at(losses[i], target) if target is not None else None
            if reached is not None:
                out.append(f"target at step {reached}", style="bold green")
            else:
                out.append_text(status_text(s))
        return out


def reached_at(losses: np.ndarray, target: float) -> int | None:
    """The first step at which a run's loss history was at or below `target` (None if not yet)."""
    hits = np.flatnonzero(losses <= target)
    return int(hits[0]) if hits.size else None


def _detail(s: Stepper) -> Text:
    out = Text()
    out.append_text(status_text(s))  # the status's own style stays on the status (not the whole panel)
    out.append(f"\nθ {vec(s.theta)}  loss {num(s.loss)}")
    if s.grad is not None:
        out.append(f"\n‖g‖ {num(float(np.linalg.norm(s.grad)))}")
    if s.lr is not None:
        out.append(f"  α {num(float(np.ravel(s.lr)[0]))}")
    fields = [
        (STATE_NAMES.get(name, name), value) for name, value in zip(s.state._fields, s.state, strict=True)
    ]
    if fields:
        out.append("\n" + "  ".join(f"{name} {vec(value)}" for name, value in fields if name != "t"))
    return out
