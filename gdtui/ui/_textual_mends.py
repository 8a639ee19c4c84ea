"""Mends for Textual internals that cost a long session memory. Textual is pinned below 9, and
tests/ui/test_textual_mends.py checks that each mend still applies to the installed Textual.

`StylesCache.get_inner_outer` (textual/_styles_cache.py) is an `lru_cache(1024)` on an instance method, so its
keys hold the last 1024 `StylesCache` objects it ran for, and each of those holds every line its widget last
drew. Each lesson page mounts new Markdown blocks, exercises and controls, so a learner going through the
course kept the lines of up to 1024 widgets long removed: a classroom session grew from 63 to 90 MiB resident
over the twelve lessons (72 with the mend; benchmarks/session_memory.py). The method's result depends only on
its two colours, so the mend caches it on those alone, with the same body.
"""

from __future__ import annotations

from functools import lru_cache

from textual._styles_cache import StylesCache


def mend_styles_cache() -> None:
    """Cache `StylesCache.get_inner_outer` on its colours, not on the widget's cache object (idempotent)."""
    method = StylesCache.__dict__.get("get_inner_outer")
    body = getattr(method, "__wrapped__", None)  # the undecorated method; it never reads its first argument
    if body is None or not callable(getattr(method, "cache_clear", None)):
        return  # mended already, or Textual no longer caches it so (the test says which)
    inner_outer = lru_cache(1024)(lambda base_background, background: body(None, base_background, background))

    def get_inner_outer(self, base_background, background):
        return inner_outer(base_background, background)

    get_inner_outer.__doc__ = body.__doc__
    StylesCache.get_inner_outer = get_inner_outer
