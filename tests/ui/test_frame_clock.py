"""The frame clock's schedule, on a clock the test sets: late ticks are served at once and counted, the
grid keeps its times, and a tick that stops or restarts the clock is obeyed."""

import pytest

from gdtui.ui import frame_clock
from gdtui.ui.frame_clock import FrameClock


class Wait:
    """Stands in for the event loop's call_later: records each wait; `fire_at` runs the last one."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.pending = None
        self.cancelled = 0

    def __call__(self, delay, callback):
        self.delays.append(delay)
        self.pending = callback
        return self

    def cancel(self) -> None:
        self.cancelled += 1


class Owner:
    """Runs a queued callback at once (the app would run it from its message queue)."""

    def call_later(self, callback, *args):
        callback(*args)
        return True


@pytest.fixture
def now(monkeypatch):
    t = [100.0]
    monkeypatch.setattr(frame_clock.time, "monotonic", lambda: t[0])
    return t


def clock_for(tick, rate=10.0):
    wait = Wait()
    return FrameClock(Owner(), rate, tick, wait=wait), wait


def fire_at(wait: Wait, now: list[float], at: float) -> None:
    now[0] = at
    wait.pending()


def test_on_time_ticks_keep_to_the_grid(now):
    slots = []
    clock, wait = clock_for(slots.append)
    clock.start()
    assert wait.delays[-1] == pytest.approx(0.1)
    fire_at(wait, now, 100.1)
    fire_at(wait, now, 100.2)
    assert slots == [1, 1] and wait.delays[-1] == pytest.approx(0.1)


def test_a_late_tick_fires_at_once_and_the_next_keeps_its_time(now):
    slots = []
    clock, wait = clock_for(slots.append)
    clock.start()
    fire_at(wait, now, 100.13)  # the loop was held up 0.3 of an interval
    assert slots == [1]
    assert wait.delays[-1] == pytest.approx(0.07)  # the next slot is still at 100.2


def test_slots_missed_in_a_long_stall_are_counted_in_one_tick(now):
    slots = []
    clock, wait = clock_for(slots.append)
    clock.start()
    fire_at(wait, now, 100.1)
    fire_at(wait, now, 100.33)  # due at 100.2; 100.3 passed too: one tick for both
    assert slots == [1, 2]
    assert wait.delays[-1] == pytest.approx(0.07)  # next at 100.4, on the grid
    fire_at(wait, now, 100.4)
    assert slots == [1, 2, 1]


def test_a_tick_that_stops_the_clock_is_not_followed_by_another(now):
    clock, wait = clock_for(lambda slots: clock.stop())
    clock.start()
    fire_at(wait, now, 100.1)
    assert not clock.running and len(wait.delays) == 1


def test_a_tick_that_restarts_the_clock_leaves_one_pending_tick(now):
    clock, wait = clock_for(lambda slots: clock.start())
    clock.start()
    fire_at(wait, now, 100.1)
    assert clock.running and len(wait.delays) == 2  # the restart's wait only
    assert wait.delays[-1] == pytest.approx(0.1)


def test_a_tick_already_queued_when_the_clock_stops_does_nothing(now):
    slots, queued = [], []
    wait = Wait()
    owner = Owner()
    owner.call_later = lambda callback, *args: queued.append((callback, args)) or True
    clock = FrameClock(owner, 10.0, slots.append, wait=wait)
    clock.start()
    now[0] = 100.1
    wait.pending()  # the wait is over: the tick goes into the owner's queue ...
    clock.stop()  # ... and the learner pauses before the queue gets to it
    callback, args = queued.pop()
    callback(*args)
    assert slots == [] and not clock.running
