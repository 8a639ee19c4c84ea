"""The frame clock of a playing scene: `rate` ticks a second on a fixed grid of times, late ticks served at
once.

Textual's timers skip the ticks they are late for, but count one too many: after a stall of 1.3 intervals
`set_interval` drops the late tick *and* the next one, which was still on time, so the screen waits three
intervals for its next frame (600 ms at 5 redraws a second) and loses two frames where the stall cost at
most one; a one-shot `set_timer` whose loop is held up past its delay never fires at all. Here a late tick
fires as soon as the loop is free, once for all the slots that have passed (the callback is told how many,
so an animation keeps its pace), and the next tick keeps to the grid. The wait is asyncio's `call_later`;
the tick itself runs through the owner's message queue (`MessagePump.call_later`), as a Textual callback.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Protocol

from textual.message_pump import MessagePump


class _Handle(Protocol):
    def cancel(self) -> None: ...


def _wait(delay: float, callback: Callable[[], object]) -> _Handle:
    return asyncio.get_running_loop().call_later(delay, callback)


class FrameClock:
    """Calls `tick(slots)` on `owner` at `start + k / rate` for k = 1, 2, … while running; `slots` is how
    many grid times have passed since the last call (1 unless the loop was held up for a whole interval)."""

    def __init__(self, owner: MessagePump, rate: float, tick: Callable[[int], None], wait=_wait) -> None:
        self.owner, self.interval, self._tick, self._wait = owner, 1.0 / rate, tick, wait
        self._due = 0.0  # the grid time of the next tick
        self._handle: _Handle | None = None
        self._run = 0  # which start the pending tick belongs to (a stop or a restart moves on)

    @property
    def running(self) -> bool:
        return self._handle is not None

    def start(self) -> None:
        """(Re)start the grid now: the first tick comes one interval from now."""
        self.stop()
        self._due = time.monotonic() + self.interval
        self._arm()

    def stop(self) -> None:
        self._run += 1
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _arm(self) -> None:
        run = self._run
        delay = max(0.0, self._due - time.monotonic())
        self._handle = self._wait(delay, lambda: self.owner.call_later(self._fire, run))

    def _fire(self, run: int) -> None:
        if run != self._run:  # stopped or restarted while this tick waited in the queue
            return
        now = time.monotonic()
        slots = 1 + max(0, int((now - self._due) / self.interval))  # this slot and any the loop missed
        self._due += slots * self.interval
        self._tick(slots)
        if run == self._run:  # the tick neither stopped nor restarted the clock
            self._arm()
