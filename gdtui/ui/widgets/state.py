"""The state panel: where each run is and why it moved — step, θ, loss, ‖g‖, α and the optimizer's own
state (v, G, S, m, s, m̂, ŝ). Statuses are words, not colours alone."""

from __future__ import annotations

import numpy as np
from rich.text import Text
from textual.widgets import Static

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


class StatePanel(Static):
    """Shows one run in detail, or a race as one line per run."""

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
        self.border_title = title + (f" · target loss {num(target)}" if target is not None else "")
        text = self.render_runs(steppers, labels, markers, target, losses)
        lines = text.plain.count("\n")
        # re-lay out the screen only when the panel's height can change, not on every tick
        self.update(text, layout=lines != getattr(self, "_lines", None))
        self._lines = lines

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
    out = status_text(s)
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
