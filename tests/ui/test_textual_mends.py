"""The mends gdtui makes to Textual's internals (gdtui/ui/_textual_mends.py) still apply to the installed
Textual, and do what Textual did, without the leak."""

import gc
import weakref

import pytest
from textual._styles_cache import StylesCache
from textual.color import Color

import gdtui.ui.app  # noqa: F401  (importing the app applies the mends)
from gdtui.ui._textual_mends import mend_styles_cache

COLOURS = [
    (Color(0, 0, 0), Color(255, 255, 255, 0.5)),
    (Color(10, 20, 30), Color(200, 100, 0)),
    (Color(255, 255, 255), Color(0, 0, 255, 0.0)),
]


@pytest.mark.parametrize(("base", "background"), COLOURS, ids=["half-white-on-black", "opaque", "clear"])
def test_inner_and_outer_are_the_background_over_the_base_and_the_base(base, background):
    inner, outer = StylesCache().get_inner_outer(base, background)
    assert inner.background == base + background and inner.foreground is None
    assert outer.background == base and outer.foreground is None


def test_half_white_over_black_is_mid_grey():  # the blend worked by hand: 0 + (255 − 0) · 0.5 ≈ 128
    inner, _ = StylesCache().get_inner_outer(Color(0, 0, 0), Color(255, 255, 255, 0.5))
    assert inner.background.rgb in ((127, 127, 127), (128, 128, 128)) and inner.background.a == 1


def test_a_styles_cache_dropped_with_its_widget_is_freed_with_the_lines_it_kept():
    """Textual's lru_cache on the method kept the last 1024 StylesCache objects (and their widgets' lines)
    as its keys; a session that went through the course held hundreds of removed widgets' lines."""
    cache = StylesCache()
    cache.get_inner_outer(Color(1, 2, 3), Color(4, 5, 6))
    gone = weakref.ref(cache)
    del cache
    gc.collect()
    assert gone() is None


def test_the_mend_is_applied_once():
    mended = StylesCache.__dict__["get_inner_outer"]
    mend_styles_cache()
    assert StylesCache.__dict__["get_inner_outer"] is mended
