"""Paging through a lesson: the control rows two pages share stay in place (each new field costs a
restyle and a relayout), showing each page's own values, and work as before."""

from textual.widgets import Input, Select

from gdtui.course import load_course
from gdtui.ui.app import GdtuiApp


async def test_paging_keeps_the_control_rows_both_pages_show_with_each_pages_values(store):
    app = GdtuiApp(load_course(None), store, "adaptive-race")  # pages 1-3: lr, (momentum,) start, speed
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.screen

        def rows() -> list[str]:
            return [row.id for row in screen.query(".control")]

        def value(name: str) -> str:
            return str(screen.query_one(f"#ctl-{name}").value)

        assert rows() == ["row-lr", "row-start", "row-speed"]
        lr_field = screen.query_one("#ctl-lr", Input)
        await pilot.press("plus")
        assert value("lr") == "×1.5"
        await pilot.press("n")
        assert rows() == ["row-lr", "row-momentum", "row-start", "row-speed"]
        assert screen.query_one("#ctl-lr") is lr_field  # kept, showing the new page's value
        assert value("lr") == "×1" and value("momentum") == "—" and value("start") == "-1.5,2"
        screen.query_one("#ctl-speed", Select).value = "50"
        await pilot.pause()
        assert screen.speed == 50.0
        await pilot.press("n")
        assert rows() == ["row-lr", "row-start", "row-speed"]
        assert value("speed") == str(int(screen.page.scene.speed))  # the page's own speed again
        await pilot.press("plus", "s")
        assert value("lr") == "×1.5" and screen.runner.k == 1
