"""Shared by the pilot tests: waiting, without a fixed sleep, for a lesson scene's runs to end."""


async def play_to_the_end(pilot, screen, polls: int = 200, every: float = 0.05) -> None:
    """Poll until every run of the screen's scene has ended (or `polls` polls have passed), then let the
    screen handle what the end sets off (the state panel, a pending verdict)."""
    for _ in range(polls):
        await pilot.pause(every)
        if screen.runner.done:
            break
    await pilot.pause()
