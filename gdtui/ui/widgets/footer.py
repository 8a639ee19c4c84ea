"""The key footer every screen shows: Textual's compact Footer, rebuilt only when the keys it shows change.

Textual's Footer throws its keys away and mounts new ones after every change of focus or of the screen
stack, several times while a screen starts and again on each page of a lesson, and each new key is
restyled once more after mounting, when its `-compact` class is set. This one rebuilds at most once per
refresh, and only when the keys, labels, tooltips or enabled states it would show differ from those it
shows; its keys carry `-compact` from the start, so each is styled once. Its own lines are kept between
the frames of a playing scene (see `StillLines`).
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from ._direct import StillLines


class KeyFooter(StillLines, Footer):
    def __init__(self) -> None:
        super().__init__(compact=True)
        self._shown: tuple | None = None
        self._rebuild_due = False

    def shown_keys(self) -> tuple:
        """What the footer shows for the screen's active bindings."""
        app = self.app
        return tuple(
            (binding.key, app.get_key_display(binding), binding.description, enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or self._rebuild_due:
            return
        if self.is_attached and screen is self.screen:
            self._rebuild_due = True
            self.call_after_refresh(self._rebuild)

    async def _rebuild(self) -> None:
        self._rebuild_due = False
        if self.is_attached and self.shown_keys() != self._shown:
            await self.recompose()

    def compose(self):
        self._shown = self.shown_keys() if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.set_class(self.compact, "-compact", update=False)  # as its watcher will: no restyle
            yield widget
