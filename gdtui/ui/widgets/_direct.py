"""`DirectLines`: a Line-API widget whose lines go to the compositor as they are.

Textual renders a widget's lines through its styles cache, which for every line that changed works out
borders, padding, tint, opacity and hatch, and looks the theme up again. The live plots and the state
panel change several lines every frame and use none of those: their `render_line` strips are already the
widget's full width with their own styles. Here they skip that cache and only go through the app's line
filters (true colour, NO_COLOR, dim), as Textual's own path would. A widget given a border, padding, tint,
opacity or text opacity by CSS takes Textual's path again, so nothing is drawn wrong.

A line whose `render_line` strip is the very one of the last call is not filtered again: the compositor asks
for every line of a widget in the area it updates, changed or not.

`StillLines`: a widget on Textual's own path whose `render_lines` is kept until Textual would draw it anew.
The compositor renders every widget whose clip overlaps the area it updates, and a container's clip is its
parent's, so each frame of the live plots asks the screen's containers, the title and the footer for all
their lines again (about 0.1 ms each). Their answer changes only when Textual marks them dirty (a refresh,
a resize, new styles) or their background or the app's filters change, which is what the cache checks."""

from __future__ import annotations

from textual.geometry import Region, Spacing
from textual.strip import Strip
from textual.widget import Widget

_NO_GUTTER = Spacing(0, 0, 0, 0)


class DirectLines(Widget):
    _direct_env: tuple | None = None  # (width, columns, filters, background) the kept lines were made for
    _direct_out: dict[int, tuple[Strip, Strip]]  # y -> (render_line's strip, the strip given for it)

    def render_lines(self, crop: Region) -> list[Strip]:
        styles = self.styles
        if (
            styles.gutter != _NO_GUTTER
            or styles.tint.a
            or self.opacity != 1.0
            or styles.text_opacity != 1.0
            or (styles.has_rule("hatch") and styles.hatch != "none")
        ):
            return super().render_lines(crop)
        width = self.size.width
        filters = tuple(self.get_line_filters())
        background = self.background_colors[1] if filters else None
        env = (width, crop.column_span, filters, background)
        if env != self._direct_env:
            self._direct_env, self._direct_out = env, {}
        kept = self._direct_out
        x1, x2 = crop.column_span
        render_line = self.render_line
        strips = []
        for y in crop.line_range:
            source = render_line(y)
            old = kept.get(y)
            if old is not None and old[0] is source:
                strips.append(old[1])
                continue
            strip = source
            if strip.cell_length != width:
                strip = strip.adjust_cell_length(width, self.visual_style.rich_style)
            for line_filter in filters:
                strip = strip.apply_filter(line_filter, background)
            if (x1, x2) != (0, width):
                strip = strip.crop(x1, x2)
            kept[y] = (source, strip)
            strips.append(strip)
        return strips

    def notify_style_update(self) -> None:
        self._direct_env = None
        super().notify_style_update()


class StillLines:
    """Mixed into a widget on Textual's path, first (`class Still(StillLines, Vertical)`): its lines are
    kept between calls for the same crop, size, background and filters until Textual marks it dirty or
    restyles it (`_set_dirty`, where Textual drops its own line cache; `notify_style_update`). Not a
    Widget itself, so Textual takes the widget's CSS and type name from the class after it."""

    _still: tuple[tuple, list[Strip]] | None = None

    def render_lines(self: Widget, crop: Region) -> list[Strip]:
        key = (crop, self.size, self.background_colors, tuple(self.get_line_filters()))
        still = self._still
        if still is not None and still[0] == key:
            return list(still[1])
        strips = super().render_lines(crop)  # type: ignore[misc]
        self._still = (key, list(strips))
        return strips

    def _set_dirty(self, *regions: Region) -> None:
        self._still = None
        super()._set_dirty(*regions)  # type: ignore[misc]

    def notify_style_update(self) -> None:
        self._still = None
        super().notify_style_update()  # type: ignore[misc]
