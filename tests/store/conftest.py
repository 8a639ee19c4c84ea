"""Fixtures for the progress store: a store in a fresh directory, and Python code run in child processes."""

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from gdtui.store import Store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store(tmp_path):
    s = Store.open(tmp_path)
    yield s
    s.close()


@pytest.fixture
def spawn() -> Callable[..., subprocess.Popen]:
    """`spawn(code, *args)` starts `python -c code args…` with text pipes; all are reaped at teardown."""
    procs: list[subprocess.Popen] = []

    def start(code: str, *args: object) -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-c", code, *map(str, args)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)
