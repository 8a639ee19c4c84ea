"""The `?` screen: every key, generated from the bindings themselves so it cannot drift from them."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

#: Keys that move between and inside the controls (Textual's own), listed for completeness.
EXTRA = (
    ("tab / shift+tab", "move between the controls"),
    ("enter", "open a lesson / apply a typed value"),
    ("escape", "leave a control, or go back"),
)


def key_rows(bindings: list[Binding]) -> list[tuple[str, str]]:
    rows = []
    for b in bindings:
        keys = " / ".join(
            k.strip()
            .replace("question_mark", "?")
            .replace("equals_sign", "=")
            .replace("plus", "+")
            .replace("minus", "-")
            for k in b.key.split(",")
        )
        rows.append((keys, b.tooltip or b.description))
    return rows


class HelpScreen(ModalScreen):
    """Lists the keys of the screen it was opened from, then the app's."""

    BINDINGS = [Binding("escape,question_mark,q", "close", "Close")]

    def __init__(self, bindings: list[Binding]) -> None:
        super().__init__()
        self.rows = key_rows(bindings) + list(EXTRA)

    def compose(self) -> ComposeResult:
        width = max(len(k) for k, _ in self.rows)
        lines = ["[b]Keys[/b]", ""] + [f"[b]{k:<{width}}[/b]  {d}" for k, d in self.rows]
        lines += ["", "[dim]escape or ? closes this screen[/dim]"]
        with VerticalScroll(id="help-box"):
            yield Static("\n".join(lines), id="help-text", markup=True)

    def action_close(self) -> None:
        self.dismiss()
