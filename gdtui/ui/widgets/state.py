"""The state panel: where each run is and why it moved — step, θ, loss, ‖g‖, α and the optimizer's own
state (v, G, S, m, s, m̂, ŝ). Statuses are words, not colours alone."""

from __future__ import annotations

import numpy as np
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip

from ...engine import Stepper, reached_at
from ._direct import DirectLines

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


#: A line of the panel: its pieces, each (text, Rich style name).
Line = tuple[tuple[str, str], ...]


def status_piece(s: Stepper) -> tuple[str, str]:
    if s.status == "diverged":
        return f"DIVERGED at step {s.diverged_at}", "bold red"
    if s.status == "converged":
        return f"converged at step {s.k}", "bold green"
    if s.status == "max_steps":
        return f"finished {s.k} steps", "bold"
    return "running" if s.k else "ready", "dim"


def as_text(lines: list[Line]) -> Text:
    """The lines as one Rich Text (what the panel shows, for a reader or a test)."""
    out = Text()
    for i, line in enumerate(lines):
        if i:
            out.append("\n")
        for text, style in line:
            out.append(text, style=style or None)
    return out


class StatePanel(DirectLines):
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
        self._lines_shown: list[Line] = []
        self._strips: tuple[int, list[Strip]] | None = None  # (width, the rule and the text's lines)
        self._looks: tuple[Style, Style, dict] | None = None  # see `_styles`

    def render(self) -> Text:
        """The panel's text (what it shows, under the rule)."""
        return as_text(self._lines_shown)

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

    def update(self, title: str, lines: list[Line]) -> None:
        """Show `lines` under a rule titled `title`: the screen is laid out again only when the number of
        lines can change, and only the lines that changed are repainted."""
        old = self._strips
        self.title, self._lines_shown, self._strips = title, list(lines), None
        new = self._wrapped(old[0]) if old is not None and self.is_mounted else None
        if new is None or len(new) != len(old[1]):  # the panel's height may change
            self.refresh(layout=True)
            return
        changed = [
            Region(0, y, old[0], 1) for y, (a, b) in enumerate(zip(old[1], new, strict=True)) if a != b
        ]
        if changed:
            self.refresh(*changed)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._looks = self._strips = None

    def _styles(self) -> tuple[Style, Style, dict]:
        """(the panel's Rich style, the rule's, {a text style: it over the panel's}); kept until the CSS
        changes (working a component's style out costs more than drawing the panel)."""
        if self._looks is None:
            base = self.visual_style.rich_style
            self._looks = (base, base + self.get_component_rich_style("state--rule", partial=True), {})
        return self._looks

    def _rule(self, width: int) -> Strip:
        """The top rule, ─title──────, as wide as the panel, all in the rule's colour."""
        rule = self._styles()[1]
        title = self.title[: max(0, width - 2)]
        return Strip([Segment(("─" + title + "─" * max(0, width - 1 - len(title)))[:width], rule)], width)

    def _wrapped(self, width: int) -> list[Strip]:
        """The rule and the text's lines at `width` (with a cell of padding each side, long lines wrapped);
        cached until the text or the width changes."""
        if self._strips is None or self._strips[0] != width:
            console = self.app.console
            base, _, over = self._styles()
            inner = max(1, width - 2)
            pad = Segment(" ", base)
            strips = [self._rule(width)]
            for line in self._lines_shown:
                length = sum(cell_len(text) for text, _ in line)
                if length > inner:  # rare (a detail line on a narrow panel): Rich wraps it
                    parts = [
                        tuple((seg.text, seg.style) for seg in part.render(console))
                        for part in as_text([line]).wrap(console, inner)
                    ]
                else:
                    parts = [line]
                for part in parts:
                    segments, used = [pad], 0
                    for text, style in part:
                        combined = over.get(style)
                        if combined is None:
                            combined = over[style] = base + console.get_style(style) if style else base
                        segments.append(Segment(text, combined))
                        used += cell_len(text)
                    fill = inner - used
                    segments.append(Segment(" " * (fill + 1), base) if fill > 0 else pad)
                    strips.append(Strip(segments, inner + 2).crop(0, width))
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
    ) -> list[Line]:
        """One run in detail, or one line per run."""
        if len(steppers) == 1 and target is None:
            return _detail(steppers[0])
        width = max(len(label) for label in labels)
        out = []
        for i, (s, label, marker) in enumerate(zip(steppers, labels, markers, strict=True)):
            reached = reached_at(losses[i], target) if target is not None else None
            status = (f"target at step {reached}", "bold green") if reached is not None else status_piece(s)
            out.append(((f"{marker} {label:<{width}} ", "bold"), (f"loss {num(s.loss):<9} ", ""), status))
        return out


def _detail(s: Stepper) -> list[Line]:
    out: list[Line] = [(status_piece(s),)]  # the status's own style stays on the status
    where = f"θ {vec(s.theta)}  loss {num(s.loss)}"
    step = f"‖g‖ {num(float(np.linalg.norm(s.grad)))}" if s.grad is not None else None
    if s.lr is not None:  # beside ‖g‖, or beside θ when there is no gradient
        rate = f"  α {num(float(np.ravel(s.lr)[0]))}"
        where, step = (where, step + rate) if step is not None else (where + rate, None)
    out.append(((where, ""),))
    if step is not None:
        out.append(((step, ""),))
    fields = [
        (STATE_NAMES.get(name, name), value) for name, value in zip(s.state._fields, s.state, strict=True)
    ]
    if fields:
        out.append((("  ".join(f"{name} {vec(value)}" for name, value in fields if name != "t"), ""),))
    return out
