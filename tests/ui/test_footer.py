"""The key footer: the screen's keys in Textual's compact look, rebuilt only when they change."""

from pathlib import Path

from textual.widgets import Input
from textual.widgets._footer import FooterKey

from gdtui.course import load_course
from gdtui.ui.app import GdtuiApp
from gdtui.ui.widgets.footer import KeyFooter

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "ui-course"
LESSON_KEYS = ["Back", "Play", "Step", "Reset", "Next", "Prev", "lr", "lr", "Hint", "Help", "Quit"]


def shown(screen) -> list[str]:
    return [key.description for key in screen.query_one(KeyFooter).query(FooterKey)]


def active(screen) -> list[str]:
    """The description of each action with a shown binding (one key per action, as Textual's Footer)."""
    actions: dict[str, str] = {}
    for _, binding, _, _ in screen.active_bindings.values():
        if binding.show:
            actions.setdefault(binding.action, binding.description)
    return list(actions.values())


async def test_the_footer_shows_the_screens_keys_and_keeps_them_while_they_stay_the_same(store):
    app = GdtuiApp(load_course(FIXTURE), store, "one-d")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        keys = list(screen.query(FooterKey))
        assert shown(screen) == LESSON_KEYS == active(screen)
        assert all(key.has_class("-compact") for key in keys)
        await pilot.press("n", "n", "p", "p")  # pages with and without a scene: the same keys
        assert list(screen.query(FooterKey)) == keys  # nothing changed, so nothing was rebuilt
        screen.query_one(Input).focus()  # typing into a field: the keys it takes leave the footer
        await pilot.pause()
        assert shown(screen) == active(screen) != LESSON_KEYS
        await pilot.press("escape")  # out of the field
        await pilot.pause()
        assert shown(screen) == LESSON_KEYS
        await pilot.press("escape")  # back home
        await pilot.pause()
        assert shown(app.screen) == ["Help", "Quit"] == active(app.screen)
